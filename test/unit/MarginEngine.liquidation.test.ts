import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, Wallet, ZeroAddress, parseUnits } from "ethers";
import {
  ALPHA,
  BETA,
  hubFixture,
  credit,
  creditRaw,
  deployFeed,
  depositEnvelope,
  sentReleases,
  rampBonus,
  usdc,
} from "../helpers/hub";
import { ReentrantCaller__factory } from "../../typechain-types";
import { RELEASE } from "../../scripts/lib/codec";

const weth = (x: string) => parseUnits(x, 18);
const WAD = 10n ** 18n;
const BPS = 10_000n;
const price = (usd: bigint) => usd * 10n ** 8n;

/** What brings health to 1.05 (USD 1e18 values; base at $1 with 6 decimals), rounded up, in base units. */
function targetRepay(weighted: bigint, debtValue: bigint, thresholdBps: bigint, bonusBps: bigint): bigint {
  const target = parseUnits("1.05", 18);
  const seizedWeight = (BPS + bonusBps) * thresholdBps * 10n ** 10n;
  const gap = (debtValue * target + WAD - 1n) / WAD - weighted;
  const value = (gap * WAD + (target - seizedWeight) - 1n) / (target - seizedWeight);
  return (value + 10n ** 12n - 1n) / 10n ** 12n;
}

/** Alice: `collateral` WETH at $3000 and a $2400-per-WETH debt (the borrow-factor maximum). */
async function leveraged(collateral = "1", debt = "2400") {
  const f = await hubFixture();
  await f.hub.engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
  await credit(f, f.alice.address, "WETH", weth(collateral));
  await f.hub.engine.connect(f.alice).borrow(usdc(debt), f.alice.address);
  return f;
}

const twoWeth = () => leveraged("2", "2400");
const smallDebt = () => leveraged("0.006", "14");

