/**
 * Multi-chain orchestrator: deploys the hub and the source chains in order, wires routes, peer apps and
 * LocalAdapter peers in both directions.
 *
 * Deploy order (each step only needs the ones before it):
 *   1. every chain: Messenger, then LocalAdapter(messenger)
 *   2. hub: PriceOracle, MarginEngine(base, messenger, oracle), MarginLens(engine)
 *   3. sources: CollateralVault(messenger, hubChainId)
 *   4. wiring, per source chain S: adapters trust each other (hub <-> S), messenger routes (k = 1 over the
 *      LocalAdapter), peer apps engine <-> vault, relayers allowed on every adapter.
 * Assets, feeds and markets are configured afterwards (see {@link listCollateral}); scripts/lib/deployment.ts
 * writes and reads the record of a deployment.
 */
import type { Signer, ContractTransactionResponse } from "ethers";
import {
  CollateralVault,
  CollateralVault__factory,
  LocalAdapter,
  LocalAdapter__factory,
  MarginEngine,
  MarginEngine__factory,
  MarginLens,
  MarginLens__factory,
  Messenger,
  Messenger__factory,
  PriceOracle,
  PriceOracle__factory,
} from "../typechain-types";

export const SECONDS_PER_YEAR = 365n * 24n * 3600n;
export const WAD = 10n ** 18n;

export interface RateModelYearly {
  /** Yearly rates and kink, 1e18 = 100%. */
  baseRatePerYear: bigint;
  slope1PerYear: bigint;
  slope2PerYear: bigint;
  kink: bigint;
}

export interface HubConfig {
  baseToken: string;
  guardian: string;
  rateModel: RateModelYearly;
  reserveFactorBps: number;
  liquidation: { closeFactorBps: number; protocolShareBps: number; fullCloseHealth: bigint };
  /** Smallest debt after a borrow, in base units. */
  minDebt: bigint;
  /** Native fee of the LocalAdapter per envelope (devnets: 0). */
  localFee?: bigint;
}

export interface MessagingDeployment {
  chainId: bigint;
  messenger: Messenger;
  adapter: LocalAdapter;
}

export interface HubDeployment extends MessagingDeployment {
  oracle: PriceOracle;
  engine: MarginEngine;
  lens: MarginLens;
}

export interface SpokeDeployment extends MessagingDeployment {
  vault: CollateralVault;
}

/** Sensible defaults for devnets and tests: kinked model 0% / 4% / 75% at 80%, 10% reserves. */
export const DEFAULT_RATE_MODEL: RateModelYearly = {
  baseRatePerYear: 0n,
  slope1PerYear: (4n * WAD) / 100n,
  slope2PerYear: (75n * WAD) / 100n,
  kink: (80n * WAD) / 100n,
};

export async function send(tx: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
}

async function chainIdOf(signer: Signer): Promise<bigint> {
  const network = await signer.provider!.getNetwork();
  return network.chainId;
}

async function deployMessaging(deployer: Signer, guardian: string, localFee: bigint): Promise<MessagingDeployment> {
  const owner = await deployer.getAddress();
  const messenger = await new Messenger__factory(deployer).deploy(owner, guardian);
  await messenger.waitForDeployment();
  const adapter = await new LocalAdapter__factory(deployer).deploy(await messenger.getAddress(), owner, localFee);
  await adapter.waitForDeployment();
  return { chainId: await chainIdOf(deployer), messenger, adapter };
}

