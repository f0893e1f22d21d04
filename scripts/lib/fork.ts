/**
 * Fork mode of the multi-chain harness: which network each chain of a world forks, and the test-only state a fork
 * needs (a mock feed placed at a real feed's address, token balances set in storage like forge's `deal`).
 *
 * The world's hub forks the testnet environment's hub (Sepolia) and its source chains fork the environment's spokes in
 * order (alpha = Arbitrum Sepolia, beta = Base Sepolia, ...), each with its real chain id. A chain forks
 * `FORK_<NETWORK>_URL` (at `FORK_<NETWORK>_BLOCK`, else the node's latest when the world starts); `npm run test:fork`
 * sets these to local rehearsal nodes when none is given (scripts/test-fork.ts).
 */
import { Contract, toBeHex, zeroPadValue, keccak256, AbiCoder } from "ethers";
import { ADDRESS_BOOK, forkVarsOf } from "../../deploy/networks";
import { testnet } from "../../deploy/config/testnet";
import type { NetworkEntry } from "../../deploy/types";
import type { AccountSigner, Chain } from "./chain";
import type { ForkSource } from "./inprocess";
import type { Signer } from "ethers";
import type { BridgeKind, BridgeStack, BridgedChain } from "./bridges";
import type { ChainDeploymentRecord } from "../../deploy/types";
import {
  CCIPAdapter__factory,
  HyperlaneAdapter__factory,
  LayerZeroAdapter__factory,
  Messenger__factory,
  MockPriceFeed__factory,
  type EndpointV2Mock,
  type MockCCIPRouter,
  type MockMailbox,
  type MockPriceFeed,
  type TestLzMessageLib,
} from "../../typechain-types";
import { send } from "../../deploy/orchestrator";

/** The variable that switches the test helpers' worlds to fork mode (set by `npm run test:fork`). */
export const FORK_MODE_VAR = "XM_FORK";

/** The networks a fork world uses, hub first: the testnet environment's hub, then its spokes in order. */
export const FORK_NETWORKS: readonly string[] = [testnet.hub, ...testnet.spokes];

/** Whether worlds are built on forks (`XM_FORK=1`). */
export function forkMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[FORK_MODE_VAR] === "1";
}

/** The network a world chain forks: the hub's, or the `index`-th source chain's. */
export function forkNetworkOf(role: "hub" | number, book: Record<string, NetworkEntry> = ADDRESS_BOOK): NetworkEntry {
  const name = role === "hub" ? FORK_NETWORKS[0] : FORK_NETWORKS[1 + role];
  if (name === undefined) {
    throw new Error(
      `fork mode: a world with source chain #${Number(role) + 1} needs a network; the book has ${FORK_NETWORKS.length - 1} spokes`,
    );
  }
  return book[name];
}

/** Where `network` is forked from, from its `FORK_<NETWORK>_URL` / `FORK_<NETWORK>_BLOCK`. */
export function forkSourceOf(network: string, env: NodeJS.ProcessEnv = process.env): ForkSource {
  const vars = forkVarsOf(network);
  const url = env[vars.url];
  if (!url) {
    throw new Error(`fork mode: ${vars.url} is not set (npm run test:fork starts local nodes and sets it)`);
  }
  const block = env[vars.block] || undefined; // empty = unset, as in .env.example
  if (block !== undefined && !/^\d+$/.test(block)) throw new Error(`${vars.block}="${block}" is not a block number`);
  return { url, blockNumber: block === undefined ? undefined : Number(block) };
}

/** The feed of the book that prices a world token symbol on the hub (WETH -> ETH/USD, ...), if there is one. */
export const BOOK_FEED_OF: Record<string, string> = { WETH: "ETH/USD", WBTC: "BTC/USD", USDC: "USDC/USD" };

/**
 * Puts a {@link MockPriceFeed} at `address` (a real Chainlink feed on the fork), answering what the real feed answers
 * at the fork block (`fallbackAnswer` when nothing answers there). Tests move prices through it, as in-process.
 */
export async function placeMockFeed(
  chain: Chain,
  deployer: AccountSigner,
  address: string,
  decimals: number,
  fallbackAnswer: bigint,
  description: string,
): Promise<{ feed: MockPriceFeed; answer: bigint }> {
  let answer = fallbackAnswer;
  if ((await chain.provider.getCode(address)) !== "0x") {
    const real = new Contract(
      address,
      ["function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)"],
      chain.provider,
    );
    answer = BigInt((await real.latestRoundData())[1]);
  }
  // Deploy, then move the code; the storage it needs (description, the first round) is written through the copy.
  const template = await new MockPriceFeed__factory(deployer).deploy(decimals, answer, description);
  await template.waitForDeployment();
  const templateAddress = await template.getAddress();
  await chain.send("hardhat_setCode", [address, await chain.provider.getCode(templateAddress)]);
  // Slot 0 holds the (short) description string; a real feed's storage under the other slots is overwritten below.
  await chain.send("hardhat_setStorageAt", [address, "0x0", await chain.provider.getStorage(templateAddress, 0)]);
  await chain.send("hardhat_setStorageAt", [address, "0x1", toBeHex(0, 32)]);
  const feed = MockPriceFeed__factory.connect(address, deployer);
  await send(feed.updateAnswer(answer));
  return { feed, answer };
}

