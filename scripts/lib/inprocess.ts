/**
 * Independent in-process EVM chains in one Node process, each with its own chain id, state and clock.
 *
 * Built on Hardhat's provider factory (`hardhat/internal/core/providers/construction#createProvider`) with a
 * copy of the config whose `hardhat` network has another chain id. That module is internal to Hardhat 2: the
 * versions are pinned in package.json and `test/unit/inprocess.test.ts` is its smoke test.
 */
import type { HardhatRuntimeEnvironment, EthereumProvider, HardhatNetworkConfig } from "hardhat/types";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

export interface Chain {
  /** Human name used in logs ("hub", "alpha", ...). */
  name: string;
  chainId: bigint;
  /** The raw EIP-1193 provider (for evm_* methods). */
  eip1193: EthereumProvider;
  provider: HardhatEthersProvider;
  /** Unlocked accounts of this chain (same keys on every chain). */
  signers: HardhatEthersSigner[];
}

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
  return wrapChain(name, chainId, eip1193);
}

/** Wraps an existing provider (e.g. Hardhat's default network) as a {@link Chain}. */
export async function wrapChain(name: string, chainId: number | bigint, eip1193: EthereumProvider): Promise<Chain> {
  const provider = new HardhatEthersProvider(eip1193, name);
  const addresses: string[] = await eip1193.send("eth_accounts", []);
  const signers = await Promise.all(addresses.map((a) => provider.getSigner(a)));
  const actual = BigInt(await eip1193.send("eth_chainId", []));
  if (actual !== BigInt(chainId)) throw new Error(`${name}: expected chain id ${chainId}, provider says ${actual}`);
  return { name, chainId: BigInt(chainId), eip1193, provider, signers };
}

/** Takes a snapshot of every chain; the returned function reverts all of them to it (once). */
export async function snapshotAll(chains: Chain[]): Promise<() => Promise<void>> {
  const ids: string[] = await Promise.all(chains.map((c) => c.eip1193.send("evm_snapshot", [])));
  return async () => {
    const ok: boolean[] = await Promise.all(chains.map((c, i) => c.eip1193.send("evm_revert", [ids[i]])));
    if (ok.some((x) => !x)) throw new Error("evm_revert failed on a chain");
  };
}

/** Moves `chain`'s clock forward by `seconds` and mines a block. */
export async function increaseTime(chain: Chain, seconds: number | bigint): Promise<void> {
  await chain.eip1193.send("evm_increaseTime", [Number(seconds)]);
  await chain.eip1193.send("evm_mine", []);
}

/** Latest block timestamp of `chain`. */
export async function now(chain: Chain): Promise<bigint> {
  const block = await chain.provider.getBlock("latest");
  if (!block) throw new Error(`${chain.name}: no latest block`);
  return BigInt(block.timestamp);
}
