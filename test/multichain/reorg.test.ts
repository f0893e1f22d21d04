/**
 * Source-chain reorganisations (issue 10, "Reorgs and finality") on a devnet of three anvil nodes, each its own
 * process: `anvil_reorg(depth, txs)` replaces the last `depth` blocks of one chain with as many new ones, holding
 * only the transactions given (none: the old ones are gone), so the chain's height is unchanged and a relayer's
 * cursor sees no gap, as on a real network. In-process chains could only fake that with `evm_revert` and re-mining
 * (the old blocks' numbers come back with other contents); anvil also gives the keepers (relayer, monitor) real
 * JSON-RPC endpoints, which they need.
 *
 * The record gives the source chains a depth of 3 blocks and the hub 2; "misconfigured" keepers run with
 * `--confirmations <chain>=0`. Every test ends with the solvency check.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { parseUnits, type Log } from "ethers";
import { startDevnet, type Devnet } from "../../scripts/devnet";
import { ACTORS, assertSolvent, deposit, makeRelayer, signer, spoke, type World } from "../../scripts/lib/world";
import { snapshotAll, type Chain } from "../../scripts/lib/chain";
import { writeRecord } from "../../scripts/lib/deployment";
import { applyConfirmations } from "../../scripts/lib/cli";
import { openKeeperContext, type KeeperContext } from "../../scripts/lib/keepers/context";
import { RelayKeeper } from "../../scripts/lib/keepers/relay";
import { MonitorKeeper } from "../../scripts/lib/keepers/monitor";
import { monitorMain } from "../../scripts/monitor";
import { envelopeId } from "../../scripts/lib/codec";
import { describeError } from "../../scripts/lib/errors";
import { send } from "../../deploy/orchestrator";
import type { DeploymentRecordV2 } from "../../deploy/types";
import type { IMarginHub, LocalAdapter } from "../../typechain-types";

const ALPHA = 31338n;
const BASE_PORT = 31545;

describe("source-chain reorgs: relaying waits for depth; what a reorg after delivery does, and its containment", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let w: World;
  /** The devnet's record with the depths a live deployment would have. */
  let record: DeploymentRecordV2;
  let restore: () => Promise<void>;
  const contexts: KeeperContext[] = [];
  const tmp: string[] = [];

  const open = (r: DeploymentRecordV2, who: keyof typeof ACTORS) => {
    const ctx = openKeeperContext(r, { account: ACTORS[who] }, { timeoutMs: 5000 });
    contexts.push(ctx);
    return ctx;
  };
  const tmpDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-reorg-"));
    tmp.push(d);
    return d;
  };
  /** A relayer keeper that carries envelopes from `zeroOn` at depth 0 (misconfigured), else at the record's. */
  const relayKeeper = (zeroOn?: string) =>
    new RelayKeeper(open(zeroOn ? applyConfirmations(record, `${zeroOn}=0`) : record, "relayer"));
  const mine = (c: Chain, n: number) => c.send("anvil_mine", [n]);
  /** Replaces the last `depth` blocks of `c` with `depth` new ones holding only `txs` ([raw tx, block index]). */
  const reorg = (c: Chain, depth: number, txs: [string, number][] = []) => c.send("anvil_reorg", [depth, txs]);
  const alpha = () => spoke(w, "alpha");
  const weth = () => alpha().tokens.WETH.getAddress();
  const hubOwner = () => signer(w.hub.chain, "deployer");

  before(async () => {
    devnet = await startDevnet({ basePort: BASE_PORT, node: "anvil" });
    w = devnet.world;
    record = structuredClone(devnet.record);
    for (const c of Object.values(record.chains)) c.confirmations = c.role === "hub" ? 2 : 3;
  });

  beforeEach(async () => {
    restore = await snapshotAll(w.chains);
  });

  afterEach(async () => {
    contexts.splice(0).forEach((c) => c.close());
    await restore();
  });

  after(async () => {
    contexts.forEach((c) => c.close());
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
    await devnet?.stop();
  });

  it("1. a DEPOSIT reorganised away before its depth is never relayed (library relayer and keeper): nothing credited", async () => {
    const a = alpha();
    const alice = signer(a.chain, "alice");
    const asset = await weth();
    const heads = new Map<bigint, number>();
    for (const c of w.chains) heads.set(c.chainId, (await c.provider.getBlockNumber()) + 1);
    const library = makeRelayer(w, undefined, heads, new Map([[ALPHA, 3]]));
    const keeper = relayKeeper();

    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18));
    await mine(a.chain, 2); // the deposit's block is 2 deep: not yet at depth 3
    expect(await library.poll()).to.deep.equal([]);
    expect((await keeper.pass()).delivered).to.equal(0);

    await reorg(a.chain, 3); // the deposit's block and the two above it replaced by empty ones
    await mine(a.chain, 5);
    expect(await library.poll()).to.deep.equal([]);
    expect((await keeper.pass()).delivered).to.equal(0);
    expect(await a.deployment.vault.totalLocked(asset)).to.equal(0n);
    expect(await w.hub.deployment.engine.collateralOf(alice.address, ALPHA, asset)).to.equal(0n);
    expect(await w.hub.deployment.messenger.isDelivered(ALPHA, await a.deployment.messenger.getAddress(), 0n)).to.equal(
      false,
    );

    // Depth, not a dead relayer: a deposit that stays is carried once 3 blocks deep, by both.
    const kept = await deposit(w, "alpha", "bob", "WETH", parseUnits("1", 18));
    expect(kept).to.not.equal(id);
    await mine(a.chain, 2);
    expect(await library.poll()).to.deep.equal([]);
    await mine(a.chain, 1);
    const found = await library.poll();
    expect(found.map((p) => p.id)).to.deep.equal([kept]);
    expect((await keeper.pass()).delivered).to.equal(1);
    expect(await w.hub.deployment.engine.collateralOf(signer(a.chain, "bob").address, ALPHA, asset)).to.equal(
      parseUnits("1", 18),
    );
    await assertSolvent(w);
  });

  it("2. a DEPOSIT reorganised away after a depth-0 relayer delivered it: the monitor names the orphan and exits 3; pause, quarantine and discard contain it; the next deposit, which re-uses its nonce, is swallowed, named and reissued", async () => {
    const a = alpha();
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const asset = await weth();
    const stateDir = tmpDir();
    const monitor = new MonitorKeeper(open(record, "deployer"), { stateDir });
    const bad = relayKeeper("alpha");

    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("5", 18));
    expect((await bad.pass()).delivered).to.equal(1);
    expect(await engine.collateralOf(alice.address, ALPHA, asset)).to.equal(parseUnits("5", 18));
    // Delivered before its source block is final: the monitor reads the delivery (at the hub's depth) and waits,
    // since the envelope's event is in alpha's blocks above alpha's depth.
    await mine(w.hub.chain, 2);
    let m = await monitor.pass();
    expect(m.orphans).to.deep.equal([]);
    expect(m.broken).to.deep.equal([]);

    await reorg(a.chain, 1);
    await mine(a.chain, 3);
    expect(await a.deployment.vault.totalLocked(asset)).to.equal(0n);
    // The hub credit has no backing.
    await expect(assertSolvent(w)).to.be.rejectedWith(/alpha\/WETH: locked 0 != credits 5000000000000000000/);
    m = await monitor.pass();
    expect(m.orphans.map((o) => [o.id, o.route, o.contained])).to.deep.equal([[id, "alpha->hub", false]]);
    expect(m.orphans[0].effect).to.equal(`DEPOSIT: credited 5 WETH to ${alice.address}`);
    expect(m.broken.some((b) => b.startsWith("alpha/WETH: locked 0 WETH vs credits 5 WETH"))).to.equal(true);
    expect(m.broken.some((b) => b.includes(`orphan ${id} (alpha->hub, nonce 0)`))).to.equal(true);
    // The command line: exit code 3, the envelope named in its output.
    const file = path.join(tmpDir(), "record.json");
    writeRecord(file, record);
    const run = async () => {
      const lines: string[] = [];
      const orig = console.log;
      console.log = (l: string) => lines.push(l);
      try {
        const code = await monitorMain(["--once", "--deployment", file, "--state-dir", tmpDir(), "--log", "json"]);
        return { code, out: lines.join("\n") };
      } finally {
        console.log = orig;
      }
    };
    const cli = await run();
    expect(cli.code).to.equal(3);
    expect(cli.out).to.contain(`orphan ${id}`);

    // Containment. The guardian holds deliveries from alpha while the owner reviews; the owner moves the
    // unbacked credit into quarantine (no borrowing, no withdrawal), then discards it.
    await send(messenger.connect(signer(w.hub.chain, "guardian")).pauseRoute(ALPHA));
    await send(engine.connect(hubOwner()).quarantineCredit(alice.address, ALPHA, asset, parseUnits("5", 18)));
    expect(await engine.collateralOf(alice.address, ALPHA, asset)).to.equal(0n);
    const refused = await engine
      .connect(alice)
      .withdrawCollateral(ALPHA, asset, 1n, alice.address)
      .then(
        () => "sent",
        (e: unknown) => describeError(e),
      );
    expect(refused, refused).to.match(/InsufficientCollateral\(.*balance=0, requested=1\)/);
    await send(engine.connect(hubOwner()).releaseQuarantine(alice.address, ALPHA, asset, parseUnits("5", 18), false));
    expect(await engine.totalQuarantined(ALPHA, asset)).to.equal(0n);
    await assertSolvent(w);
    m = await monitor.pass();
    expect(m.orphans.map((o) => [o.id, o.contained])).to.deep.equal([[id, true]]);
    expect(m.broken).to.deep.equal([]);
    expect((await run()).code).to.equal(0);

    // Alpha's messenger issued nonce 0 again after the reorg: bob's deposit takes it, and the hub, which consumed
    // nonce 0 with the orphan, counts it a duplicate (paused route or not). Relayed at the right depth this time.
    const bob = signer(a.chain, "bob");
    const swallowed = await deposit(w, "alpha", "bob", "WETH", parseUnits("1", 18));
    await mine(a.chain, 3);
    const good = relayKeeper();
    // The keeper finds nonce 0 consumed on the hub and takes it for delivered: it sends nothing.
    expect((await good.pass()).delivered).to.equal(0);
    expect(await engine.collateralOf(bob.address, ALPHA, asset)).to.equal(0n);
    m = await monitor.pass();
    await mine(w.hub.chain, 3); // the hub's events up to the delivery read at depth
    m = await monitor.pass();
    expect(m.swallowed.map((s) => [s.id, s.route])).to.deep.equal([[swallowed, "alpha->hub"]]);
    expect(m.swallowed[0].call).to.match(/owner on alpha: Messenger\(0x[0-9a-fA-F]{40}\)\.reissue\(<envelope 0x/);
    expect(m.broken.some((b) => b.startsWith(`swallowed ${swallowed}`))).to.equal(true);

    // The owner on alpha sends it again under a new nonce; held by the paused route, retried once resumed.
    const envelope = await envelopeOf(a.deployment.adapter, swallowed);
    await send(a.deployment.messenger.connect(signer(a.chain, "deployer")).reissue(envelope));
    await mine(a.chain, 3);
    expect((await good.pass()).delivered).to.equal(1);
    expect(await engine.collateralOf(bob.address, ALPHA, asset)).to.equal(0n);
    await send(messenger.connect(hubOwner()).unpauseRoute(ALPHA));
    const held = await messenger.queryFilter(messenger.filters.MessageHeld());
    expect(held).to.have.length(1);
    const reissued = await envelopeOf(a.deployment.adapter, held[0].args.id);
    await send(messenger.retry(reissued));
    expect(await engine.collateralOf(bob.address, ALPHA, asset)).to.equal(parseUnits("1", 18));
    await mine(w.hub.chain, 3);
    m = await monitor.pass();
    expect(m.swallowed).to.deep.equal([]);
    expect(m.broken).to.deep.equal([]);
    await assertSolvent(w);
  });

  it("3. a RELEASE reorganised away on the hub after the vault paid it: the hub has the credit back, the vault paid anyway; the monitor names it, quarantine and discard restore the books; the next release, which re-uses its nonce, is swallowed and reissued", async () => {
    const a = alpha();
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const asset = await weth();
    await deposit(w, "alpha", "alice", "WETH", parseUnits("5", 18));
    await mine(a.chain, 3);
    expect((await relayKeeper().pass()).delivered).to.equal(1);
    const monitor = new MonitorKeeper(open(record, "deployer"), { stateDir: tmpDir() });
    const bad = relayKeeper("hub");
    const walletBefore = await a.tokens.WETH.balanceOf(alice.address);

    const tx = await engine.connect(alice).withdrawCollateral(ALPHA, asset, parseUnits("2", 18), alice.address);
    const release = (await tx.wait())!.logs.map((l) => parseWithdrawn(engine, l)).find((x) => x)!;
    expect((await bad.pass()).delivered).to.equal(1);
    expect(await a.tokens.WETH.balanceOf(alice.address)).to.equal(walletBefore + parseUnits("2", 18));

    await reorg(w.hub.chain, 1); // the withdrawal is gone from the hub
    await mine(w.hub.chain, 3);
    await mine(a.chain, 3); // the payout's block at alpha's depth
    // The hub never debited: alice still has 5 there, while the vault paid 2 and locks 3.
    expect(await engine.collateralOf(alice.address, ALPHA, asset)).to.equal(parseUnits("5", 18));
    expect(await a.deployment.vault.totalLocked(asset)).to.equal(parseUnits("3", 18));
    expect(await a.tokens.WETH.balanceOf(alice.address)).to.equal(walletBefore + parseUnits("2", 18));
    await expect(assertSolvent(w)).to.be.rejectedWith(
      /alpha\/WETH: locked 3000000000000000000 != credits 5000000000000000000/,
    );
    const m = await monitor.pass();
    expect(m.orphans.map((o) => [o.id, o.route])).to.deep.equal([[release, "hub->alpha"]]);
    expect(m.orphans[0].effect).to.equal(`RELEASE: paid 2 WETH to ${alice.address}`);
    expect(m.broken.some((b) => b.includes(`orphan ${release}`))).to.equal(true);

    // Containment: the 2 the hub still credits were paid out: quarantined, then discarded.
    await send(engine.connect(hubOwner()).quarantineCredit(alice.address, ALPHA, asset, parseUnits("2", 18)));
    await send(engine.connect(hubOwner()).releaseQuarantine(alice.address, ALPHA, asset, parseUnits("2", 18), false));
    expect(await engine.collateralOf(alice.address, ALPHA, asset)).to.equal(parseUnits("3", 18));
    let after = await monitor.pass();
    expect(after.orphans.map((o) => o.contained)).to.deep.equal([true]);
    expect(after.broken).to.deep.equal([]);
    await assertSolvent(w);

    // The hub issued the release's nonce again: alice's next withdrawal takes it, is debited on the hub, and alpha
    // takes it for a duplicate, so it is never paid until the owner of the hub's messenger reissues it.
    const next = await engine.connect(alice).withdrawCollateral(ALPHA, asset, parseUnits("1", 18), alice.address);
    const swallowed = (await next.wait())!.logs.map((l) => parseWithdrawn(engine, l)).find((x) => x)!;
    await mine(w.hub.chain, 2);
    const good = relayKeeper();
    expect((await good.pass()).delivered).to.equal(0); // its nonce is consumed on alpha
    await monitor.pass();
    await mine(a.chain, 3);
    after = await monitor.pass();
    expect(after.swallowed.map((x) => [x.id, x.route])).to.deep.equal([[swallowed, "hub->alpha"]]);
    expect(after.swallowed[0].call).to.match(/^owner on hub: Messenger\(0x[0-9a-fA-F]{40}\)\.reissue/);
    expect(await a.tokens.WETH.balanceOf(alice.address)).to.equal(walletBefore + parseUnits("2", 18));
    await send(
      w.hub.deployment.messenger.connect(hubOwner()).reissue(await envelopeOf(w.hub.deployment.adapter, swallowed)),
    );
    await mine(w.hub.chain, 2);
    expect((await good.pass()).delivered).to.equal(1);
    expect(await a.tokens.WETH.balanceOf(alice.address)).to.equal(walletBefore + parseUnits("3", 18));
    await mine(a.chain, 3);
    after = await monitor.pass();
    expect(after.swallowed).to.deep.equal([]);
    expect(after.broken).to.deep.equal([]);
    await assertSolvent(w);
  });

  it("4. the same envelope re-mined in a later block after a reorg (same nonce, same id) is delivered exactly once", async () => {
    const a = alpha();
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(a.chain, "alice");
    const asset = await weth();
    const heads = new Map<bigint, number>();
    for (const c of w.chains) heads.set(c.chainId, (await c.provider.getBlockNumber()) + 1);
    const library = makeRelayer(w, undefined, heads, new Map([[ALPHA, 0]]));
    const keeper = relayKeeper("alpha");
    const monitor = new MonitorKeeper(open(record, "deployer"), { stateDir: tmpDir() });

    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("4", 18));
    const sent = (await a.deployment.vault.queryFilter(a.deployment.vault.filters.Deposited()))[0];
    const raw = (await a.chain.send("eth_getRawTransactionByHash", [sent.transactionHash])) as string;
    const results = await library.flush();
    expect(results.map((r) => [r.packet.id, r.error])).to.deep.equal([[id, undefined]]);
    expect(sent.blockNumber).to.equal(await a.chain.provider.getBlockNumber());

    // Two more blocks, then the last three replaced: the same signed deposit lands two blocks later than before.
    await mine(a.chain, 2);
    await reorg(a.chain, 3, [[raw, 2]]);
    const again = (await a.deployment.vault.queryFilter(a.deployment.vault.filters.Deposited()))[0];
    expect(again.blockNumber).to.equal(sent.blockNumber + 2);
    expect(again.blockHash).to.not.equal(sent.blockHash);
    expect(again.args.messageId).to.equal(id);

    // Both relayers read it again and find it consumed; delivering it anyway is a duplicate.
    expect(await library.flush()).to.deep.equal([]);
    expect((await keeper.pass()).delivered).to.equal(0);
    const [relayed] = await a.deployment.adapter.queryFilter(a.deployment.adapter.filters.RelayRequested());
    expect(relayed.blockNumber).to.equal(again.blockNumber);
    const dup = await library.deliver({
      id,
      srcChainId: ALPHA,
      dstChainId: w.hub.chain.chainId,
      srcAdapter: await a.deployment.adapter.getAddress(),
      srcMessenger: await a.deployment.messenger.getAddress(),
      envelope: relayed.args.envelope,
      blockNumber: relayed.blockNumber,
      logIndex: relayed.index,
    });
    expect(dup.error).to.equal(undefined);
    expect(dup.receipt!.logs.map((l) => messenger.interface.parseLog(l)?.name)).to.include("MessageDuplicate");

    expect(await engine.collateralOf(alice.address, ALPHA, asset)).to.equal(parseUnits("4", 18));
    expect(await engine.queryFilter(engine.filters.CollateralCredited(alice.address))).to.have.length(1);
    await mine(a.chain, 3);
    await mine(w.hub.chain, 2);
    const m = await monitor.pass();
    expect(m.orphans).to.deep.equal([]);
    expect(m.broken).to.deep.equal([]);
    await assertSolvent(w);
  });
});

/** The envelope bytes of `id`, from the LocalAdapter's `RelayRequested` events. */
async function envelopeOf(adapter: LocalAdapter, id: string): Promise<string> {
  const events = await adapter.queryFilter(adapter.filters.RelayRequested());
  const ev = events.find((e) => envelopeId(e.args.envelope) === id);
  if (!ev) throw new Error(`no RelayRequested for ${id}`);
  return ev.args.envelope;
}

function parseWithdrawn(engine: IMarginHub, l: Log): string | undefined {
  try {
    const ev = engine.interface.parseLog(l);
    return ev?.name === "CollateralWithdrawn" ? (ev.args.messageId as string) : undefined;
  } catch {
    return undefined;
  }
}
