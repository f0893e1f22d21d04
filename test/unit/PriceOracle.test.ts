import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, parseUnits } from "ethers";
import { PriceOracle__factory } from "../../typechain-types";
import { deployFeed } from "../helpers/hub";

const CHAIN = 31338n;

async function oracleFixture() {
  const [owner, other] = await hre.ethers.getSigners();
  const oracle = await new PriceOracle__factory(owner).deploy(owner.address);
  return { oracle, owner, other };
}

/** USD value (1e18) of `amount` raw units at `price` (the oracle's normalised price). */
const value = (amount: bigint, price: bigint) => (amount * price) / 10n ** 18n;

describe("PriceOracle", () => {
  for (const tokenDecimals of [0, 2, 6, 8, 18]) {
    for (const feedDecimals of [8, 18]) {
      it(`normalises a ${tokenDecimals}-decimal token on a ${feedDecimals}-decimal feed: same USD for the same amount`, async () => {
        const { oracle, owner } = await loadFixture(oracleFixture);
        const feed = await deployFeed(owner, (1234n * 10n ** BigInt(feedDecimals)) / 100n, feedDecimals); // $12.34
        const asset = Wallet.createRandom().address;
        await oracle.setFeed(CHAIN, asset, await feed.getAddress(), 3600, tokenDecimals);
        const price = await oracle.getPrice(CHAIN, asset);
        const oneToken = 10n ** BigInt(tokenDecimals);
        expect(value(oneToken, price)).to.equal(parseUnits("12.34", 18));
        expect(value(1000n * oneToken, price)).to.equal(parseUnits("12340", 18));
      });
    }
  }

  it("refuses more than 18 decimals at configuration", async () => {
    const { oracle, owner } = await loadFixture(oracleFixture);
    const feed = await deployFeed(owner, 10n ** 8n);
    await expect(oracle.setFeed(CHAIN, Wallet.createRandom().address, await feed.getAddress(), 3600, 19))
      .to.be.revertedWithCustomError(oracle, "InvalidDecimals")
      .withArgs(8, 19);
    const wide = await deployFeed(owner, 10n ** 20n, 20);
    await expect(oracle.setFeed(CHAIN, Wallet.createRandom().address, await wide.getAddress(), 3600, 6))
      .to.be.revertedWithCustomError(oracle, "InvalidDecimals")
      .withArgs(20, 6);
    await expect(
      oracle.setFeed(CHAIN, Wallet.createRandom().address, await feed.getAddress(), 0, 6),
    ).to.be.revertedWithCustomError(oracle, "InvalidHeartbeat");
  });

  it("rejects a missing feed, a stale answer per feed heartbeat, a future answer and non-positive answers", async () => {
    const { oracle, owner } = await loadFixture(oracleFixture);
    const fast = await deployFeed(owner, 10n ** 8n);
    const slow = await deployFeed(owner, 10n ** 8n);
    const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address];
    await expect(oracle.getPrice(CHAIN, a)).to.be.revertedWithCustomError(oracle, "NoFeed").withArgs(CHAIN, a);
    await oracle.setFeed(CHAIN, a, await fast.getAddress(), 3600, 18);
    await oracle.setFeed(CHAIN, b, await slow.getAddress(), 86400, 18);
    await time.increase(3601);
    const [, , , updatedAt] = await fast.latestRoundData();
    await expect(oracle.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(oracle, "StalePrice")
      .withArgs(await fast.getAddress(), updatedAt);
    expect(await oracle.getPrice(CHAIN, b)).to.be.gt(0n); // its own heartbeat is a day
    const now = await time.latest();
    await fast.updateRoundData(10n ** 8n, now + 600);
    await expect(oracle.getPrice(CHAIN, a)).to.be.revertedWithCustomError(oracle, "StalePrice");
    await fast.updateAnswer(0);
    await expect(oracle.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(oracle, "InvalidPrice")
      .withArgs(await fast.getAddress(), 0);
    await fast.updateAnswer(-1);
    await expect(oracle.getPrice(CHAIN, a))
      .to.be.revertedWithCustomError(oracle, "InvalidPrice")
      .withArgs(await fast.getAddress(), -1);
  });

  it("is configured by its owner only and reports its feeds", async () => {
    const { oracle, owner, other } = await loadFixture(oracleFixture);
    const feed = await deployFeed(owner, 10n ** 8n);
    const asset = Wallet.createRandom().address;
    await expect(
      oracle.connect(other).setFeed(CHAIN, asset, await feed.getAddress(), 3600, 6),
    ).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount");
    await expect(oracle.setFeed(CHAIN, asset, await feed.getAddress(), 3600, 6))
      .to.emit(oracle, "FeedSet")
      .withArgs(CHAIN, asset, await feed.getAddress(), 3600, 8, 6);
    const config = await oracle.feedOf(CHAIN, asset);
    expect(config.feed).to.equal(await feed.getAddress());
    expect(config.heartbeat).to.equal(3600n);
    expect(config.scaleExponent).to.equal(22n);
  });

  describe("min/max bounds", () => {
    async function boundedFixture() {
      const f = await oracleFixture();
      const feed = await deployFeed(f.owner, 3000n * 10n ** 8n);
      const asset = Wallet.createRandom().address;
      await f.oracle.setFeed(CHAIN, asset, await feed.getAddress(), 3600, 18);
      return { ...f, feed, asset };
    }

    it("refuses answers at or beyond the bounds (Chainlink pins its answer there), accepts those inside", async () => {
      const { oracle, feed, asset } = await loadFixture(boundedFixture);
      const [min, max] = [100n * 10n ** 8n, 100_000n * 10n ** 8n];
      await expect(oracle.setFeedBounds(CHAIN, asset, min, max))
        .to.emit(oracle, "FeedBoundsSet")
        .withArgs(CHAIN, asset, min, max);
      expect(await oracle.boundsOf(CHAIN, asset)).to.deep.equal([min, max]);
      const feedAddress = await feed.getAddress();
      for (const pinned of [min, min - 1n, 1n]) {
        await feed.updateAnswer(pinned);
        await expect(oracle.getPrice(CHAIN, asset))
          .to.be.revertedWithCustomError(oracle, "PriceOutOfBounds")
          .withArgs(feedAddress, pinned, min, max);
      }
      for (const pinned of [max, max + 1n]) {
        await feed.updateAnswer(pinned);
        await expect(oracle.getPrice(CHAIN, asset))
          .to.be.revertedWithCustomError(oracle, "PriceOutOfBounds")
          .withArgs(feedAddress, pinned, min, max);
      }
      await feed.updateAnswer(min + 1n);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal((min + 1n) * 10n ** 10n);
      await feed.updateAnswer(max - 1n);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal((max - 1n) * 10n ** 10n);
      // Still: ≤ 0 is an invalid price before it is out of bounds.
      await feed.updateAnswer(0n);
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "InvalidPrice");
    });

    it("a zero bound is no bound; a new feed clears the old feed's bounds", async () => {
      const { oracle, owner, feed, asset } = await loadFixture(boundedFixture);
      await oracle.setFeedBounds(CHAIN, asset, 0n, 5000n * 10n ** 8n); // a ceiling only
      await feed.updateAnswer(1n);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 10n);
      await feed.updateAnswer(5000n * 10n ** 8n);
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "PriceOutOfBounds");
      await oracle.setFeedBounds(CHAIN, asset, 10n ** 8n, 0n); // a floor only
      await feed.updateAnswer(10n ** 30n);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 40n);
      await feed.updateAnswer(10n ** 8n);
      await expect(oracle.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(oracle, "PriceOutOfBounds")
        .withArgs(await feed.getAddress(), 10n ** 8n, 10n ** 8n, 0n);
      const other = await deployFeed(owner, 10n ** 8n, 8);
      await oracle.setFeed(CHAIN, asset, await other.getAddress(), 3600, 18);
      expect(await oracle.boundsOf(CHAIN, asset)).to.deep.equal([0n, 0n]);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("validates bounds: set feed, non-negative, min below max, representable; owner only", async () => {
      const { oracle, other, asset } = await loadFixture(boundedFixture);
      const unknown = Wallet.createRandom().address;
      await expect(oracle.setFeedBounds(CHAIN, unknown, 1n, 2n))
        .to.be.revertedWithCustomError(oracle, "NoFeed")
        .withArgs(CHAIN, unknown);
      await expect(oracle.setFeedBounds(CHAIN, asset, 5n, 5n))
        .to.be.revertedWithCustomError(oracle, "InvalidBounds")
        .withArgs(5n, 5n);
      await expect(oracle.setFeedBounds(CHAIN, asset, -1n, 0n))
        .to.be.revertedWithCustomError(oracle, "InvalidBounds")
        .withArgs(-1n, 0n);
      await expect(oracle.setFeedBounds(CHAIN, asset, 0n, 65536n)) // 5 significant digits above 65535
        .to.be.revertedWithCustomError(oracle, "InvalidBounds")
        .withArgs(0n, 65536n);
      await expect(oracle.setFeedBounds(CHAIN, asset, 0n, 10n ** 59n))
        .to.be.revertedWithCustomError(oracle, "InvalidBounds")
        .withArgs(0n, 10n ** 59n);
      await oracle.setFeedBounds(CHAIN, asset, 65535n, 65535n * 10n ** 58n);
      expect(await oracle.boundsOf(CHAIN, asset)).to.deep.equal([65535n, 65535n * 10n ** 58n]);
      await expect(oracle.connect(other).setFeedBounds(CHAIN, asset, 1n, 2n)).to.be.revertedWithCustomError(
        oracle,
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
      await f.oracle.setFeed(CHAIN, asset, await feed.getAddress(), 86400, 18);
      const sequencer = await deployFeed(f.owner, 0n, 0); // 0 = up, since deployment
      return { ...f, feed, asset, sequencer };
    }

    it("refuses prices while the sequencer is down and for the grace period after it is back", async () => {
      const { oracle, feed, asset, sequencer } = await loadFixture(l2Fixture);
      await time.increase(GRACE); // up for a while
      await expect(oracle.setSequencerUptimeFeed(await sequencer.getAddress(), GRACE))
        .to.emit(oracle, "SequencerUptimeFeedSet")
        .withArgs(await sequencer.getAddress(), GRACE);
      const config = await oracle.sequencerUptimeFeed();
      expect([config.feed, config.gracePeriod]).to.deep.equal([await sequencer.getAddress(), BigInt(GRACE)]);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 18n);

      await sequencer.updateAnswer(1n); // down
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "SequencerDown");
      await time.increase(600);
      const upSince = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(upSince);
      await sequencer.updateAnswer(0n); // back up
      await feed.updateAnswer(10n ** 8n);
      await expect(oracle.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(oracle, "GracePeriodNotOver")
        .withArgs(upSince);
      await time.increaseTo(upSince + GRACE - 2); // a call runs one second later: still 1 s short
      await expect(oracle.getPrice(CHAIN, asset))
        .to.be.revertedWithCustomError(oracle, "GracePeriodNotOver")
        .withArgs(upSince);
      await time.increaseTo(upSince + GRACE);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("treats an unknown status or a round never started as down; zero address turns the check off", async () => {
      const { oracle, asset, sequencer } = await loadFixture(l2Fixture);
      await oracle.setSequencerUptimeFeed(await sequencer.getAddress(), 0);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 18n); // no grace: usable while up
      await sequencer.updateAnswer(2n);
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "SequencerDown");
      await sequencer.updateRoundData(0n, 0n); // startedAt 0
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "SequencerDown");
      await sequencer.updateRoundData(0n, (await time.latest()) + 100); // from the future: not yet trusted
      await expect(oracle.getPrice(CHAIN, asset)).to.be.revertedWithCustomError(oracle, "GracePeriodNotOver");
      await expect(oracle.setSequencerUptimeFeed(ZeroAddress, 0))
        .to.emit(oracle, "SequencerUptimeFeedSet")
        .withArgs(ZeroAddress, 0);
      expect(await oracle.getPrice(CHAIN, asset)).to.equal(10n ** 18n);
    });

    it("is set by the owner only", async () => {
      const { oracle, other, sequencer } = await loadFixture(l2Fixture);
      await expect(
        oracle.connect(other).setSequencerUptimeFeed(await sequencer.getAddress(), GRACE),
      ).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount");
    });
  });
});
