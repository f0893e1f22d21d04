/**
 * A complete xmargin deployment on in-process chains: one hub and N source chains with tokens of 6, 8 and 18
 * decimals, Chainlink-style feeds, listed markets, funded actors and an in-process relayer. Used by the demo,
 * the gas benchmark and the multi-chain tests.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MaxUint256, parseUnits } from "ethers";
import { createChain } from "./inprocess";
import { AccountSigner, Chain, snapshotAll, increaseTime } from "./chain";
import { Relayer, Logger } from "./relayer";
import { discoverBorrowers, liquidateOnce, type LiquidationResult } from "./liquidator";
import type { Signer } from "ethers";
import {
  DEFAULT_RATE_MODEL,
  HubDeployment,
  SpokeDeployment,
  defaultMinDebt,
  riskOf,
  send,
} from "../../deploy/orchestrator";
import { runEnvironment } from "../../deploy/environment";
import { RecordStore, emptyRecord } from "../../deploy/record";
import type { AdapterKind, EnvironmentConfig, MarketConfigEntry, NetworkEntry } from "../../deploy/types";
import { installBridges, bridgedChainOf, type InstalledBridges } from "./harness";
import { BOOK_FEED_OF, deal, forkBridgedChainOf, forkMode, forkNetworkOf, forkSourceOf, placeMockFeed } from "./fork";
import { RealBridgeRelayer, realBridgedChainOf, useTestIsm } from "./realRelayer";
import { deployGovernance, type Ownable2StepContract } from "../../deploy/governance";
import {
  CollateralVault__factory,
  IBridgeAdapter,
  LocalAdapter__factory,
  IMarginHub__factory,
  MarginEngineExt__factory,
  MarginEngineLiq__factory,
  MarginLens__factory,
  Messenger__factory,
  TimelockController,
  MockERC20,
  MockERC20__factory,
  MockPriceFeed,
  MockPriceFeed__factory,
} from "../../typechain-types";
import {
  BridgeKind,
  BridgeRelayer,
  type BridgeTransport,
  BridgedChain,
  DEFAULT_DELIVERY_GAS,
  bridgeId,
  separateNonces,
  type BridgeDelivery,
} from "./bridges";

/** Named accounts; index into every chain's signers (same keys everywhere). */
export const ACTORS = {
  deployer: 0,
  guardian: 1,
  relayer: 2,
  lender: 3,
  alice: 4,
  bob: 5,
  liquidator: 6,
  treasury: 7,
  carol: 8,
  dave: 9,
} as const;
export type ActorName = keyof typeof ACTORS;

export interface TokenSpec {
  symbol: string;
  decimals: number;
  /** USD price with 8 decimals (Chainlink's USD feeds). */
  price: bigint;
  heartbeat: number;
  borrowFactorBps: number;
  liquidationThresholdBps: number;
  liquidationBonusBps: number;
}

export interface SpokeSpec {
  name: string;
  chainId: bigint;
  tokens: TokenSpec[];
}

export interface SpokeWorld {
  chain: Chain;
  deployment: SpokeDeployment;
  tokens: Record<string, MockERC20>;
}

export interface World {
  hub: { chain: Chain; deployment: HubDeployment; base: MockERC20 };
  spokes: SpokeWorld[];
  /** Feeds on the hub, by symbol ("USDC" is the base asset's). */
  feeds: Record<string, MockPriceFeed>;
  relayer: Relayer;
  chains: Chain[];
  /** Real-bridge transports, when the world was created with {@link WorldOptions.bridges}. */
  bridges?: BridgeWorld;
  /** Bridge adapters by chain id, for the solvency check. */
  bridgeAdapters?: Map<bigint, IBridgeAdapter[]>;
  /** The owner of every chain's contracts, when created with {@link WorldOptions.timelockDelay}. */
  timelocks?: Map<bigint, TimelockController>;
  /** In fork mode: the network each chain (by name) forks. */
  forkNetworks?: Record<string, NetworkEntry>;
  /** What the deploy ran on: the environment config, the local address book, the deployers and the record. */
  environment: {
    config: EnvironmentConfig;
    book: Record<string, NetworkEntry>;
    signers: Record<string, Signer>;
    store: RecordStore;
  };
}

