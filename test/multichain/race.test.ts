import { expect } from "chai";
import { MaxUint256, parseUnits } from "ethers";
import { deposit, signer, spoke, World } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = 31338n;

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

describe("a withdrawal racing a liquidation", () => {
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
      await expect(
        engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address),
      ).to.emit(engine, "Liquidated");
      const [liquidation] = (await w.relayer.poll()).filter((p) => p.id !== withdrawal.id);
      const remaining = await engine.collateralOf(alice.address, ALPHA, weth);

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
});
