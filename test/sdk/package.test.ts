/**
 * The SDK as an integrator gets it: the repository packed with `npm pack` (the build of `npm run build:sdk`,
 * incremental), unpacked into a fresh project's node_modules next to ethers, then `require("xmargin/sdk")` from
 * another Node process that connects to a world served over HTTP by this one, and a TypeScript file that
 * type-checks against the package's own declarations.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { parseUnits } from "ethers";
import { recordOf, writeRecord } from "../../scripts/lib/deployment";
import { ACTORS, deposit, signer } from "../../scripts/lib/world";
import { serveChains, type Served } from "../helpers/rpc";
import { supplyLiquidity, useWorld } from "../helpers/world";

const ROOT = path.join(__dirname, "..", "..");

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

const CONSUMER_JS = `
const sdk = require("xmargin/sdk");
(async () => {
  const xm = await sdk.connect(process.argv[2], { account: Number(process.argv[3]) });
  const p = await sdk.getPosition(xm);
  let blocked = false;
  try { require("xmargin/typechain-types"); } catch (e) { blocked = e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED"; }
  console.log(JSON.stringify({
    resolved: require.resolve("xmargin/sdk"),
    account: p.account,
    credits: p.credits.filter((c) => c.amount > 0n).map((c) => [c.chain, c.token.symbol, sdk.formatAmount(c.amount, c.token.decimals)]),
    power: sdk.formatAmount(p.borrowingPower, p.base.decimals),
    decoded: sdk.decodeErrorData(process.argv[4]).text,
    blocked,
  }));
  xm.close();
})().catch((e) => { console.error(e); process.exit(1); });
`;

const CONSUMER_TS = `
import { connect, getPosition, type Position } from "xmargin/sdk";
export async function power(file: string): Promise<bigint> {
  const xm = await connect(file, { account: 4 });
  const p: Position = await getPosition(xm);
  xm.close();
  return p.borrowingPower;
}
`;

describe("the SDK as an npm package (xmargin/sdk)", function () {
  this.timeout(300_000);
  const h = useWorld(async (w) => {
    await supplyLiquidity(w);
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1.5", 18));
  });
  let server: Served;
  let dir: string;

  before(async () => {
    server = await serveChains(h.w.chains);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "xm-integrator-"));
  });
  after(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("packs, installs into another project, and works from require() and from TypeScript", async () => {
    const w = h.w;
    const build = await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.sdk.json"], ROOT);
    expect(build.code, build.out).to.equal(0);
    const pack = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], ROOT);
    expect(pack.code, pack.out).to.equal(0);
    const tarball = path.join(dir, pack.out.trim().split("\n").pop()!);

    const project = path.join(dir, "project");
    const modules = path.join(project, "node_modules");
    fs.mkdirSync(modules, { recursive: true });
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "integrator", private: true }));
    const untar = await run("tar", ["-xzf", tarball, "-C", modules], dir);
    expect(untar.code, untar.out).to.equal(0);
    fs.renameSync(path.join(modules, "package"), path.join(modules, "xmargin"));
    expect(fs.existsSync(path.join(modules, "xmargin", "dist", "sdk", "sdk", "index.d.ts"))).to.equal(true);
    expect(fs.existsSync(path.join(modules, "xmargin", "contracts"))).to.equal(false);
    fs.symlinkSync(path.join(ROOT, "node_modules", "ethers"), path.join(modules, "ethers"));

    await w.relayer.flush();
    const record = path.join(dir, "devnet.json");
    writeRecord(record, recordOf(w, server.rpc));
    fs.writeFileSync(path.join(project, "index.js"), CONSUMER_JS);
    const notRelayer = w.hub.deployment.adapter.interface.encodeErrorResult("NotRelayer", [
      signer(w.hub.chain, "bob").address,
    ]);
    const js = await run(process.execPath, ["index.js", record, String(ACTORS.alice), notRelayer], project);
    expect(js.code, js.out).to.equal(0);
    const got = JSON.parse(js.out.trim().split("\n").pop()!) as {
      resolved: string;
      account: string;
      credits: string[][];
      power: string;
      decoded: string;
      blocked: boolean;
    };
    expect(got.resolved).to.equal(path.join(fs.realpathSync(modules), "xmargin", "dist", "sdk", "sdk", "index.js"));
    expect(got.account).to.equal(signer(w.hub.chain, "alice").address);
    expect(got.credits).to.deep.equal([["alpha", "WETH", "1.5"]]);
    expect(got.power).to.equal("3600");
    expect(got.decoded).to.equal(`NotRelayer(caller=${signer(w.hub.chain, "bob").address})`);
    expect(got.blocked).to.equal(true);

    fs.writeFileSync(path.join(project, "consumer.ts"), CONSUMER_TS);
    const tsc = await run(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        "--noEmit",
        "--strict",
        "--skipLibCheck",
        "--target",
        "es2022",
        "--module",
        "node16",
        "--moduleResolution",
        "node16",
        "consumer.ts",
      ],
      project,
    );
    expect(tsc.code, tsc.out).to.equal(0);
  });
});