/** Which transports every hub <-> source route uses, and how many must confirm. */
export interface RouteSpec {
  /** Real bridges of the route, in fan-out order. */
  bridges: BridgeKind[];
  /** Whether the LocalAdapter (relayer keeper) is one of the route's adapters (last). */
  local: boolean;
  /** Required confirmations k (1 ≤ k ≤ n). */
  k: number;
  /** Native fee each bridge charges per message. Default 0. */
  fee?: bigint;
  /** Delivery gas per remote. Default {@link DEFAULT_DELIVERY_GAS}. */
  gasLimit?: number;
}

export interface BridgeWorld {
  spec: RouteSpec;
  chains: BridgedChain[];
  /** The bridges' relayer: over the harnesses in-process, over the real contracts on forks. */
  relayer: BridgeTransport;
}

/**
 * Chain id of the hub: Hardhat's default in the in-process worlds, the hub network's real one in fork mode
 * (`XM_FORK=1`, see fork.ts).
 */
export const HUB_CHAIN_ID = forkMode() ? BigInt(forkNetworkOf("hub").chainId) : 31337n;

export const DEFAULT_SPOKES: SpokeSpec[] = [
  {
    name: "alpha",
    chainId: 31338n,
    tokens: [
      {
        symbol: "WETH",
        decimals: 18,
        price: 3_000n * 10n ** 8n,
        heartbeat: 3600,
        borrowFactorBps: 8000,
        liquidationThresholdBps: 8500,
        liquidationBonusBps: 500,
      },
    ],
  },
  {
    name: "beta",
    chainId: 31339n,
    tokens: [
      {
        symbol: "WBTC",
        decimals: 8,
        price: 60_000n * 10n ** 8n,
        heartbeat: 3600,
        borrowFactorBps: 7500,
        liquidationThresholdBps: 8000,
        liquidationBonusBps: 700,
      },
      {
        symbol: "USDC.b",
        decimals: 6,
        price: 10n ** 8n,
        heartbeat: 86400,
        borrowFactorBps: 8500,
        liquidationThresholdBps: 9000,
        liquidationBonusBps: 400,
      },
    ],
  },
];

/**
 * Chain id of the world chain `name` ("hub" or a source chain of {@link DEFAULT_SPOKES}): what the world gives it,
 * in-process or on forks (where the source chains take their networks' real chain ids).
 */
export function worldChainId(name: string): bigint {
  if (name === "hub") return HUB_CHAIN_ID;
  const index = DEFAULT_SPOKES.findIndex((s) => s.name === name);
  if (index < 0) throw new Error(`no default source chain named ${name}`);
  return forkMode() ? BigInt(forkNetworkOf(index).chainId) : DEFAULT_SPOKES[index].chainId;
}

export interface WorldOptions {
  spokes?: SpokeSpec[];
  /**
   * Build the world on forks of real networks (hub: Sepolia, source chains: the testnet spokes in order) instead of
   * fresh chains. Default: `XM_FORK=1`. See fork.ts.
   */
  fork?: boolean;
  /** Set by {@link createWorld} in fork mode: the network each chain (by name) forks. */
  forkNetworks?: Record<string, NetworkEntry>;
  log?: Logger;
  /** Accounts per chain (at least 10 for the named actors). */
  accounts?: number;
  /** Mint this many whole tokens of every collateral to alice, bob, carol and dave on every chain. */
  userFunds?: number;
  /** Mint this many whole base tokens to lender and liquidator on the hub. */
  baseFunds?: number;
  /** Route every hub <-> source chain over these transports (default: the LocalAdapter alone, k = 1). */
  routes?: RouteSpec;
  /**
   * Hand every configurable contract of every chain to a TimelockController with this delay (seconds), the
   * "treasury" actor as its proposer and executor (a multisig in production). Default: the deployer owns all.
   */
  timelockDelay?: number;
}

export function signer(chain: Chain, actor: ActorName): AccountSigner {
  return chain.signers[ACTORS[actor]];
}

