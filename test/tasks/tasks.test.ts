/**
 * The xm:* Hardhat tasks against an in-process world served over HTTP JSON-RPC (as a devnet is): the tasks
 * read a deployment record file with the chains' URLs and sign with unlocked accounts (--account). Each task's
 * happy path and an error path with the contract error decoded; owner tasks that print the timelock's calldata
 * when a timelock owns the contracts. One run goes through the `hardhat` command line.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import hre from "hardhat";
import { ZeroHash, parseUnits } from "ethers";
import { recordOf, writeRecord } from "../../scripts/lib/deployment";
import { ACTORS, advanceAll, refreshFeeds, signer, spoke, type ActorName, type World } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import type { AdminOutcome, MessageTrack, Position } from "../../sdk";
import { serveChains, type Served } from "../helpers/rpc";
import { supplyLiquidity, useWorld } from "../helpers/world";

const ALPHA = 31338n;

interface Ran<T> {
  result: T;
  out: string;
}

/** Runs a task in this process with console output captured. */
async function task<T>(name: string, args: Record<string, unknown>): Promise<Ran<T>> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.map(String).join(" "));
  try {
    const result = (await hre.run(name, args)) as T;
    return { result, out: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

async function failure(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    await task(name, args);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error(`${name} did not fail`);
}

function served(setup?: (w: World) => Promise<void>, options: { timelockDelay?: number } = {}) {
  const h = useWorld(setup, options);
  const state: { file: string; server?: Served; dir: string } = { file: "", dir: "" };
  before(async () => {
    state.server = await serveChains(h.w.chains);
    state.dir = fs.mkdtempSync(path.join(os.tmpdir(), "xm-tasks-"));
    state.file = path.join(state.dir, "devnet.json");
    writeRecord(state.file, recordOf(h.w, state.server.rpc));
  });
  after(async () => {
    await state.server?.close();
    fs.rmSync(state.dir, { recursive: true, force: true });
  });
  /** Common task arguments: the record, signing as `actor`. */
  const as = (actor: ActorName) => ({ deployment: state.file, account: String(ACTORS[actor]) });
  return { h, state, as };
}

describe("Hardhat tasks xm:*", function () {
  this.timeout(180_000);

  describe("users", () => {
    const { h, as, state } = served(supplyLiquidity);

    it("xm:deposit, xm:message, xm:position: deposit, follow it to delivery, read the position", async () => {
      const w = h.w;
      const alice = signer(w.hub.chain, "alice").address;
      const dep = await task<{ messageId: string; hash: string }>("xm:deposit", {
        ...as("alice"),
        chain: "alpha",
        token: "WETH",
        amount: "2",
      });
      expect(dep.out).to.contain(`deposited 2 WETH on alpha for ${alice}`);
      let msg = await task<MessageTrack[]>("xm:message", { ...as("alice"), ref: dep.result.messageId });
      expect(msg.result[0].status).to.equal("sent");
      expect(msg.out).to.contain("SENT").and.contain(`payload  DEPOSIT 2 WETH for ${alice}`);
      let pos = await task<Position>("xm:position", { ...as("alice") });
      expect(pos.out).to.match(/pending messages: \n {2}DEPOSIT 2 WETH alpha -> hub: in flight/);

      await w.relayer.flush();
      msg = await task<MessageTrack[]>("xm:message", { ...as("bob"), ref: dep.result.hash });
      expect(msg.result.map((t) => t.status)).to.deep.equal(["delivered"]);
      expect(msg.out).to.contain("DELIVERED").and.contain("1 of 1 confirmations");
      expect(msg.out).to.match(/local +source: took it; destination: confirmed/);

      pos = await task<Position>("xm:position", { ...as("bob"), address: alice });
      expect(pos.result.credits.find((c) => c.token.symbol === "WETH")!.amount).to.equal(
        await w.hub.deployment.engine.collateralOf(alice, ALPHA, await spoke(w, "alpha").tokens.WETH.getAddress()),
      );
      expect(pos.out).to.contain("alpha      2 WETH ($6,000.00, borrow factor 80%)");
      expect(pos.out).to.contain("debt            0 USDC").and.contain("health          ∞");
      expect(pos.out).to.contain("borrowing power 4800 USDC");

      expect(await failure("xm:deposit", { ...as("alice"), chain: "alpha", token: "WETH", amount: "abc" })).to.match(
        /amount of WETH "abc" is not a decimal number/,
      );
      expect(await failure("xm:message", { ...as("alice"), ref: ZeroHash })).to.match(/no envelope 0x0{64}/);
      expect(await failure("xm:position", { env: "nowhere" })).to.match(/no deployment record at .*nowhere\.json/);
    });

    it("xm:borrow, xm:repay --all, xm:withdraw: interest accrued is repaid to zero; reverts are decoded", async () => {
      const w = h.w;
      const alice = signer(w.hub.chain, "alice").address;
      const { engine } = w.hub.deployment;
      // 70% utilisation: interest accrues every block, so --all must repay what is owed at its own block.
      await task("xm:deposit", { ...as("alice"), chain: "alpha", token: "WETH", amount: "400" });
      await w.relayer.flush();
      const b = await task("xm:borrow", { ...as("alice"), amount: "700000" });
      expect(b.out).to.contain("borrowed 700000 USDC");
      expect(await failure("xm:borrow", { ...as("alice"), amount: "300000" })).to.match(
        new RegExp(`reverted: NotHealthy\\(account=${alice}, health=\\d+\\)`),
      );
      await send(w.hub.base.mint(alice, parseUnits("10000", 6)));
      // Repaying all but dust is refused by the engine.
      expect(await failure("xm:repay", { ...as("alice"), amount: "700000" })).to.match(/DebtBelowMinimum\(debt=/);
      await advanceAll(w, 7 * 86400);
      await refreshFeeds(w);
      expect(await engine.debtOf(alice)).to.be.greaterThan(parseUnits("700100", 6));
      expect(await failure("xm:repay", { ...as("alice") })).to.match(/either --amount or --all/);
      const r = await task("xm:repay", { ...as("alice"), all: true });
      expect(r.out).to.match(/repaid 70\d{4}\.\d+ USDC; debt now 0/);
      expect(await engine.debtOf(alice)).to.equal(0n);

      const wd = await task<{ messageId: string }>("xm:withdraw", {
        ...as("alice"),
        chain: "alpha",
        token: "WETH",
        amount: "0.4",
      });
      expect(wd.out).to.contain(`withdrawing 0.4 WETH to ${alice} on alpha`);
      await w.relayer.flush();
      const m = await task<MessageTrack[]>("xm:message", { ...as("alice"), ref: wd.result.messageId });
      expect(m.out).to.contain("DELIVERED").and.contain(`payload  RELEASE 0.4 WETH to ${alice}`);
      expect(await failure("xm:withdraw", { ...as("alice"), chain: "alpha", token: "WETH", amount: "400" })).to.match(
        /InsufficientCollateral\(account=0x[0-9a-fA-F]{40}, chainId=31338, asset=0x[0-9a-fA-F]{40}, balance=399600000000000000000, requested=400000000000000000000\)/,
      );
    });

    it("xm:supply and xm:withdraw-supply --all; withdrawing a supply one does not have is decoded", async () => {
      const w = h.w;
      const lender = signer(w.hub.chain, "lender").address;
      const { engine } = w.hub.deployment;
      const s = await task("xm:supply", { ...as("lender"), amount: "2500.5" });
      expect(s.out).to.contain("supplied 2500.5 USDC");
      const all = await task("xm:withdraw-supply", { ...as("lender"), all: true });
      expect(all.out).to.match(/withdrew 1002500\.5\d* USDC of supply/);
      expect(await engine.supplyBalanceOf(lender)).to.equal(0n);
      expect(await failure("xm:withdraw-supply", { ...as("bob"), amount: "1" })).to.match(
        /InsufficientSupply\(account=0x[0-9a-fA-F]{40}, balance=0, requested=1000000\)/,
      );
    });

    it("xm:price moves a devnet feed and refuses a record of any other chain", async () => {
      const w = h.w;
      const p = await task("xm:price", { ...as("bob"), chain: "alpha", token: "WETH", price: "2500.5" });
      expect(p.out).to.contain("WETH on alpha: feed");
      expect((await w.feeds.WETH.latestRoundData())[1]).to.equal(250_050_000_000n);
      const other = path.join(state.dir, "sepolia.json");
      const record = recordOf(w, state.server!.rpc);
      record.chains.hub.chainId = 11155111;
      writeRecord(other, record);
      expect(
        await failure("xm:price", { deployment: other, account: "0", chain: "alpha", token: "WETH", price: "1" }),
      ).to.match(/works only on a devnet .*hub is chain 11155111/);
    });

    it("owner tasks send when the signer owns; pause is the guardian's, resume the owner's", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const weth = await spoke(w, "alpha").tokens.WETH.getAddress();
      const cap = await task<AdminOutcome[]>("xm:cap", {
        ...as("deployer"),
        chain: "alpha",
        token: "WETH",
        credit: "100",
        deposit: "90",
      });
      expect(cap.result.map((o) => o.kind)).to.deep.equal(["sent", "sent"]);
      expect((await engine.marketState(ALPHA, weth)).creditCap).to.equal(parseUnits("100", 18));
      expect((await spoke(w, "alpha").deployment.vault.assetState(weth)).depositCap).to.equal(parseUnits("90", 18));

      const market = await task("xm:market", {
        ...as("deployer"),
        chain: "alpha",
        token: "WETH",
        borrowFactor: 7000,
        threshold: 8000,
        bonus: 600,
      });
      expect(market.out).to.contain("configure WETH on alpha (hub): sent");
      expect((await engine.market(0))[1].borrowFactorBps).to.equal(7000n);
      expect(
        await failure("xm:market", {
          ...as("deployer"),
          chain: "alpha",
          token: "WETH",
          borrowFactor: 9000,
          threshold: 8000,
          bonus: 600,
        }),
      ).to.match(/InvalidRiskParams\(borrowFactorBps=9000, liquidationThresholdBps=8000, liquidationBonusBps=600\)/);
      expect(
        await failure("xm:market", {
          ...as("bob"),
          chain: "alpha",
          token: "WETH",
          borrowFactor: 7000,
          threshold: 8000,
          bonus: 600,
        }),
      ).to.match(/is not the owner 0x[0-9a-fA-F]{40}, and the owner is not a timelock/);

      const route = await task("xm:route", { ...as("deployer"), chain: "alpha", adapters: "local", k: 1 });
      expect(route.out).to.contain("route hub <- alpha: local, 1 of 1 (hub): sent");
      expect(route.out).to.contain("route alpha <- hub: local, 1 of 1 (alpha): sent");
      expect(await failure("xm:route", { ...as("deployer"), chain: "alpha", adapters: "local", k: 2 })).to.match(
        /k = 2: must be between 1 and the 1 adapters/,
      );
      expect(await failure("xm:route", { ...as("deployer"), chain: "alpha", adapters: "pigeon", k: 1 })).to.match(
        /unknown kind pigeon/,
      );

      const paused = await task("xm:pause", { ...as("guardian"), what: "deposits", chain: "alpha", token: "WETH" });
      expect(paused.out).to.contain("pause deposits of WETH on alpha (alpha): sent");
      expect(await failure("xm:deposit", { ...as("alice"), chain: "alpha", token: "WETH", amount: "1" })).to.match(
        new RegExp(`deposit WETH on alpha: reverted: DepositsArePaused\\(asset=${weth}\\)`),
      );
      expect(
        await failure("xm:unpause", { ...as("guardian"), what: "deposits", chain: "alpha", token: "WETH" }),
      ).to.match(/not the owner/);
      await task("xm:unpause", { ...as("deployer"), what: "deposits", chain: "alpha", token: "WETH" });
      await task("xm:deposit", { ...as("alice"), chain: "alpha", token: "WETH", amount: "1" });

      await task("xm:pause", { ...as("guardian"), what: "borrow" });
      expect((await engine.poolState()).borrowPaused).to.equal(true);
      const r = await task("xm:pause", { ...as("guardian"), what: "route", chain: "beta" });
      expect(r.out.split("\n")).to.have.length(2);
      expect((await w.hub.deployment.messenger.route(31339n)).paused).to.equal(true);
      await task("xm:unpause", { ...as("deployer"), what: "route", chain: "beta" });
      await task("xm:unpause", { ...as("deployer"), what: "borrow" });
      expect(await failure("xm:pause", { ...as("guardian"), what: "withdrawals" })).to.match(
        /borrow, deposits or route/,
      );
    });

    it("the command line prints a decoded revert and exits non-zero", async function () {
      const cli = require.resolve("hardhat/internal/cli/cli.js");
      const args = [cli, "xm:borrow", "--network", "devnetHub", "--deployment", state.file, "--account", "9"];
      const child = spawn(process.execPath, [...args, "--amount", "1000"], {
        cwd: path.join(__dirname, "..", ".."),
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code).to.equal(1);
      expect(output).to.match(/borrow USDC on hub: reverted: NotHealthy\(account=0x[0-9a-fA-F]{40}, health=0\)/);
    });
  });

  describe("owned by timelocks", () => {
    const DELAY = 86400;
    const { h, as } = served(undefined, { timelockDelay: DELAY });

    it("owner tasks print the timelock operation (schedule + execute calldata), which then works", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const weth = await spoke(w, "alpha").tokens.WETH.getAddress();
      const timelock = w.timelocks!.get(w.hub.chain.chainId)!;
      const r = await task<AdminOutcome[]>("xm:cap", {
        ...as("deployer"),
        chain: "alpha",
        token: "WETH",
        credit: "100",
        salt: ZeroHash,
      });
      const [o] = r.result;
      if (o.kind !== "timelock") throw new Error("expected a timelock operation");
      expect(o.timelock).to.equal(await timelock.getAddress());
      expect(o.target).to.equal(await engine.getAddress());
      expect(o.delay).to.equal(BigInt(DELAY));
      expect(o.data).to.equal(
        engine.interface.encodeFunctionData("setCreditCap", [ALPHA, weth, parseUnits("100", 18)]),
      );
      for (const field of ["target", "value", "data", "predecessor", "salt", "delay", "schedule", "execute"]) {
        expect(r.out).to.match(new RegExp(`^ {2}${field} `, "m"));
      }
      expect(r.out).to.contain(`credit cap of WETH on alpha (hub): the owner is the timelock ${o.timelock}`);

      const treasury = signer(w.hub.chain, "treasury");
      await (await treasury.sendTransaction({ to: o.timelock, data: o.schedule })).wait();
      expect(await timelock.isOperationPending(o.operationId)).to.equal(true);
      await advanceAll(w, DELAY);
      await (await treasury.sendTransaction({ to: o.timelock, data: o.execute })).wait();
      expect((await engine.marketState(ALPHA, weth)).creditCap).to.equal(parseUnits("100", 18));

      const pause = await task<AdminOutcome[]>("xm:pause", { ...as("guardian"), what: "borrow" });
      expect(pause.result[0].kind).to.equal("sent"); // the guardian pauses without the timelock
      const resume = await task<AdminOutcome[]>("xm:unpause", { ...as("guardian"), what: "borrow" });
      expect(resume.result[0].kind).to.equal("timelock");
    });
  });
});
