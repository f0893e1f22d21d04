/**
 * The keepers' start-up checks and building blocks, without a chain: bad flags and deployment files refused with
 * the flag or file named, one error decoder for every contract error, back-off per chain, atomic state writes,
 * a devnet refusing busy ports, exit codes of a real process.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import fs from "fs";
import net from "net";
import os from "os";
import path from "path";
import { AbiCoder, Wallet } from "ethers";
import { parseKeeperArgs, UsageError, loadRecordChecked } from "../../scripts/lib/cli";
import { LIQUIDATOR_EXTRA, liquidatorFlags } from "../../scripts/liquidator";
import { decodeRevert, describeError } from "../../scripts/lib/errors";
import { ChainHealth } from "../../scripts/lib/keepers/rpc";
import { readState, writeState, safeRange } from "../../scripts/lib/keepers/state";
import { trimUnits } from "../../scripts/lib/keepers/context";
import { startDevnet } from "../../scripts/devnet";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-units-"));
const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** A minimal valid version 2 record. */
function recordFile(patch: (r: Record<string, unknown>) => void = () => {}): string {
  const c = (role: "hub" | "spoke", chainId: number) => ({
    network: role === "hub" ? "hub" : "alpha",
    chainId,
    role,
    contracts: Object.fromEntries(
      ["messenger", "engine", "lens", "vault"].map((k) => [k, { address: ADDRESS, block: 1 }]),
    ),
    adapters: { local: { address: ADDRESS, bridgeId: String(chainId) } },
    tokens: {},
    startBlock: 1,
    confirmations: 0,
    rpc: "http://127.0.0.1:1",
  });
  const record: Record<string, unknown> = {
    version: 2,
    env: "devnet",
    configHash: "0x",
    gitCommit: "x",
    hub: "hub",
    chains: { hub: c("hub", 31337), alpha: c("spoke", 31338) },
  };
  patch(record);
  const file = path.join(tmp, `record-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(record));
  return file;
}

function liquidatorArgs(...extra: string[]) {
  const args = parseKeeperArgs(["--deployment", recordFile(), ...extra], "liquidator", LIQUIDATOR_EXTRA);
  return liquidatorFlags(args.rest);
}

describe("keepers: start-up checks and building blocks", function () {
  this.timeout(60_000);

  it("refuses bad numbers, ranges and addresses at start, naming the flag", () => {
    expect(() => liquidatorArgs("--slippage-bps", "abc")).to.throw(UsageError, /--slippage-bps abc: not an integer/);
    expect(() => liquidatorArgs("--slippage-bps=-5")).to.throw(UsageError, /--slippage-bps -5: must be between 0/);
    expect(() => liquidatorArgs("--slippage-bps", "10001")).to.throw(UsageError, /between 0 and 10000/);
    expect(() => liquidatorArgs("--recipient", "xyz")).to.throw(UsageError, /--recipient xyz: not an address/);
    expect(() => liquidatorArgs("--interval", "1.5s")).to.throw(UsageError, /--interval 1.5s: not an integer/);
    expect(() => liquidatorArgs("--metrics-port", "70000")).to.throw(UsageError, /--metrics-port 70000/);
    expect(() => liquidatorArgs("--log", "xml")).to.throw(UsageError, /--log xml: must be text or json/);
    expect(() => liquidatorArgs("--account", "mallory")).to.throw(UsageError, /--account mallory: not an actor/);
    expect(() => liquidatorArgs("--bogus")).to.throw(UsageError, /bogus/);
    expect(() => liquidatorArgs("--mode", "flash")).to.throw(UsageError, /--mode flash: must be one of auto, release/);
    expect(() => liquidatorArgs("--min-profit=-1")).to.throw(UsageError, /--min-profit -1: not a decimal/);
    expect(() => liquidatorArgs("--native-price", "3e3")).to.throw(UsageError, /--native-price 3e3: not a decimal/);
    expect(() => liquidatorArgs("--haircut-bps", "10001")).to.throw(UsageError, /--haircut-bps 10001/);
    expect(liquidatorArgs("--slippage-bps", "75", "--recipient", ADDRESS.toLowerCase())).to.deep.equal({
      slippageBps: 75,
      recipient: ADDRESS,
      mode: "auto",
      minProfit: "0",
      haircutBps: 0,
      nativePrice: undefined,
      buyInventory: false,
    });
    expect(
      liquidatorArgs("--mode", "absorb", "--min-profit", "2.5", "--native-price", "3000", "--buy-inventory"),
    ).to.deep.include({ mode: "absorb", minProfit: "2.5", nativePrice: "3000", buyInventory: true });
  });

  it("--confirmations overrides the record's depth per chain, and refuses an unknown chain or a bad number", () => {
    const file = recordFile();
    const depths = (...extra: string[]) => {
      const r = parseKeeperArgs(["--deployment", file, ...extra], "relayer").record;
      return Object.fromEntries(Object.values(r.chains).map((c) => [c.network, c.confirmations]));
    };
    expect(depths()).to.deep.equal({ hub: 0, alpha: 0 });
    expect(depths("--confirmations", "alpha=3")).to.deep.equal({ hub: 0, alpha: 3 });
    expect(depths("--confirmations", "alpha=3,hub=2")).to.deep.equal({ hub: 2, alpha: 3 });
    expect(() => depths("--confirmations", "beta=3")).to.throw(UsageError, /beta is not a chain of the record/);
    expect(() => depths("--confirmations", "alpha")).to.throw(UsageError, /expected <chain>=<blocks>/);
    expect(() => depths("--confirmations", "alpha=-1")).to.throw(UsageError, /must be between 0 and 10000/);
    expect(() => depths("--confirmations", "alpha=x")).to.throw(UsageError, /--confirmations x: not an integer/);
  });

  it("refuses a missing, malformed or old deployment file, naming the file and the field", () => {
    const missing = path.join(tmp, "nope.json");
    expect(() => loadRecordChecked(missing)).to.throw(UsageError, new RegExp(`${missing}: no such deployment record`));
    const notJson = path.join(tmp, "bad.json");
    fs.writeFileSync(notJson, "{oops");
    expect(() => loadRecordChecked(notJson)).to.throw(UsageError, /bad\.json: not JSON/);
    const old = recordFile((r) => (r.version = 1));
    expect(() => loadRecordChecked(old)).to.throw(UsageError, /version 1, expected a version 2 record/);
    const noLens = recordFile((r) => {
      delete (r.chains as Record<string, { contracts: Record<string, unknown> }>).hub.contracts.lens;
    });
    expect(() => loadRecordChecked(noLens)).to.throw(UsageError, /chains\.hub\.contracts\.lens has no address/);
    const noStart = recordFile((r) => {
      delete (r.chains as Record<string, Record<string, unknown>>).alpha.startBlock;
    });
    expect(() => loadRecordChecked(noStart)).to.throw(UsageError, /chains\.alpha\.startBlock missing/);
  });

  it("decodes every contract error with one decoder: 0x366b2e5a… is NotRelayer(address)", () => {
    const who = Wallet.createRandom().address;
    const data = `0x366b2e5a${AbiCoder.defaultAbiCoder().encode(["address"], [who]).slice(2)}`;
    expect(decodeRevert(data)).to.equal(`NotRelayer(caller=${who})`);
    // As ethers throws it from an eth_call or estimateGas.
    const thrown = Object.assign(new Error("execution reverted (unknown custom error)"), { data });
    expect(describeError(thrown)).to.equal(`reverted: NotRelayer(caller=${who})`);
    expect(describeError({ info: { error: { data } } })).to.equal(`reverted: NotRelayer(caller=${who})`);
    expect(decodeRevert("0xdeadbeef")).to.equal(undefined);
  });

  it("backs off per chain: doubling waits up to a ceiling, reset by a success", () => {
    let now = 1_000_000;
    const h = new ChainHealth("beta", 31339n, 1000, 8000, () => now);
    expect(h.ready()).to.equal(true);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.fail(new Error("connect ECONNREFUSED 127.0.0.1:1"));
      waits.push(h.status.nextRetryAt - now);
      expect(h.ready()).to.equal(false);
    }
    expect(waits).to.deep.equal([1000, 2000, 4000, 8000, 8000]);
    expect(h.describe()).to.match(/beta: DOWN \(connect ECONNREFUSED 127.0.0.1:1\), 5 failure\(s\), retry in 8 s/);
    now += 8000;
    expect(h.ready()).to.equal(true);
    h.ok(42);
    expect(h.status.failures).to.equal(0);
    expect(h.describe()).to.equal("beta: head 42");
  });

  it("writes state atomically and keeps cursors the confirmation depth behind the head", () => {
    const file = path.join(tmp, "state", "x.json");
    writeState(file, { cursor: 7, big: 10n ** 30n });
    expect(readState(file, {})).to.deep.equal({ cursor: 7, big: 10n ** 30n });
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["x.json"]);
    fs.writeFileSync(file, "{half");
    expect(() => readState(file, {})).to.throw(/x\.json: not a readable keeper state/);
    expect(safeRange(10, 20, 5)).to.deep.equal([10, 15]);
    expect(safeRange(16, 20, 5)).to.equal(undefined);
    expect(trimUnits(4336956522652173913n, 18)).to.equal("4.3369");
    expect(trimUnits(1_500_000n, 6)).to.equal("1.5");
  });

  it("devnet: refuses to start on a busy port, saying which", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await expect(startDevnet({ basePort: port - 1, node: "anvil" })).to.be.rejectedWith(
        new RegExp(`port ${port} \\(alpha\\) already in use on 127.0.0.1`),
      );
    } finally {
      server.close();
    }
  });

  it("a keeper process exits 1 with the flag named, before connecting anywhere", () => {
    const root = path.join(__dirname, "..", "..");
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/liquidator.ts"].concat([
        "--deployment",
        recordFile(),
        "--slippage-bps",
        "abc",
      ]),
      { cwd: root, encoding: "utf8", timeout: 120_000 },
    );
    expect(r.stderr).to.contain("--slippage-bps abc: not an integer");
    expect(r.status).to.equal(1);
  });
});
