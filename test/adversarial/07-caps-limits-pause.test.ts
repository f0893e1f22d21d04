/**
 * Adversarial 7 — caps, rate limits and pause semantics. Setup: alice holds 10 WETH on alpha and owes $20,000.
 * Must hold: a vault deposit cap refuses with its numbers; an outflow limit never reverts a RELEASE but turns it
 * into a claim paid as capacity returns; guardian pauses (vault deposits, messenger routes, hub borrowing) never
 * block repay, never block the liquidation of an unhealthy account, never move a token; only the owner unpauses.
 */
import { expect } from "chai";
import { MaxUint256, parseUnits } from "ethers";
import { worldChainId, deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { increaseTime } from "../../scripts/lib/chain";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";
import { tokenBalances } from "../helpers/adversarial";

const ALPHA = worldChainId("alpha");
const HOUR = 3600;

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
  await w.relayer.flush();
  const alice = signer(w.hub.chain, "alice");
  await send(w.hub.deployment.engine.connect(alice).borrow(parseUnits("20000", 6), alice.address));
  const engine = await w.hub.deployment.engine.getAddress();
  for (const who of ["alice", "liquidator"] as const) {
    await send(w.hub.base.connect(signer(w.hub.chain, who)).approve(engine, MaxUint256));
  }
}

