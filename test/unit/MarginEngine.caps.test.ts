import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { ALPHA, BETA, hubFixture, credit, usdc } from "../helpers/hub";

const weth = (x: string) => parseUnits(x, 18);

/** Hub with liquidity and a 10 WETH credit cap on alpha WETH. */
async function capped() {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
  await f.hub.engine.setCreditCap(ALPHA, f.assets.WETH.address, weth("10"));
  return f;
}

describe("MarginEngine: credit caps and quarantine", () => {
  it("credits up to the cap and quarantines the excess of a deposit, with an event", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.bob.address, "WETH", weth("6"));
    const { tx, id } = await credit(f, f.alice.address, "WETH", weth("7"));
    await expect(tx).to.emit(engine, "CollateralQuarantined").withArgs(f.alice.address, ALPHA, asset, weth("3"), id);
    await expect(tx).to.emit(engine, "CollateralCredited").withArgs(f.alice.address, ALPHA, asset, weth("4"), id);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("4"));
    expect(await engine.quarantined(f.alice.address, ALPHA, asset)).to.equal(weth("3"));
    expect(await engine.totalQuarantined(ALPHA, asset)).to.equal(weth("3"));
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(weth("10"));

    // At the cap, a whole deposit is quarantined and opens no position.
    const full = await credit(f, f.other.address, "WETH", weth("1"));
    await expect(full.tx)
      .to.emit(engine, "CollateralQuarantined")
      .withArgs(f.other.address, ALPHA, asset, weth("1"), full.id);
    await expect(full.tx).to.not.emit(engine, "CollateralCredited");
    expect((await engine.accountState(f.other.address)).credits).to.equal(0n);
  });

  it("quarantined collateral gives no borrowing power: a forged 1e30 deposit borrows at most the cap's worth", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    await credit(f, f.alice.address, "WETH", 10n ** 30n);
    // 10 WETH at $3000, borrow factor 80%: $24,000, whatever was forged above the cap.
    await expect(engine.connect(f.alice).borrow(usdc("24000.000001"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "NotHealthy")
      .withArgs(f.alice.address, anyValue);
    await engine.connect(f.alice).borrow(usdc("24000"), f.alice.address);
  });

  it("the owner credits a reviewed quarantine (beyond the cap) or discards a forged one", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("15"));
    await expect(engine.releaseQuarantine(f.alice.address, ALPHA, asset, weth("2"), true))
      .to.emit(engine, "QuarantineReleased")
      .withArgs(f.alice.address, ALPHA, asset, weth("2"), true);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("12"));
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(weth("12"));
    await expect(engine.releaseQuarantine(f.alice.address, ALPHA, asset, weth("3"), false))
      .to.emit(engine, "QuarantineReleased")
      .withArgs(f.alice.address, ALPHA, asset, weth("3"), false);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("12"));
    expect(await engine.quarantined(f.alice.address, ALPHA, asset)).to.equal(0n);
    expect(await engine.totalQuarantined(ALPHA, asset)).to.equal(0n);

    // A credit released for an account with no position opens it.
    await credit(f, f.bob.address, "WETH", weth("1"));
    expect((await engine.accountState(f.bob.address)).credits).to.equal(0n);
    await engine.releaseQuarantine(f.bob.address, ALPHA, asset, weth("1"), true);
    expect((await engine.accountState(f.bob.address)).credits).to.equal(1n);
    expect((await engine.accountState(f.bob.address)).positions).to.equal(1n);
  });

  it("the owner moves an unbacked credit into quarantine (a deposit reorganised away after delivery), then discards it; only the owner, never more than the credit", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("4"));
    await credit(f, f.bob.address, "WETH", weth("1"));
    await expect(engine.quarantineCredit(f.alice.address, ALPHA, asset, weth("1")))
      .to.emit(engine, "CreditQuarantined")
      .withArgs(f.alice.address, ALPHA, asset, weth("1"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("3"));
    expect(await engine.quarantined(f.alice.address, ALPHA, asset)).to.equal(weth("1"));
    expect(await engine.totalQuarantined(ALPHA, asset)).to.equal(weth("1"));
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(weth("4"));
    expect((await engine.accountState(f.alice.address)).credits).to.equal(1n);
    // The whole credit: the position is closed (no market entered, no credit counted).
    await engine.quarantineCredit(f.alice.address, ALPHA, asset, weth("3"));
    expect((await engine.accountState(f.alice.address)).credits).to.equal(0n);
    expect((await engine.accountState(f.alice.address)).positions).to.equal(0n);
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(weth("1"));
    await expect(engine.connect(f.alice).withdrawCollateral(ALPHA, asset, 1n, f.alice.address))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, ALPHA, asset, 0, 1n);
    await engine.releaseQuarantine(f.alice.address, ALPHA, asset, weth("4"), false);
    expect(await engine.totalQuarantined(ALPHA, asset)).to.equal(0n);

    await expect(engine.quarantineCredit(f.bob.address, ALPHA, asset, weth("1.5")))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.bob.address, ALPHA, asset, weth("1"), weth("1.5"));
    await expect(engine.quarantineCredit(f.bob.address, ALPHA, asset, 0)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(engine.connect(f.guardian).quarantineCredit(f.bob.address, ALPHA, asset, 1n))
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(f.guardian.address);
  });

  it("refuses to release more than is quarantined, or nothing, and only for the owner", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("11"));
    await expect(engine.releaseQuarantine(f.alice.address, ALPHA, asset, weth("1.5"), true))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, ALPHA, asset, weth("1"), weth("1.5"));
    await expect(engine.releaseQuarantine(f.alice.address, ALPHA, asset, 0, true))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, ALPHA, asset, weth("1"), 0);
    await expect(engine.connect(f.guardian).releaseQuarantine(f.alice.address, ALPHA, asset, weth("1"), true))
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(f.guardian.address);
    await expect(engine.connect(f.alice).setCreditCap(ALPHA, asset, 0))
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(f.alice.address);
  });

  it("M 1-unit deposit holds off write-off: a quarantined deposit does not keep bad debt on the books; credited later, it is the account's", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await engine.setCreditCap(ALPHA, asset, weth("1"));
    await credit(f, f.alice.address, "WETH", weth("1"));
    await engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
    // Anyone (here: other) deposits the smallest unit for alice: the market is at its cap, so it is quarantined.
    const grief = await credit(f, f.alice.address, "WETH", 1n);
    await expect(grief.tx)
      .to.emit(engine, "CollateralQuarantined")
      .withArgs(f.alice.address, ALPHA, asset, 1n, grief.id);
    await f.assets.WETH.feed.updateAnswer(100n * 10n ** 8n); // WETH crashes to $100
    await f.base.connect(f.liquidator).approve(await engine.getAddress(), usdc("1000000"));
    const tx = engine
      .connect(f.liquidator)
      .liquidate(f.alice.address, ALPHA, asset, usdc("2400"), 0, f.liquidator.address);
    await expect(tx)
      .to.emit(engine, "Liquidated")
      .withArgs(f.alice.address, f.liquidator.address, ALPHA, asset, anyValue, anyValue, weth("1"), anyValue, anyValue);
    // The quarantined unit does not hold off the write-off.
    await expect(tx).to.emit(engine, "BadDebtAbsorbed");
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(0n);
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
    // Quarantine never counted toward borrowing, so it is not the lenders' collateral: credited after review, it
    // is an ordinary credit of the (now debt-free) account, withdrawable.
    await engine.releaseQuarantine(f.alice.address, ALPHA, asset, 1n, true);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(1n);
    await expect(engine.connect(f.alice).withdrawCollateral(ALPHA, asset, 1n, f.alice.address)).to.emit(
      engine,
      "CollateralWithdrawn",
    );
  });

  it("caps are per (chain, asset); lowering a cap keeps existing credits; zero lifts it", async () => {
    const f = await loadFixture(capped);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("8"));
    await expect(engine.setCreditCap(ALPHA, asset, weth("5")))
      .to.emit(engine, "CreditCapSet")
      .withArgs(ALPHA, asset, weth("5"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("8"));
    expect((await engine.marketState(ALPHA, asset)).creditCap).to.equal(weth("5"));
    await credit(f, f.alice.address, "WETH", weth("1"));
    expect(await engine.quarantined(f.alice.address, ALPHA, asset)).to.equal(weth("1"));
    await engine.setCreditCap(ALPHA, asset, 0);
    await credit(f, f.alice.address, "WETH", weth("100"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("108"));
    // The cap of another chain is its own.
    await credit(f, f.alice.address, "WBTC", parseUnits("50", 8));
    expect(await engine.quarantined(f.alice.address, BETA, f.assets.WBTC.address)).to.equal(0n);
  });
});
