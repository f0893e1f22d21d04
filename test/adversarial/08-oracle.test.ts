/**
 * Adversarial 8 — oracle failures at the multi-chain level. Setup: alice holds 10 WETH on alpha (feed heartbeat
 * 1 h) and 30,000 USDC.b on beta (heartbeat 24 h) and owes $20,000; bob holds only USDC.b. Must hold: each feed is
 * judged by its own heartbeat (one stale while another is fresh); answers 0, -1 and an answer pinned at the
 * configured minimum are refused with the feed and answer; a down L2 sequencer stops borrow and withdraw but not
 * repay or deposit credits, and after it is back liquidations wait out the grace period, then work end to end.
 */
import { expect } from "chai";
import { MaxUint256, parseUnits } from "ethers";
import { worldChainId, advanceAll, deposit, refreshFeeds, signer, spoke, World } from "../../scripts/lib/world";
import { now } from "../../scripts/lib/chain";
import { MockPriceFeed__factory } from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");
const GRACE = 3600;
const usd = (x: bigint) => x * 10n ** 8n;

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
  await deposit(w, "beta", "alice", "USDC.b", parseUnits("30000", 6));
  await deposit(w, "beta", "bob", "USDC.b", parseUnits("30000", 6));
  await w.relayer.flush();
  const { engine } = w.hub.deployment;
  const alice = signer(w.hub.chain, "alice");
  const bob = signer(w.hub.chain, "bob");
  await send(engine.connect(alice).borrow(parseUnits("20000", 6), alice.address));
  await send(engine.connect(bob).borrow(parseUnits("1000", 6), bob.address));
  for (const who of ["alice", "bob", "liquidator"] as const) {
    await send(w.hub.base.connect(signer(w.hub.chain, who)).approve(await engine.getAddress(), MaxUint256));
  }
}