/** Deploys the hub: messenger, LocalAdapter, oracle, margin engine and lens. */
export async function deployHub(deployer: Signer, config: HubConfig): Promise<HubDeployment> {
  const owner = await deployer.getAddress();
  const messaging = await deployMessaging(deployer, config.guardian, config.localFee ?? 0n);
  const oracle = await new PriceOracle__factory(deployer).deploy(owner);
  await oracle.waitForDeployment();
  const rm = config.rateModel;
  const engine = await new MarginEngine__factory(deployer).deploy(
    config.baseToken,
    await messaging.messenger.getAddress(),
    await oracle.getAddress(),
    {
      baseRate: rm.baseRatePerYear / SECONDS_PER_YEAR,
      slope1: rm.slope1PerYear / SECONDS_PER_YEAR,
      slope2: rm.slope2PerYear / SECONDS_PER_YEAR,
      kink: rm.kink,
    },
    config.reserveFactorBps,
    config.liquidation,
    config.minDebt,
    owner,
    config.guardian,
  );
  await engine.waitForDeployment();
  const lens = await new MarginLens__factory(deployer).deploy(await engine.getAddress());
  await lens.waitForDeployment();
  return { ...messaging, oracle, engine, lens };
}

/** Deploys a source chain: messenger, LocalAdapter and collateral vault. */
export async function deploySpoke(
  deployer: Signer,
  hubChainId: bigint,
  guardian: string,
  localFee = 0n,
): Promise<SpokeDeployment> {
  const owner = await deployer.getAddress();
  const messaging = await deployMessaging(deployer, guardian, localFee);
  const vault = await new CollateralVault__factory(deployer).deploy(
    await messaging.messenger.getAddress(),
    hubChainId,
    owner,
    guardian,
  );
  await vault.waitForDeployment();
  return { ...messaging, vault };
}

/**
 * Wires the hub and every source chain in both directions over their LocalAdapters (1-of-1 routes) and allows
 * `relayers` to deliver on every adapter. Each contract must be connected to its owner.
 */
export async function wire(hub: HubDeployment, spokes: SpokeDeployment[], relayers: string[]): Promise<void> {
  const engine = await hub.engine.getAddress();
  const hubMessenger = await hub.messenger.getAddress();
  const hubAdapter = await hub.adapter.getAddress();
  for (const spoke of spokes) {
    const vault = await spoke.vault.getAddress();
    const spokeMessenger = await spoke.messenger.getAddress();
    const spokeAdapter = await spoke.adapter.getAddress();
    await send(hub.adapter.setRemoteAdapter(spoke.chainId, spokeAdapter));
    await send(spoke.adapter.setRemoteAdapter(hub.chainId, hubAdapter));
    await send(hub.messenger.setRoute(spoke.chainId, spokeMessenger, [hubAdapter], 1));
    await send(spoke.messenger.setRoute(hub.chainId, hubMessenger, [spokeAdapter], 1));
    await send(hub.messenger.setPeerApp(engine, spoke.chainId, vault));
    await send(spoke.messenger.setPeerApp(vault, hub.chainId, engine));
    for (const relayer of relayers) await send(spoke.adapter.setRelayer(relayer, true));
  }
  for (const relayer of relayers) await send(hub.adapter.setRelayer(relayer, true));
}

export interface CollateralListing {
  /** Source chain where the vault holds the token. */
  spoke: SpokeDeployment;
  token: string;
  tokenDecimals: number;
  /** Chainlink-style USD feed on the hub. */
  feed: string;
  heartbeat: number;
  borrowFactorBps: number;
  liquidationThresholdBps: number;
  liquidationBonusBps: number;
}

/**
 * Gives the hub oracle the feed of `token`, lists the market on the engine and only then allows `token` in its
 * vault: if the hub refuses the feed or the market (e.g. `InvalidDecimals`), the vault never takes deposits of a
 * token the hub cannot list.
 */
export async function listCollateral(hub: HubDeployment, listing: CollateralListing): Promise<void> {
  await send(
    hub.oracle.setFeed(listing.spoke.chainId, listing.token, listing.feed, listing.heartbeat, listing.tokenDecimals),
  );
  await send(
    hub.engine.listMarket(
      listing.spoke.chainId,
      listing.token,
      listing.borrowFactorBps,
      listing.liquidationThresholdBps,
      listing.liquidationBonusBps,
    ),
  );
  await send(listing.spoke.vault.setAssetAllowed(listing.token, true));
}