/** Starts in-process chains for the hub and every source chain, and deploys and wires a full world on them. */
export async function createWorld(hre: HardhatRuntimeEnvironment, options: WorldOptions = {}): Promise<World> {
  const accounts = Math.max(options.accounts ?? 10, 10);
  if (options.fork ?? forkMode()) {
    const specs = (options.spokes ?? DEFAULT_SPOKES).map((s, i) => ({
      ...s,
      chainId: BigInt(forkNetworkOf(i).chainId),
    }));
    const nets = [forkNetworkOf("hub"), ...specs.map((_, i) => forkNetworkOf(i))];
    const names = ["hub", ...specs.map((s) => s.name)];
    const chains = await Promise.all(
      nets.map((n, i) => createChain(hre, names[i], n.chainId, { accounts, forking: forkSourceOf(n.name) })),
    );
    options = { ...options, spokes: specs, forkNetworks: Object.fromEntries(names.map((n, i) => [n, nets[i]])) };
    const world = await deployWorld(chains[0], chains.slice(1), options);
    if (options.routes) await addBridges(world, options.routes, options.log);
    if (options.timelockDelay !== undefined) await handToTimelocks(world, options.timelockDelay);
    return world;
  }
  const specs = options.spokes ?? DEFAULT_SPOKES;
  const [hubChain, ...spokeChains] = await Promise.all([
    createChain(hre, "hub", HUB_CHAIN_ID, { accounts }),
    ...specs.map((s) => createChain(hre, s.name, s.chainId, { accounts })),
  ]);
  const world = await deployWorld(hubChain, spokeChains, options);
  if (options.routes) await addBridges(world, options.routes, options.log);
  if (options.timelockDelay !== undefined) await handToTimelocks(world, options.timelockDelay);
  return world;
}

/**
 * Gives every chain's configurable contracts (engine, vaults, messengers, adapters) to a per-chain
 * TimelockController (deploy/governance.ts), proposer and executor the "treasury" actor.
 */
export async function handToTimelocks(world: World, minDelay: number): Promise<Map<bigint, TimelockController>> {
  const timelocks = new Map<bigint, TimelockController>();
  const bridgeAdaptersOf = (chainId: bigint) =>
    Object.values(world.bridges?.chains.find((c) => c.chain.chainId === chainId)?.stacks ?? {}).map((s) => s.adapter);
  const hub = world.hub.deployment;
  const sets: [Chain, Ownable2StepContract[]][] = [
    [world.hub.chain, [hub.engine, hub.messenger, hub.adapter, ...bridgeAdaptersOf(world.hub.chain.chainId)]],
    ...world.spokes.map((s): [Chain, Ownable2StepContract[]] => [
      s.chain,
      [s.deployment.vault, s.deployment.messenger, s.deployment.adapter, ...bridgeAdaptersOf(s.chain.chainId)],
    ]),
  ];
  for (const [chain, owned] of sets) {
    const admin = signer(chain, "treasury").address;
    timelocks.set(chain.chainId, await deployGovernance(signer(chain, "deployer"), { minDelay, admin }, owned));
  }
  world.timelocks = timelocks;
  return timelocks;
}

/**
 * Installs the harness of every bridge of `spec` on every chain (test-only), then runs the deploy again with routes
 * over those bridges: the same deploy code, which adds the adapters, connects them both ways and changes the routes,
 * and touches nothing else.
 */