describe("MarginEngine: liquidation", () => {
  it("refuses to liquidate a healthy account", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    await expect(
      engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, usdc("100"), 0, f.liquidator.address),
    ).to.be.revertedWithCustomError(engine, "NotLiquidatable");
    expect(await engine.isLiquidatable(f.alice.address)).to.equal(false);
  });

  it("repays up to what brings health to the target, seizes value plus the ramped bonus, charges the protocol share, releases to the recipient", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n)); // health = 2800 * 85% / 2400 ≈ 0.9917
    expect(await engine.isLiquidatable(f.alice.address)).to.equal(true);
    const health = await engine.healthFactor(f.alice.address);
    expect(health).to.be.closeTo((2380n * WAD) / 2400n, parseUnits("0.0001", 18));

    const debt = await engine.debtOf(f.alice.address);
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, MaxUint256);
    const bonus = rampBonus(health, 500n);
    expect(quote.bonusBps).to.equal(bonus);
    const [weighted, , debtValue] = await engine.accountValues(f.alice.address);
    expect(quote.repaid).to.equal(targetRepay(weighted, debtValue, 8500n, bonus));
    expect(quote.repaid).to.be.lt(debt);
    // seized = repaid * $1 * (1 + bonus) / $2800, rounded down
    expect(quote.seized).to.equal((quote.repaid * 10n ** 12n * (BPS + bonus)) / (2800n * BPS));
    // 10% of the bonus, rounded up
    expect(quote.protocolFee).to.equal((quote.repaid * bonus * 1000n + 10n ** 8n - 1n) / 10n ** 8n);

    const reservesBefore = await engine.reserves();
    const tx = engine
      .connect(f.liquidator)
      .liquidate(f.alice.address, ALPHA, asset, MaxUint256, quote.seized, f.other.address);
    await expect(tx).to.changeTokenBalances(f.base, [f.liquidator], [-(quote.repaid + quote.protocolFee)]);
    const receipt = await (await tx).wait();
    void receipt;
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("1") - quote.seized);
    expect(await engine.debtOf(f.alice.address)).to.be.closeTo(debt - quote.repaid, usdc("0.001"));
    expect(await engine.reserves()).to.be.closeTo(reservesBefore + quote.protocolFee, usdc("0.001"));
    // Back at the target health, within rounding.
    expect(await engine.healthFactor(f.alice.address)).to.be.closeTo(parseUnits("1.05", 18), parseUnits("0.0001", 18));
    const releases = await sentReleases(f);
    expect(releases.at(-1)!.message).to.deep.equal({
      kind: RELEASE,
      who: f.other.address,
      asset,
      amount: quote.seized,
    });
    expect(releases.at(-1)!.dstChainId).to.equal(ALPHA);
  });

  it("emits Liquidated with everything an indexer needs", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    const bonus = rampBonus(await engine.healthFactor(f.alice.address), 500n); // 2.25%
    await expect(engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, asset, usdc("500"), 0, f.other.address))
      .to.emit(engine, "Liquidated")
      .withArgs(
        f.alice.address,
        f.liquidator.address,
        ALPHA,
        asset,
        usdc("500"),
        (usdc("500") * bonus * 1000n) / 10n ** 8n,
        (usdc("500") * 10n ** 12n * (BPS + bonus)) / (2800n * BPS),
        f.other.address,
        (id: string) => id.length === 66,
      );
  });

  it("deeper under water, a larger bonus and a larger repayment, still to the target health", async () => {
    const f = await loadFixture(twoWeth);
    const { engine } = f.hub;
    await f.assets.WETH.feed.updateAnswer(price(1300n)); // health = 2 * 1300 * 85% / 2400 ≈ 0.92
    const health = await engine.healthFactor(f.alice.address);
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, f.assets.WETH.address, MaxUint256);
    expect(quote.bonusBps).to.equal(rampBonus(health, 500n)).and.to.be.gt(400n);
    const [weighted, , debtValue] = await engine.accountValues(f.alice.address);
    expect(quote.repaid).to.equal(targetRepay(weighted, debtValue, 8500n, quote.bonusBps));
    await engine
      .connect(f.liquidator)
      .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, MaxUint256, 0, f.liquidator.address);
    expect(await engine.healthFactor(f.alice.address)).to.be.closeTo(parseUnits("1.05", 18), parseUnits("0.0001", 18));
  });

  it("never leaves dust debt: repays all of it where the rest would be dust, refuses a repay that would leave dust", async () => {
    // A 14 USDC debt: what restores health 1.05 (about 5) would leave 9 < min debt 10, so all of it is repaid.
    const g = await loadFixture(smallDebt);
    const { engine } = g.hub;
    const asset = g.assets.WETH.address;
    await g.assets.WETH.feed.updateAnswer(price(2700n)); // health ≈ 0.98
    const [weighted, , debtValue] = await engine.accountValues(g.alice.address);
    const bonus = rampBonus(await engine.healthFactor(g.alice.address), 500n);
    expect(targetRepay(weighted, debtValue, 8500n, bonus))
      .to.be.gt(usdc("4"))
      .and.to.be.lt(usdc("6"));
    const q = await engine.previewLiquidation(g.alice.address, ALPHA, asset, MaxUint256);
    expect(q.repaid).to.be.closeTo(usdc("14"), usdc("0.001"));
    const debt = await engine.debtOf(g.alice.address);
    await expect(
      engine.connect(g.liquidator).liquidate(g.alice.address, ALPHA, asset, debt - usdc("5"), 0, g.liquidator.address),
    )
      .to.be.revertedWithCustomError(engine, "LiquidationLeavesDust")
      .withArgs(usdc("5"), usdc("10"));
  });

  it("caps the seizure at the collateral held and repays only what it covers", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2500n)); // health 0.885: full close; 2400 * 1.05 / 2500 > 1 WETH
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, MaxUint256);
    expect(quote.seized).to.equal(weth("1"));
    // repaid = 1 WETH * $2500 / 1.05, rounded up
    expect(quote.repaid).to.equal((weth("1") * 2500n * 10000n + 10n ** 12n * 10500n - 1n) / (10n ** 12n * 10500n));
  });

  it("absorbs debt left without collateral: reserves first, then lenders, recorded in an event", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2500n));
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, MaxUint256);
    const lenderBefore = await engine.supplyBalanceOf(f.lender.address);
    const tx = await engine
      .connect(f.liquidator)
      .liquidate(f.alice.address, ALPHA, asset, MaxUint256, 0, f.liquidator.address);
    const receipt = (await tx.wait())!;
    const ev = receipt.logs.map((l) => engine.interface.parseLog(l)).find((e) => e?.name === "BadDebtAbsorbed")!;
    const [account, amount, fromReserves, fromLenders] = ev.args;
    expect(account).to.equal(f.alice.address);
    expect(amount).to.be.closeTo(usdc("2400") - quote.repaid, usdc("0.001"));
    expect(fromReserves + fromLenders).to.equal(amount);
    expect(fromReserves).to.be.closeTo(quote.protocolFee, usdc("0.001")); // all the reserves there were
    expect(fromLenders).to.be.gt(0n);
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
    expect(await engine.totalBadDebt()).to.equal(amount);
    expect(await engine.reserves()).to.be.closeTo(0n, 2n);
    expect(lenderBefore - (await engine.supplyBalanceOf(f.lender.address))).to.be.closeTo(fromLenders, usdc("0.001"));
    const [totalSupply, totalBorrow] = await engine.poolTotals();
    expect(totalBorrow).to.equal(0n);
    expect(await f.base.balanceOf(await engine.getAddress())).to.be.gte(totalSupply);
  });

  it("guards the liquidator with minSeized and refuses bad input", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    const quote = await engine.previewLiquidation(f.alice.address, ALPHA, asset, usdc("1000"));
    await expect(
      engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, asset, usdc("1000"), quote.seized + 1n, f.liquidator.address),
    )
      .to.be.revertedWithCustomError(engine, "SeizeBelowMinimum")
      .withArgs(quote.seized, quote.seized + 1n);
    await expect(
      engine.connect(f.alice).liquidate(f.alice.address, ALPHA, asset, usdc("1000"), 0, f.alice.address),
    ).to.be.revertedWithCustomError(engine, "SelfLiquidation");
    await expect(
      engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, asset, usdc("1000"), 0, ZeroAddress),
    ).to.be.revertedWithCustomError(engine, "ZeroAddress");
    await expect(
      engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, asset, 0, 0, f.liquidator.address),
    ).to.be.revertedWithCustomError(engine, "ZeroAmount");
    await expect(
      engine.connect(f.liquidator).liquidate(f.alice.address, BETA, asset, usdc("1000"), 0, f.liquidator.address),
    )
      .to.be.revertedWithCustomError(engine, "MarketNotListed")
      .withArgs(BETA, asset);
    await expect(
      engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, BETA, f.assets.WBTC.address, usdc("1000"), 0, f.liquidator.address),
    ).to.be.revertedWithCustomError(engine, "InsufficientCollateral");
  });

  it("needs fresh prices to liquidate", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    await time.increase(3601);
    await expect(
      engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, usdc("100"), 0, f.liquidator.address),
    ).to.be.revertedWithCustomError(f.hub.engine, "StalePrice");
  });

  it("a frozen market can still be seized", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    await engine.configureMarket(ALPHA, f.assets.WETH.address, 8000, 8500, 500, true);
    await f.assets.WETH.feed.updateAnswer(price(2800n));
    const bonus = rampBonus(await engine.healthFactor(f.alice.address), 500n);
    const seized = (usdc("100") * 10n ** 12n * (BPS + bonus)) / (2800n * BPS);
    await expect(
      engine
        .connect(f.liquidator)
        .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, usdc("100"), seized, f.liquidator.address),
    )
      .to.emit(engine, "Liquidated")
      .withArgs(
        f.alice.address,
        f.liquidator.address,
        ALPHA,
        f.assets.WETH.address,
        usdc("100"),
        anyValue,
        seized,
        f.liquidator.address,
        anyValue,
      );
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(weth("1") - seized);
  });
});

