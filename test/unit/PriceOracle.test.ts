import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, parseUnits } from "ethers";
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
});
