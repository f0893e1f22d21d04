import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { ALPHA, credit, deployFeed, hubFixture, usdc } from "../helpers/hub";

const weth = (x: string) => parseUnits(x, 18);
const price = (usd: bigint) => usd * 10n ** 8n;
const GRACE = 3600;

/** An L2 hub: alice holds 1 WETH ($3000) and owes 2000 USDC; the oracle watches a sequencer-uptime feed. */
async function l2Hub() {
  const f = await hubFixture();
  const { engine } = f.hub;
  await engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
  await credit(f, f.alice.address, "WETH", weth("1"));
  await engine.connect(f.alice).borrow(usdc("2000"), f.alice.address);
  const sequencer = await deployFeed(f.owner, 0n, 0); // up since deployment
  await engine.setSequencerUptimeFeed(await sequencer.getAddress(), GRACE);
  return { ...f, sequencer };
}

describe("MarginEngine: L2 sequencer down", () => {
  it("repay and deposit credit keep working; borrow, withdraw and liquidate wait, liquidation after the grace period", async () => {
    const f = await loadFixture(l2Hub);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await time.increase(GRACE);
    await f.assets.WETH.feed.updateAnswer(price(3000n));
    await engine.connect(f.alice).borrow(usdc("10"), f.alice.address); // up, past the grace period: works

    await f.sequencer.updateAnswer(1n); // the sequencer goes down
    // Repay needs no price.
    const debt = await engine.debtOf(f.alice.address);
    await expect(engine.connect(f.alice).repay(usdc("100"), f.alice.address)).to.changeTokenBalance(
      f.base,
      f.alice,
      -usdc("100"),
    );
    expect(await engine.debtOf(f.alice.address)).to.be.closeTo(debt - usdc("100"), usdc("0.01"));
    // A DEPOSIT arriving is credited.
    await credit(f, f.alice.address, "WETH", weth("0.5"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("1.5"));
    // Everything priced waits.
    await expect(engine.connect(f.alice).borrow(usdc("1"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "SequencerDown",
    );
    const fee = await engine.quoteRelease(ALPHA);
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("0.1"), f.alice.address, { value: fee }),
    ).to.be.revertedWithCustomError(engine, "SequencerDown");
    // The price crashes while the sequencer is down: alice's account is under water, but nobody could have
    // topped it up, so it cannot be liquidated yet.
    await f.assets.WETH.feed.updateAnswer(price(1200n)); // health = 1.5 * 1200 * 0.85 / ~1910 < 1
    const liquidate = () =>
      engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, asset, MaxUint256, 0, f.liquidator.address, {
        value: fee,
      });
    await expect(liquidate()).to.be.revertedWithCustomError(engine, "SequencerDown");

    // Back up: still no liquidation (nor borrowing) during the grace period, so users can react first.
    const upSince = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(upSince);
    await f.sequencer.updateAnswer(0n);
    await expect(liquidate()).to.be.revertedWithCustomError(engine, "GracePeriodNotOver").withArgs(upSince);
    await expect(engine.connect(f.alice).borrow(usdc("1"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "GracePeriodNotOver")
      .withArgs(upSince);
    await expect(engine.connect(f.alice).repay(usdc("10"), f.alice.address)).to.not.be.reverted;

    await time.increaseTo(upSince + GRACE);
    await f.assets.WETH.feed.updateAnswer(price(1200n));
    await f.baseFeed.updateAnswer(price(1n));
    expect(await engine.isLiquidatable(f.alice.address)).to.equal(true);
    await expect(liquidate()).to.emit(engine, "Liquidated");
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.be.lt(weth("1.5"));
  });
});
