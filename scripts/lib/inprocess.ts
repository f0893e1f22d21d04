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
  // Hardhat's own ethers provider talks to the EIP-1193 provider directly: no JSON-RPC cache in between.
  const provider = new HardhatEthersProvider(eip1193, name);
  const addresses = (await eip1193.send("eth_accounts", [])) as string[];
  const signers = await Promise.all(addresses.map((a) => provider.getSigner(a)));
  const actual = BigInt((await eip1193.send("eth_chainId", [])) as string);
  if (actual !== BigInt(chainId)) throw new Error(`${name}: expected chain id ${chainId}, provider says ${actual}`);
  return { name, chainId: BigInt(chainId), provider, signers, send: (method, params) => eip1193.send(method, params) };
}