export async function addBridges(world: World, spec: RouteSpec, log?: Logger): Promise<BridgeWorld> {
  const env = world.environment;
  const chainsInOrder = [world.hub.chain, ...world.spokes.map((s) => s.chain)];
  const book = env.book;
  // In-process: the harnesses' ids now, their addresses once installed. A fork's book has both already.
  for (const c of world.forkNetworks ? [] : chainsInOrder) {
    const net = book[c.name];
    if (spec.bridges.includes("layerzero"))
      net.layerzero = { eid: Number(bridgeId("layerzero", c.chainId)), endpointV2: "" };
    if (spec.bridges.includes("ccip")) net.ccip = { chainSelector: bridgeId("ccip", c.chainId).toString(), router: "" };
    if (spec.bridges.includes("hyperlane")) {
      net.hyperlane = { domain: Number(c.chainId), mailbox: "", interchainGasPaymaster: "" };
    }
  }
  const installed: Record<string, InstalledBridges> = {};
  for (const [index, c] of chainsInOrder.entries()) {
    if (world.forkNetworks) {
      // A fork has the bridges at the book's addresses already: keep the kinds of the route, use what is there.
      const net = book[c.name];
      if (!spec.bridges.includes("layerzero")) delete net.layerzero;
      if (!spec.bridges.includes("ccip")) delete net.ccip;
      if (!spec.bridges.includes("hyperlane")) delete net.hyperlane;
      // The real mailbox's default ISM wants validators' signatures on a live network: a TestIsm for the test.
      if (net.hyperlane) await useTestIsm(c, net, signer(c, "deployer"));
      continue;
    }
    // In-process chains share accounts: separate nonce ranges per chain, so that no bridge contract or adapter of
    // one chain has a twin at the same address on another (a CCIP mock router would deliver to it locally).
    await separateNonces(c, signer(c, "deployer"), index);
    const remotes = chainsInOrder.filter((x) => x !== c).map((x) => book[x.name]);
    const bridges = await installBridges(
      c,
      signer(c, "deployer"),
      book[c.name],
      c === world.hub.chain ? remotes : [book[world.hub.chain.name]],
      spec.fee ?? 0n,
    );
    installed[c.name] = bridges;
    const net = book[c.name];
    if (bridges.layerzero) net.layerzero!.endpointV2 = bridges.layerzero.endpoint;
    if (bridges.ccip) net.ccip!.router = bridges.ccip.router;
    if (bridges.hyperlane) {
      net.hyperlane!.mailbox = bridges.hyperlane.mailbox;
      net.hyperlane!.interchainGasPaymaster = bridges.hyperlane.igp;
    }
  }
  const adapters: AdapterKind[] = [...spec.bridges, ...(spec.local ? (["local"] as const) : [])];
  env.config = {
    ...env.config,
    routes: Object.fromEntries(world.spokes.map((s) => [s.chain.name, { adapters, k: spec.k }])),
    deliveryGas: spec.gasLimit ?? DEFAULT_DELIVERY_GAS,
  };
  await runEnvironment(
    { config: env.config, book, signers: env.signers },
    { mode: "deploy", store: env.store, log: log && ((l) => log(`deploy: ${l}`)) },
  );
  const records = env.store.record.chains;
  const chains = chainsInOrder.map((c) =>
    world.forkNetworks
      ? forkBridgedChainOf(c, records[c.name], signer(c, "deployer"))
      : bridgedChainOf(c, records[c.name], installed[c.name], signer(c, "deployer")),
  );
  // On forks the bridges are their real contracts: delivered as their workers do (DVN/executor, OffRamp, relayer).
  const relayer: BridgeTransport = world.forkNetworks
    ? new RealBridgeRelayer(
        chainsInOrder.map((c) => realBridgedChainOf(c, records[c.name], book[c.name], signer(c, "deployer"))),
        (chain) => signer(chain, "relayer"),
        log,
      )
    : new BridgeRelayer(chains, (chain) => signer(chain, "relayer"), log);
  await relayer.skipToLatest();
  world.bridges = { spec, chains, relayer };
  world.bridgeAdapters = new Map(
    chains.map((c) => [c.chain.chainId, Object.values(c.stacks).map((s) => s.adapter as unknown as IBridgeAdapter)]),
  );
  return world.bridges;
}

/** Delivers everything every transport (relayer and bridges not halted) has pending, until nothing moves. */
export async function flushAll(world: World): Promise<BridgeDelivery[]> {
  const out: BridgeDelivery[] = [];
  for (let round = 0; round < 5; round++) {
    const local = await world.relayer.flush();
    const bridged = world.bridges ? await world.bridges.relayer.flush() : [];
    out.push(...bridged);
    if (local.length === 0 && bridged.length === 0) break;
  }
  return out;
}

/**
 * Deploys and wires a full world on existing chains (in-process, or dev nodes over HTTP): `spokeChains[i]`
 * gets the tokens of `options.spokes[i]`. Every chain needs the named actors' accounts, funded with gas.
 *
 * The test-only extras come first, as what "exists" on the chains before xmargin (an address book of local
 * networks): mock tokens and Chainlink-style feeds. Then xmargin is deployed by the one deploy path
 * (deploy/environment.ts) from an environment config: routes over the LocalAdapter (k = 1), the relayer actor
 * allowed, markets listed without caps, the deployer owning everything. Last, funds for the actors.
 */
