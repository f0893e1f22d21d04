/**
 * The engine-side findings of the independent security review (issue 11 §2), one test (or a few) per finding,
 * each named after it. Every test here failed on the engine before its fix.
 */
import fs from "fs";
import path from "path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, Wallet, parseUnits } from "ethers";
import { ALPHA, BETA, HUB, hubFixture, credit, creditRaw, deployFeed, rampBonus, usdc } from "../helpers/hub";
import { DEFAULT_RATE_MODEL, SECONDS_PER_YEAR } from "../../deploy/orchestrator";

const weth = (x: string) => parseUnits(x, 18);
const price = (usd: bigint) => usd * 10n ** 8n;
const WAD = 10n ** 18n;
const YEAR = Number(SECONDS_PER_YEAR);

/** Lender supplied 100,000 USDC; alice holds 1 WETH ($3000) and owes $2400. */
async function leveraged() {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
  await credit(f, f.alice.address, "WETH", weth("1"));
  await f.hub.engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
  return f;
}

const hub18 = () => hubFixture({ baseDecimals: 18 });
const feeBase = () => hubFixture({ baseFeeBps: 100 });

describe("MarginEngine: security review findings (issue 11)", () => {
  describe("M: a 1-unit deposit holds off bad-debt write-off (absorbBadDebt)", () => {
    it("M absorbBadDebt: anyone writes off the debt of an account left with only an unlisted credit; the credit stays the account's", async () => {
      const f = await loadFixture(leveraged);
      const { engine } = f.hub;
      const dust = Wallet.createRandom().address; // accepted by the vault, not listed on the hub
      await creditRaw(f, f.spokes.beta, f.alice.address, dust, 1n);
      await f.assets.WETH.feed.updateAnswer(price(100n));
      const liquidation = engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, MaxUint256, 0, f.liquidator.address);
      // The liquidation itself leaves the write-off to absorbBadDebt (it only checks that no credit is left).
      await expect(liquidation).to.not.emit(engine, "BadDebtAbsorbed");
      const debt = await engine.debtOf(f.alice.address);
      expect(debt).to.be.gt(usdc("2000"));

      await expect(engine.connect(f.other).absorbBadDebt(f.alice.address)).to.emit(engine, "BadDebtAbsorbed");
      expect(await engine.debtOf(f.alice.address)).to.equal(0n);
      expect(await engine.totalBadDebt()).to.be.closeTo(debt, 2n);
      // The unlisted unit never counted toward borrowing: it stays alice's, and she can take it back.
      expect(await engine.collateralOf(f.alice.address, BETA, dust)).to.equal(1n);
      await expect(engine.connect(f.alice).withdrawCollateral(BETA, dust, 1n, f.alice.address)).to.emit(
        engine,
        "CollateralWithdrawn",
      );
      await expect(engine.absorbBadDebt(f.alice.address))
        .to.be.revertedWithCustomError(engine, "NothingToRepay")
        .withArgs(f.alice.address);
    });

    it("M absorbBadDebt: refused while the account holds a seizable credit, in its bitmap or credited before listing", async () => {
      const f = await loadFixture(leveraged);
      const { engine } = f.hub;
      await expect(engine.absorbBadDebt(f.alice.address))
        .to.be.revertedWithCustomError(engine, "SeizableCreditLeft")
        .withArgs(f.alice.address, ALPHA, f.assets.WETH.address);
      // X credited before X was listed, never entered: not in the bitmap, but a liquidator can seize it.
      const x = Wallet.createRandom().address;
      await creditRaw(f, f.spokes.alpha, f.alice.address, x, weth("10"));
      const feed = await deployFeed(f.owner, price(1n));
      await engine.setFeed(ALPHA, x, await feed.getAddress(), 3600, 18);
      await engine.listMarket(ALPHA, x, 5000, 6000, 500);
      await f.assets.WETH.feed.updateAnswer(price(100n));
      await engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, MaxUint256, 0, f.liquidator.address);
      expect((await engine.accountState(f.alice.address)).positions).to.equal(0n);
      await expect(engine.absorbBadDebt(f.alice.address))
        .to.be.revertedWithCustomError(engine, "SeizableCreditLeft")
        .withArgs(f.alice.address, ALPHA, x);
      await expect(engine.absorbBadDebt(f.bob.address))
        .to.be.revertedWithCustomError(engine, "NothingToRepay")
        .withArgs(f.bob.address);
    });
  });

  describe("L: a zero-amount DEPOSIT", () => {
    it("L zero-amount DEPOSIT: is stored as failed, opens no credit and no quarantine entry", async () => {
      const f = await loadFixture(hubFixture);
      const { engine, messenger } = f.hub;
      const asset = f.assets.WETH.address;
      const { tx, id, nonce } = await credit(f, f.alice.address, "WETH", 0n);
      await expect(tx)
        .to.emit(messenger, "MessageFailed")
        .withArgs(id, ALPHA, nonce, engine.interface.encodeErrorResult("ZeroAmount", []));
      await expect(tx).to.not.emit(engine, "CollateralCredited");
      expect((await engine.accountState(f.alice.address)).credits).to.equal(0n);

      // At a full cap, neither a credit nor an empty quarantine entry.
      await engine.setCreditCap(ALPHA, asset, 1n);
      await credit(f, f.bob.address, "WETH", 1n);
      const full = await credit(f, f.alice.address, "WETH", 0n);
      await expect(full.tx).to.emit(messenger, "MessageFailed");
      await expect(full.tx).to.not.emit(engine, "CollateralQuarantined");
      expect((await engine.accountState(f.alice.address)).credits).to.equal(0n);
    });
  });

  describe("L: indivisible high-value collateral cannot be liquidated", () => {
    /** ART: a 0-decimal asset on beta, listed at $5 a unit (below the $10 minimum debt), then repriced. */
    async function art() {
      const f = await hubFixture();
      const { engine } = f.hub;
      await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
      const address = Wallet.createRandom().address;
      const feed = await deployFeed(f.owner, price(5n));
      await engine.setFeed(BETA, address, await feed.getAddress(), 3600, 0);
      await engine.listMarket(BETA, address, 7000, 7500, 500);
      await feed.updateAnswer(price(5000n));
      await creditRaw(f, f.spokes.beta, f.alice.address, address, 1n);
      return { ...f, art: { address, feed } };
    }

    it("L indivisible collateral: one unit worth more than the debt is seized whole, the repayment capped at the debt", async () => {
      const f = await loadFixture(art);
      const { engine } = f.hub;
      await engine.connect(f.alice).borrow(usdc("3000"), f.alice.address);
      await f.art.feed.updateAnswer(price(3300n)); // health 3300 * 75% / 3000 = 0.825: full close
      const debt = await engine.debtOf(f.alice.address);
      // A liquidator cannot take the unit for less than the most the rules let it repay.
      await expect(
        engine
          .connect(f.liquidator)
          .liquidate(f.alice.address, BETA, f.art.address, usdc("100"), 0, f.liquidator.address),
      )
        .to.be.revertedWithCustomError(engine, "RepayBelowOneUnit")
        .withArgs(usdc("100"), (required: bigint) => required >= debt && required <= debt + 10n);
      const quote = await engine.previewLiquidation(f.alice.address, BETA, f.art.address, MaxUint256);
      expect(quote.seized).to.equal(1n);
      expect(quote.repaid).to.equal(debt); // one unit ($3300 / 1.05) covers all of it
      await engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, BETA, f.art.address, MaxUint256, 1, f.liquidator.address);
      expect(await engine.debtOf(f.alice.address)).to.equal(0n);
      expect(await engine.collateralOf(f.alice.address, BETA, f.art.address)).to.equal(0n);
    });

    it("L indivisible collateral: under the close factor, one unit is seized for at most what it is worth after the bonus", async () => {
      const f = await loadFixture(art);
      const { engine } = f.hub;
      await credit(f, f.alice.address, "WETH", weth("1"));
      await engine.connect(f.alice).borrow(usdc("3000"), f.alice.address);
      await f.art.feed.updateAnswer(price(2000n));
      await f.assets.WETH.feed.updateAnswer(164700000000n); // health ≈ (1500 + 1399.95) / 3000 ≈ 0.967
      const quote = await engine.previewLiquidation(f.alice.address, BETA, f.art.address, MaxUint256);
      expect(quote.seized).to.equal(1n);
      // ceil($2000 / (1 + bonus)): the liquidator pays what the unit is worth at the liquidation price, rounded up.
      const bonus = rampBonus(await engine.healthFactor(f.alice.address), 500n);
      expect(quote.bonusBps).to.equal(bonus);
      expect(quote.repaid).to.equal((usdc("2000") * 10_000n + 10_000n + bonus - 1n) / (10_000n + bonus));
      await engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, BETA, f.art.address, MaxUint256, 1, f.liquidator.address);
      expect(await engine.collateralOf(f.alice.address, BETA, f.art.address)).to.equal(0n);
    });

    it("L indivisible collateral: listing refuses an asset whose one unit is worth more than the minimum debt", async () => {
      const f = await loadFixture(hubFixture);
      const { engine } = f.hub;
      const address = Wallet.createRandom().address;
      const feed = await deployFeed(f.owner, price(50n));
      await engine.setFeed(BETA, address, await feed.getAddress(), 3600, 0);
      // Values in USD, 1e18: one unit $50, the minimum debt $10.
      await expect(engine.listMarket(BETA, address, 7000, 7500, 500))
        .to.be.revertedWithCustomError(engine, "UnitAboveMinDebt")
        .withArgs(50n * WAD, 10n * WAD);
    });
  });

  describe("L: the supply index can collapse to zero", () => {
    it("L supply index: a near-total write-off of an 18-decimal pool leaves a non-zero index and a clear wiped-out state", async () => {
      const f = await loadFixture(hub18);
      const { engine } = f.hub;
      const base = (x: string) => parseUnits(x, 18);
      // X: 18 decimals priced by an 18-decimal feed, so that it can crash to 1e-18 USD.
      const x = Wallet.createRandom().address;
      const feed = await deployFeed(f.owner, 10n ** 22n, 18); // $10,000
      await engine.setFeed(ALPHA, x, await feed.getAddress(), 3600, 18);
      await engine.listMarket(ALPHA, x, 8000, 8500, 500);
      await f.base.mint(f.lender.address, base("10000000000"));
      await engine.connect(f.lender).supplyBase(base("10000000000"), f.lender.address);
      await creditRaw(f, f.spokes.alpha, f.alice.address, x, weth("1500000"));
      await engine.connect(f.alice).borrow(base("10000000000"), f.alice.address);
      await feed.updateAnswer(1n);
      await expect(
        engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, x, MaxUint256, 0, f.liquidator.address),
      ).to.emit(engine, "BadDebtAbsorbed");
      const { supplyIndex } = await engine.poolState();
      expect(supplyIndex).to.be.gt(0n);
      expect(supplyIndex).to.be.lt(await engine.MIN_SUPPLY_INDEX());
      // New money is refused instead of dividing by zero (or paying old lenders' rounding).
      await expect(engine.connect(f.bob).supplyBase(base("1"), f.bob.address))
        .to.be.revertedWithCustomError(engine, "PoolWipedOut")
        .withArgs(supplyIndex);
      // What is left is the lenders'; the floor at 1 owes them at most principal / 1e18 more (1e10 wei here: dust).
      const left = await engine.supplyBalanceOf(f.lender.address);
      expect(left).to.be.lte((await f.base.balanceOf(await engine.getAddress())) + 10n ** 10n);
    });
  });

  describe("L: phantom reserves", () => {
    it("L phantom reserves: interest accrued on unpaid debt is not withdrawable, reserves earned in cash are", async () => {
      const f = await loadFixture(leveraged);
      const { engine } = f.hub;
      await f.assets.WETH.feed.updateAnswer(price(100n)); // alice is deep under water; nobody liquidates yet
      await time.increase(YEAR);
      const phantom = await engine.reserves();
      expect(phantom).to.be.gt(0n);
      await expect(engine.withdrawReserves(phantom, f.owner.address)).to.be.revertedWithCustomError(
        engine,
        "InsufficientReserves",
      );
      expect(await engine.withdrawableReserves()).to.equal(0n);
    });

    it("L phantom reserves: once the interest is repaid in cash, the reserves are withdrawable", async () => {
      const f = await loadFixture(leveraged);
      const { engine } = f.hub;
      await time.increase(YEAR);
      await f.base.mint(f.alice.address, usdc("1000"));
      await engine.connect(f.alice).repay(MaxUint256, f.alice.address);
      const reserves = await engine.reserves();
      expect(reserves).to.be.gt(0n);
      const withdrawable = await engine.withdrawableReserves();
      expect(withdrawable).to.be.closeTo(reserves, 1n); // lenders' claims rounded up here
      await expect(engine.withdrawReserves(withdrawable, f.owner.address)).to.emit(engine, "ReservesWithdrawn");
    });
  });

  describe("I: interest is simple within one accrual step", () => {
    it("I compounding: one 10-year accrual step compounds like yearly accrual", async () => {
      const f = await loadFixture(hubFixture);
      const { engine } = f.hub;
      await engine.connect(f.lender).supplyBase(usdc("10000"), f.lender.address);
      await credit(f, f.alice.address, "WETH", weth("100"));
      await engine.connect(f.alice).borrow(usdc("10000"), f.alice.address); // 100% utilisation: the top rate
      const [borrowRate] = await engine.rates();
      const yearly = Number(borrowRate * SECONDS_PER_YEAR) / 1e18;
      const before = await engine.debtOf(f.alice.address);
      await time.increase(10 * YEAR);
      const index = Number(((await engine.debtOf(f.alice.address)) * 10n ** 9n) / before) / 1e9; // growth of the debt
      const annual = (1 + yearly) ** 10; // ≈ 5.32 at 18.2% a year
      expect(index).to.be.gt(annual); // compounding within the step never falls behind yearly accrual
      expect(index).to.be.lt(Math.exp(yearly * 10)); // nor ahead of continuous compounding
      expect(Math.abs(index - annual) / annual).to.be.lt(0.05);
    });
  });

  describe("I: a base token with a transfer fee", () => {
    it("I fee-on-transfer base: supply, repay and liquidation refuse a base that delivers less than sent", async () => {
      const f = await loadFixture(feeBase);
      const { engine } = f.hub;
      await expect(engine.connect(f.lender).supplyBase(usdc("1000"), f.lender.address))
        .to.be.revertedWithCustomError(engine, "FeeOnTransferBase")
        .withArgs(usdc("1000"), usdc("990"));
      await f.base.mint(await engine.getAddress(), usdc("10000")); // cash without a supply
      await credit(f, f.alice.address, "WETH", weth("1"));
      await engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
      await expect(engine.connect(f.alice).repay(usdc("100"), f.alice.address))
        .to.be.revertedWithCustomError(engine, "FeeOnTransferBase")
        .withArgs(usdc("100"), usdc("99"));
      await f.assets.WETH.feed.updateAnswer(price(2500n));
      await expect(
        engine
          .connect(f.liquidator)
          .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, usdc("100"), 0, f.liquidator.address),
      ).to.be.revertedWithCustomError(engine, "FeeOnTransferBase");
    });
  });

  describe("I: the default rate model's top rate", () => {
    it("I top rate: docs/known-limits.md and the engine's comment state the default model's real top rate", async () => {
      const m = DEFAULT_RATE_MODEL;
      const top = m.slope1PerYear * m.kink + m.slope2PerYear * (WAD - m.kink); // 1e36 = 100% a year
      const percent = Number(top / 10n ** 31n) / 1e3; // 18.2
      const root = path.join(__dirname, "..", "..");
      for (const file of ["docs/known-limits.md", "contracts/hub/MarginStorage.sol"]) {
        const text = fs.readFileSync(path.join(root, file), "utf8");
        const stated = /top rate \((\d+(?:\.\d+)?)% a year\)/.exec(text);
        expect(stated, `${file} states the top rate`).to.not.equal(null);
        expect(Number(stated![1])).to.be.closeTo(percent, 0.05);
      }
      // The engine agrees: at full utilisation it charges that rate.
      const f = await loadFixture(hubFixture);
      await f.hub.engine.connect(f.lender).supplyBase(usdc("10000"), f.lender.address);
      await credit(f, f.alice.address, "WETH", weth("100"));
      await f.hub.engine.connect(f.alice).borrow(usdc("10000"), f.alice.address);
      const [borrowRate] = await f.hub.engine.rates();
      expect(Number(borrowRate * SECONDS_PER_YEAR) / 1e16).to.be.closeTo(percent, 0.05);
      void HUB;
    });
  });
});
