import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, parseUnits } from "ethers";
import { ALPHA, BETA, HUB, hubFixture, deployFeed, credit, creditRaw, DEFAULT_LIQUIDATION } from "../helpers/hub";
import { MarginEngineLiq__factory, MarginEngine__factory } from "../../typechain-types";
import { encodeEnvelope } from "../../scripts/lib/codec";

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
      () => e.setFeed(ALPHA, a, f.other.address, 3600, 18),
      () => e.setFeedBounds(ALPHA, a, 1, 0),
      () => e.setSequencerUptimeFeed(f.other.address, 1),
      () => e.setCreditCap(ALPHA, a, 1),
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
    const { engine } = f.hub;
    const asset = Wallet.createRandom().address;
    await expect(engine.listMarket(ALPHA, asset, 5000, 6000, 500))
      .to.be.revertedWithCustomError(engine, "NoFeed")
      .withArgs(ALPHA, asset);
    await engine.setFeed(ALPHA, asset, await (await deployFeed(f.owner, 10n ** 8n)).getAddress(), 3600, 18);
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
    const { engine } = f.hub;
    const feed = await (await deployFeed(f.owner, 10n ** 8n)).getAddress();
    for (let i = 3; i < 128; i++) {
      const asset = Wallet.createRandom().address;
      await engine.setFeed(ALPHA, asset, feed, 3600, 18);
      await engine.listMarket(ALPHA, asset, 5000, 6000, 500);
    }
    const asset = Wallet.createRandom().address;
    await engine.setFeed(ALPHA, asset, feed, 3600, 18);
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
    for (const kink of [0n, parseUnits("1", 18) + 1n]) {
      await expect(engine.setRateModel({ baseRate: 0, slope1: 0, slope2: 0, kink }))
        .to.be.revertedWithCustomError(engine, "InvalidRateModel")
        .withArgs(kink);
    }
    const L = DEFAULT_LIQUIDATION;
    const WAD = parseUnits("1", 18);
    // One case per bound: target health in (1, 2], full bonus below health 1, bonus and shares at most 100%.
    for (const bad of [
      { ...L, targetHealth: WAD },
      { ...L, targetHealth: 2n * WAD + 1n },
      { ...L, maxBonusHealth: WAD },
      { ...L, minBonusBps: 10001 },
      { ...L, protocolShareBps: 10001 },
      { ...L, storeFrontShareBps: 10001 },
    ]) {
      await expect(engine.setLiquidationParams(bad))
        .to.be.revertedWithCustomError(engine, "InvalidLiquidationParams")
        .withArgs(bad.targetHealth, bad.maxBonusHealth, bad.minBonusBps, bad.protocolShareBps, bad.storeFrontShareBps);
    }
    // The edges are accepted.
    const edge = {
      targetHealth: 2n * WAD,
      maxBonusHealth: WAD - 1n,
      minBonusBps: 10000,
      protocolShareBps: 10000,
      storeFrontShareBps: 10000,
      absorbReward: 7n,
    };
    await expect(engine.setLiquidationParams(edge))
      .to.emit(engine, "LiquidationParamsSet")
      .withArgs(edge.targetHealth, edge.maxBonusHealth, 10000, 10000, 10000, 7n);
    await expect(engine.setLiquidationParams({ ...edge, targetHealth: WAD + 1n, maxBonusHealth: 0 })).to.emit(
      engine,
      "LiquidationParamsSet",
    );
    await expect(engine.setMinDebt(5)).to.emit(engine, "MinDebtSet").withArgs(5);
    expect(await engine.minDebt()).to.equal(5n);
    await expect(engine.setReserveFactor(2000)).to.emit(engine, "ReserveFactorSet").withArgs(2000);
    expect((await engine.poolState()).reserveFactorBps).to.equal(2000n);
  });
});