export async function deployWorld(hubChain: Chain, spokeChains: Chain[], options: WorldOptions = {}): Promise<World> {
  const specs = options.spokes ?? DEFAULT_SPOKES;
  const hubDeployer = signer(hubChain, "deployer");
  const book: Record<string, NetworkEntry> = {};
  const forkNets = options.forkNetworks;
  const entry = (chain: Chain): NetworkEntry => ({
    // On a fork: the network's bridges (at their real addresses), with the world's feeds and tokens.
    ...(forkNets ? structuredClone(forkNets[chain.name]) : {}),
    name: chain.name,
    chainId: Number(chain.chainId),
    testnet: true,
    rpcUrlVar: "",
    // In-process chains and dev nodes mine a block per transaction and never reorganise: nothing to wait for.
    confirmations: 0,
    feeds: {},
    tokens: {},
    explorer: { apiUrl: "", browserUrl: "" },
  });
  book[hubChain.name] = entry(hubChain);
  /** Tokens that already exist on a fork (the book's): funded by writing balances, not minted. */
  const existing = new Set<string>();
  /** On a fork, the book's token of `symbol` on `chain` (same decimals), else a new mock token. */
  const tokenFor = async (chain: Chain, symbol: string, name: string, decimals: number) => {
    const known = forkNets?.[chain.name].tokens[symbol];
    if (known && known.decimals === decimals) {
      existing.add(`${chain.chainId}:${known.address.toLowerCase()}`);
      return MockERC20__factory.connect(known.address, signer(chain, "deployer"));
    }
    return deployToken(signer(chain, "deployer"), name, symbol, decimals);
  };
  const fund = async (chain: Chain, token: MockERC20, who: string, amount: bigint) => {
    const address = await token.getAddress();
    if (!existing.has(`${chain.chainId}:${address.toLowerCase()}`)) return send(token.mint(who, amount));
    await deal(chain, address, who, (await token.balanceOf(who)) + amount);
  };
  const base = await tokenFor(hubChain, "USDC", "USD Coin", 6);
  const feeds: Record<string, MockPriceFeed> = {};
  const addFeed = async (symbol: string, price: bigint, heartbeat: number) => {
    const real = forkNets?.[hubChain.name].feeds[BOOK_FEED_OF[symbol] ?? ""];
    if (real && real.decimals === 8) {
      // A fork: the mock goes to the real feed's address, answering what the feed answers at the fork block.
      feeds[symbol] = (await placeMockFeed(hubChain, hubDeployer, real.address, 8, price, `${symbol} / USD`)).feed;
    } else feeds[symbol] = await deployFeed(hubDeployer, price, `${symbol} / USD`);
    book[hubChain.name].feeds[symbol] = {
      address: await feeds[symbol].getAddress(),
      pair: `${symbol} / USD`,
      decimals: 8,
      heartbeat,
      source: "world fixture",
    };
  };
  await addFeed("USDC", 10n ** 8n, 86400);
  book[hubChain.name].tokens.USDC = { address: await base.getAddress(), symbol: "USDC", decimals: 6, source: "world" };
  const spokes: SpokeWorld[] = [];
  const markets: MarketConfigEntry[] = [];
  for (let i = 0; i < specs.length; i++) {
    const chain = spokeChains[i];
    book[chain.name] = entry(chain);
    const tokens: Record<string, MockERC20> = {};
    for (const t of specs[i].tokens) {
      tokens[t.symbol] = await tokenFor(chain, t.symbol, t.symbol, t.decimals);
      book[chain.name].tokens[t.symbol] = {
        address: await tokens[t.symbol].getAddress(),
        symbol: t.symbol,
        decimals: t.decimals,
        source: "world",
      };
      // One feed per symbol: the same asset on two chains shares its feed.
      if (!feeds[t.symbol]) await addFeed(t.symbol, t.price, t.heartbeat);
      markets.push({
        network: chain.name,
        token: t.symbol,
        feed: t.symbol,
        borrowFactorBps: t.borrowFactorBps,
        liquidationThresholdBps: t.liquidationThresholdBps,
        liquidationBonusBps: t.liquidationBonusBps,
        creditCap: "0",
        depositCap: "0",
      });
    }
    spokes.push({ chain, deployment: undefined as unknown as SpokeDeployment, tokens });
  }

  const config: EnvironmentConfig = {
    name: "world",
    hub: hubChain.name,
    spokes: spokeChains.slice(0, specs.length).map((c) => c.name),
    routes: Object.fromEntries(spokeChains.slice(0, specs.length).map((c) => [c.name, { adapters: ["local"], k: 1 }])),
    base: { token: "USDC", feed: "USDC" },
    markets,
    risk: { ...riskOf({ ...WORLD_HUB, baseToken: "", guardian: "" }), heartbeatMarginBps: 0 },
    guardian: signer(hubChain, "guardian").address,
    governance: { timelock: false, minDelay: 0, proposers: [], executors: [] },
    deliveryGas: DEFAULT_DELIVERY_GAS,
    relayers: [signer(hubChain, "relayer").address],
  };
  const signers = Object.fromEntries([hubChain, ...spokeChains].map((c) => [c.name, signer(c, "deployer")]));
  const store = new RecordStore(emptyRecord(config));
  await runEnvironment({ config, book, signers }, { mode: "deploy", store });

  const rec = store.record.chains;
  const h = rec[hubChain.name];
  const hub: HubDeployment = {
    chainId: hubChain.chainId,
    messenger: Messenger__factory.connect(h.contracts.messenger.address, hubDeployer),
    adapter: LocalAdapter__factory.connect(h.adapters.local!.address, hubDeployer),
    engine: IMarginHub__factory.connect(h.contracts.engine.address, hubDeployer),
    extension: MarginEngineExt__factory.connect(h.contracts.extension.address, hubDeployer),
    liquidations: MarginEngineLiq__factory.connect(h.contracts.liquidations.address, hubDeployer),
    lens: MarginLens__factory.connect(h.contracts.lens.address, hubDeployer),
  };
  for (const s of spokes) {
    const r = rec[s.chain.name];
    const deployer = signer(s.chain, "deployer");
    s.deployment = {
      chainId: s.chain.chainId,
      messenger: Messenger__factory.connect(r.contracts.messenger.address, deployer),
      adapter: LocalAdapter__factory.connect(r.adapters.local!.address, deployer),
      vault: CollateralVault__factory.connect(r.contracts.vault.address, deployer),
    };
  }

  const funds = BigInt(options.userFunds ?? 1_000_000);
  for (const [i, s] of spokes.entries()) {
    for (const t of specs[i].tokens) {
      for (const who of ["alice", "bob", "carol", "dave"] as const) {
        await fund(s.chain, s.tokens[t.symbol], signer(s.chain, who).address, funds * 10n ** BigInt(t.decimals));
      }
    }
  }
  const baseFunds = BigInt(options.baseFunds ?? 10_000_000) * 10n ** 6n;
  for (const who of ["lender", "liquidator"] as const)
    await fund(hubChain, base, signer(hubChain, who).address, baseFunds);

  const partial = {
    hub: { chain: hubChain, deployment: hub, base },
    spokes,
    feeds,
    chains: [hubChain, ...spokeChains],
    environment: { config, book, signers, store },
    forkNetworks: forkNets,
  };
  return { ...partial, relayer: makeRelayer(partial, options.log) };
}

