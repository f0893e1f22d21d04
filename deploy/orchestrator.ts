/**
 * Multi-chain orchestrator: deploys the hub and the source chains in order, wires routes, peer apps and
 * LocalAdapter peers in both directions.
 *
 * Deploy order (each step only needs the ones before it):
 *   1. every chain: Messenger, then LocalAdapter(messenger)
 *   2. hub: MarginEngineExt(base, messenger), MarginEngine(ext, ...), MarginLens(engine); the engine address is
 *      typed as IMarginHub (the engine's functions and the extension's, served through its fallback)
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
  IMarginHub,
  IMarginHub__factory,
  MarginEngineExt,
  MarginEngineExt__factory,
  MarginEngine__factory,
  MarginLens,
  MarginLens__factory,
  Messenger,
  Messenger__factory,
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
  /** The margin engine's address, with everything callable there (the engine's and its extension's functions). */
  engine: IMarginHub;
  /** The engine's extension (for records and verification; never called directly, see MarginEngineExt). */
  extension: MarginEngineExt;
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

/**
 * What a liquidation of a minimal position costs its liquidator, and what it earns. A position at the minimum debt is
 * closed whole (a liquidation may not leave less than `minDebt`), so the liquidator's net bonus on it is
 * `minDebt * bonus * (1 - protocolShare)`; it must cover the hub transaction and the RELEASE fees of a k-of-n route,
 * with a margin (price moves during the transaction, failed attempts, competition).
 */
export interface LiquidationCostModel {
  /** Gas of `hub.liquidate` with its RELEASE send (bench `hub.liquidate.1pos`: 137k with LocalAdapter), rounded up. */
  hubLiquidateGas: number;
  /** Hub gas price in gwei: an L2 hub pays well under 0.1 gwei; 1 gwei covers spikes and the L1 data fee. */
  gasPriceGwei: number;
  ethUsd: number;
  /** Native fee per adapter of one RELEASE (LayerZero, CCIP, Hyperlane to an L2 spoke, destination gas included). */
  releaseFeeUsd: number;
  /** Confirmations a route needs (k of n): each is one paid send. */
  confirmations: number;
  /** Smallest liquidation bonus the deployment lists, and the protocol's share of it. */
  minBonusBps: number;
  protocolShareBps: number;
  margin: number;
}

/** Assumptions behind the default minimum debt (README "Sizing the minimum debt"). */
export const DEFAULT_LIQUIDATION_COST: LiquidationCostModel = {
  hubLiquidateGas: 200_000,
  gasPriceGwei: 1,
  ethUsd: 4_000,
  releaseFeeUsd: 2.5,
  confirmations: 2,
  minBonusBps: 400,
  protocolShareBps: 1000,
  margin: 2,
};

/** What one liquidation costs under `m`, in USD: hub gas plus k RELEASE fees. */
export function liquidationCostUsd(m: LiquidationCostModel): number {
  return m.hubLiquidateGas * m.gasPriceGwei * 1e-9 * m.ethUsd + m.confirmations * m.releaseFeeUsd;
}

/** Smallest minimum debt (USD, rounded up to $50) whose liquidation pays `m.margin` times its cost. */
export function minDebtUsdFor(m: LiquidationCostModel): number {
  const netBonus = (m.minBonusBps / 10_000) * (1 - m.protocolShareBps / 10_000);
  return Math.ceil((m.margin * liquidationCostUsd(m)) / netBonus / 50) * 50;
}

/** Default minimum debt for a base asset worth $1 with `decimals` decimals: $350 under the default assumptions. */
export function defaultMinDebt(decimals: number): bigint {
  return BigInt(minDebtUsdFor(DEFAULT_LIQUIDATION_COST)) * 10n ** BigInt(decimals);
}

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

/**
 * Deploys the hub: messenger, LocalAdapter, the margin engine (its extension first, then the engine that
 * delegates to it) and the lens. Prices are read by the engine itself: feeds are set on the engine's address.
 */
export async function deployHub(deployer: Signer, config: HubConfig): Promise<HubDeployment> {
  const owner = await deployer.getAddress();
  const messaging = await deployMessaging(deployer, config.guardian, config.localFee ?? 0n);
  const ext = await new MarginEngineExt__factory(deployer).deploy(
    config.baseToken,
    await messaging.messenger.getAddress(),
  );
  await ext.waitForDeployment();
  const rm = config.rateModel;
  const implementation = await new MarginEngine__factory(deployer).deploy(
    await ext.getAddress(),
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
  await implementation.waitForDeployment();
  const engine = IMarginHub__factory.connect(await implementation.getAddress(), deployer);
  const lens = await new MarginLens__factory(deployer).deploy(await engine.getAddress());
  await lens.waitForDeployment();
  return { ...messaging, engine, extension: ext, lens };
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

/** Allows `token` in its vault, gives the engine its feed and lists the market there. */
export async function listCollateral(hub: HubDeployment, listing: CollateralListing): Promise<void> {
  await send(listing.spoke.vault.setAssetAllowed(listing.token, true));
  await send(
    hub.engine.setFeed(listing.spoke.chainId, listing.token, listing.feed, listing.heartbeat, listing.tokenDecimals),
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
}
