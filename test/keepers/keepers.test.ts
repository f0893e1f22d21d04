/**
 * The keepers against a devnet of three anvil nodes in separate processes, over HTTP JSON-RPC: each broken
 * behaviour of issue 13 reproduced, then shown fixed. A frozen node (a TCP server that accepts and never answers)
 * and a stopped node affect only their own routes; the relayer refuses a key that is not an allowed relayer; the
 * keepers resume from their state directory and never rescan history; the monitor reports stuck envelopes with the
 * call that unsticks them and stays silent when nothing changed.
 */
import { expect } from "chai";
import fs from "fs";
import net from "net";
import os from "os";
import path from "path";
import { parseUnits, type Filter } from "ethers";
import { startDevnet, seed, type Devnet } from "../../scripts/devnet";
import { ACTORS, deposit, refreshFeeds, signer } from "../../scripts/lib/world";
import { openKeeperContext, type KeeperContext } from "../../scripts/lib/keepers/context";
import { RelayKeeper } from "../../scripts/lib/keepers/relay";
import { LiquidatorKeeper } from "../../scripts/lib/keepers/liquidate";
import { MonitorKeeper } from "../../scripts/lib/keepers/monitor";
import { KeeperProvider } from "../../scripts/lib/keepers/rpc";
import { keeperLog } from "../../scripts/lib/keepers/log";
import { Metrics } from "../../scripts/lib/keepers/metrics";
import { send } from "../../deploy/orchestrator";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-keepers-"));
}

