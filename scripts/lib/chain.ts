/**
 * A chain as the scripts and tests see it: a provider, funded signers and raw JSON-RPC access. It is either an
 * in-process Hardhat chain (see inprocess.ts) or a node reached over HTTP (a devnet or a testnet).
 */
import { JsonRpcProvider, Wallet, type Provider, type Signer } from "ethers";

/** A signer whose address is known synchronously. */
export type AccountSigner = Signer & { readonly address: string };

export interface Chain {
  /** Human name used in logs ("hub", "alpha", ...). */
  name: string;
  chainId: bigint;
  provider: Provider;
  /** Accounts of this chain: unlocked dev accounts, or keys given to the script. */
  signers: AccountSigner[];
  /** Raw JSON-RPC, for dev methods (evm_snapshot, evm_increaseTime, ...). */
  send(method: string, params: unknown[]): Promise<unknown>;
}

/**
 * Connects to a node over HTTP. ethers v6 caches JSON-RPC results for 250 ms by default, which makes keepers and
 * tests read stale state right after a transaction: the cache is disabled here. With `keys`, the signers are
 * those private keys; otherwise the node's first `accounts` unlocked accounts (dev nodes).
 */
export async function connectRpc(
  name: string,
  url: string,
  options: { chainId?: bigint; keys?: string[]; accounts?: number; pollingInterval?: number } = {},
): Promise<Chain> {
  const probe = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: false });
  const chainId = (await probe.getNetwork()).chainId;
  probe.destroy();
  if (options.chainId !== undefined && chainId !== options.chainId) {
    throw new Error(`${name}: ${url} serves chain ${chainId}, expected ${options.chainId}`);
  }
  const provider = new JsonRpcProvider(url, chainId, {
    cacheTimeout: -1,
    staticNetwork: true,
    pollingInterval: options.pollingInterval ?? 500,
  });
  let signers: AccountSigner[];
  if (options.keys?.length) {
    signers = options.keys.map((k) => new Wallet(k, provider));
  } else {
    const addresses = (await provider.send("eth_accounts", [])) as string[];
    signers = await Promise.all(addresses.slice(0, options.accounts ?? 10).map((a) => provider.getSigner(a)));
  }
  return { name, chainId, provider, signers, send: (method, params) => provider.send(method, params) };
}

/** Takes a snapshot of every chain; the returned function reverts all of them to it (once). */
export async function snapshotAll(chains: Chain[]): Promise<() => Promise<void>> {
  const ids = await Promise.all(chains.map((c) => c.send("evm_snapshot", [])));
  return async () => {
    const ok = await Promise.all(chains.map((c, i) => c.send("evm_revert", [ids[i]])));
    if (ok.some((x) => !x)) throw new Error("evm_revert failed on a chain");
  };
}

/** Moves `chain`'s clock forward by `seconds` and mines a block. */
export async function increaseTime(chain: Chain, seconds: number | bigint): Promise<void> {
  await chain.send("evm_increaseTime", [Number(seconds)]);
  await chain.send("evm_mine", []);
}

/** Latest block timestamp of `chain`. */
export async function now(chain: Chain): Promise<bigint> {
  const block = await chain.provider.getBlock("latest");
  if (!block) throw new Error(`${chain.name}: no latest block`);
  return BigInt(block.timestamp);
}
