import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, ZeroHash, parseUnits } from "ethers";
import { ALPHA, BETA, hubFixture, credit, creditRaw, sentReleases, usdc, deployFeed } from "../helpers/hub";
import { RELEASE } from "../../scripts/lib/codec";

const weth = (x: string) => parseUnits(x, 18);

describe("MarginEngine: collateral credits and withdrawals", () => {
  it("credits a DEPOSIT from the vault's chain and enters the market", async () => {
    const f = await loadFixture(hubFixture);
    const { engine, messenger } = f.hub;
    const { tx, id, nonce } = await credit(f, f.alice.address, "WETH", weth("2"));
    await expect(tx)
      .to.emit(engine, "CollateralCredited")
      .withArgs(f.alice.address, ALPHA, f.assets.WETH.address, weth("2"), id);
    await expect(tx).to.emit(messenger, "MessageDelivered").withArgs(id, ALPHA, nonce);
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(weth("2"));
    expect(await engine.collateralOf(f.alice.address, BETA, f.assets.WETH.address)).to.equal(0n);
    expect((await engine.marketState(ALPHA, f.assets.WETH.address)).totalCredits).to.equal(weth("2"));
    expect((await engine.accountState(f.alice.address)).positions).to.equal(1n); // market 0
    await credit(f, f.alice.address, "USDC.b", usdc("5"));
    expect((await engine.accountState(f.alice.address)).positions).to.equal(0b101n); // markets 0 and 2
  });

  it("credits a deposit without reading any price: stale and broken feeds do not matter", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await time.increase(30 * 24 * 3600); // every feed is stale
    await f.assets.WETH.feed.updateAnswer(-1); // and this one is broken
    await f.baseFeed.updateAnswer(0);
    await credit(f, f.alice.address, "WETH", weth("3"));
    await credit(f, f.alice.address, "WETH", weth("1"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, f.assets.WETH.address)).to.equal(weth("4"));
  });

  it("accepts DEPOSIT only from its messenger", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await expect(engine.connect(f.alice).onMessage(ALPHA, f.spokes.alpha.vault, ZeroHash, "0x"))
      .to.be.revertedWithCustomError(engine, "OnlyMessenger")
      .withArgs(f.alice.address);
  });

  it("credits an unlisted asset at zero value, keeps it withdrawable, and counts it once listed and entered", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    const unknown = Wallet.createRandom().address;
    await creditRaw(f, f.spokes.alpha, f.alice.address, unknown, weth("50"));
    expect(await engine.collateralOf(f.alice.address, ALPHA, unknown)).to.equal(weth("50"));
    expect((await engine.marketState(ALPHA, unknown)).totalCredits).to.equal(weth("50"));
    expect((await engine.accountState(f.alice.address)).positions).to.equal(0n);
    await expect(engine.connect(f.alice).borrow(usdc("20"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "NotHealthy")
      .withArgs(f.alice.address, 0);

    // Listed at $2 with a 50% borrow factor: 50 units are worth $50 of borrowing once the account enters.
    const feed = await deployFeed(f.owner, 2n * 10n ** 8n);
    await engine.setFeed(ALPHA, unknown, await feed.getAddress(), 3600, 18);
    await engine.listMarket(ALPHA, unknown, 5000, 6000, 500);
    await expect(engine.connect(f.alice).borrow(usdc("20"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
    await expect(engine.connect(f.bob).enterMarket(ALPHA, unknown)).to.be.revertedWithCustomError(
      engine,
      "InsufficientCollateral",
    );
    await engine.connect(f.alice).enterMarket(ALPHA, unknown);
    await engine.connect(f.alice).borrow(usdc("50"), f.alice.address);
    expect(await engine.borrowHealthFactor(f.alice.address)).to.equal(parseUnits("1", 18));
  });

  it("unlisted credits are withdrawable and send a RELEASE", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    const unknown = Wallet.createRandom().address;
    await creditRaw(f, f.spokes.beta, f.alice.address, unknown, 1000n);
    await engine.connect(f.alice).withdrawCollateral(BETA, unknown, 1000n, f.bob.address);
    const [release] = await sentReleases(f);
    expect(release.dstChainId).to.equal(BETA);
    expect(release.envelope.receiver).to.equal(f.spokes.beta.vault);
    expect(release.message).to.deep.equal({ kind: RELEASE, who: f.bob.address, asset: unknown, amount: 1000n });
  });

  it("withdrawCollateral without debt needs no price, debits first and sends the RELEASE", async () => {
    const f = await loadFixture(hubFixture);
    const { engine, messenger } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("2"));
    await time.increase(7 * 24 * 3600); // every feed is stale now
    const tx = engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("0.5"), f.bob.address);
    await expect(tx).to.emit(engine, "CollateralWithdrawn");
    await expect(tx).to.emit(messenger, "MessageSent");
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("1.5"));
    expect((await engine.marketState(ALPHA, asset)).totalCredits).to.equal(weth("1.5"));
    const [release] = await sentReleases(f);
    expect(release.message).to.deep.equal({ kind: RELEASE, who: f.bob.address, asset, amount: weth("0.5") });
    // Withdrawing the rest leaves the market.
    await engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("1.5"), f.alice.address);
    expect((await engine.accountState(f.alice.address)).positions).to.equal(0n);
  });

  it("withdrawCollateral rejects bad input without changing anything", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await credit(f, f.alice.address, "WETH", weth("1"));
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, asset, 0, f.alice.address),
    ).to.be.revertedWithCustomError(engine, "ZeroAmount");
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, asset, 1, ZeroAddress),
    ).to.be.revertedWithCustomError(engine, "ZeroAddress");
    await expect(engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("1.1"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, ALPHA, asset, weth("1"), weth("1.1"));
    // Same asset address on another chain is another credit.
    await expect(engine.connect(f.alice).withdrawCollateral(BETA, asset, 1, f.alice.address))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(f.alice.address, BETA, asset, 0, 1);
    await expect(
      engine.connect(f.alice).withdrawCollateral(31999n, asset, 1, f.alice.address),
    ).to.be.revertedWithCustomError(engine, "InsufficientCollateral");
    expect(await engine.collateralOf(f.alice.address, ALPHA, asset)).to.equal(weth("1"));
  });

  it("withdrawCollateral with debt keeps the account healthy under borrow factors", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    const asset = f.assets.WETH.address;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", weth("2"));
    await engine.connect(f.alice).borrow(usdc("2400"), f.alice.address); // half of 2 * 3000 * 80%
    // 1 WETH left supports exactly 2400, and a few seconds of interest make that just too little.
    await expect(engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("1"), f.alice.address))
      .to.be.revertedWithCustomError(engine, "NotHealthy")
      .withArgs(f.alice.address, anyValue);
    await engine.connect(f.alice).withdrawCollateral(ALPHA, asset, weth("0.99"), f.alice.address);
    const health = await engine.borrowHealthFactor(f.alice.address);
    expect(health).to.be.gte(parseUnits("1", 18));
    expect(health).to.be.closeTo(parseUnits("1.01", 18), parseUnits("0.0001", 18)); // 1.01 WETH * 3000 * 80% / 2400
    // With debt, a stale price blocks withdrawals.
    await time.increase(3601);
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, asset, 1n, f.alice.address),
    ).to.be.revertedWithCustomError(f.hub.engine, "StalePrice");
  });

  it("refunds excess messaging fee to the caller", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await credit(f, f.alice.address, "WETH", weth("1"));
    expect(await engine.quoteRelease(ALPHA)).to.equal(0n);
    await expect(
      engine.connect(f.alice).withdrawCollateral(ALPHA, f.assets.WETH.address, 1n, f.alice.address, { value: 12345n }),
    ).to.changeEtherBalances([f.alice, engine], [0n, 0n]);
  });

  it("frozen collateral counts zero for borrowing but keeps its liquidation threshold", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", weth("1"));
    await engine.connect(f.alice).borrow(usdc("1000"), f.alice.address);
    const healthBefore = await engine.healthFactor(f.alice.address);
    await expect(engine.configureMarket(ALPHA, f.assets.WETH.address, 8000, 8500, 500, true))
      .to.emit(engine, "MarketConfigured")
      .withArgs(ALPHA, f.assets.WETH.address, 8000, 8500, 500, true);
    expect(await engine.healthFactor(f.alice.address)).to.be.closeTo(healthBefore, parseUnits("0.00001", 18));
    expect(await engine.borrowHealthFactor(f.alice.address)).to.equal(0n);
    await expect(engine.connect(f.alice).borrow(usdc("10"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
    // Repaying still works; withdrawing everything once the debt is gone too.
    await engine.connect(f.alice).repay(usdc("2000"), f.alice.address);
    await engine.connect(f.alice).withdrawCollateral(ALPHA, f.assets.WETH.address, weth("1"), f.alice.address);
  });

  it("a chain's latency haircut lowers both factors of its markets only", async () => {
    const f = await loadFixture(hubFixture);
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("100000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", weth("1"));
    await credit(f, f.bob.address, "USDC.b", usdc("1000"));
    await expect(engine.setLatencyHaircut(ALPHA, 1000)).to.emit(engine, "LatencyHaircutSet").withArgs(ALPHA, 1000);
    const [m] = await engine.market(0);
    expect(m.borrowFactorBps).to.equal(7200); // 80% * 90%
    expect(m.liquidationThresholdBps).to.equal(7650); // 85% * 90%
    const [other] = await engine.market(2);
    expect(other.borrowFactorBps).to.equal(8500);
    await expect(engine.connect(f.alice).borrow(usdc("2400"), f.alice.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
    await engine.connect(f.alice).borrow(usdc("2160"), f.alice.address);
    await expect(engine.setLatencyHaircut(ALPHA, 10000)).to.be.revertedWithCustomError(engine, "InvalidHaircut");
  });
});