describe("adversarial 8: oracle failures across chains", () => {
  const h = useWorld(setup);

  it("per-feed heartbeats: after 2 h the WETH feed (1 h) is stale while USDC.b (24 h) is fresh", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const bob = signer(w.hub.chain, "bob");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    const [, , , wethUpdatedAt] = await w.feeds.WETH.latestRoundData();
    await advanceAll(w, 2 * 3600);
    // Alice holds WETH: everything priced about her account is refused, naming the stale feed.
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address))
      .to.be.revertedWithCustomError(engine, "StalePrice")
      .withArgs(await w.feeds.WETH.getAddress(), wethUpdatedAt);
    await expect(engine.connect(alice).withdrawCollateral(BETA, await asset(w, "beta", "USDC.b"), 1n, alice.address))
      .to.be.revertedWithCustomError(engine, "StalePrice")
      .withArgs(await w.feeds.WETH.getAddress(), wethUpdatedAt);
    await expect(
      engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address),
    ).to.be.revertedWithCustomError(engine, "StalePrice");
    // Bob holds only USDC.b, whose feed and the base feed are within their heartbeat: he borrows.
    await expect(engine.connect(bob).borrow(parseUnits("10", 6), bob.address)).to.emit(engine, "Borrowed");
    // Repay and deposit credits never need a price.
    await expect(engine.connect(alice).repay(parseUnits("100", 6), alice.address)).to.emit(engine, "Repaid");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await w.relayer.flush();
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("11", 18));
    await refreshFeeds(w);
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address)).to.emit(engine, "Borrowed");
  });

  it("answers 0 and -1 are refused with the feed and the answer; repay still works", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    const feed = await w.feeds.WETH.getAddress();
    for (const answer of [0n, -1n]) {
      await send(w.feeds.WETH.updateAnswer(answer));
      await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address))
        .to.be.revertedWithCustomError(engine, "InvalidPrice")
        .withArgs(feed, answer);
      // A zero price must not make alice look liquidatable either: the liquidation is refused, not priced at 0.
      await expect(engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address))
        .to.be.revertedWithCustomError(engine, "InvalidPrice")
        .withArgs(feed, answer);
      await expect(engine.connect(alice).repay(parseUnits("10", 6), alice.address)).to.emit(engine, "Repaid");
    }
  });

  it("an answer pinned at the configured minimum (a Chainlink floor) is refused, one above it is used", async () => {
    // Setup: bounds on alpha WETH of [$100, $100,000]. Action: the aggregator floors at $100 during a crash.
    // Must hold: PriceOutOfBounds(feed, answer, min, max) for borrow and liquidation alike; $101 is a price.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    const feed = await w.feeds.WETH.getAddress();
    await expect(engine.setFeedBounds(ALPHA, weth, usd(100n), usd(100_000n)))
      .to.emit(engine, "FeedBoundsSet")
      .withArgs(ALPHA, weth, usd(100n), usd(100_000n));
    await send(w.feeds.WETH.updateAnswer(usd(100n)));
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address))
      .to.be.revertedWithCustomError(engine, "PriceOutOfBounds")
      .withArgs(feed, usd(100n), usd(100n), usd(100_000n));
    await expect(engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address))
      .to.be.revertedWithCustomError(engine, "PriceOutOfBounds")
      .withArgs(feed, usd(100n), usd(100n), usd(100_000n));
    await send(w.feeds.WETH.updateAnswer(usd(101n)));
    expect(await engine.getPrice(ALPHA, weth)).to.equal(parseUnits("101", 18)); // USD (1e18) per whole WETH
    expect(await engine.healthFactor(alice.address)).to.be.gt(parseUnits("1", 18)); // USDC.b still covers her
  });

  it("sequencer down: borrow and withdraw revert, repay and deposit work; back up: liquidation waits the grace period", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const a = spoke(w, "alpha");
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    const sequencer = await new MockPriceFeed__factory(signer(w.hub.chain, "deployer")).deploy(0, 0, "sequencer");
    await send(sequencer.updateRoundData(0, (await now(w.hub.chain)) - BigInt(2 * GRACE))); // up for 2 h
    await send(engine.setSequencerUptimeFeed(await sequencer.getAddress(), GRACE));
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address)).to.emit(engine, "Borrowed");

    await send(sequencer.updateAnswer(1)); // down
    await expect(engine.connect(alice).borrow(parseUnits("10", 6), alice.address)).to.be.revertedWithCustomError(
      engine,
      "SequencerDown",
    );
    await expect(
      engine.connect(alice).withdrawCollateral(ALPHA, weth, 1n, alice.address),
    ).to.be.revertedWithCustomError(engine, "SequencerDown");
    await expect(engine.connect(alice).repay(parseUnits("500", 6), alice.address)).to.emit(engine, "Repaid");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    const [credited] = await w.relayer.flush();
    await expect(credited.receipt!).to.emit(engine, "CollateralCredited");
    // The price crashes while the sequencer is down; nobody can liquidate (nor could alice have reacted).
    await send(w.feeds.WETH.updateAnswer(usd(1_000n))); // 11 * 1000 * 85% + 30000 * 90% = 36350 — still healthy
    await send(w.feeds["USDC.b"].updateAnswer(usd(1n) / 10n)); // USDC.b depegs to $0.10: 9350 + 2700 < ~19500
    await expect(
      engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address),
    ).to.be.revertedWithCustomError(engine, "SequencerDown");

    await send(sequencer.updateAnswer(0)); // back up now
    const upSince = await now(w.hub.chain);
    await expect(engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address))
      .to.be.revertedWithCustomError(engine, "GracePeriodNotOver")
      .withArgs(upSince);
    await expect(engine.connect(alice).repay(parseUnits("10", 6), alice.address)).to.emit(engine, "Repaid");

    await advanceAll(w, GRACE);
    await refreshFeeds(w);
    expect(await engine.isLiquidatable(alice.address)).to.equal(true);
    const seized = await engine
      .connect(liquidator)
      .liquidate.staticCall(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address);
    await expect(
      engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0, liquidator.address),
    ).to.emit(engine, "Liquidated");
    await w.relayer.flush();
    expect(await a.tokens.WETH.balanceOf(liquidator.address)).to.equal(seized);
  });
});
