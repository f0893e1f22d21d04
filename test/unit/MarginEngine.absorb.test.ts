/**
 * Liquidation with neither a live bridge nor capital (issue 12): liquidateToAccount (the seized credit stays on the
 * hub, in the liquidator's own account), absorb (the protocol takes unhealthy accounts over) and buyCollateral (anyone
 * buys the absorbed credits at a discount), the bonus ramp, and the liquidation part's refusal of direct calls.
 */
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ZeroAddress, ZeroHash, parseUnits } from "ethers";
import { ALPHA, BETA, DEFAULT_LIQUIDATION, hubFixture, credit, rampBonus, sentReleases, usdc } from "../helpers/hub";
import { MarginEngineExt__factory, MarginEngineLiq__factory } from "../../typechain-types";

const weth = (x: string) => parseUnits(x, 18);
const WAD = 10n ** 18n;
const BPS = 10_000n;
const price = (usd: bigint) => usd * 10n ** 8n;
/** An event argument within `tol` of `v` (interest accrues between a preview and the next block). */
const near =
  (v: bigint, tol = 1n) =>
  (x: bigint) =>
    x >= v - tol && x <= v + tol;

/** Alice: 1 WETH at $3000 and a 2400 USDC debt (the borrow-factor maximum); the liquidator holds 1 WETH on the hub. */
async function leveraged() {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
  await credit(f, f.alice.address, "WETH", weth("1"));
  await f.hub.engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
  await credit(f, f.liquidator.address, "WETH", weth("1"));
  return f;
}

/** Alice: 1 WBTC at $60,000 and 0.01 WETH ($30), 45,000 USDC of debt; WBTC then falls to $55,000 (health ≈ 0.978). */
async function smallWeth() {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
  await credit(f, f.alice.address, "WBTC", parseUnits("1", 8));
  await credit(f, f.alice.address, "WETH", weth("0.01"));
  await f.hub.engine.connect(f.alice).borrow(usdc("45000"), f.alice.address);
  await f.assets.WBTC.feed.updateAnswer(price(55000n));
  return f;
}

/** `leveraged`, with WETH at `usd`; Bob holds 1 healthy WETH-backed debt of 1000 USDC. */
async function withBob() {
  const f = await leveraged();
  await credit(f, f.bob.address, "WETH", weth("1"));
  await f.hub.engine.connect(f.bob).borrow(usdc("1000"), f.bob.address);
  return f;
}

