/** Fork mode of the multi-chain harness (scripts/lib/fork.ts, createChain's `forking`) on a local anvil node. */
import { expect } from "chai";
import hre from "hardhat";
import { createChain } from "../../scripts/lib/inprocess";
import { deal, forkSourceOf, placeMockFeed } from "../../scripts/lib/fork";
import { startAnvil, stopNode, type Node } from "../../scripts/rehearse";
import { ADDRESS_BOOK, forkVarsOf } from "../../deploy/networks";
import { MockERC20__factory, MockPriceFeed__factory } from "../../typechain-types";

describe("fork mode", () => {
  let node: Node;
  let token: string;
  let feed: string;
  const net = ADDRESS_BOOK.arbitrumSepolia;

  before(async function () {
    this.timeout(60_000);
    node = await startAnvil(net, 30549);
    const deployer = node.chain.signers[0];
    const t = await new MockERC20__factory(deployer).deploy("T", "T", 6);
    await t.waitForDeployment();
    token = await t.getAddress();
    await (await t.mint(node.chain.signers[1].address, 7n)).wait();
    const f = await new MockPriceFeed__factory(deployer).deploy(8, 2_345n * 10n ** 8n, "ETH / USD");
    await f.waitForDeployment();
    feed = await f.getAddress();
  });

  after(async () => {
    (node.chain.provider as { destroy?: () => void }).destroy?.();
    await stopNode(node);
  });

  it("names the variables after the address book's keys", () => {
    expect(forkVarsOf("sepolia")).to.deep.equal({ url: "FORK_SEPOLIA_URL", block: "FORK_SEPOLIA_BLOCK" });
    expect(forkVarsOf("arbitrumSepolia").url).to.equal("FORK_ARBITRUM_SEPOLIA_URL");
    expect(forkVarsOf("baseSepolia").block).to.equal("FORK_BASE_SEPOLIA_BLOCK");
    expect(forkVarsOf("optimismSepolia").url).to.equal("FORK_OPTIMISM_SEPOLIA_URL");
    expect(
      forkSourceOf("baseSepolia", { FORK_BASE_SEPOLIA_URL: "http://x", FORK_BASE_SEPOLIA_BLOCK: "12" }),
    ).to.deep.equal({ url: "http://x", blockNumber: 12 });
    expect(() => forkSourceOf("sepolia", {})).to.throw("FORK_SEPOLIA_URL is not set");
    expect(() => forkSourceOf("sepolia", { FORK_SEPOLIA_URL: "http://x", FORK_SEPOLIA_BLOCK: "latest" })).to.throw(
      "is not a block number",
    );
  });

  it("a fork answers the network's real chain id, is pinned to the node's block, and writes nothing back", async () => {
    const pinned = await node.chain.provider.getBlockNumber();
    const fork = await createChain(hre, "arb", net.chainId, { accounts: 3, forking: { url: node.url } });
    expect(await fork.send("eth_chainId", [])).to.equal(`0x${net.chainId.toString(16)}`);
    expect(await fork.provider.getBlockNumber()).to.equal(pinned + 1); // createChain mines one local block
    const onFork = MockERC20__factory.connect(token, fork.signers[0]);
    expect(await onFork.balanceOf(fork.signers[1].address)).to.equal(7n); // the node's state
    await (await onFork.mint(fork.signers[1].address, 1n)).wait();
    expect(await onFork.balanceOf(fork.signers[1].address)).to.equal(8n);
    expect(await MockERC20__factory.connect(token, node.chain.provider).balanceOf(fork.signers[1].address)).to.equal(
      7n,
    );
    // Pinned to an older block (the token's deployment, before the mint): that block's state.
    const older = await createChain(hre, "arb-old", net.chainId, {
      accounts: 3,
      forking: { url: node.url, blockNumber: 1 },
    });
    expect(await older.provider.getCode(token)).to.not.equal("0x");
    expect(await MockERC20__factory.connect(token, older.provider).balanceOf(older.signers[1].address)).to.equal(0n);
  });

  it("refuses a node that serves another chain", async () => {
    await expect(createChain(hre, "wrong", 11155111, { accounts: 1, forking: { url: node.url } })).to.be.rejectedWith(
      "serves chain 421614, expected 11155111",
    );
  });

  it("deal writes a balance through the token's storage; placeMockFeed keeps the feed's answer and takes new ones", async () => {
    const fork = await createChain(hre, "arb", net.chainId, { accounts: 3, forking: { url: node.url } });
    const who = fork.signers[2].address;
    await deal(fork, token, who, 123_456n);
    expect(await MockERC20__factory.connect(token, fork.provider).balanceOf(who)).to.equal(123_456n);
    expect(await MockERC20__factory.connect(token, fork.provider).balanceOf(fork.signers[1].address)).to.equal(7n);

    const { feed: mock, answer } = await placeMockFeed(fork, fork.signers[0], feed, 8, 1n, "ETH / USD");
    expect(answer).to.equal(2_345n * 10n ** 8n);
    expect(await mock.getAddress()).to.equal(feed);
    expect((await mock.latestRoundData())[1]).to.equal(answer);
    expect(await mock.description()).to.equal("ETH / USD");
    await (await mock.updateAnswer(2_000n * 10n ** 8n)).wait();
    expect((await mock.latestRoundData())[1]).to.equal(2_000n * 10n ** 8n);
    // Nothing at the address on the node: the fallback answer.
    const empty = "0x000000000000000000000000000000000000dEaD";
    expect((await placeMockFeed(fork, fork.signers[0], empty, 8, 5n, "X / USD")).answer).to.equal(5n);
  });
});
