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
}

/** Starts a fresh in-process chain with `chainId`. */
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
  const config = { ...hre.config, networks: { ...hre.config.networks, hardhat } };
  const eip1193 = await createProvider(config, "hardhat", hre.artifacts);
  forwardCoverage(hre, eip1193);
  // Hardhat's own ethers provider talks to the EIP-1193 provider directly: no JSON-RPC cache in between.
  const provider = new HardhatEthersProvider(eip1193, name);
  const addresses = (await eip1193.send("eth_accounts", [])) as string[];
  const signers = await Promise.all(addresses.map((a) => provider.getSigner(a)));
  const actual = BigInt((await eip1193.send("eth_chainId", [])) as string);
  if (actual !== BigInt(chainId)) throw new Error(`${name}: expected chain id ${chainId}, provider says ${actual}`);
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
