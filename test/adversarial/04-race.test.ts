/**
 * Adversarial 4 — a withdrawal and a liquidation racing for the same collateral. Setup: alice holds 1 WETH on
 * alpha and owes $1,600. Action: she withdraws while the price falls and a liquidator seizes; the two RELEASEs
 * reach alpha in either order. Must hold: both are hub debits of the same credit, so what is paid out plus what
 * stays credited equals what she held; the solvency invariant holds with both releases in flight and after.
 */
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { MaxUint256, parseUnits } from "ethers";
import { worldChainId, assertSolvent, deposit, signer, spoke, World } from "../../scripts/lib/world";
import { insufficientCollateralArgs } from "../helpers/adversarial";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");

/** Alice: 1 WETH on alpha, $1,600 borrowed (capacity 2,400). */
async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
  await w.relayer.flush();
  await w.hub.deployment.engine
    .connect(signer(w.hub.chain, "alice"))
    .borrow(parseUnits("1600", 6), signer(w.hub.chain, "alice").address);
  const liquidator = signer(w.hub.chain, "liquidator");
  await send(w.hub.base.connect(liquidator).approve(await w.hub.deployment.engine.getAddress(), MaxUint256));
}

describe("adversarial 4: a withdrawal racing a liquidation", () => {
  const h = useWorld(setup);

  for (const order of ["withdrawal first", "liquidation first"] as const) {
    it(`pays out no more than the account held, releases delivered ${order}`, async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const liquidator = signer(w.hub.chain, "liquidator");
      const weth = await asset(w, "alpha", "WETH");
      const token = spoke(w, "alpha").tokens.WETH;
      const aliceOnAlpha = signer(spoke(w, "alpha").chain, "alice").address;
      const before = {
        alice: await token.balanceOf(aliceOnAlpha),
        liquidator: await token.balanceOf(liquidator.address),
      };

      // Alice withdraws as much as her health allows; the RELEASE is in flight when the price falls.
      await engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("0.33", 18), aliceOnAlpha);
      const [withdrawal] = await w.relayer.poll();
      await send(w.feeds.WETH.updateAnswer(2_500n * 10n ** 8n)); // 0.67 * 2500 * 85% = 1423 < 1600
      // The liquidation can only seize what is still credited: the withdrawal was debited first.
      await expect(engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address))
        .to.emit(engine, "Liquidated")
        .withArgs(
          alice.address,
          liquidator.address,
          ALPHA,
          weth,
          anyValue,
          anyValue,
          (seized: bigint) => seized > 0n && seized <= parseUnits("0.67", 18), // never what was withdrawn
          liquidator.address,
          anyValue,
        );
      const [liquidation] = (await w.relayer.poll()).filter((p) => p.id !== withdrawal.id);
      const remaining = await engine.collateralOf(alice.address, ALPHA, weth);
      // Both releases in flight: locked = credits + releases in flight.
      const [row] = (await assertSolvent(w)).filter((r) => r.chainId === ALPHA && r.symbol === "WETH");
      expect(row.releasesInFlight).to.equal(parseUnits("1", 18) - remaining);

      for (const p of order === "withdrawal first" ? [withdrawal, liquidation] : [liquidation, withdrawal]) {
        expect((await w.relayer.deliver(p)).error).to.equal(undefined);
      }
      const paidToAlice = (await token.balanceOf(aliceOnAlpha)) - before.alice;
      const paidToLiquidator = (await token.balanceOf(liquidator.address)) - before.liquidator;
      expect(paidToAlice).to.equal(parseUnits("0.33", 18));
      expect(paidToAlice + paidToLiquidator + remaining).to.equal(parseUnits("1", 18));
      expect(await spoke(w, "alpha").deployment.vault.totalLocked(weth)).to.equal(remaining);
      w.relayer.take();
    });
  }

  it("a withdrawal that would leave the account unhealthy is refused before anything is sent", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    await expect(
      engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("0.34", 18), alice.address),
    ).to.be.revertedWithCustomError(engine, "NotHealthy");
    expect(await w.relayer.poll()).to.have.length(0);
  });

  it("after a liquidation took part of the credit, withdrawing what was there before is refused with the balance", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    await send(w.feeds.WETH.updateAnswer(1_800n * 10n ** 8n)); // 1 * 1800 * 85% = 1530 < 1600
    await send(engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address));
    const remaining = await engine.collateralOf(alice.address, ALPHA, weth);
    expect(remaining).to.be.lt(parseUnits("1", 18));
    await expect(engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("1", 18), alice.address))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(...insufficientCollateralArgs(alice.address, ALPHA, weth, remaining, parseUnits("1", 18)));
    await w.relayer.flush();
  });
});