describe("MarginEngine: liquidateToAccount", () => {
  it("credits the seized collateral to the liquidator on the hub: no message, totals unchanged, event names the caller", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("500"));
    const totalBefore = (await engine.marketState(ALPHA, asset)).totalCredits;
    const releasesBefore = (await sentReleases(f)).length;
    const tx = engine
      .connect(f.liquidator)
      .liquidateToAccount(f.alice.address, ALPHA, asset, usdc("500"), quote.seized);
    await expect(tx)
      .to.emit(engine, "Liquidated")
      .withArgs(
        f.alice.address,
        f.liquidator.address,
        ALPHA,
        asset,
        quote.repaid,
        quote.protocolFee,
        quote.seized,
        f.liquidator.address,
        ZeroHash,
      );
    await expect(tx).to.changeTokenBalances(f.base, [f.liquidator], [-(quote.repaid + quote.protocolFee)]);
    expect(await engine.collateralOf(f.liquidator.address, ALPHA, asset)).to.equal(weth("1") + quote.seized);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("1") - quote.seized);
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(totalBefore);
    expect((await sentReleases(f)).length).to.equal(releasesBefore);
    expect(await engine.debtOf(f.alice.address)).to.be.closeTo(usdc("2400") - quote.repaid, usdc("0.001"));
  });

  it("a first credit of that asset enters the liquidator's market: it can borrow against it and withdraw it later", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    // `other` holds nothing on the hub and no base: fund it for the repayment.
    await f.base.connect(f.liquidator).transfer(f.other.address, usdc("2000"));
    await f.base.connect(f.other).approve(await engine.getAddress(), MaxUint256);
    await engine.connect(f.other).liquidateToAccount(f.alice.address, ALPHA, asset, MaxUint256, 0);
    const seized = await engine.collateralOf(f.other.address, ALPHA, asset);
    expect(seized).to.be.gt(0n);
    const state = await engine.accountState(f.other.address);
    expect(state.credits).to.equal(1n);
    expect(state.positions).to.equal(1n); // WETH is market 0
    // Counted as its collateral: it borrows against it (80% borrow factor at $2800).
    const capacity = (seized * 2800n * 8000n) / BPS / 10n ** 12n;
    await engine.connect(f.other).borrow(capacity - usdc("1"), f.other.address);
    await expect(engine.connect(f.other).borrow(usdc("2"), f.other.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
    await engine.connect(f.other).repay(MaxUint256, f.other.address);
    // And withdraws it like any credit: a RELEASE to its chain.
    await engine.connect(f.other).withdrawCollateral(ALPHA, asset, seized, f.other.address);
    const release = (await sentReleases(f)).at(-1)!;
    expect(release.dstChainId).to.equal(ALPHA);
    expect(release.message.amount).to.equal(seized);
    expect((await engine.accountState(f.other.address)).credits).to.equal(0n);
  });

  it("refuses what liquidate refuses", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    const liq = engine.connect(f.liquidator);
    await expect(liq.liquidateToAccount(f.alice.address, ALPHA, asset, usdc("100"), 0))
      .to.be.revertedWithCustomError(engine, "NotLiquidatable")
      .withArgs(f.alice.address, anyValue);
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("500"));
    await expect(liq.liquidateToAccount(f.alice.address, ALPHA, asset, usdc("500"), quote.seized + 1n))
      .to.be.revertedWithCustomError(engine, "SeizeBelowMinimum")
      .withArgs(quote.seized, quote.seized + 1n);
    await expect(engine.connect(f.alice).liquidateToAccount(f.alice.address, ALPHA, asset, usdc("500"), 0))
      .to.be.revertedWithCustomError(engine, "SelfLiquidation")
      .withArgs(f.alice.address);
    await expect(liq.liquidateToAccount(f.alice.address, ALPHA, asset, 0, 0)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(liq.liquidateToAccount(f.alice.address, BETA, asset, usdc("500"), 0))
      .to.be.revertedWithCustomError(engine, "MarketNotListed")
      .withArgs(BETA, asset);
    await expect(liq.liquidateToAccount(f.alice.address, BETA, f.assets.WBTC.address, usdc("500"), 0))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, BETA, f.assets.WBTC.address, 0, 1);
  });

  it("refuses to leave dust debt", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    // A 14 USDC debt: the rest after the target-health repayment would be dust, so the whole debt is the cap.
    await credit(f, f.bob.address, "WETH", weth("0.006"));
    await engine.connect(f.bob).borrow(usdc("14"), f.bob.address);
    await f.assets.WETH.feed.updateAnswer(price(2700n));
    await expect(
      engine.connect(f.liquidator).liquidateToAccount(f.bob.address, ALPHA, f.assets.WETH.address, usdc("9"), 0),
    )
      .to.be.revertedWithCustomError(engine, "LiquidationLeavesDust")
      .withArgs(near(usdc("5")), usdc("10"));
  });

  it("refuses to leave collateral dust, and takes the whole credit when the repayment covers it", async () => {
    const f = await loadFixture(smallWeth);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    const health = await engine.healthFactor(f.alice.address);
    expect(health).to.be.lt(WAD);
    // 25 USDC buys 25 * (1 + bonus) / 3000 WETH and leaves about 0.0015 WETH ($4.5 < $10 minimum debt).
    const bonus = rampBonus(health, 500n);
    const seized = (usdc("25") * 10n ** 12n * (BPS + bonus)) / (3000n * BPS);
    const remaining = weth("0.01") - seized;
    await expect(engine.connect(f.liquidator).liquidateToAccount(f.alice.address, ALPHA, asset, usdc("25"), 0))
      .to.be.revertedWithCustomError(engine, "LiquidationLeavesCollateralDust")
      .withArgs(remaining, (remaining * 3000n * 10n ** 8n * 10n ** 10n) / WAD);
    // Offering what the whole credit is worth after the bonus takes all of it.
    const cover = (weth("0.01") * 3000n * BPS + (10n ** 12n * (BPS + bonus) - 1n)) / (10n ** 12n * (BPS + bonus));
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("40"));
    expect(quote.seized).to.equal(weth("0.01"));
    expect(quote.repaid).to.equal(cover);
    await engine.connect(f.liquidator).liquidateToAccount(f.alice.address, ALPHA, asset, usdc("40"), 0);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(0n);
    expect(await engine.collateralOf(f.liquidator.address, ALPHA, asset)).to.equal(weth("0.01"));
  });

  it("refuses a repayment too small to seize one unit", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    await credit(f, f.alice.address, "WBTC", parseUnits("1", 8));
    await engine.connect(f.alice).borrow(usdc("45000"), f.alice.address);
    await f.assets.WBTC.feed.updateAnswer(price(50000n));
    await expect(engine.connect(f.liquidator).liquidateToAccount(f.alice.address, BETA, f.assets.WBTC.address, 1n, 0))
      .to.be.revertedWithCustomError(engine, "RepayBelowOneUnit")
      .withArgs(1n, 468n); // one sat at $50,000 is $0.0005: ceil(500 / 1.07) base units
  });
});

