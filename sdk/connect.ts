/**
 * Connecting to a deployment: the record (a file path or the object, version 2) names every chain with its
 * contracts, tokens and start block; the caller gives how to reach each chain (RPC URLs, providers or signers)
 * and who signs. Without a signer the client is read-only.
 */
import fs from "fs";
import { JsonRpcProvider, Wallet, getAddress, type ContractRunner, type Provider, type Signer } from "ethers";
import type { ChainDeploymentRecord, DeploymentRecordV2 } from "../deploy/types";
import {
  hubContracts,
  messengerAt,
  tokenAt,
  vaultAt,
  type HubContracts,
  type Messenger,
  type Vault,
} from "./contracts";
import { XMarginError } from "./errors";

export type DeploymentRecord = DeploymentRecordV2;

/** A token of a chain, as the SDK reports it. */
export interface TokenInfo {
  symbol: string;
  address: string;
  decimals: number;
}

/** One chain of the deployment. */
export interface ChainClient {
  /** Network name in the record (`hub`, `alpha`, `sepolia`, ...). */
  name: string;
  chainId: bigint;
  role: "hub" | "spoke";
  record: ChainDeploymentRecord;
  provider: Provider;
  /** Who signs on this chain; undefined for a read-only client. */
  signer?: Signer;
  messenger: Messenger;
  /** The vault (spokes only). */
  vault?: Vault;
  /** Tokens of this chain by symbol. */
  tokens: Record<string, TokenInfo>;
  startBlock: number;
}

export interface HubClient extends ChainClient, HubContracts {
  base: TokenInfo;
}

/** Per chain: keyed by the record's network name or by the chain id in decimal. */
export type PerChain<T> = Record<string, T>;

export interface ConnectOptions {
  /** RPC URL per chain; the record's own `rpc` (devnets, rehearsals) is used for chains not listed. */
  rpc?: PerChain<string>;
  /** Providers per chain (take precedence over URLs). */
  providers?: PerChain<Provider>;
  /** Signers per chain; a signer without a provider gets the chain's provider when it can (a Wallet). */
  signers?: PerChain<Signer>;
  /** A private key that signs on every chain. */
  privateKey?: string;
  /** An unlocked account of dev nodes (index in `eth_accounts`) that signs on every chain. */
  account?: number;
  /** Polling interval of the providers the SDK creates (ms). Default 250. */
  pollingInterval?: number;
}

function pick<T>(map: PerChain<T> | undefined, c: ChainDeploymentRecord): T | undefined {
  return map?.[c.network] ?? map?.[String(c.chainId)];
}

