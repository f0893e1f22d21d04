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
import {
  DEFAULT_RATE_MODEL,
  defaultMinDebt,
  HubDeployment,
  SpokeDeployment,
  deployHub,
  deploySpoke,
  listCollateral,
  send,
  wire,
} from "../../deploy/orchestrator";
import { deployGovernance, type Ownable2StepContract } from "../../deploy/governance";
import {
  IBridgeAdapter,
  TimelockController,
  MockERC20,
  MockERC20__factory,
  MockPriceFeed,
  MockPriceFeed__factory,
} from "../../typechain-types";
import {
  BridgeKind,
  BridgeRelayer,
  BridgedChain,
  DEFAULT_DELIVERY_GAS,
  connectBridge,
  deployBridge,
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
  relayer: BridgeRelayer;
}

/** Chain id of the hub in the in-process worlds (Hardhat's default). */
export const HUB_CHAIN_ID = 31337n;

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

export interface WorldOptions {
  spokes?: SpokeSpec[];
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
  const specs = options.spokes ?? DEFAULT_SPOKES;
  const accounts = Math.max(options.accounts ?? 10, 10);
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
 * Deploys the harness and adapter of every bridge of `spec` on every chain, connects the hub with each source
 * chain over them and reconfigures every route to `spec`.
 */
export async function addBridges(world: World, spec: RouteSpec, log?: Logger): Promise<BridgeWorld> {
  const all = [
    { chain: world.hub.chain, messenger: world.hub.deployment.messenger, local: world.hub.deployment.adapter },
    ...world.spokes.map((s) => ({ chain: s.chain, messenger: s.deployment.messenger, local: s.deployment.adapter })),
  ];
  const chains: BridgedChain[] = [];
  for (const [index, c] of all.entries()) {
    await separateNonces(c.chain, signer(c.chain, "deployer"), index);
    const remotes = c.chain === world.hub.chain ? world.spokes.map((s) => s.chain.chainId) : [world.hub.chain.chainId];
    const bridged: BridgedChain = { chain: c.chain, messenger: c.messenger, stacks: {} };
    for (const kind of spec.bridges) {
      bridged.stacks[kind] = await deployBridge(
        kind,
        c.chain,
        signer(c.chain, "deployer"),
        c.messenger,
        remotes,
        spec.fee,
      );
    }
    chains.push(bridged);
  }
  const [hub, ...spokes] = chains;
  for (let i = 0; i < spokes.length; i++) {
    for (const kind of spec.bridges) await connectBridge(kind, hub, spokes[i], spec.gasLimit ?? DEFAULT_DELIVERY_GAS);
  }
  const adaptersOf = async (i: number) => [
    ...(await Promise.all(spec.bridges.map((k) => chains[i].stacks[k]!.adapter.getAddress()))),
    ...(spec.local ? [await all[i].local.getAddress()] : []),
  ];
  const hubMessenger = await world.hub.deployment.messenger.getAddress();
  for (let i = 0; i < spokes.length; i++) {
    const spokeMessenger = await spokes[i].messenger.getAddress();
    await send(
      world.hub.deployment.messenger.setRoute(spokes[i].chain.chainId, spokeMessenger, await adaptersOf(0), spec.k),
    );
    await send(spokes[i].messenger.setRoute(world.hub.chain.chainId, hubMessenger, await adaptersOf(i + 1), spec.k));
  }
  const relayer = new BridgeRelayer(chains, (chain) => signer(chain, "relayer"), log);
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
 */
export async function deployWorld(hubChain: Chain, spokeChains: Chain[], options: WorldOptions = {}): Promise<World> {
  const specs = options.spokes ?? DEFAULT_SPOKES;

  // Hub: base token and its feed, then the protocol.
  const hubDeployer = signer(hubChain, "deployer");
  const base = await deployToken(hubDeployer, "USD Coin", "USDC", 6);
  const feeds: Record<string, MockPriceFeed> = {};
  feeds.USDC = await deployFeed(hubDeployer, 10n ** 8n, "USDC / USD");
  const hub = await deployHub(hubDeployer, {
    baseToken: await base.getAddress(),
    guardian: signer(hubChain, "guardian").address,
    rateModel: DEFAULT_RATE_MODEL,
    reserveFactorBps: 1000,
    liquidation: {
      closeFactorBps: 5000,
      protocolShareBps: 1000,
      fullCloseHealth: parseUnits("0.95", 18),
    },
    // Sized so that a minimal position is worth liquidating (deploy/orchestrator.ts DEFAULT_LIQUIDATION_COST).
    minDebt: defaultMinDebt(6),
  });
  await send(hub.engine.setFeed(hubChain.chainId, await base.getAddress(), await feeds.USDC.getAddress(), 86400, 6));

  const spokes: SpokeWorld[] = [];
  for (let i = 0; i < specs.length; i++) {
    const chain = spokeChains[i];
    const deployment = await deploySpoke(
      signer(chain, "deployer"),
      hubChain.chainId,
      signer(chain, "guardian").address,
    );
    spokes.push({ chain, deployment, tokens: {} });
  }
  await wire(
    hub,
    spokes.map((s) => s.deployment),
    [signer(hubChain, "relayer").address],
  );

  for (let i = 0; i < specs.length; i++) {
    const spoke = spokes[i];
    for (const t of specs[i].tokens) {
      const token = await deployToken(signer(spoke.chain, "deployer"), t.symbol, t.symbol, t.decimals);
      spoke.tokens[t.symbol] = token;
      // One feed per symbol: the same asset on two chains shares its feed.
      feeds[t.symbol] ??= await deployFeed(hubDeployer, t.price, `${t.symbol} / USD`);
      await listCollateral(hub, {
        spoke: spoke.deployment,
        token: await token.getAddress(),
        tokenDecimals: t.decimals,
        feed: await feeds[t.symbol].getAddress(),
        heartbeat: t.heartbeat,
        borrowFactorBps: t.borrowFactorBps,
        liquidationThresholdBps: t.liquidationThresholdBps,
        liquidationBonusBps: t.liquidationBonusBps,
      });
      const funds = BigInt(options.userFunds ?? 1_000_000);
      for (const who of ["alice", "bob", "carol", "dave"] as const) {
        await send(token.mint(signer(spoke.chain, who).address, funds * 10n ** BigInt(t.decimals)));
      }
    }
  }
  const baseFunds = BigInt(options.baseFunds ?? 10_000_000) * 10n ** 6n;
  for (const who of ["lender", "liquidator"] as const) await send(base.mint(signer(hubChain, who).address, baseFunds));

  const partial = {
    hub: { chain: hubChain, deployment: hub, base },
    spokes,
    feeds,
    chains: [hubChain, ...spokeChains],
  };
  return { ...partial, relayer: makeRelayer(partial, options.log) };
}

/** A relayer over every chain of `world`, signing with the "relayer" actor, scanning from `fromBlocks`. */
export function makeRelayer(
  world: Omit<World, "relayer">,
  log?: Logger,
  fromBlocks: Map<bigint, number> = new Map(),
): Relayer {
  return new Relayer(
    [
      {
        name: world.hub.chain.name,
        chainId: world.hub.chain.chainId,
        adapter: world.hub.deployment.adapter.connect(signer(world.hub.chain, "relayer")),
        fromBlock: fromBlocks.get(world.hub.chain.chainId),
      },
      ...world.spokes.map((s) => ({
        name: s.chain.name,
        chainId: s.chain.chainId,
        adapter: s.deployment.adapter.connect(signer(s.chain, "relayer")),
        fromBlock: fromBlocks.get(s.chain.chainId),
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