/** Balance slots found by {@link deal}, by chain id and token. */
const balanceSlots = new Map<string, (holder: string) => string>();

/**
 * Sets `holder`'s balance of `token` to `amount` by writing the token's storage, like forge's `deal`: finds the
 * balance mapping by writing a marker into candidate slots (Solidity and Vyper layouts, slots 0-49) and reading
 * `balanceOf`. Works on proxies (the storage is the proxy's). Total supply is left as it is.
 */
export async function deal(chain: Chain, token: string, holder: string, amount: bigint): Promise<void> {
  const erc20 = new Contract(token, ["function balanceOf(address) view returns (uint256)"], chain.provider);
  const key = `${chain.chainId}:${token.toLowerCase()}`;
  let slotOf = balanceSlots.get(key);
  if (!slotOf) {
    const coder = AbiCoder.defaultAbiCoder();
    const marker = 0x1234567890abcdefn;
    for (let i = 0; i < 50 && !slotOf; i++) {
      const layouts = [
        (h: string) => keccak256(coder.encode(["address", "uint256"], [h, i])),
        (h: string) => keccak256(coder.encode(["uint256", "address"], [i, h])),
      ];
      for (const layout of layouts) {
        const slot = layout(holder);
        const before = await chain.provider.getStorage(token, slot);
        await chain.send("hardhat_setStorageAt", [token, slot, toBeHex(marker, 32)]);
        const seen = BigInt(await erc20.balanceOf(holder));
        await chain.send("hardhat_setStorageAt", [token, slot, zeroPadValue(before, 32)]);
        if (seen === marker) {
          slotOf = layout;
          break;
        }
      }
    }
    if (!slotOf) throw new Error(`${chain.name}: no balance slot found for token ${token} (slots 0-49)`);
    balanceSlots.set(key, slotOf);
  }
  await chain.send("hardhat_setStorageAt", [token, slotOf(holder), toBeHex(amount, 32)]);
  const now = BigInt(await erc20.balanceOf(holder));
  if (now !== amount) throw new Error(`${chain.name}: deal of ${token} to ${holder} left ${now}, not ${amount}`);
}

/** A stand-in for a harness contract that a fork does not have: any use says so (the test should skip on forks). */
function harnessOnly<T extends object>(what: string, network: string): T {
  return new Proxy({} as T, {
    get(_, prop) {
      if (prop === "then") return undefined; // not a promise
      throw new Error(
        `${what}.${String(prop)}: the in-process bridge harness; a fork of ${network} has the bridge's real contracts (skip this test on forks)`,
      );
    },
  });
}

/**
 * The chain's bridge stacks as tests see them (`world.bridges.chains`): xmargin's adapters; the harness fields
 * (mock endpoint, library, router, mailbox) throw on use, since a fork has the bridges' real contracts.
 */
export function forkBridgedChainOf(chain: Chain, record: ChainDeploymentRecord, signer: Signer): BridgedChain {
  const stacks: Partial<Record<BridgeKind, BridgeStack>> = {};
  const a = record.adapters;
  if (a.layerzero) {
    stacks.layerzero = {
      kind: "layerzero",
      adapter: LayerZeroAdapter__factory.connect(a.layerzero.address, signer),
      endpoint: harnessOnly<EndpointV2Mock>("layerzero endpoint", record.network),
      lib: harnessOnly<TestLzMessageLib>("layerzero lib", record.network),
    };
  }
  if (a.ccip) {
    stacks.ccip = {
      kind: "ccip",
      adapter: CCIPAdapter__factory.connect(a.ccip.address, signer),
      router: harnessOnly<MockCCIPRouter>("ccip router", record.network),
    };
  }
  if (a.hyperlane) {
    stacks.hyperlane = {
      kind: "hyperlane",
      adapter: HyperlaneAdapter__factory.connect(a.hyperlane.address, signer),
      mailbox: harnessOnly<MockMailbox>("hyperlane mailbox", record.network),
    };
  }
  return { chain, messenger: Messenger__factory.connect(record.contracts.messenger.address, signer), stacks };
}