/** Reads and checks a version 2 record from a file. */
export function readDeployment(file: string): DeploymentRecord {
  if (!fs.existsSync(file)) throw new XMarginError(`no deployment record at ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new XMarginError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return checkDeployment(raw, file);
}

/** Checks the shape of a record (version, hub, chains with contracts); `where` names it in errors. */
export function checkDeployment(raw: unknown, where = "deployment record"): DeploymentRecord {
  const r = raw as Partial<DeploymentRecord> | null;
  if (!r || typeof r !== "object") throw new XMarginError(`${where}: not an object`);
  if (r.version !== 2) throw new XMarginError(`${where}: version ${String(r.version)}, expected 2`);
  if (!r.chains || typeof r.chains !== "object") throw new XMarginError(`${where}: no chains`);
  if (!r.hub || !r.chains[r.hub]) throw new XMarginError(`${where}: hub "${String(r.hub)}" is not one of its chains`);
  for (const [name, c] of Object.entries(r.chains)) {
    if (!c.contracts?.messenger) throw new XMarginError(`${where}: chain ${name} has no messenger`);
    if (c.role === "spoke" && !c.contracts.vault) throw new XMarginError(`${where}: spoke ${name} has no vault`);
  }
  return r as DeploymentRecord;
}

/** A connected deployment: every chain's contracts and tokens, bound to the signer when there is one. */
export class XMargin {
  readonly chains: ChainClient[];
  private readonly owned: JsonRpcProvider[];

  constructor(
    readonly record: DeploymentRecord,
    readonly hub: HubClient,
    chains: ChainClient[],
    owned: JsonRpcProvider[],
  ) {
    this.chains = chains;
    this.owned = owned;
  }

  get spokes(): ChainClient[] {
    return this.chains.filter((c) => c.role === "spoke");
  }

  /** A chain by record name or chain id. */
  chain(nameOrId: string | number | bigint): ChainClient {
    const key = String(nameOrId);
    const found = this.chains.find((c) => c.name === key || c.chainId.toString() === key);
    if (!found) {
      throw new XMarginError(`no chain "${key}" in the deployment (${this.chains.map((c) => c.name).join(", ")})`);
    }
    return found;
  }

  /** A source chain (one with a vault) by name or chain id. */
  spoke(nameOrId: string | number | bigint): ChainClient & { vault: Vault } {
    const c = this.chain(nameOrId);
    if (!c.vault) throw new XMarginError(`${c.name} is the hub, not a source chain with a vault`);
    return c as ChainClient & { vault: Vault };
  }

  /** A token of `chain` by symbol (case-insensitive) or address. */
  token(chain: ChainClient, symbolOrAddress: string): TokenInfo {
    const key = symbolOrAddress.toLowerCase();
    const found = Object.values(chain.tokens).find(
      (t) => t.symbol.toLowerCase() === key || t.address.toLowerCase() === key,
    );
    if (!found) {
      throw new XMarginError(
        `no token "${symbolOrAddress}" on ${chain.name} (${Object.keys(chain.tokens).join(", ") || "none"})`,
      );
    }
    return found;
  }

  /** The signer on `chain`, or a clear error for a read-only client. */
  signerOn(chain: ChainClient): Signer {
    if (!chain.signer) throw new XMarginError(`no signer on ${chain.name}: connect with a key, an account or signers`);
    return chain.signer;
  }

  /** The signer's address on `chain`. */
  async address(chain: ChainClient = this.hub): Promise<string> {
    return getAddress(await this.signerOn(chain).getAddress());
  }

  /** Stops the providers the SDK created (their polling timers). */
  close(): void {
    for (const p of this.owned) p.destroy();
  }
}

/**
 * Connects to every chain of `deployment` (a record or the path of its file). Each chain's provider comes from
 * `options.providers`, else the signer's provider, else a URL (`options.rpc`, then the record's `rpc`).
 */
export async function connect(deployment: string | DeploymentRecord, options: ConnectOptions = {}): Promise<XMargin> {
  const record =
    typeof deployment === "string" ? readDeployment(deployment) : checkDeployment(deployment, "deployment record");
  const owned: JsonRpcProvider[] = [];
  const open = async (c: ChainDeploymentRecord): Promise<ChainClient> => {
    const given = pick(options.signers, c);
    let provider = pick(options.providers, c) ?? given?.provider ?? undefined;
    if (!provider) {
      const url = pick(options.rpc, c) ?? c.rpc;
      if (!url) {
        throw new XMarginError(`${c.network}: no RPC URL (the record has none; pass rpc.${c.network} or a provider)`);
      }
      const p = new JsonRpcProvider(url, BigInt(c.chainId), {
        staticNetwork: true,
        cacheTimeout: -1,
        pollingInterval: options.pollingInterval ?? 250,
      });
      owned.push(p);
      provider = p;
    }
    let actual: bigint;
    try {
      actual = (await provider.getNetwork()).chainId;
      if (provider instanceof JsonRpcProvider) actual = BigInt((await provider.send("eth_chainId", [])) as string);
    } catch (e) {
      throw new XMarginError(`${c.network}: cannot reach the node (${e instanceof Error ? e.message : String(e)})`);
    }
    if (actual !== BigInt(c.chainId)) {
      throw new XMarginError(`${c.network}: the node serves chain ${actual}, the record says ${c.chainId}`);
    }
    let signer: Signer | undefined = given;
    if (signer && !signer.provider && signer instanceof Wallet) signer = signer.connect(provider);
    if (!signer && options.privateKey) signer = new Wallet(options.privateKey, provider);
    if (!signer && options.account !== undefined && provider instanceof JsonRpcProvider) {
      signer = await provider.getSigner(options.account);
    }
    if (!signer && options.account !== undefined && !(provider instanceof JsonRpcProvider)) {
      const p = provider as Provider & { getSigner?: (i: number) => Promise<Signer> };
      if (p.getSigner) signer = await p.getSigner(options.account);
    }
    const runner: ContractRunner = signer ?? provider;
    const tokens: Record<string, TokenInfo> = {};
    for (const [symbol, t] of Object.entries(c.tokens)) {
      tokens[symbol] = { symbol, address: getAddress(t.address), decimals: t.decimals };
    }
    return {
      name: c.network,
      chainId: BigInt(c.chainId),
      role: c.role,
      record: c,
      provider,
      signer,
      messenger: messengerAt(c, runner),
      vault: c.role === "spoke" ? vaultAt(c, runner) : undefined,
      tokens,
      startBlock: c.startBlock,
    };
  };
  try {
    const hubRecord = record.chains[record.hub];
    const others = Object.values(record.chains).filter((c) => c.network !== hubRecord.network);
    const [hubChain, ...spokes] = await Promise.all([open(hubRecord), ...others.map(open)]);
    const contracts = hubContracts(hubRecord, hubChain.signer ?? hubChain.provider);
    const baseAddress = getAddress(await contracts.engine.baseToken());
    let base = Object.values(hubChain.tokens).find((t) => t.address === baseAddress);
    if (!base) {
      const t = tokenAt(baseAddress, hubChain.provider);
      base = { symbol: await t.symbol(), address: baseAddress, decimals: Number(await t.decimals()) };
      hubChain.tokens[base.symbol] = base;
    }
    const hub: HubClient = { ...hubChain, ...contracts, base };
    return new XMargin(record, hub, [hub, ...spokes], owned);
  } catch (e) {
    for (const p of owned) p.destroy();
    throw e;
  }
}