describe("adversarial 7: caps, rate limits and pauses", () => {
  const h = useWorld(setup);

  it("vault deposit cap: a deposit that would lock more than the cap reverts with the cap and the would-be total", async () => {
    const w = h.w;
    const vault = spoke(w, "alpha").deployment.vault;
    const weth = await asset(w, "alpha", "WETH");
    await expect(vault.setDepositCap(weth, parseUnits("12", 18)))
      .to.emit(vault, "DepositCapSet")
      .withArgs(weth, parseUnits("12", 18));
    await expect(deposit(w, "alpha", "bob", "WETH", parseUnits("3", 18)))
      .to.be.revertedWithCustomError(vault, "DepositCapExceeded")
      .withArgs(weth, parseUnits("12", 18), parseUnits("13", 18));
    await deposit(w, "alpha", "bob", "WETH", parseUnits("2", 18)); // exactly up to the cap
    expect(await vault.totalLocked(weth)).to.equal(parseUnits("12", 18));
    await w.relayer.flush();
  });

  it("outflow limit: a RELEASE above capacity becomes a claim, paid in parts as capacity refills, never reverted", async () => {
    // Setup: 1 WETH per hour on alpha's vault. Action: bob (no debt) withdraws 3 WETH, then claims every hour.
    // Must hold: the delivery succeeds (ReleaseRateLimited with what was available), the claim pays 1 WETH per
    // hour (an early claim only the refill so far), and bob gets exactly 3 WETH in the end.
    const w = h.w;
    const a = spoke(w, "alpha");
    const vault = a.deployment.vault;
    const weth = await asset(w, "alpha", "WETH");
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "alpha", "bob", "WETH", parseUnits("3", 18));
    await w.relayer.flush();
    const bobOnAlpha = vault.connect(signer(a.chain, "bob"));
    const one = parseUnits("1", 18);
    await send(vault.setOutflowLimit(weth, one, HOUR));
    const before = await a.tokens.WETH.balanceOf(bob.address);
    await send(w.hub.deployment.engine.connect(bob).withdrawCollateral(ALPHA, weth, 3n * one, bob.address));
    const [release] = await w.relayer.flush();
    expect(release.error).to.equal(undefined);
    await expect(release.receipt!)
      .to.emit(vault, "ReleaseRateLimited")
      .withArgs(bob.address, weth, 3n * one, release.packet.id, one);
    expect(await vault.claimable(bob.address, weth)).to.equal(3n * one);
    await expect(bobOnAlpha.claim(weth, bob.address))
      .to.emit(vault, "Claimed")
      .withArgs(bob.address, weth, bob.address, one);
    // Right after, only the few seconds' refill is available: the claim pays that much, the rest waits.
    await send(bobOnAlpha.claim(weth, bob.address));
    const early = 2n * one - (await vault.claimable(bob.address, weth));
    expect(early)
      .to.be.gt(0n)
      .and.lt(one / 100n);
    await increaseTime(a.chain, HOUR);
    await send(bobOnAlpha.claim(weth, bob.address));
    await increaseTime(a.chain, HOUR);
    await send(vault.connect(signer(a.chain, "carol")).pushClaim(bob.address, weth)); // a keeper pays the rest
    expect((await a.tokens.WETH.balanceOf(bob.address)) - before).to.equal(3n * one);
    expect(await vault.claimable(bob.address, weth)).to.equal(0n);
    expect(await vault.totalClaimable(weth)).to.equal(0n);
  });

  it("guardian pauses move no funds, never block repay or the liquidation of an unhealthy account; only the owner unpauses", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const { engine, messenger } = w.hub.deployment;
    const vault = a.deployment.vault;
    const weth = await asset(w, "alpha", "WETH");
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const guardianHub = signer(w.hub.chain, "guardian");
    const guardianAlpha = signer(a.chain, "guardian");

    const before = await tokenBalances(w);
    await expect(vault.connect(guardianAlpha).pauseDeposits(weth))
      .to.emit(vault, "DepositsPaused")
      .withArgs(weth, true);
    await expect(engine.connect(guardianHub).setBorrowPaused(true)).to.emit(engine, "BorrowPaused").withArgs(true);
    await expect(messenger.connect(guardianHub).pauseRoute(ALPHA)).to.emit(messenger, "RoutePaused");
    await send(a.deployment.messenger.connect(guardianAlpha).pauseRoute(HUB_CHAIN_ID));
    expect(await tokenBalances(w)).to.deep.equal(before); // pausing moved nothing

    await expect(deposit(w, "alpha", "bob", "WETH", parseUnits("1", 18)))
      .to.be.revertedWithCustomError(vault, "DepositsArePaused")
      .withArgs(weth);
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address)).to.be.revertedWithCustomError(
      engine,
      "BorrowIsPaused",
    );
    // Repay works while everything is paused.
    const debt = await engine.debtOf(alice.address);
    await expect(engine.connect(alice).repay(parseUnits("1000", 6), alice.address)).to.emit(engine, "Repaid");
    expect(await engine.debtOf(alice.address)).to.be.lt(debt - parseUnits("999", 6));

    // The price falls; the unhealthy account is liquidated on the hub and its RELEASE is still sent (sending is
    // never paused); alpha holds it while its inbound route is paused.
    await send(w.feeds.WETH.updateAnswer(2_100n * 10n ** 8n)); // 10 * 2100 * 85% = 17850 < ~19000
    expect(await engine.isLiquidatable(alice.address)).to.equal(true);
    const seized = await engine
      .connect(liquidator)
      .liquidate.staticCall(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address);
    await expect(
      engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address),
    ).to.emit(engine, "Liquidated");
    const [held] = await w.relayer.flush();
    await expect(held.receipt!).to.emit(a.deployment.messenger, "MessageHeld");
    expect(await a.tokens.WETH.balanceOf(liquidator.address)).to.equal(0n);

    // The guardian cannot unpause anything.
    await expect(vault.connect(guardianAlpha).unpauseDeposits(weth))
      .to.be.revertedWithCustomError(vault, "OwnableUnauthorizedAccount")
      .withArgs(guardianAlpha.address);
    await expect(engine.connect(guardianHub).setBorrowPaused(false))
      .to.be.revertedWithCustomError(engine, "NotGuardian")
      .withArgs(guardianHub.address);
    await expect(messenger.connect(guardianHub).unpauseRoute(ALPHA))
      .to.be.revertedWithCustomError(messenger, "OwnableUnauthorizedAccount")
      .withArgs(guardianHub.address);
    await expect(a.deployment.messenger.connect(guardianAlpha).unpauseRoute(HUB_CHAIN_ID))
      .to.be.revertedWithCustomError(a.deployment.messenger, "OwnableUnauthorizedAccount")
      .withArgs(guardianAlpha.address);

    // The owner resumes; the held RELEASE pays the liquidator once.
    await send(a.deployment.messenger.unpauseRoute(HUB_CHAIN_ID));
    await send(a.deployment.messenger.connect(signer(a.chain, "carol")).retry(held.packet.envelope));
    expect(await a.tokens.WETH.balanceOf(liquidator.address)).to.equal(seized);
    await send(messenger.unpauseRoute(ALPHA));
    await send(vault.unpauseDeposits(weth));
    await send(engine.setBorrowPaused(false));
    // Borrowing is resumed: alice's borrow is now judged on her health (the liquidation restored it to the target
    // health under liquidation thresholds, still below 1 under borrow factors), no longer refused for the pause.
    await expect(engine.connect(alice).borrow(parseUnits("400", 6), alice.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
  });
});
