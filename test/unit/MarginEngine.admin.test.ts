import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, parseUnits } from "ethers";
import { ALPHA, hubFixture, deployFeed, DEFAULT_LIQUIDATION } from "../helpers/hub";

describe("MarginEngine: configuration and roles", () => {
  it("every configuration function is owner-only", async () => {
    const f = await loadFixture(hubFixture);
    const e = f.hub.engine.connect(f.guardian); // the guardian is not the owner either
    const a = f.assets.WETH.address;
    const calls = [
      () => e.listMarket(ALPHA, Wallet.createRandom().address, 1, 2, 3),
      () => e.configureMarket(ALPHA, a, 1, 2, 3, false),
      () => e.setLatencyHaircut(ALPHA, 1),
      () => e.setRateModel({ baseRate: 0, slope1: 0, slope2: 0, kink: parseUnits("0.8", 18) }),
      () => e.setReserveFactor(1),
      () => e.setLiquidationParams(DEFAULT_LIQUIDATION),
      () => e.setOracle(f.other.address),
      () => e.setMinDebt(1),
      () => e.withdrawReserves(1, f.guardian.address),
      () => e.setGuardian(f.guardian.address),
      () => e.transferOwnership(f.guardian.address),
    ];
    for (const call of calls) {
      await expect(call())
        .to.be.revertedWithCustomError(f.hub.engine, "OwnableUnauthorizedAccount")
        .withArgs(f.guardian.address);
    }
  });

  it("ownership moves in two steps", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.transferOwnership(f.other.address);
    expect(await engine.owner()).to.equal(f.owner.address);
    await expect(engine.connect(f.alice).acceptOwnership()).to.be.revertedWithCustomError(
      engine,
      "OwnableUnauthorizedAccount",
    );
    await engine.connect(f.other).acceptOwnership();
    expect(await engine.owner()).to.equal(f.other.address);
  });

  it("validates market listings", async () => {
    const f = await loadFixture(hubFixture);
    const { engine, oracle } = f.hub;
    const asset = Wallet.createRandom().address;
    await expect(engine.listMarket(ALPHA, asset, 5000, 6000, 500))
      .to.be.revertedWithCustomError(oracle, "NoFeed")
      .withArgs(ALPHA, asset);
    await oracle.setFeed(ALPHA, asset, await (await deployFeed(f.owner, 10n ** 8n)).getAddress(), 3600, 18);
    await expect(engine.listMarket(ALPHA, asset, 7000, 6000, 500))
      .to.be.revertedWithCustomError(engine, "InvalidRiskParams")
      .withArgs(7000, 6000, 500); // borrow factor above the liquidation threshold
    await expect(engine.listMarket(ALPHA, asset, 5000, 10000, 0)).to.be.revertedWithCustomError(
      engine,
      "InvalidRiskParams",
    );
    // threshold * (1 + bonus) > 100%: a liquidation could seize more than the collateral backs
    await expect(engine.listMarket(ALPHA, asset, 5000, 9500, 600)).to.be.revertedWithCustomError(
      engine,
      "InvalidRiskParams",
    );
    await expect(engine.listMarket(ALPHA, asset, 5000, 6000, 500))
      .to.emit(engine, "MarketListed")
      .withArgs(3, ALPHA, asset);
    await expect(engine.listMarket(ALPHA, asset, 5000, 6000, 500))
      .to.be.revertedWithCustomError(engine, "MarketAlreadyListed")
      .withArgs(ALPHA, asset);
    await expect(
      engine.configureMarket(ALPHA, Wallet.createRandom().address, 1, 2, 3, false),
    ).to.be.revertedWithCustomError(engine, "MarketNotListed");
    expect(await engine.marketCount()).to.equal(4n);
  });

  it("lists at most 128 markets (one bit each in an account's position mask)", async () => {
    const f = await loadFixture(hubFixture);
    const { engine, oracle } = f.hub;
    const feed = await (await deployFeed(f.owner, 10n ** 8n)).getAddress();
    for (let i = 3; i < 128; i++) {
      const asset = Wallet.createRandom().address;
      await oracle.setFeed(ALPHA, asset, feed, 3600, 18);
      await engine.listMarket(ALPHA, asset, 5000, 6000, 500);
    }
    const asset = Wallet.createRandom().address;
    await oracle.setFeed(ALPHA, asset, feed, 3600, 18);
    await expect(engine.listMarket(ALPHA, asset, 5000, 6000, 500)).to.be.revertedWithCustomError(
      engine,
      "TooManyMarkets",
    );
  });

  it("validates pool and liquidation parameters", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await expect(engine.setReserveFactor(5001))
      .to.be.revertedWithCustomError(engine, "InvalidReserveFactor")
      .withArgs(5001);
    await expect(engine.setRateModel({ baseRate: 0, slope1: 0, slope2: 0, kink: 0 })).to.be.reverted;
    await expect(
      engine.setLiquidationParams({ ...DEFAULT_LIQUIDATION, closeFactorBps: 0 }),
    ).to.be.revertedWithCustomError(engine, "InvalidLiquidationParams");
    await expect(
      engine.setLiquidationParams({ ...DEFAULT_LIQUIDATION, fullCloseHealth: parseUnits("1.01", 18) }),
    ).to.be.revertedWithCustomError(engine, "InvalidLiquidationParams");
    await expect(engine.setOracle(ZeroAddress)).to.be.revertedWithCustomError(engine, "ZeroAddress");
    await expect(engine.setMinDebt(5)).to.emit(engine, "MinDebtSet").withArgs(5);
    expect(await engine.minDebt()).to.equal(5n);
    await expect(engine.setReserveFactor(2000)).to.emit(engine, "ReserveFactorSet").withArgs(2000);
    expect((await engine.poolState()).reserveFactorBps).to.equal(2000n);
  });
});
