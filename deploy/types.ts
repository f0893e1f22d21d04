/**
 * The shapes of the deploy's inputs (address book, environment config) and output (deployment record).
 *
 * - Address book (`deploy/networks/`): what exists on a network before xmargin: its chain id, the bridges'
 *   endpoints and ids, Chainlink feeds, tokens, explorer. Values come from the bridges' own npm registries where
 *   they publish them (a unit test cross-checks); every other value names its source.
 * - Environment config (`deploy/config/<env>.ts`): what xmargin deploys on which networks and how it is wired
 *   and configured. Validated before any transaction (`deploy/config/validate.ts`).
 * - Record (`deployments/<env>.json`): what was deployed, where and at which block; read by every tool.
 */

/** A bridge adapter kind. `local` is the LocalAdapter carried by the xmargin relayer (devnets, rehearsals). */
export type AdapterKind = "layerzero" | "ccip" | "hyperlane" | "local";
export const ADAPTER_KINDS: readonly AdapterKind[] = ["layerzero", "ccip", "hyperlane", "local"];

/** Where a value that no bridge package publishes was taken from (a URL of the publisher's own page). */
export type Source = string;

export interface LayerZeroEntry {
  /** Endpoint id, from `@layerzerolabs/lz-definitions`. */
  eid: number;
  /** EndpointV2 address (the same on every LayerZero V2 testnet). */
  endpointV2: string;
  /** Optional default libraries and workers; when absent the endpoint's defaults apply. */
  sendLib302?: string;
  receiveLib302?: string;
  executor?: string;
  /** DVN addresses by name (e.g. `layerzeroLabs`). */
  dvns?: Record<string, string>;
  source?: Source;
}

export interface CCIPEntry {
  /** Chain selector (uint64, as a decimal string to survive JSON). */
  chainSelector: string;
  router: string;
  linkToken?: string;
  source?: Source;
}

export interface HyperlaneEntry {
  /** Domain id (usually the chain id). */
  domain: number;
  mailbox: string;
  interchainGasPaymaster: string;
  source?: Source;
}

export interface FeedEntry {
  /** Chainlink AggregatorV3 (proxy) address on this network. */
  address: string;
  /** e.g. "ETH / USD". */
  pair: string;
  /** Answer of the mock feed that rehearsals and `deployTokens` environments put in its place (feed units). */
  mockAnswer?: string;
  decimals: number;
  /** Seconds between updates at most (Chainlink's heartbeat for the feed). */
  heartbeat: number;
  source: Source;
}

export interface TokenEntry {
  address: string;
  symbol: string;
  decimals: number;
  source: Source;
}

export interface NetworkEntry {
  /** The Hardhat network name (`sepolia`, `arbitrumSepolia`, ...), also the key in the book. */
  name: string;
  chainId: number;
  /** Mainnet or testnet (mainnets are a config file away). */
  testnet: boolean;
  /** Name of the Hardhat configuration variable / environment variable holding the RPC URL. */
  rpcUrlVar: string;
  /** Blocks a relayer waits before it carries a message from this chain (its usual finality). */
  confirmations: number;
  layerzero?: LayerZeroEntry;
  ccip?: CCIPEntry;
  hyperlane?: HyperlaneEntry;
  /** Chainlink price feeds on this network, by pair key (e.g. `ETH/USD`). */
  feeds: Record<string, FeedEntry>;
  /** Chainlink's L2 sequencer-uptime feed, where Chainlink publishes one. */
  sequencerUptimeFeed?: { address: string; source: Source };
  /** Tokens on this network, by symbol. */
  tokens: Record<string, TokenEntry>;
  explorer: { apiUrl: string; browserUrl: string };
}

/** Per route (hub <-> one spoke, both directions): which adapters carry it and how many must confirm. */
export interface RouteConfig {
  adapters: AdapterKind[];
  k: number;
}

export interface MarketConfigEntry {
  /** Spoke network whose vault holds the token. */
  network: string;
  /** Token symbol in that network's book (or `deploy: true` tokens the deploy creates, see TokenToDeploy). */
  token: string;
  /** Feed key in the hub network's book. */
  feed: string;
  borrowFactorBps: number;
  liquidationThresholdBps: number;
  liquidationBonusBps: number;
  /** Hub credit cap in token units as a decimal string ("1000.5"); "0" = no cap. */
  creditCap: string;
  /** Vault deposit cap in token units; must be <= creditCap when creditCap != "0". "0" = no cap. */
  depositCap: string;
  /** Vault outflow limit: capacity in token units refilling over `windowSeconds`. Omitted = no limit. */
  outflowLimit?: { capacity: string; windowSeconds: number };
}