describe("MarginEngine: bonus ramp", () => {
  it("2% just below health 1, linear to the cap at 0.9, the cap below; never more than a market's cap", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    const bonusAt = async (usd: bigint) => {
      await f.assets.WETH.feed.updateAnswer(usd);
      const h = await engine.healthFactor(f.alice.address);
      return { h, bonus: (await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("100"))).bonusBps };
    };
    // Just below 1: health 2823.5 * 0.85 / 2400 = 0.99999.
    let r = await bonusAt(282350000000n);
    expect(r.h).to.be.lt(WAD).and.gt(parseUnits("0.9999", 18));
    expect(r.bonus).to.equal(200n);
    // Midway (health ≈ 0.95): ≈ 3.5%.
    r = await bonusAt((95n * 2400n * 10n ** 8n) / 85n);
    expect(r.bonus).to.equal(rampBonus(r.h, 500n));
    expect(r.bonus).to.be.closeTo(350n, 1n);
    // Below 0.9: the cap.
    r = await bonusAt(price(2000n));
    expect(r.bonus).to.equal(500n);
    // Exactly at maxBonusHealth: the cap; one wei above: just under it.
    r = await bonusAt(price(2800n));
    await engine.setLiquidationParams({ ...DEFAULT_LIQUIDATION, maxBonusHealth: r.h });
    expect((await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("100"))).bonusBps).to.equal(500n);
    await engine.setLiquidationParams({ ...DEFAULT_LIQUIDATION, maxBonusHealth: r.h - 1n });
    expect((await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("100"))).bonusBps).to.equal(499n);
    // A market whose cap is below the minimum bonus: its cap, whatever the health.
    await engine.setLiquidationParams(DEFAULT_LIQUIDATION);
    await engine.configureMarket(ALPHA, asset, 8000, 8500, 100, false);
    expect((await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("100"))).bonusBps).to.equal(100n);
  });
});

