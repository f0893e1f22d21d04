/**
 * Independent in-process EVM chains in one Node process, each with its own chain id, state and clock.
 *
 * Built on Hardhat's provider factory (`hardhat/internal/core/providers/construction#createProvider`) with a
 * copy of the config whose `hardhat` network has another chain id. That module is internal to Hardhat 2: the
 * versions are pinned in package.json and `test/unit/inprocess.test.ts` is its smoke test.
 */
import type { HardhatRuntimeEnvironment, HardhatNetworkConfig } from "hardhat/types";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import type { Chain } from "./chain";

export { type Chain, snapshotAll, increaseTime, now } from "./chain";

export interface ChainOptions {
  /** How many unlocked accounts to create (fewer is faster). Default 10. */
  accounts?: number;
  /**
   * Fork this node instead of starting empty. The chain keeps `chainId` (the network's real one), not Hardhat's
   * 31337. The block is pinned (the remote's latest when not given), so Hardhat's fork cache
   * (`cache/hardhat-network-fork`) answers the second run.
   */
  forking?: ForkSource;
}

/** A node to fork: its JSON-RPC URL and the block to fork at (default: its latest when the chain is created). */
export interface ForkSource {
  url: string;
  blockNumber?: number;
}

/** One JSON-RPC call without arguments to the node at `url`, answered as a number (eth_blockNumber, eth_chainId). */
async function askNumber(url: string, method: string): Promise<bigint> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
  });
  const body = (await res.json()) as { result?: string; error?: { message: string } };
  if (!body.result) throw new Error(`${url}: ${method} failed: ${body.error?.message ?? res.status}`);
  return BigInt(body.result);
}

/** The latest block number of the node at `url`. */
export async function latestBlockOf(url: string): Promise<number> {
  return Number(await askNumber(url, "eth_blockNumber"));
}

/** Starts a fresh in-process chain with `chainId`, or a fork of `options.forking` that answers `chainId`. */
export async function createChain(
  hre: HardhatRuntimeEnvironment,
  name: string,
  chainId: number | bigint,
  options: ChainOptions = {},
): Promise<Chain> {
  const base = hre.config.networks.hardhat;
  const accounts = Array.isArray(base.accounts)
    ? base.accounts.slice(0, options.accounts ?? 10)
    : { ...base.accounts, count: options.accounts ?? 10 };
  const hardhat: HardhatNetworkConfig = { ...base, chainId: Number(chainId), accounts };
  if (options.forking) {
    const blockNumber = options.forking.blockNumber ?? (await latestBlockOf(options.forking.url));
    hardhat.forking = { enabled: true, url: options.forking.url, blockNumber, httpHeaders: {} };
  }
  const config = { ...hre.config, networks: { ...hre.config.networks, hardhat } };
  const eip1193 = await createProvider(config, "hardhat", hre.artifacts);
  forwardCoverage(hre, eip1193);
  // Hardhat's own ethers provider talks to the EIP-1193 provider directly: no JSON-RPC cache in between.
  const provider = new HardhatEthersProvider(eip1193, name);
  const addresses = (await eip1193.send("eth_accounts", [])) as string[];
  const signers = await Promise.all(addresses.map((a) => provider.getSigner(a)));
  const actual = BigInt((await eip1193.send("eth_chainId", [])) as string);
  if (actual !== BigInt(chainId)) throw new Error(`${name}: expected chain id ${chainId}, provider says ${actual}`);
  if (options.forking) {
    // A fork of a node that serves another chain would keep the configured id and the other chain's state.
    const served = await askNumber(options.forking.url, "eth_chainId");
    if (served !== BigInt(chainId)) {
      throw new Error(`${name}: ${options.forking.url} serves chain ${served}, expected ${chainId}`);
    }
    // A call at the fork block itself runs under that block's hardfork, which EDR does not know for most chains
    // ("No known hardfork for execution on historical block", even with Hardhat's `chains` entry for Arbitrum
    // Sepolia). One local block on top makes "latest" a block of the configured hardfork.
    await eip1193.send("evm_mine", []);
  }
  return { name, chainId: BigInt(chainId), provider, signers, send: (method, params) => eip1193.send(method, params) };
}

/** The EVM event emitters of an in-process Hardhat provider (EDR's stand-in for the ethereumjs VM). */
interface StepEvents {
  listeners(event: "step"): ((...args: unknown[]) => void)[];
  on(event: "step", listener: (...args: unknown[]) => void): unknown;
}

function evmEventsOf(provider: unknown): StepEvents | undefined {
  // The same walk solidity-coverage does: down the `_wrapped` chain to the EDR provider wrapper.
  let cur = provider as { _wrapped?: unknown; _node?: { _vm?: { evm?: { events?: StepEvents } } } } | undefined;
  for (let i = 0; cur && i < 20; i++) {
    if (cur._node) return cur._node._vm?.evm?.events;
    cur = cur._wrapped as typeof cur;
  }
  return undefined;
}

/**
 * Under `hardhat coverage`, solidity-coverage listens to the EVM steps of the default chain only. Hand it the
 * steps of this chain too, so that tests on extra in-process chains count. No-op outside coverage.
 */
function forwardCoverage(hre: HardhatRuntimeEnvironment, eip1193: unknown): void {
  if (!(hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) return;
  const from = evmEventsOf(hre.network.provider);
  const to = evmEventsOf(eip1193);
  if (!from || !to) throw new Error("coverage: cannot find the EVM step events of an in-process provider");
  for (const listener of from.listeners("step")) to.on("step", listener);
}