describe("MarginEngine: edge cases of input", () => {
  it("refuses a zero base token or messenger at deployment, and bad initial parameters", async () => {
    const f = await loadFixture(hubFixture);
    const liqFactory = new MarginEngineLiq__factory(f.owner);
    await expect(liqFactory.deploy(ZeroAddress, await f.hub.messenger.getAddress())).to.be.revertedWithCustomError(
      liqFactory,
      "ZeroAddress",
    );
    await expect(liqFactory.deploy(await f.base.getAddress(), ZeroAddress)).to.be.revertedWithCustomError(
      liqFactory,
      "ZeroAddress",
    );
    // The engine's constructor runs the extension's setters: their checks apply at deployment too.
    const factory = new MarginEngine__factory(f.owner);
    const rateModel = { baseRate: 0, slope1: 0, slope2: 0, kink: parseUnits("0.8", 18) };
    const ext = await f.hub.engine.extension();
    await expect(factory.deploy(ext, rateModel, 5001, DEFAULT_LIQUIDATION, 0, f.owner.address, f.guardian.address))
      .to.be.revertedWithCustomError(f.hub.engine, "InvalidReserveFactor")
      .withArgs(5001);
    await expect(
      factory.deploy(ext, { ...rateModel, kink: 0 }, 1000, DEFAULT_LIQUIDATION, 0, f.owner.address, f.guardian.address),
    ).to.be.revertedWithCustomError(f.hub.engine, "InvalidRateModel");
  });

  it("a credit beyond 2^128 or a malformed payload is stored for retry, not applied", async () => {
    const f = await loadFixture(hubFixture);
    const { engine, messenger } = f.hub;
    const { tx, id } = await credit(f, f.alice.address, "WETH", 2n ** 128n);
    const tooLarge = engine.interface.encodeErrorResult("AmountTooLarge", [2n ** 128n]);
    await expect(tx).to.emit(messenger, "MessageFailed").withArgs(id, ALPHA, anyValue, tooLarge);
    expect(await messenger.isRetryable(id)).to.equal(true);
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(0n);
    // A payload of the wrong length (e.g. an app built against another codec) is refused the same way.
    const spoke = f.spokes.alpha;
    const encoded = encodeEnvelope({
      nonce: spoke.nonce++,
      srcChainId: ALPHA,
      dstChainId: HUB,
      srcMessenger: spoke.messenger,
      sender: spoke.vault,
      receiver: await engine.getAddress(),
      payload: "0x01",
    });
    const receipt = await (
      await f.hub.adapter.connect(f.relayer).deliver(ALPHA, spoke.adapter, spoke.messenger, encoded)
    ).wait();
    const failed = receipt!.logs.map((l) => messenger.interface.parseLog(l)).find((e) => e?.name === "MessageFailed")!;
    expect(engine.interface.parseError(failed.args.reason)?.name).to.equal("MalformedMessage");
  });

  it("refuses zero amounts and addresses in withdrawBase and withdrawReserves, and an unlisted enterMarket", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await expect(engine.connect(f.lender).withdrawBase(0, f.lender.address)).to.be.revertedWithCustomError(
      engine,
      "ZeroAmount",
    );
    await expect(engine.connect(f.lender).withdrawBase(1, ZeroAddress)).to.be.revertedWithCustomError(
      engine,
      "ZeroAddress",
    );
    await expect(engine.withdrawReserves(1, ZeroAddress)).to.be.revertedWithCustomError(engine, "ZeroAddress");
    const unknown = Wallet.createRandom().address;
    await expect(engine.connect(f.alice).enterMarket(ALPHA, unknown))
      .to.be.revertedWithCustomError(engine, "MarketNotListed")
      .withArgs(ALPHA, unknown);
    expect(await engine.accountValues(f.alice.address)).to.deep.equal([0n, 0n, 0n]);
  });

  it("refuses amounts beyond the 104-bit principal range before moving tokens", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    const huge = 2n ** 104n;
    await expect(engine.connect(f.lender).supplyBase(huge, f.lender.address))
      .to.be.revertedWithCustomError(engine, "AmountTooLarge")
      .withArgs(huge);
    await credit(f, f.alice.address, "WETH", parseUnits("1", 18));
    await expect(engine.connect(f.alice).borrow(huge, f.alice.address))
      .to.be.revertedWithCustomError(engine, "AmountTooLarge")
      .withArgs(huge);
  });

  it("a repayment too small to seize a unit of collateral is refused (it would buy the unit below its worth)", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(parseUnits("100000", 6), f.lender.address);
    await credit(f, f.alice.address, "WBTC", parseUnits("1", 8)); // 1 unit of WBTC = $0.0006
    await engine.connect(f.alice).borrow(parseUnits("45000", 6), f.alice.address);
    await f.assets.WBTC.feed.updateAnswer(50000n * 10n ** 8n);
    await expect(
      engine.connect(f.liquidator).liquidate(f.alice.address, BETA, f.assets.WBTC.address, 1n, 0, f.liquidator.address),
    )
      .to.be.revertedWithCustomError(engine, "RepayBelowOneUnit")
      .withArgs(1n, 468n); // one sat at $50,000 is $0.0005: ceil(500 / 1.07) base units
  });

  it("liquidates a credit received before its market was listed, even if the account never entered it", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(parseUnits("100000", 6), f.lender.address);
    const late = Wallet.createRandom().address;
    await creditRaw(f, f.spokes.alpha, f.alice.address, late, parseUnits("100", 18));
    await credit(f, f.alice.address, "WETH", parseUnits("1", 18));
    await engine.connect(f.alice).borrow(parseUnits("2400", 6), f.alice.address);
    const feed = await deployFeed(f.owner, 10n ** 8n);
    await engine.setFeed(ALPHA, late, await feed.getAddress(), 3600, 18);
    await engine.listMarket(ALPHA, late, 5000, 6000, 500);
    await f.assets.WETH.feed.updateAnswer(2800n * 10n ** 8n);
    const seized = await engine
      .connect(f.liquidator)
      .liquidate.staticCall(f.alice.address, ALPHA, late, parseUnits("50", 6), 0, f.liquidator.address);
    // $50 * (1 + bonus) at $1; the bonus follows health 2380 / 2400: 2% + 3% * (1 - h) / 0.1, rounded down = 2.25%
    expect(seized).to.equal(parseUnits("51.125", 18));
  });

  it("the owner sets the guardian", async () => {
    const f = await loadFixture(hubFixture);
    await expect(f.hub.engine.setGuardian(f.other.address))
      .to.emit(f.hub.engine, "GuardianSet")
      .withArgs(f.other.address);
    await f.hub.engine.connect(f.other).setBorrowPaused(true);
    await expect(f.hub.engine.connect(f.guardian).setBorrowPaused(true)).to.be.revertedWithCustomError(
      f.hub.engine,
      "NotGuardian",
    );
  });
});