describe("MarginEngine: absorb", () => {
  it("surplus: the account's debt is cleared, its credits go to the inventory, the surplus to its lending balance", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const hub = await engine.getAddress();
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n)); // health ≈ 0.9917: bonus 2.25%
    const health = await engine.healthFactor(f.alice.address);
    const bonus = rampBonus(health, 500n);
    const q = await engine.previewAbsorb(f.alice.address);
    const value = (2800n * 10n ** 18n * BPS) / (BPS + bonus); // USD 1e18
    expect(q.collateralValue).to.equal(value / 10n ** 12n);
    expect(q.debt).to.equal(await engine.debtOf(f.alice.address));
    expect(q.surplus).to.equal(q.collateralValue - q.debt);
    expect(q.badDebt).to.equal(0n);
    expect(q.reward).to.equal(usdc("5"));
    const totalBefore = (await engine.marketState(ALPHA, asset)).totalCredits;

    const tx = engine.connect(f.other).absorb([f.alice.address]);
    await expect(tx)
      .to.emit(engine, "Absorbed")
      .withArgs(f.alice.address, f.other.address, near(q.debt), q.collateralValue, near(q.surplus), 0n, usdc("5"));
    await expect(tx).to.emit(engine, "CollateralAbsorbed").withArgs(f.alice.address, ALPHA, asset, weth("1"));
    await expect(tx).to.not.emit(engine, "BadDebtAbsorbed");
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(0n);
    expect(await engine.collateralOf(hub, ALPHA, asset)).to.equal(weth("1"));
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(totalBefore);
    expect(await engine.accountState(f.alice.address)).to.deep.equal([0n, 0n, 0n]);
    expect((await engine.accountState(hub)).credits).to.equal(1n);
    const [, totalBorrow] = await engine.poolTotals();
    expect(totalBorrow).to.equal(0n);
    // The absorber's reward and the account's surplus are lending balances, withdrawable.
    expect(await engine.supplyBalanceOf(f.other.address)).to.be.closeTo(usdc("5"), 1n);
    expect(await engine.supplyBalanceOf(f.alice.address)).to.be.closeTo(q.surplus, 2n);
    const balance = await engine.supplyBalanceOf(f.alice.address);
    await expect(engine.connect(f.alice).withdrawBase(MaxUint256, f.alice.address)).to.changeTokenBalances(
      f.base,
      [f.alice],
      [balance],
    );
  });

  it("deficit: the shortfall is bad debt, reserves first, then lenders", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    // 100 USDC of reserves (a donation: cash nobody has a claim on).
    await f.base.connect(f.liquidator).transfer(await engine.getAddress(), usdc("100"));
    await f.assets.WETH.feed.updateAnswer(price(2000n)); // health 0.708: the 5% cap
    const q = await engine.previewAbsorb(f.alice.address);
    expect(q.collateralValue).to.equal((2000n * 10n ** 18n * BPS) / 10500n / 10n ** 12n);
    expect(q.badDebt).to.equal(q.debt - q.collateralValue);
    expect(q.surplus).to.equal(0n);
    const reserves = await engine.reserves();
    const lenderBefore = await engine.supplyBalanceOf(f.lender.address);
    const tx = engine.connect(f.other).absorb([f.alice.address]);
    await expect(tx)
      .to.emit(engine, "BadDebtAbsorbed")
      .withArgs(f.alice.address, near(q.badDebt), near(BigInt(reserves), 10n), near(q.badDebt - BigInt(reserves), 10n));
    await expect(tx)
      .to.emit(engine, "Absorbed")
      .withArgs(f.alice.address, f.other.address, near(q.debt), q.collateralValue, 0n, near(q.badDebt), usdc("5"));
    expect(await engine.totalBadDebt()).to.be.closeTo(q.badDebt, 1n);
    expect(lenderBefore - (await engine.supplyBalanceOf(f.lender.address))).to.be.closeTo(
      q.badDebt - BigInt(reserves),
      usdc("0.01"),
    );
    expect(await engine.supplyBalanceOf(f.alice.address)).to.equal(0n);
  });

  it("skips healthy and debt-free accounts, counts the absorbed, reverts NothingToAbsorb when none", async () => {
    const f = await loadFixture(withBob);
    const { engine } = f.hub;
    await expect(engine.connect(f.other).absorb([f.alice.address, f.bob.address])).to.be.revertedWithCustomError(
      engine,
      "NothingToAbsorb",
    );
    await expect(engine.connect(f.other).absorb([])).to.be.revertedWithCustomError(engine, "NothingToAbsorb");
    await expect(engine.previewAbsorb(f.other.address))
      .to.be.revertedWithCustomError(engine, "NotLiquidatable")
      .withArgs(f.other.address, MaxUint256);
    await expect(engine.previewAbsorb(f.bob.address)).to.be.revertedWithCustomError(engine, "NotLiquidatable");
    await f.assets.WETH.feed.updateAnswer(price(2800n)); // alice below 1, bob (1000 on 1 WETH) healthy
    const absorbed = await engine
      .connect(f.other)
      .absorb.staticCall([f.bob.address, f.alice.address, f.other.address, f.alice.address]);
    expect(absorbed).to.equal(1n);
    await engine.connect(f.other).absorb([f.bob.address, f.alice.address, f.other.address, f.alice.address]);
    expect(await engine.debtOf(f.bob.address)).to.be.gt(0n);
    expect(await engine.collateralOf(f.bob.address, ALPHA, f.assets.WETH.address)).to.equal(weth("1"));
    // One reward, not two: the repeat had no debt left.
    expect(await engine.supplyBalanceOf(f.other.address)).to.be.closeTo(usdc("5"), 1n);
  });

  it("needs fresh prices", async () => {
    const f = await loadFixture(leveraged);
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    await time.increase(3601);
    await expect(f.hub.engine.absorb([f.alice.address])).to.be.revertedWithCustomError(f.hub.engine, "StalePrice");
  });
});