export interface LayerZeroWorkers {
  /** DVN names (keys of the book's `layerzero.dvns`) required on every route; empty or absent = endpoint defaults. */
  requiredDVNs?: string[];
  /** Source-chain block confirmations the DVNs wait; absent = the library's default. */
  confirmations?: number;
  /** Executor address; absent = endpoint default. */
  executor?: string;
}

export interface EnvironmentConfig {
  /** Environment name; the record is `deployments/<name>.json`. */
  name: string;
  /** Hub network name (a key of the address book). */
  hub: string;
  /** Spoke network names; the hub may not be one of them. */
  spokes: string[];
  /** Route per spoke network (same adapters and k both ways). */
  routes: Record<string, RouteConfig>;
  /** Base asset on the hub: a token symbol of the hub's book, and the feed key pricing it. */
  base: { token: string; feed: string };
  markets: MarketConfigEntry[];
  risk: {
    /** Yearly rates, 1e18 = 100%, as decimal strings ("0.04"). */
    rateModel: { baseRatePerYear: string; slope1PerYear: string; slope2PerYear: string; kink: string };
    reserveFactorBps: number;
    /**
     * Liquidation rules: health as decimal strings ("1.05"), shares and bonus in bps, the absorb reward in base token
     * units ("5"). See LiquidationParams in contracts/interfaces/IMarginEvents.sol.
     */
    liquidation: {
      targetHealth: string;
      maxBonusHealth: string;
      minBonusBps: number;
      protocolShareBps: number;
      storeFrontShareBps: number;
      absorbReward: string;
    };
    /** Smallest debt, in base token units ("100"). */
    minDebt: string;
    /** Per spoke network, a latency haircut in bps (optional). */
    latencyHaircutBps?: Record<string, number>;
    /** L2 sequencer grace period in seconds, when the hub has an uptime feed. */
    sequencerGracePeriod?: number;
    /** Staleness allowed beyond a feed's heartbeat, in bps of it; absent = 10% (at least 60 s), 0 = none. */
    heartbeatMarginBps?: number;
  };
  /** Guardian address (pauses, emergency invalidation). "deployer" = the deploying key. */
  guardian: string;
  governance: {
    /** true: every Ownable2Step contract ends owned by a TimelockController per chain. false: the deployer keeps it. */
    timelock: boolean;
    /** Timelock min delay in seconds. */
    minDelay: number;
    /** Proposers/executors of the timelock; "deployer" allowed. */
    proposers: string[];
    executors: string[];
  };
  /** Gas the destination gives an app delivery (LayerZero enforced option, CCIP gasLimit, Hyperlane IGP). */
  deliveryGas: number;
  layerzero?: LayerZeroWorkers;
  /** Relayer addresses allowed on LocalAdapters (when a route uses `local`). */
  relayers?: string[];
  /** Tokens the deploy creates itself (mock tokens and feeds, devnets and rehearsals only). */
  deployTokens?: boolean;
}

/** What the record keeps per deployed contract. */
export interface ContractRecord {
  address: string;
  /** Block of the deploy transaction: keepers start reading events here. */
  block: number;
  /** Deploy transaction hash. */
  tx?: string;
  /** Sent but not yet confirmed when the record was written (a resumed deploy looks the transaction up). */
  pending?: boolean;
  /** Fully qualified contract name (`contracts/hub/MarginEngine.sol:MarginEngine`), for explorer verification. */
  contract?: string;
  /** Constructor arguments as deployed (JSON: bigints as decimal strings), for explorer verification. */
  args?: unknown[];
}

export interface ChainDeploymentRecord {
  network: string;
  chainId: number;
  role: "hub" | "spoke";
  /** Contracts by role name: messenger, engine, lens, vault, timelock, adapter.layerzero, ... */
  contracts: Record<string, ContractRecord>;
  /** Adapters by kind with the bridge's own id for this chain. */
  adapters: Partial<Record<AdapterKind, { address: string; bridgeId: string }>>;
  /** Tokens used on this chain, by symbol. */
  tokens: Record<string, { address: string; decimals: number }>;
  /** Earliest block of any contract here. */
  startBlock: number;
  confirmations: number;
  /** RPC URL, for local networks only (devnets, rehearsals); public networks take it from the book's variable. */
  rpc?: string;
}

export interface DeploymentRecordV2 {
  version: 2;
  env: string;
  /** keccak256 of the canonical JSON of the environment config used. */
  configHash: string;
  gitCommit: string;
  hub: string;
  chains: Record<string, ChainDeploymentRecord>;
}
