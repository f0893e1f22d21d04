import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ZeroAddress, parseUnits } from "ethers";
import { hubFixture, credit, usdc } from "../helpers/hub";

const weth = (x: string) => parseUnits(x, 18);
const WAD = 10n ** 18n;

async function funded() {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
  await credit(f, f.alice.address, "WETH", weth("1")); // $3000, borrow factor 80%: $2400 of capacity
  return f;
}

describe("MarginEngine: borrow and repay", () => {
  it("lends up to the borrow-factor-weighted value of the collateral, on all chains together", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await expect(engine.connect(f.alice).borrow(usdc("2400.000001"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "NotHealthy")
      .withArgs(f.alice.address, anyValue);
    await expect(engine.connect(f.alice).borrow(usdc("2400"), f.bob.address))
      .to.emit(engine, "Borrowed")
      .withArgs(f.alice.address, f.bob.address, usdc("2400"), usdc("2400"));
    expect(await f.base.balanceOf(f.bob.address)).to.equal(usdc("3400"));
    expect(await engine.debtOf(f.alice.address)).to.equal(usdc("2400"));
    // Collateral on another chain adds up: 0.01 WBTC ($600 * 75%) and 100 USDC.b ($100 * 85%).
    await credit(f, f.alice.address, "WBTC", parseUnits("0.01", 8));
    await credit(f, f.alice.address, "USDC.b", usdc("100"));
    await engine.connect(f.alice).borrow(usdc("450") + usdc("85") - usdc("1"), f.alice.address);
    expect(await engine.borrowHealthFactor(f.alice.address)).to.be.gte(WAD);
  });

  it("refuses dust debt, missing liquidity, zero amounts and a zero receiver", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await expect(engine.connect(f.alice).borrow(usdc("9.99"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "DebtBelowMinimum")
      .withArgs(usdc("9.99"), usdc("10"));
    await expect(engine.connect(f.alice).borrow(0, f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(engine.connect(f.alice).borrow(usdc("10"), ZeroAddress)).to.be.revertedWithCustomError(
      engine,
      "ZeroAddress",
    );
    await credit(f, f.bob.address, "WETH", weth("1000"));
    await expect(engine.connect(f.bob).borrow(usdc("100001"), f.bob.address))
      .to.be.revertedWithCustomError(engine, "InsufficientLiquidity")
      .withArgs(usdc("100000"), usdc("100001"));
  });

  it("needs fresh prices to borrow; refuses stale, zero and negative answers", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await time.increase(3601);
    await expect(engine.connect(f.alice).borrow(usdc("10"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "StalePrice",
    );
    await f.assets.WETH.feed.updateAnswer(0);
    await expect(engine.connect(f.alice).borrow(usdc("10"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "InvalidPrice")
      .withArgs(await f.assets.WETH.feed.getAddress(), 0);
    await f.assets.WETH.feed.updateAnswer(-1);
    await expect(engine.connect(f.alice).borrow(usdc("10"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "InvalidPrice",
    );
    await f.assets.WETH.feed.updateAnswer(3000n * 10n ** 8n);
    await engine.connect(f.alice).borrow(usdc("10"), f.alice.address);
  });

  it("the guardian pauses borrowing; repay, withdrawals and lending go on; only the owner resumes", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await engine.connect(f.alice).borrow(usdc("100"), f.alice.address);
    await expect(engine.connect(f.alice).setBorrowPaused(true)).to.be.revertedWithCustomError(engine, "NotGuardian");
    await expect(engine.connect(f.guardian).setBorrowPaused(true)).to.emit(engine, "BorrowPaused").withArgs(true);
    await expect(engine.connect(f.alice).borrow(usdc("100"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "BorrowIsPaused",
    );
    await engine.connect(f.alice).repay(usdc("50"), f.alice.address);
    await engine.connect(f.alice).withdrawCollateral(31338n, f.assets.WETH.address, weth("0.1"), f.alice.address);
    await engine.connect(f.lender).supplyBase(usdc("1"), f.lender.address);
    await expect(engine.connect(f.guardian).setBorrowPaused(false)).to.be.revertedWithCustomError(
      engine,
      "NotGuardian",
    );
    await engine.setBorrowPaused(false);
    await engine.connect(f.alice).borrow(usdc("100"), f.alice.address);
  });

  it("repays part, all (max) or on behalf of another account, never more than the debt", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await engine.connect(f.alice).borrow(usdc("1000"), f.alice.address);
    await expect(engine.connect(f.bob).repay(usdc("400"), f.alice.address))
      .to.emit(engine, "Repaid")
      .withArgs(f.bob.address, f.alice.address, usdc("400"), anyValue);
    const debt = await engine.debtOf(f.alice.address);
    expect(debt).to.be.closeTo(usdc("600"), usdc("0.01"));
    const before = await f.base.balanceOf(f.alice.address);
    await engine.connect(f.alice).repay(MaxUint256, f.alice.address);
    const paid = before - (await f.base.balanceOf(f.alice.address));
    expect(paid).to.be.closeTo(usdc("600"), usdc("0.01"));
    expect(paid).to.be.gte(debt); // interest of the extra second, rounded up
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
    expect(await engine.healthFactor(f.alice.address)).to.equal(MaxUint256);
    await expect(engine.connect(f.alice).repay(1, f.alice.address))
      .to.be.revertedWithCustomError(engine, "NothingToRepay")
      .withArgs(f.alice.address);
    await expect(engine.connect(f.alice).repay(0, f.alice.address)).to.be.revertedWithCustomError(engine, "ZeroAmount");
  });

  it("repay never needs a price", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    await engine.connect(f.alice).borrow(usdc("1000"), f.alice.address);
    await time.increase(30 * 24 * 3600);
    await f.assets.WETH.feed.updateAnswer(-5); // broken and stale feeds everywhere
    await engine.connect(f.alice).repay(MaxUint256, f.alice.address);
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
  });

  it("rounds in the protocol's favour: borrowed principal rounds up, repaid principal rounds down", async () => {
    const f = await loadFixture(funded);
    const { engine } = f.hub;
    const principalOf = async () => (await engine.accountState(f.alice.address)).debtPrincipal;
    await engine.connect(f.alice).borrow(usdc("1000"), f.alice.address);
    await time.increase(3000); // the borrow index is no longer a round number (feeds stay fresh)

    // The principal a borrow adds is the smallest p with p * index >= amount * 1e18.
    const borrowed = 1_234_567n;
    let before = await principalOf();
    await engine.connect(f.alice).borrow(borrowed, f.alice.address);
    let index = (await engine.poolState()).borrowIndex;
    expect(index).to.be.gt(WAD);
    const added = (await principalOf()) - before;
    expect(added * index).to.be.gte(borrowed * WAD);
    expect((added - 1n) * index).to.be.lt(borrowed * WAD);

    // A repayment burns the largest p with p * index <= repaid * 1e18: never more debt than it paid for.
    const repaid = 7_654_321n;
    before = await principalOf();
    await engine.connect(f.bob).repay(repaid, f.alice.address);
    index = (await engine.poolState()).borrowIndex;
    const burned = before - (await principalOf());
    expect(burned * index).to.be.lte(repaid * WAD);
    expect((burned + 1n) * index).to.be.gt(repaid * WAD);

    // A one-unit repayment at this index burns nothing at all.
    before = await principalOf();
    await engine.connect(f.bob).repay(1n, f.alice.address);
    expect(await principalOf()).to.equal(before);
    expect(await engine.reserves()).to.be.gte(0n);
  });
});
