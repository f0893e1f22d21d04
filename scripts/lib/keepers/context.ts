/**
 * What a keeper works with: every chain of a deployment record, each with its own provider (timeout, counters),
 * health and back-off, addresses and tokens, opened without touching the network, so a chain that is down at
 * start only affects its own routes. Signers are resolved lazily per chain for the same reason.
 */
import { Wallet, type Provider, type Signer } from "ethers";
import type { AdapterKind, ChainDeploymentRecord, DeploymentRecordV2 } from "../../../deploy/types";
import type { Identity } from "../deployment";
import { ADDRESS_BOOK } from "../../../deploy/networks";
import { configVariable, howToSet } from "../../../deploy/networks/secrets";
import { ChainHealth, KeeperProvider, DEFAULT_RPC_TIMEOUT_MS, type RpcCounters } from "./rpc";
import { UsageError } from "../cli";

export interface TokenInfo {
  symbol: string;
  decimals: number;
}

export interface KeeperChain {
  name: string;
  chainId: bigint;
  role: "hub" | "spoke";
  provider: Provider;
  /** Counters of `provider` when it is a {@link KeeperProvider}. */
  counters?: () => RpcCounters;
  health: ChainHealth;
  startBlock: number;
  confirmations: number;
  /** Contract addresses by role (messenger, engine, lens, vault, ...). */
  contracts: Record<string, string>;
  /** Adapter addresses by kind. */
  adapters: Partial<Record<AdapterKind, string>>;
  /** Tokens by lower-case address. */
  tokens: Map<string, TokenInfo>;
  /** Blocks per eth_getLogs on this chain (halved after a failure; default 10,000). */
  logRange?: number;
  /** The keeper's signer here (resolved on first use). */
  signer(): Promise<Signer & { getAddress(): Promise<string> }>;
}

export interface KeeperContext {
  env: string;
  hub: KeeperChain;
  spokes: KeeperChain[];
  all: KeeperChain[];
  byId: Map<bigint, KeeperChain>;
  /** Tokens of every chain of the record (opened or not), by chain id then lower-case address. */
  tokensOf: Map<bigint, Map<string, TokenInfo>>;
  /** Network name of every chain of the record, by chain id. */
  nameOf: Map<bigint, string>;
  close(): void;
}

function rpcOf(c: ChainDeploymentRecord): string {
  if (c.rpc) return c.rpc;
  const net = ADDRESS_BOOK[c.network];
  if (!net) throw new UsageError(`${c.network}: the record has no RPC URL and the address book does not know it`);
  const url = configVariable(net.rpcUrlVar);
  if (!url) throw new UsageError(`${c.network}: no RPC URL: ${howToSet(net.rpcUrlVar)}`);
  return url;
}

export interface OpenOptions {
  timeoutMs?: number;
  /** Chains to open (by network name); default all. The liquidator opens only the hub. */
  only?: (c: ChainDeploymentRecord) => boolean;
  /** Override a chain's RPC URL (tests). */
  rpc?: Record<string, string>;
  batchMaxCount?: number;
}

/** Opens every chain of `record` for `who`, without any network request. */
export function openKeeperContext(record: DeploymentRecordV2, who: Identity, opts: OpenOptions = {}): KeeperContext {
  const chains: KeeperChain[] = [];
  for (const c of Object.values(record.chains)) {
    if (opts.only && !opts.only(c)) continue;
    const url = opts.rpc?.[c.network] ?? rpcOf(c);
    const provider = new KeeperProvider(url, c.chainId, opts.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS, {
      batchMaxCount: opts.batchMaxCount,
    });
    let signer: Promise<Signer & { getAddress(): Promise<string> }> | undefined;
    const tokens = new Map<string, TokenInfo>();
    for (const [symbol, t] of Object.entries(c.tokens ?? {})) {
      tokens.set(t.address.toLowerCase(), { symbol, decimals: t.decimals });
    }
    chains.push({
      name: c.network,
      chainId: BigInt(c.chainId),
      role: c.role,
      provider,
      counters: () => provider.counters,
      health: new ChainHealth(c.network, BigInt(c.chainId)),
      startBlock: c.startBlock,
      confirmations: c.confirmations,
      contracts: Object.fromEntries(Object.entries(c.contracts).map(([k, v]) => [k, v.address])),
      adapters: Object.fromEntries(Object.entries(c.adapters).map(([k, v]) => [k, v!.address])),
      tokens,
      signer: () => {
        signer ??= (async () => {
          if ("key" in who) return new Wallet(who.key, provider);
          const s = await provider.getSigner(who.account);
          return s;
        })();
        // A failed resolution (chain down) is retried next time.
        signer.catch(() => (signer = undefined));
        return signer;
      },
    });
  }
  const tokensOf = new Map<bigint, Map<string, TokenInfo>>();
  const nameOf = new Map<bigint, string>();
  for (const c of Object.values(record.chains)) {
    nameOf.set(BigInt(c.chainId), c.network);
    tokensOf.set(
      BigInt(c.chainId),
      new Map(
        Object.entries(c.tokens ?? {}).map(([symbol, t]) => [
          t.address.toLowerCase(),
          { symbol, decimals: t.decimals },
        ]),
      ),
    );
  }
  const hub = chains.find((c) => c.role === "hub");
  if (!hub) throw new UsageError(`the record's hub ${record.hub} is not among the opened chains`);
  return {
    env: record.env,
    hub,
    spokes: chains.filter((c) => c.role === "spoke"),
    all: chains,
    byId: new Map(chains.map((c) => [c.chainId, c])),
    tokensOf,
    nameOf,
    close: () => {
      for (const c of chains) (c.provider as KeeperProvider).destroy();
    },
  };
}

/** RPC requests and calls made on every chain of `ctx` since the last call (and resets them). */
export function takeCounters(ctx: KeeperContext): { requests: number; calls: number } {
  let requests = 0;
  let calls = 0;
  for (const c of ctx.all) {
    if (c.provider instanceof KeeperProvider) {
      const k = c.provider.takeCounters();
      requests += k.requests;
      calls += k.calls;
    }
  }
  return { requests, calls };
}

/** `4.3369 WETH` for `amount` of `asset` on `chain` (raw units with the address when the token is unknown). */
export function formatAmount(tokens: Map<string, TokenInfo> | undefined, asset: string, amount: bigint): string {
  const t = tokens?.get(asset.toLowerCase());
  if (!t) return `${amount} of ${asset}`;
  return `${trimUnits(amount, t.decimals)} ${t.symbol}`;
}

/** Token units with at most 4 decimals shown (`4.3369`), never in scientific notation. */
export function trimUnits(amount: bigint, decimals: number, shown = 4): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  let frac = (abs % unit).toString().padStart(decimals, "0").slice(0, shown).replace(/0+$/, "");
  if (!frac && abs % unit !== 0n && whole === 0n) frac = "0".repeat(shown - 1) + "1";
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}
