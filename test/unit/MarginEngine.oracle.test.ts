import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, parseUnits } from "ethers";
import { MockERC20__factory } from "../../typechain-types";
import { DEFAULT_RATE_MODEL, deployHub } from "../../deploy/orchestrator";
import { DEFAULT_LIQUIDATION, MIN_DEBT, deployFeed } from "../helpers/hub";

const CHAIN = 31338n;

/** The engine alone: its feed configuration and price reads (the engine reads feeds itself, see PriceLib). */
async function oracleFixture() {
  const [owner, other] = await hre.ethers.getSigners();
  const base = await new MockERC20__factory(owner).deploy("USD Coin", "USDC", 6);
  const { engine } = await deployHub(owner, {
    baseToken: await base.getAddress(),
    guardian: other.address,
    rateModel: DEFAULT_RATE_MODEL,
    reserveFactorBps: 1000,
    liquidation: DEFAULT_LIQUIDATION,
    minDebt: MIN_DEBT,
  });
  return { engine, owner, other };
}

/** USD value (1e18) of `amount` raw units at `price` (the engine's normalised price). */
const value = (amount: bigint, price: bigint) => (amount * price) / 10n ** 18n;

describe("MarginEngine: price feeds (read inside the engine)", () => {
  for (const tokenDecimals of [0, 2, 6, 8, 18]) {
    for (const feedDecimals of [8, 18]) {
      it(`normalises a ${tokenDecimals}-decimal token on a ${feedDecimals}-decimal feed: same USD for the same amount`, async () => {
        const { engine, owner } = await loadFixture(oracleFixture);
        const feed = await deployFeed(owner, (1234n * 10n ** BigInt(feedDecimals)) / 100n, feedDecimals); // $12.34
        const asset = Wallet.createRandom().address;
        await engine.setFeed(CHAIN, asset, await feed.getAddress(), 3600, tokenDecimals);
        const price = await engine.getPrice(CHAIN, asset);
        const oneToken = 10n ** BigInt(tokenDecimals);
        expect(value(oneToken, price)).to.equal(parseUnits("12.34", 18));
        expect(value(1000n * oneToken, price)).to.equal(parseUnits("12340", 18));
      });
    }
  }

  it("refuses more than 18 decimals at configuration", async () => {
    const { engine, owner } = await loadFixture(oracleFixture);
    const feed = await deployFeed(owner, 10n ** 8n);
    await expect(engine.setFeed(CHAIN, Wallet.createRandom().address, await feed.getAddress(), 3600, 19))
      .to.be.revertedWithCustomError(engine, "InvalidDecimals")
      .withArgs(8, 19);
    const wide = await deployFeed(owner, 10n ** 20n, 20);
    await expect(engine.setFeed(CHAIN, Wallet.createRandom().address, await wide.getAddress(), 3600, 6))
      .to.be.revertedWithCustomError(engine, "InvalidDecimals")
      .withArgs(20, 6);
    await expect(
      engine.setFeed(CHAIN, Wallet.createRandom().address, await feed.getAddress(), 0, 6),
    ).to.be.revertedWithCustomError(engine, "InvalidHeartbeat");
  });

  it("rejects a missing feed, a stale answer per feed heartbeat, a future answer and non-positive answers", async () => {
    const { engine, owner } = await loadFixture(oracleFixture);
    const fast = await deployFeed(owner, 10n ** 8n);
    const slow = await deployFeed(owner, 10n ** 8n);
    const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address];
    await expect(engine.getPrice(CHAIN, a)).to.be.revertedWithCustomError(engine, "NoFeed").withArgs(CHAIN, a);
    await engine.setFeed(CHAIN, a, await fast.getAddress(), 3600, 18);
    await engine.setFeed(CHAIN, b, await slow.getAddress(), 86400, 18);
    await time.increase(3601);
    const [, , , updatedAt] = await fast.latestRoundData();
    await expect(engine.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(engine, "StalePrice")
      .withArgs(await fast.getAddress(), updatedAt);
    expect(await engine.getPrice(CHAIN, b)).to.be.gt(0n); // its own heartbeat is a day
    const now = await time.latest();
    await fast.updateRoundData(10n ** 8n, now + 600);
    await expect(engine.getPrice(CHAIN, a)).to.be.revertedWithCustomError(engine, "StalePrice");
    await fast.updateAnswer(0);
    await expect(engine.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(engine, "InvalidPrice")
      .withArgs(await fast.getAddress(), 0);
    await fast.updateAnswer(-1);
    await expect(engine.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(engine, "InvalidPrice")
      .withArgs(await fast.getAddress(), -1);
  });

  it("a feed that reverts passes its revert on; one without code or with a short answer gives no price", async () => {
    const { engine, owner } = await loadFixture(oracleFixture);
    const feed = await deployFeed(owner, 10n ** 8n);
    const asset = Wallet.createRandom().address;
    await engine.setFeed(CHAIN, asset, await feed.getAddress(), 3600, 18);
    expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    const feedAddress = await feed.getAddress();
    const setCode = (code: string) => hre.network.provider.send("hardhat_setCode", [feedAddress, code]);
    // PUSH4 0xdeadbeef, MSTORE at 0, REVERT(28, 4): reverts with the 4 bytes 0xdeadbeef.
    await setCode("0x63deadbeef6000526004601cfd");
    const data = await engine.getPrice
      .staticCall(CHAIN, asset)
      .then(() => "no revert")
      .catch((e: { data?: string }) => e.data);
    expect(data).to.equal("0xdeadbeef");
    // RETURN(0, 64): two words where latestRoundData returns five.
    await setCode("0x60406000f3");
    await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithoutReason();
    await setCode("0x");
    await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithoutReason();
  });

  it("is configured by its owner only and reports its feeds", async () => {
    const { engine, owner, other } = await loadFixture(oracleFixture);
    const feed = await deployFeed(owner, 10n ** 8n);
    const asset = Wallet.createRandom().address;
    await expect(
      engine.connect(other).setFeed(CHAIN, asset, await feed.getAddress(), 3600, 6),
    ).to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount");
    await expect(engine.setFeed(CHAIN, asset, await feed.getAddress(), 3600, 6))
      .to.emit(engine, "FeedSet")
      .withArgs(CHAIN, asset, await feed.getAddress(), 3600, 8, 6);
    const config = await engine.feedOf(CHAIN, asset);
    expect(config.feed).to.equal(await feed.getAddress());
    expect(config.heartbeat).to.equal(3600n);
    expect(config.scaleExponent).to.equal(22n);
  });

  describe("min/max bounds", () => {
    async function boundedFixture() {
      const f = await oracleFixture();
      const feed = await deployFeed(f.owner, 3000n * 10n ** 8n);
      const asset = Wallet.createRandom().address;
      await f.engine.setFeed(CHAIN, asset, await feed.getAddress(), 3600, 18);
      return { ...f, feed, asset };
    }

    it("refuses answers at or beyond the bounds (Chainlink pins its answer there), accepts those inside", async () => {
      const { engine, feed, asset } = await loadFixture(boundedFixture);
      const [min, max] = [100n * 10n ** 8n, 100_000n * 10n ** 8n];
      await expect(engine.setFeedBounds(CHAIN, asset, min, max))
        .to.emit(engine, "FeedBoundsSet")
        .withArgs(CHAIN, asset, min, max);
      expect(await engine.boundsOf(CHAIN, asset)).to.deep.equal([min, max]);
      const feedAddress = await feed.getAddress();
      for (const pinned of [min, min - 1n, 1n]) {
        await feed.updateAnswer(pinned);
        await expect(engine.getPrice(CHAIN, asset))
          .to.be.revertedWithCustomError(engine, "PriceOutOfBounds")
          .withArgs(feedAddress, pinned, min, max);
      }
      for (const pinned of [max, max + 1n]) {
        await feed.updateAnswer(pinned);
        await expect(engine.getPrice(CHAIN, asset))
          .to.be.revertedWithCustomError(engine, "PriceOutOfBounds")
          .withArgs(feedAddress, pinned, min, max);
      }
      await feed.updateAnswer(min + 1n);
      expect(await engine.getPrice(CHAIN, asset)).to.equal((min + 1n) * 10n ** 10n);
      await feed.updateAnswer(max - 1n);
      expect(await engine.getPrice(CHAIN, asset)).to.equal((max - 1n) * 10n ** 10n);
      // Still: ≤ 0 is an invalid price before it is out of bounds.
      await feed.updateAnswer(0n);
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "InvalidPrice");
    });

    it("a zero bound is no bound; a new feed clears the old feed's bounds", async () => {
      const { engine, owner, feed, asset } = await loadFixture(boundedFixture);
      await engine.setFeedBounds(CHAIN, asset, 0n, 5000n * 10n ** 8n); // a ceiling only
      await feed.updateAnswer(1n);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 10n);
      await feed.updateAnswer(5000n * 10n ** 8n);
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "PriceOutOfBounds");
      await engine.setFeedBounds(CHAIN, asset, 10n ** 8n, 0n); // a floor only
      await feed.updateAnswer(10n ** 30n);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 40n);
      await feed.updateAnswer(10n ** 8n);
      await expect(engine.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(engine, "PriceOutOfBounds")
        .withArgs(await feed.getAddress(), 10n ** 8n, 10n ** 8n, 0n);
      const other = await deployFeed(owner, 10n ** 8n, 8);
      await engine.setFeed(CHAIN, asset, await other.getAddress(), 3600, 18);
      expect(await engine.boundsOf(CHAIN, asset)).to.deep.equal([0n, 0n]);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("validates bounds: set feed, non-negative, min below max, representable; owner only", async () => {
      const { engine, other, asset } = await loadFixture(boundedFixture);
      const unknown = Wallet.createRandom().address;
      await expect(engine.setFeedBounds(CHAIN, unknown, 1n, 2n))
        .to.be.revertedWithCustomError(engine, "NoFeed")
        .withArgs(CHAIN, unknown);
      await expect(engine.setFeedBounds(CHAIN, asset, 5n, 5n))
        .to.be.revertedWithCustomError(engine, "InvalidBounds")
        .withArgs(5n, 5n);
      await expect(engine.setFeedBounds(CHAIN, asset, -1n, 0n))
        .to.be.revertedWithCustomError(engine, "InvalidBounds")
        .withArgs(-1n, 0n);
      await expect(engine.setFeedBounds(CHAIN, asset, 0n, 65536n)) // 5 significant digits above 65535
        .to.be.revertedWithCustomError(engine, "InvalidBounds")
        .withArgs(0n, 65536n);
      await expect(engine.setFeedBounds(CHAIN, asset, 0n, 10n ** 59n))
        .to.be.revertedWithCustomError(engine, "InvalidBounds")
        .withArgs(0n, 10n ** 59n);
      await engine.setFeedBounds(CHAIN, asset, 65535n, 65535n * 10n ** 58n);
      expect(await engine.boundsOf(CHAIN, asset)).to.deep.equal([65535n, 65535n * 10n ** 58n]);
      await expect(engine.connect(other).setFeedBounds(CHAIN, asset, 1n, 2n)).to.be.revertedWithCustomError(
        engine,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("L2 sequencer uptime", () => {
    const GRACE = 3600;
    async function l2Fixture() {
      const f = await oracleFixture();
      const feed = await deployFeed(f.owner, 10n ** 8n);
      const asset = Wallet.createRandom().address;
      await f.engine.setFeed(CHAIN, asset, await feed.getAddress(), 86400, 18);
      const sequencer = await deployFeed(f.owner, 0n, 0); // 0 = up, since deployment
      return { ...f, feed, asset, sequencer };
    }

    it("refuses prices while the sequencer is down and for the grace period after it is back", async () => {
      const { engine, feed, asset, sequencer } = await loadFixture(l2Fixture);
      await time.increase(GRACE); // up for a while
      await expect(engine.setSequencerUptimeFeed(await sequencer.getAddress(), GRACE))
        .to.emit(engine, "SequencerUptimeFeedSet")
        .withArgs(await sequencer.getAddress(), GRACE);
      const config = await engine.sequencerUptimeFeed();
      expect([config.feed, config.gracePeriod]).to.deep.equal([await sequencer.getAddress(), BigInt(GRACE)]);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n);

      await sequencer.updateAnswer(1n); // down
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "SequencerDown");
      await time.increase(600);
      const upSince = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(upSince);
      await sequencer.updateAnswer(0n); // back up
      await feed.updateAnswer(10n ** 8n);
      await expect(engine.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(engine, "GracePeriodNotOver")
        .withArgs(upSince);
      await time.increaseTo(upSince + GRACE - 2); // a call runs one second later: still 1 s short
      await expect(engine.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(engine, "GracePeriodNotOver")
        .withArgs(upSince);
      await time.increaseTo(upSince + GRACE);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("treats an unknown status or a round never started as down; zero address turns the check off", async () => {
      const { engine, asset, sequencer } = await loadFixture(l2Fixture);
      await engine.setSequencerUptimeFeed(await sequencer.getAddress(), 0);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n); // no grace: usable while up
      await sequencer.updateAnswer(2n);
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "SequencerDown");
      await sequencer.updateRoundData(0n, 0n); // startedAt 0
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "SequencerDown");
      await sequencer.updateRoundData(0n, (await time.latest()) + 100); // from the future: not yet trusted
      await expect(engine.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(engine, "GracePeriodNotOver");
      await expect(engine.setSequencerUptimeFeed(ZeroAddress, 0))
        .to.emit(engine, "SequencerUptimeFeedSet")
        .withArgs(ZeroAddress, 0);
      expect(await engine.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("is set by the owner only", async () => {
      const { engine, other, sequencer } = await loadFixture(l2Fixture);
      await expect(
        engine.connect(other).setSequencerUptimeFeed(await sequencer.getAddress(), GRACE),
      ).to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount");
    });
  });
});