/** The hub parameters of every world: kinked model 0% / 4% / 75% at 80%, 10% reserves, the default minimum debt. */
const WORLD_HUB = {
  rateModel: DEFAULT_RATE_MODEL,
  reserveFactorBps: 1000,
  // Target health 1.05, full bonus at health 0.9 and below, 2% just under 1, half the bonus cap to buyers of absorbed
  // collateral, $5 per absorbed account.
  liquidation: {
    targetHealth: parseUnits("1.05", 18),
    maxBonusHealth: parseUnits("0.9", 18),
    minBonusBps: 200,
    protocolShareBps: 1000,
    storeFrontShareBps: 5000,
    absorbReward: parseUnits("5", 6),
  },
  minDebt: defaultMinDebt(6),
};

/**
 * A relayer over every chain of `world`, signing with the "relayer" actor, scanning from `fromBlocks`, each chain at
 * the depth `confirmations` gives it, else the one its deployment recorded (the address book's: 0 for the worlds'
 * chains, which mine on demand and never reorganise).
 */
export function makeRelayer(
  world: Omit<World, "relayer">,
  log?: Logger,
  fromBlocks: Map<bigint, number> = new Map(),
  confirmations: Map<bigint, number> = new Map(),
): Relayer {
  const depth = (c: Chain) =>
    confirmations.get(c.chainId) ?? world.environment.store.record.chains[c.name]?.confirmations ?? 0;
  return new Relayer(
    [
      {
        name: world.hub.chain.name,
        chainId: world.hub.chain.chainId,
        adapter: world.hub.deployment.adapter.connect(signer(world.hub.chain, "relayer")),
        fromBlock: fromBlocks.get(world.hub.chain.chainId),
        confirmations: depth(world.hub.chain),
      },
      ...world.spokes.map((s) => ({
        name: s.chain.name,
        chainId: s.chain.chainId,
        adapter: s.deployment.adapter.connect(signer(s.chain, "relayer")),
        fromBlock: fromBlocks.get(s.chain.chainId),
        confirmations: depth(s.chain),
      })),
    ],
    log,
  );
}

