import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { hubFixture, credit, usdc } from "../helpers/hub";

const YEAR = 365 * 24 * 3600;

describe("MarginEngine: lending pool and interest", () => {
  it("supplyBase credits the lender and pulls the tokens", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await expect(engine.connect(f.lender).supplyBase(usdc("1000"), f.alice.address))
      .to.emit(engine, "BaseSupplied")
      .withArgs(f.lender.address, f.alice.address, usdc("1000"), usdc("1000")); // principal = amount at index 1
    expect(await engine.supplyBalanceOf(f.alice.address)).to.equal(usdc("1000"));
    expect(await f.base.balanceOf(await engine.getAddress())).to.equal(usdc("1000"));
    const [totalSupply, totalBorrow] = await engine.poolTotals();
    expect(totalSupply).to.equal(usdc("1000"));
    expect(totalBorrow).to.equal(0n);
  });

  it("supplyBase rejects zero amounts and a zero beneficiary", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await expect(engine.connect(f.lender).supplyBase(0, f.lender.address)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(
      engine.connect(f.lender).supplyBase(1, "0x0000000000000000000000000000000000000000"),
    ).to.be.revertedWithCustomError(engine, "ZeroAddress");
  });

  it("withdrawBase pays part or all of a balance, and refuses more than the balance", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("1000"), f.lender.address);
    await expect(engine.connect(f.lender).withdrawBase(usdc("1000.000001"), f.lender.address))
      .to.be.revertedWithCustomError(engine, "InsufficientSupply")
      .withArgs(f.lender.address, usdc("1000"), usdc("1000.000001"));
    await expect(engine.connect(f.lender).withdrawBase(usdc("400"), f.other.address)).to.changeTokenBalances(
      f.base,
      [f.other, engine],
      [usdc("400"), -usdc("400")],
    );
    await expect(engine.connect(f.lender).withdrawBase(MaxUint256, f.other.address))
      .to.emit(engine, "BaseWithdrawn")
      .withArgs(f.lender.address, f.other.address, usdc("600"), usdc("600"));
    expect(await engine.supplyBalanceOf(f.lender.address)).to.equal(0n);
    await expect(engine.connect(f.lender).withdrawBase(MaxUint256, f.other.address)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
  });

  it("withdrawBase cannot take cash that is lent out", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("3000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", parseUnits("1", 18));
    await engine.connect(f.alice).borrow(usdc("2000"), f.alice.address);
    await expect(engine.connect(f.lender).withdrawBase(usdc("1500"), f.lender.address))
      .to.be.revertedWithCustomError(engine, "InsufficientLiquidity")
      .withArgs(usdc("1000"), usdc("1500"));
  });

  it("accrues interest per second on the kinked model and splits it between lenders and reserves", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", parseUnits("1000", 18));
    await engine.connect(f.alice).borrow(usdc("400000"), f.alice.address);

    // 40% utilisation, below the 80% kink: 4% * 0.4 = 1.6% a year for borrowers.
    const [borrowRate, supplyRate, utilization] = await engine.rates();
    expect(utilization).to.equal(parseUnits("0.4", 18));
    const slope1 = parseUnits("0.04", 18) / BigInt(YEAR);
    expect(borrowRate).to.equal((slope1 * parseUnits("0.4", 18)) / 10n ** 18n);
    expect(supplyRate).to.equal((borrowRate * parseUnits("0.4", 18) * 9000n) / (10n ** 18n * 10000n));

    await time.increase(YEAR);
    const debt = await engine.debtOf(f.alice.address);
    const interest = debt - usdc("400000");
    // 400k * (e^1.6% - 1), compounded within the step (three Taylor terms): 6451.47, not 6400 simple.
    expect(interest).to.be.closeTo(usdc("6451.47"), usdc("1"));
    const lenderBalance = await engine.supplyBalanceOf(f.lender.address);
    expect(lenderBalance - usdc("1000000")).to.be.closeTo((interest * 9n) / 10n, usdc("1")); // 90% to lenders
    expect(await engine.reserves()).to.be.closeTo(interest / 10n, usdc("1")); // 10% reserve factor
  });

  it("charges the second slope above the kink", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", parseUnits("1000", 18));
    await engine.connect(f.alice).borrow(usdc("90000"), f.alice.address);
    const [borrowRate, , utilization] = await engine.rates();
    expect(utilization).to.equal(parseUnits("0.9", 18));
    const perYear = borrowRate * BigInt(YEAR);
    // 4% * 0.8 + 75% * 0.1 = 10.7% a year (per-second rounding loses a little)
    expect(perYear).to.be.closeTo(parseUnits("0.107", 18), parseUnits("0.0001", 18));
  });

  it("the owner can withdraw reserves, never lenders' money", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", parseUnits("1000", 18));
    await engine.connect(f.alice).borrow(usdc("400000"), f.alice.address);
    await time.increase(YEAR);
    await f.base.mint(f.alice.address, usdc("10000"));
    await engine.connect(f.alice).repay(MaxUint256, f.alice.address);
    const reserves = await engine.reserves();
    expect(reserves).to.be.gt(0n);
    await expect(engine.withdrawReserves(reserves + 1n, f.owner.address)).to.be.revertedWithCustomError(
      engine,
      "InsufficientReserves",
    );
    await expect(engine.connect(f.other).withdrawReserves(1, f.other.address)).to.be.revertedWithCustomError(
      engine,
      "OwnableUnauthorizedAccount",
    );
    await engine.withdrawReserves(reserves, f.owner.address);
    // Lenders can still take everything they are owed.
    const owed = await engine.supplyBalanceOf(f.lender.address);
    await engine.connect(f.lender).withdrawBase(MaxUint256, f.lender.address);
    expect(await f.base.balanceOf(f.lender.address)).to.equal(usdc("10000000") - usdc("1000000") + owed);
  });
});