describe("MarginEngine: bad debt and re-entrancy around liquidation", () => {
  it("never writes debt off while the account still holds a credit, even one outside its market bitmap", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    // 10 X credited before X was listed, never entered: not in the bitmap, but seizable once listed.
    const x = Wallet.createRandom().address;
    await creditRaw(f, f.spokes.alpha, f.alice.address, x, weth("10"));
    await credit(f, f.alice.address, "WETH", weth("1"));
    await engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
    const feed = await deployFeed(f.owner, 100n * 10n ** 8n);
    await engine.setFeed(ALPHA, x, await feed.getAddress(), 3600, 18);
    await engine.listMarket(ALPHA, x, 5000, 6000, 500);
    expect((await engine.accountState(f.alice.address)).credits).to.equal(2n);

    await f.assets.WETH.feed.updateAnswer(price(2500n));
    const tx = engine
      .connect(f.liquidator)
      .liquidate(f.alice.address, ALPHA, f.assets.WETH.address, MaxUint256, 0, f.liquidator.address);
    await expect(tx).to.not.emit(engine, "BadDebtAbsorbed");
    expect((await engine.accountState(f.alice.address)).positions).to.equal(0n);
    const debt = await engine.debtOf(f.alice.address);
    expect(debt).to.be.gt(0n);
    // Alice cannot take X away while she owes: her health is zero.
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, x, 1n, f.alice.address),
    ).to.be.revertedWithCustomError(engine, "NotHealthy");
    // A liquidator seizes X to cover what is left; no bad debt at all.
    await engine.connect(f.liquidator).liquidate(f.alice.address, ALPHA, x, MaxUint256, 0, f.liquidator.address);
    expect(await engine.totalBadDebt()).to.equal(0n);
  });

  it("a delivery re-entering during a liquidation's refund is stored for retry, then credited once", async () => {
    const f = await loadFixture(leveraged);
    const { engine, adapter } = f.hub;
    const attacker = await new ReentrantCaller__factory(f.other).deploy();
    const attackerAddress = await attacker.getAddress();
    await f.base.mint(attackerAddress, usdc("100000"));
    await attacker.execute(
      await f.base.getAddress(),
      0,
      f.base.interface.encodeFunctionData("approve", [await engine.getAddress(), MaxUint256]),
    );
    // Bridges such as LayerZero or Hyperlane let anyone execute a delivery: model that with a relayer seat.
    await adapter.setRelayer(attackerAddress, true);
    const spoke = f.spokes.alpha;
    const { envelope, id } = depositEnvelope(
      f,
      spoke,
      f.alice.address,
      f.assets.WETH.address,
      weth("2"),
      await engine.getAddress(),
    );
    await attacker.arm(
      await adapter.getAddress(),
      adapter.interface.encodeFunctionData("deliver", [ALPHA, spoke.adapter, spoke.messenger, envelope]),
    );

    await f.assets.WETH.feed.updateAnswer(price(2500n)); // full close: the liquidation seizes all of alice's WETH
    const call = engine.interface.encodeFunctionData("liquidate", [
      f.alice.address,
      ALPHA,
      f.assets.WETH.address,
      MaxUint256,
      0,
      attackerAddress,
    ]);
    await attacker.execute(await engine.getAddress(), 1n, call, { value: 1n }); // 1 wei of fee comes back as a refund
    expect(await attacker.lastOk()).to.equal(true); // the delivery transaction itself went through...
    expect(await f.hub.messenger.isRetryable(id)).to.equal(true); // ...but the engine refused to run inside liquidate
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(0n);
    // The debt left after seizing everything was absorbed, with the state the liquidation saw.
    expect(await engine.totalBadDebt()).to.be.gt(0n);
    expect(await engine.debtOf(f.alice.address)).to.equal(0n);
    await f.hub.messenger.retry(envelope);
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(weth("2"));
  });

  it("a partial repayment may not leave dust debt", async () => {
    const f = await loadFixture(leveraged);
    const { engine } = f.hub;
    const debt = await engine.debtOf(f.alice.address);
    await expect(engine.connect(f.bob).repay(debt - usdc("5"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "DebtBelowMinimum",
    );
    await engine.connect(f.bob).repay(usdc("1000"), f.alice.address);
  });
});
