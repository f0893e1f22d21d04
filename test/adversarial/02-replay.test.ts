/**
 * Adversarial 2 — replay. Setup: the 3-chain world with liquidity on the hub. Action: genuine envelopes (DEPOSIT
 * and RELEASE) delivered again, retried again after a held delivery, and injected on another chain's route.
 * Must hold: every copy after the first is a no-op (MessageDuplicate / NotRetryable) or rejected
 * (EnvelopeMisrouted); each deposit is credited exactly once and each release paid exactly once.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import { worldChainId, deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
}

describe("adversarial 2: replayed envelopes", () => {
  const h = useWorld(setup);

  it("a delivered DEPOSIT delivered again: MessageDuplicate, exactly one CollateralCredited", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice").address;
    const weth = await asset(w, "alpha", "WETH");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18));
    const [packet] = await w.relayer.poll();
    const first = await w.relayer.deliver(packet);
    await expect(first.receipt!)
      .to.emit(engine, "CollateralCredited")
      .withArgs(alice, ALPHA, weth, parseUnits("2", 18), packet.id);
    for (let i = 0; i < 3; i++) {
      const again = await w.relayer.deliver(packet);
      expect(again.error).to.equal(undefined); // a duplicate is ignored, never reverted (multi-bridge routes)
      await expect(again.receipt!).to.emit(messenger, "MessageDuplicate").and.not.to.emit(engine, "CollateralCredited");
    }
    expect(await engine.collateralOf(alice, ALPHA, weth)).to.equal(parseUnits("3", 18));
    expect((await engine.marketState(ALPHA, weth)).totalCredits).to.equal(parseUnits("3", 18));
    w.relayer.take();
  });

  it("a genuine envelope from alpha injected as if from beta: EnvelopeMisrouted; then credited once on its own route", async () => {
    const w = h.w;
    const { engine, messenger, adapter } = w.hub.deployment;
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    const [packet] = await w.relayer.poll(); // alice's genuine 1 WETH deposit on alpha
    const relayer = signer(w.hub.chain, "relayer");
    const betaAdapter = await spoke(w, "beta").deployment.adapter.getAddress();
    const betaMessenger = await spoke(w, "beta").deployment.messenger.getAddress();
    await expect(adapter.connect(relayer).deliver(BETA, betaAdapter, betaMessenger, packet.envelope))
      .to.be.revertedWithCustomError(messenger, "EnvelopeMisrouted")
      .withArgs(BETA, ALPHA, HUB_CHAIN_ID);
    await w.relayer.deliver(packet);
    await w.relayer.deliver(packet);
    const alice = signer(w.hub.chain, "alice").address;
    const weth = await asset(w, "alpha", "WETH");
    expect(await engine.collateralOf(alice, ALPHA, weth)).to.equal(parseUnits("2", 18));
    expect(await engine.collateralOf(alice, BETA, weth)).to.equal(0n);
    w.relayer.take();
  });

  it("a hub RELEASE injected on the other source chain is misrouted; on its own chain it pays exactly once", async () => {
    // Setup: alice withdraws 1 WETH to herself on alpha. Action: the RELEASE is delivered to beta's vault (as if
    // beta were its destination), then to alpha three times. Must hold: beta refuses (EnvelopeMisrouted), alpha
    // pays 1 WETH once, the vault's locked balance drops once.
    const w = h.w;
    const a = spoke(w, "alpha");
    const b = spoke(w, "beta");
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    await send(engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("1", 18), alice.address));
    const [release] = await w.relayer.poll();
    const hubAdapter = await w.hub.deployment.adapter.getAddress();
    const hubMessenger = await w.hub.deployment.messenger.getAddress();
    await expect(
      b.deployment.adapter
        .connect(signer(b.chain, "relayer"))
        .deliver(HUB_CHAIN_ID, hubAdapter, hubMessenger, release.envelope),
    )
      .to.be.revertedWithCustomError(b.deployment.messenger, "EnvelopeMisrouted")
      .withArgs(HUB_CHAIN_ID, HUB_CHAIN_ID, ALPHA);
    const before = await a.tokens.WETH.balanceOf(alice.address);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await w.relayer.deliver(release));
    await expect(results[0].receipt!).to.emit(a.deployment.vault, "Released");
    for (const r of results.slice(1)) {
      await expect(r.receipt!).to.emit(a.deployment.messenger, "MessageDuplicate");
      await expect(r.receipt!).not.to.emit(a.deployment.vault, "Released");
    }
    expect((await a.tokens.WETH.balanceOf(alice.address)) - before).to.equal(parseUnits("1", 18));
    expect(await a.deployment.vault.totalLocked(weth)).to.equal(0n);
    w.relayer.take();
  });

  it("a held envelope is retried once: a second retry is NotRetryable and a late relay is a duplicate", async () => {
    // Setup: the guardian pauses the hub's inbound route from alpha; alice's deposit is held. Action: owner
    // resumes, anyone retries, then retries again and the relayer re-delivers. Must hold: one credit.
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice").address;
    const weth = await asset(w, "alpha", "WETH");
    await send(messenger.connect(signer(w.hub.chain, "guardian")).pauseRoute(ALPHA));
    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("5", 18));
    const [held] = await w.relayer.flush();
    await expect(held.receipt!).to.emit(messenger, "MessageHeld");
    await expect(messenger.retry(held.packet.envelope)).to.be.revertedWithCustomError(messenger, "RouteIsPaused");
    await send(messenger.unpauseRoute(ALPHA));
    const carol = signer(w.hub.chain, "carol");
    await expect(messenger.connect(carol).retry(held.packet.envelope)).to.emit(engine, "CollateralCredited");
    await expect(messenger.connect(carol).retry(held.packet.envelope))
      .to.be.revertedWithCustomError(messenger, "NotRetryable")
      .withArgs(id);
    const late = await w.relayer.deliver(held.packet);
    await expect(late.receipt!).to.emit(messenger, "MessageDuplicate");
    expect(await engine.collateralOf(alice, ALPHA, weth)).to.equal(parseUnits("6", 18));
  });
});