/** Replaces the world's relayer with a fresh one that only sees blocks mined from now on. */
export async function resetRelayer(world: World, log?: Logger): Promise<Relayer> {
  const fromBlocks = new Map<bigint, number>();
  for (const c of world.chains) fromBlocks.set(c.chainId, (await c.provider.getBlockNumber()) + 1);
  world.relayer = makeRelayer(world, log, fromBlocks);
  if (world.bridges) await world.bridges.relayer.skipToLatest();
  return world.relayer;
}

async function deployToken(deployer: AccountSigner, name: string, symbol: string, decimals: number) {
  const token = await new MockERC20__factory(deployer).deploy(name, symbol, decimals);
  await token.waitForDeployment();
  return token;
}

async function deployFeed(deployer: AccountSigner, answer: bigint, description: string) {
  const feed = await new MockPriceFeed__factory(deployer).deploy(8, answer, description);
  await feed.waitForDeployment();
  return feed;
}

// ================================================================================================ helpers

export function spoke(world: World, name: string): SpokeWorld {
  const s = world.spokes.find((x) => x.chain.name === name);
  if (!s) throw new Error(`no spoke named ${name}`);
  return s;
}

/** Approves and deposits `amount` of `symbol` on spoke `name` for `actor`; returns the envelope id. */
export async function deposit(
  world: World,
  spokeName: string,
  actor: ActorName,
  symbol: string,
  amount: bigint,
  account?: string,
): Promise<string> {
  const s = spoke(world, spokeName);
  const user = signer(s.chain, actor);
  const token = s.tokens[symbol].connect(user);
  const vault = s.deployment.vault.connect(user);
  await send(token.approve(await vault.getAddress(), MaxUint256));
  const who = account ?? user.address;
  const fee = await vault.quoteDeposit(await token.getAddress(), amount, who);
  const tx = await vault.deposit(await token.getAddress(), amount, who, { value: fee });
  const receipt = (await tx.wait())!;
  const ev = receipt.logs
    .map((l) => {
      try {
        return vault.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .find((e) => e?.name === "Deposited");
  return ev!.args.messageId as string;
}

/** One pass of the liquidator routine as the "liquidator" actor, seized collateral to its own address. */
export async function liquidateAll(world: World, log?: Logger): Promise<LiquidationResult[]> {
  const { engine, lens } = world.hub.deployment;
  const liquidator = signer(world.hub.chain, "liquidator");
  return liquidateOnce(
    { signer: liquidator, engine, lens, base: world.hub.base, recipient: () => liquidator.address, log },
    await discoverBorrowers(engine),
  );
}

/** Keeps every chain's clock together: moves all of them forward by `seconds`. */
export async function advanceAll(world: World, seconds: number): Promise<void> {
  for (const c of world.chains) await increaseTime(c, seconds);
}

/** Re-publishes every feed's current answer so nothing is stale on the hub's clock. */
export async function refreshFeeds(world: World): Promise<void> {
  for (const feed of Object.values(world.feeds)) {
    const [, answer] = await feed.latestRoundData();
    await send(feed.updateAnswer(answer));
  }
}

export async function snapshotWorld(world: World): Promise<() => Promise<void>> {
  return snapshotAll(world.chains);
}

export { solvency, assertSolvent, type SolvencyRow } from "./solvency";