describe("MarginEngine: buyCollateral", () => {
  async function absorbed() {
    const f = await leveraged();
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    await f.hub.engine.connect(f.other).absorb([f.alice.address]);
    return f;
  }

  it("sells the inventory at the feed price less half the bonus cap, to the recipient's hub account", async () => {
    const f = await loadFixture(absorbed);
    const { engine } = f.hub;
    const hub = await engine.getAddress();
    const asset = f.assets.WETH.address;
    // 1000 USDC at $2800 with a 2.5% discount (half of the 5% cap).
    const amount = (usdc("1000") * 10n ** 12n * 10250n) / (2800n * BPS);
    const [quoted, charged] = await engine.quoteBuyCollateral(ALPHA, asset, usdc("1000"));
    expect([quoted, charged]).to.deep.equal([amount, usdc("1000")]);
    const reserves = await engine.reserves();
    const tx = engine.connect(f.liquidator).buyCollateral(ALPHA, asset, amount, usdc("1000"), f.bob.address);
    await expect(tx)
      .to.emit(engine, "CollateralBought")
      .withArgs(f.liquidator.address, f.bob.address, ALPHA, asset, usdc("1000"), amount);
    await expect(tx).to.changeTokenBalances(f.base, [f.liquidator], [-usdc("1000")]);
    expect(await engine.collateralOf(f.bob.address, ALPHA, asset)).to.equal(amount);
    expect(await engine.collateralOf(hub, ALPHA, asset)).to.equal(weth("1") - amount);
    expect((await engine.accountState(f.bob.address)).positions).to.equal(1n);
    expect(await engine.reserves()).to.be.closeTo(reserves + usdc("1000"), 1n);
  });

  it("capped at the inventory: only what it covers is charged, and the inventory's credit closes", async () => {
    const f = await loadFixture(absorbed);
    const { engine } = f.hub;
    const hub = await engine.getAddress();
    const asset = f.assets.WETH.address;
    const charge = (weth("1") * 2800n * BPS + (10n ** 12n * 10250n - 1n)) / (10n ** 12n * 10250n);
    expect(await engine.quoteBuyCollateral(ALPHA, asset, usdc("5000"))).to.deep.equal([weth("1"), charge]);
    await expect(
      engine.connect(f.liquidator).buyCollateral(ALPHA, asset, weth("1"), usdc("5000"), f.liquidator.address),
    ).to.changeTokenBalances(f.base, [f.liquidator], [-charge]);
    expect(charge).to.be.lt(usdc("5000"));
    expect(await engine.collateralOf(f.liquidator.address, ALPHA, asset)).to.equal(weth("2"));
    expect(await engine.collateralOf(hub, ALPHA, asset)).to.equal(0n);
    expect(await engine.accountState(hub)).to.deep.equal([0n, 0n, 0n]);
    await expect(engine.quoteBuyCollateral(ALPHA, asset, usdc("1")))
      .to.be.revertedWithCustomError(engine, "NotForSale")
      .withArgs(ALPHA, asset);
  });

  it("refuses bad input, too little, and what is not for sale", async () => {
    const f = await loadFixture(absorbed);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    const buyer = engine.connect(f.liquidator);
    const [amount] = await engine.quoteBuyCollateral(ALPHA, asset, usdc("100"));
    await expect(buyer.buyCollateral(ALPHA, asset, amount + 1n, usdc("100"), f.liquidator.address))
      .to.be.revertedWithCustomError(engine, "BuyBelowMinimum")
      .withArgs(amount, amount + 1n);
    await expect(buyer.buyCollateral(ALPHA, asset, 0, 0, f.liquidator.address)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(buyer.buyCollateral(ALPHA, asset, 0, usdc("100"), ZeroAddress)).to.be.revertedWithCustomError(
      engine,
      "ZeroAddress",
    );
    await expect(buyer.buyCollateral(BETA, f.assets.WBTC.address, 0, usdc("100"), f.liquidator.address))
      .to.be.revertedWithCustomError(engine, "NotForSale")
      .withArgs(BETA, f.assets.WBTC.address);
  });
});

describe("MarginEngineLiq: only through the engine", () => {
  it("every state-changing function of the part, or of the extension's fallback, reverts NotDelegated", async () => {
    const f = await loadFixture(leveraged);
    const liqAddress = await f.hub.engine.liquidations();
    expect(liqAddress).to.equal(await f.hub.liquidations.getAddress());
    const liq = MarginEngineLiq__factory.connect(liqAddress, f.owner);
    const asset = f.assets.WETH.address;
    await expect(liq.absorb([f.alice.address])).to.be.revertedWithCustomError(liq, "NotDelegated");
    await expect(liq.buyCollateral(ALPHA, asset, 0, 1, f.owner.address)).to.be.revertedWithCustomError(
      liq,
      "NotDelegated",
    );
    await expect(liq.absorbBadDebt(f.alice.address)).to.be.revertedWithCustomError(liq, "NotDelegated");
    // Through the extension's own address (its fallback) too.
    const ext = MarginEngineExt__factory.connect(await f.hub.engine.extension(), f.owner);
    expect(await ext.liquidations()).to.equal(liqAddress);
    const viaExt = MarginEngineLiq__factory.connect(await ext.getAddress(), f.owner);
    await expect(viaExt.absorb([f.alice.address])).to.be.revertedWithCustomError(liq, "NotDelegated");
  });
});