/** A TCP server that accepts connections and never answers: a frozen node. */
async function frozenNode(): Promise<{ url: string; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

describe("keepers on an anvil devnet (separate node processes)", function () {
  this.timeout(180_000);
  let devnet: Devnet;
  const died: string[] = [];
  /** The route of the liquidator test's RELEASE, still in flight in the monitor test. */
  let releaseRoute = "";
  const contexts: KeeperContext[] = [];
  const open = (account: keyof typeof ACTORS, opts: Parameters<typeof openKeeperContext>[2] = {}) => {
    const ctx = openKeeperContext(devnet.record, { account: ACTORS[account] }, { timeoutMs: 3000, ...opts });
    contexts.push(ctx);
    return ctx;
  };

  before(async () => {
    devnet = await startDevnet({
      basePort: 20000 + Math.floor(Math.random() * 20000),
      node: "anvil",
      onNodeExit: (name) => died.push(name),
    });
    await seed(devnet.world);
  });

  after(async () => {
    contexts.forEach((c) => c.close());
    await devnet?.stop();
  });

  it("relayer: refuses at start a key that is not an allowed relayer, naming the chain and adapter", async () => {
    const keeper = new RelayKeeper(open("alice"));
    await expect(keeper.checkRelayer()).to.be.rejectedWith(/is not an allowed relayer on the LocalAdapter 0x/);
    await new RelayKeeper(open("relayer")).checkRelayer();
  });

  it("relayer: delivers, checkpoints its cursors and queue atomically, and a restart resumes without rescanning", async () => {
    const stateDir = tmpDir();
    const ctx = open("relayer");
    const keeper = new RelayKeeper(ctx, { stateDir });
    await keeper.checkRelayer();
    const first = await keeper.pass();
    expect(first.failed).to.deep.equal([]);
    expect(first.delivered).to.equal(2); // the seed's deposits on alpha and beta
    expect(first.anyFailure).to.equal(false);
    const saved = JSON.parse(fs.readFileSync(path.join(stateDir, "relayer.json"), "utf8"));
    expect(saved.pending).to.deep.equal([]);
    for (const c of ctx.all) expect(saved.cursors[c.chainId.toString()]).to.be.greaterThan(c.startBlock);
    expect(fs.readdirSync(stateDir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);

    // A new process: resumes from the saved cursors (every eth_getLogs starts there), nothing delivered twice.
    const ctx2 = open("relayer");
    const froms: number[] = [];
    for (const c of ctx2.all) {
      const p = c.provider as KeeperProvider;
      const orig = p.getLogs.bind(p);
      p.getLogs = async (filter) => {
        const from = Number((filter as Filter).fromBlock);
        froms.push(from);
        expect(from).to.equal(saved.cursors[c.chainId.toString()]);
        return orig(filter);
      };
    }
    const again = await new RelayKeeper(ctx2, { stateDir }).pass();
    expect(again.delivered).to.equal(0);
    expect(froms.length).to.be.at.most(3);
  });

  it("a frozen node: its requests time out, the pass completes, the other routes are carried", async () => {
    const frozen = await frozenNode();
    try {
      const w = devnet.world;
      await deposit(w, "alpha", "bob", "WETH", parseUnits("1", 18));
      const ctx = open("relayer", { rpc: { beta: frozen.url }, timeoutMs: 800 });
      const keeper = new RelayKeeper(ctx);
      const started = Date.now();
      const r = await keeper.pass();
      expect(Date.now() - started).to.be.below(10_000);
      const beta = r.chains.find((c) => c.name === "beta")!;
      expect(beta.ok).to.equal(false);
      expect(beta.error).to.match(/timeout/);
      expect(beta.nextRetryInMs).to.be.greaterThan(0);
      expect(r.delivered).to.equal(1); // alpha -> hub still carried
      expect(r.anyFailure).to.equal(true);
      // The keeper goes on: the next pass still carries the other routes and reports beta down.
      const r2 = await keeper.pass();
      expect(r2.chains.find((c) => c.name === "beta")!.ok).to.equal(false);
      expect(r2.chains.filter((c) => c.name !== "beta").every((c) => c.ok)).to.equal(true);
    } finally {
      frozen.close();
    }
  });

  it("liquidator: incremental index, batched scan, liquidation in token units; the next pass reads only what is new", async () => {
    const w = devnet.world;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    await send(engine.connect(alice).borrow(parseUnits("19000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(2_300n * 10n ** 8n));
    const lines: string[] = [];
    const stateDir = tmpDir();
    const ctx = open("liquidator", { only: (c) => c.role === "hub" });
    expect(ctx.all.map((c) => c.name)).to.deep.equal(["hub"]);
    const keeper = new LiquidatorKeeper(ctx, {
      stateDir,
      mode: "release",
      log: keeperLog("liquidator", "text", (l) => lines.push(l)),
    });
    const r = await keeper.pass();
    expect(r.liquidatable).to.deep.equal([alice.address]);
    expect(r.results).to.have.length(1);
    expect(r.results[0].error).to.equal(undefined);
    expect(r.anyFailure).to.equal(false);
    // The planner takes the most profitable position (alice holds WETH on alpha and USDC.b on beta).
    const [, seizedOn] = lines.join("\n").match(/seized \d+(?:\.\d+)? (?:WETH|USDC\.b) released on (alpha|beta)/)!;
    releaseRoute = `hub->${seizedOn}`;
    expect(lines.join("\n")).to.match(/plan 0x[0-9a-fA-F]{40}: release repay .* message fee .* profit/);
    expect(lines.join("\n")).to.match(/repaid \d+(\.\d+)? USDC/);
    const index = JSON.parse(fs.readFileSync(path.join(stateDir, "liquidator.json"), "utf8"));
    expect(index.active).to.include(alice.address.toLowerCase());

    // Next pass, a new process: the index is read from disk; one head, one getLogs from the cursor, one lens call.
    const ctx2 = open("liquidator", { only: (c) => c.role === "hub" });
    const hubProvider = ctx2.hub.provider as KeeperProvider;
    const getLogs = hubProvider.getLogs.bind(hubProvider);
    hubProvider.getLogs = async (filter) => {
      expect(Number((filter as Filter).fromBlock)).to.equal(index.cursor); // never from the start block again
      return getLogs(filter);
    };
    await w.hub.chain.send("evm_mine", []);
    const again = new LiquidatorKeeper(ctx2, { stateDir });
    const r2 = await again.pass();
    const counters = (ctx2.hub.provider as KeeperProvider).takeCounters();
    expect(r2.results).to.deep.equal([]);
    expect(counters.byMethod.eth_getLogs ?? 0).to.be.at.most(1);
    expect(counters.calls).to.be.at.most(5);
    await send(w.feeds.WETH.updateAnswer(3_000n * 10n ** 8n));
  });

  it("monitor: envelopes in flight per route, a stuck one with the resend call, silence when nothing changed", async () => {
    const w = devnet.world;
    const lines: string[] = [];
    const metrics = new Metrics();
    const ctx = open("deployer");
    const monitor = new MonitorKeeper(ctx, {
      stateDir: tmpDir(),
      stuckAfter: 600,
      metrics,
      log: keeperLog("monitor", "json", (l) => lines.push(l)),
    });
    let r = await monitor.pass();
    // The liquidation's RELEASE is still in flight: the conservative view counts it.
    expect(r.broken).to.deep.equal([]);
    expect(r.solvency.every((s) => s.ok)).to.equal(true);
    expect(r.inFlight[releaseRoute]).to.equal(1);
    expect(r.stuck).to.deep.equal([]);
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]).msg).to.match(/^solvency holds/);
    await monitor.pass();
    expect(lines).to.have.length(1); // nothing changed: nothing printed

    await w.hub.chain.send("evm_increaseTime", [3600]);
    await w.hub.chain.send("evm_mine", []);
    r = await monitor.pass();
    expect(r.stuck).to.have.length(1);
    expect(r.stuck[0].route).to.equal(releaseRoute);
    expect(r.stuck[0].call).to.match(/owner on hub: Messenger\(0x[0-9a-fA-F]{40}\)\.resend\(<envelope 0x/);
    expect(lines.some((l) => JSON.parse(l).level === "warn" && /stuck/.test(JSON.parse(l).msg))).to.equal(true);
    const text = metrics.render();
    expect(text).to.match(/xmargin_envelopes_stuck 1/);
    expect(text).to.match(/xmargin_chain_head\{chain="hub"\} \d+/);
    expect(text).to.match(/xmargin_solvent\{chain="alpha",asset="WETH"\} 1/);

    const relay = await new RelayKeeper(open("relayer")).pass();
    expect(relay.delivered).to.be.greaterThan(0);
    r = await monitor.pass();
    expect(r.stuck).to.deep.equal([]);
    expect(Object.values(r.inFlight).reduce((a, b) => a + b, 0)).to.equal(0);
  });

  it("metrics: served on 127.0.0.1 in the Prometheus text format", async () => {
    const m = new Metrics();
    m.set("xmargin_chain_head", "Latest block seen", { chain: "hub" }, 7);
    const server = await m.serve(0);
    try {
      const port = (server.address() as net.AddressInfo).port;
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(body).to.contain('# TYPE xmargin_chain_head gauge\nxmargin_chain_head{chain="hub"} 7');
    } finally {
      server.close();
    }
  });

  it("liquidator --mode auto: keeps the seized collateral on the hub (no message, no fee) and logs the figures", async () => {
    const w = devnet.world;
    const { engine } = w.hub.deployment;
    const bob = signer(w.hub.chain, "bob");
    const liquidator = signer(w.hub.chain, "liquidator");
    await refreshFeeds(w); // the monitor test moved the hub's clock an hour on
    await deposit(w, "alpha", "bob", "WETH", parseUnits("4", 18)); // 5 WETH with the relayer test's
    await new RelayKeeper(open("relayer")).pass();
    await send(engine.connect(bob).borrow(parseUnits("9500", 6), bob.address));
    await send(w.feeds.WETH.updateAnswer(2_200n * 10n ** 8n));
    const lines: string[] = [];
    const ctx = open("liquidator", { only: (c) => c.role === "hub" });
    const keeper = new LiquidatorKeeper(ctx, { log: keeperLog("liquidator", "json", (l) => lines.push(l)) });
    const r = await keeper.pass();
    expect(r.liquidatable).to.deep.equal([bob.address]);
    const [d] = r.decisions;
    expect(d.chosen?.mode).to.equal("account");
    expect(d.candidates.map((c) => c.mode)).to.include.members(["account", "release"]);
    expect(r.results).to.have.length(1);
    expect(r.results[0].error).to.equal(undefined);
    // The seized WETH is now the liquidator's own credit on the hub, and no RELEASE was sent.
    expect(await engine.collateralOf(liquidator.address, 31338n, d.chosen!.asset!)).to.equal(r.results[0].seized);
    const plan = lines.map((l) => JSON.parse(l)).find((l) => l.decision === "account");
    expect(plan.msg).to.match(/^plan 0x[0-9a-fA-F]{40}: account repay [\d.]+ USDC .* seize [\d.]+ WETH at bonus/);
    for (const k of ["repaid", "seized", "bonusBps", "gas", "gasCost", "fee", "profit"])
      expect(plan).to.have.property(k);
    expect(BigInt(plan.profit) > 0n).to.equal(true);
    await send(w.feeds.WETH.updateAnswer(3_000n * 10n ** 8n));
  });

  it("liquidator --mode absorb: with no base, every liquidatable account absorbed in one call; --min-profit skips", async () => {
    const w = devnet.world;
    const { engine } = w.hub.deployment;
    const dave = signer(w.hub.chain, "dave");
    const guardian = signer(w.hub.chain, "guardian");
    const keeperKey = signer(w.hub.chain, "treasury"); // holds no base
    expect(await w.hub.base.balanceOf(keeperKey.address)).to.equal(0n);
    await deposit(w, "alpha", "dave", "WETH", parseUnits("2", 18));
    await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18), guardian.address);
    await new RelayKeeper(open("relayer")).pass();
    for (const who of [dave, guardian]) await send(engine.connect(who).borrow(parseUnits("4700", 6), who.address));
    await send(w.feeds.WETH.updateAnswer(2_600n * 10n ** 8n));
    const [, params] = await engine.parameters();
    expect(params.absorbReward > 0n, "the devnet pays an absorb reward").to.equal(true);

    // A minimum profit above the reward: both skipped, each with the reason.
    const ctx = open("treasury", { only: (c) => c.role === "hub" });
    const tooMuch = (Number(params.absorbReward) / 1e6 + 1).toString();
    const lines: string[] = [];
    const log = keeperLog("liquidator", "text", (l) => lines.push(l));
    const skip = await new LiquidatorKeeper(ctx, { mode: "absorb", minProfit: tooMuch, log }).pass();
    expect(skip.liquidatable).to.have.members([dave.address, guardian.address]);
    expect(skip.results).to.deep.equal([]);
    expect(skip.decisions.map((d) => d.reason)).to.satisfy((r: string[]) => r.every((x) => /^unprofitable/.test(x)));
    expect(lines.filter((l) => /skip 0x/.test(l))).to.have.length(2);

    const r = await new LiquidatorKeeper(ctx, { mode: "absorb", log }).pass();
    expect(r.results.map((x) => [x.mode, x.error])).to.deep.equal([
      ["absorb", undefined],
      ["absorb", undefined],
    ]);
    expect(r.results[0].txHash).to.equal(r.results[1].txHash); // one absorb([...]) call
    expect(await engine.debtOf(dave.address)).to.equal(0n);
    expect(await engine.debtOf(guardian.address)).to.equal(0n);
    expect(lines.join("\n")).to.match(/absorbed 0x[0-9a-fA-F]{40}: debt [\d.]+ USDC taken over/);

    // --buy-inventory: a keeper with base buys the absorbed WETH at its discount, credited to its hub account.
    const buyer = signer(w.hub.chain, "liquidator");
    const weth = (await w.spokes[0].tokens.WETH.getAddress()).toLowerCase();
    const before = await engine.collateralOf(buyer.address, 31338n, weth);
    const bctx = open("liquidator", { only: (c) => c.role === "hub" });
    const b = await new LiquidatorKeeper(bctx, { buyInventory: true, log }).pass();
    const bought = b.purchases.find((p) => p.asset === weth)!;
    expect(bought.buy).to.equal(true);
    expect(bought.error).to.equal(undefined);
    expect(bought.profit > 0n).to.equal(true);
    expect(await engine.collateralOf(buyer.address, 31338n, weth)).to.equal(before + bought.amount);
    expect(lines.join("\n")).to.match(/bought [\d.]+ WETH of alpha for [\d.]+ USDC/);
    await send(w.feeds.WETH.updateAnswer(3_000n * 10n ** 8n));
  });

  it("a dead chain (node stopped): the other routes, the liquidator and the monitor keep working", async () => {
    const w = devnet.world;
    await deposit(w, "alpha", "carol", "WETH", parseUnits("1", 18));
    const beta = devnet.nodes.find((n) => n.name === "beta")!;
    await new Promise<void>((resolve) => {
      beta.child.once("exit", () => resolve());
      process.kill(beta.child.pid!, "SIGTERM");
    });
    expect(died).to.deep.equal(["beta"]); // the devnet reports a node that dies
    const relay = await new RelayKeeper(open("relayer")).pass();
    const betaState = relay.chains.find((c) => c.name === "beta")!;
    expect(betaState.ok).to.equal(false);
    expect(betaState.error).to.match(/ECONNREFUSED/);
    expect(relay.delivered).to.equal(1);
    expect(relay.anyFailure).to.equal(true);

    const liq = await new LiquidatorKeeper(open("liquidator", { only: (c) => c.role === "hub" })).pass();
    expect(liq.hub.ok).to.equal(true);
    expect(liq.anyFailure).to.equal(false);

    const report = await new MonitorKeeper(open("deployer")).pass();
    expect(report.chains.find((c) => c.name === "beta")!.ok).to.equal(false);
    expect(report.solvency.filter((s) => s.chain === "alpha").every((s) => s.ok)).to.equal(true);
    expect(report.solvency.filter((s) => s.chain === "beta").every((s) => s.ok === undefined)).to.equal(true);
    expect(report.anyFailure).to.equal(true);
  });
});
