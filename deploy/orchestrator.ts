/**
 * Building blocks shared by the tests: the hub on one chain (deployHub, through the hub steps of deploy/hub.ts, the
 * same construction as the multi-chain deploy) and the listing of one collateral (listCollateral, in the order of
 * the multi-chain deploy: hub feed, hub market, then the vault's allow-list). The one deploy path of every
 * environment, the world fixture and the devnet is deploy/environment.ts.
 */
import { formatUnits, type Signer, type ContractTransactionResponse } from "ethers";
import { HUB_STEPS, WAD, type HubInputs } from "./hub";
import type { EnvironmentConfig } from "./types";
import {
  CollateralVault,
  LocalAdapter,
  LocalAdapter__factory,
  IMarginHub,
  IMarginHub__factory,
  MarginEngineExt,
  MarginEngineExt__factory,
  MarginEngineLiq,
  MarginEngineLiq__factory,
  MarginLens,
  MarginLens__factory,
  Messenger,
  Messenger__factory,
} from "../typechain-types";

export { SECONDS_PER_YEAR, WAD } from "./hub";

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
  /** Liquidation rules: health 1e18-scaled, shares and bonus in bps, the absorb reward in base units. */
  liquidation: {
    targetHealth: bigint;
    maxBonusHealth: bigint;
    minBonusBps: number;
    protocolShareBps: number;
    storeFrontShareBps: number;
    absorbReward: bigint;
  };
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
  /** The engine's liquidation part (for records and verification; never called directly, see MarginEngineLiq). */
  liquidations: MarginEngineLiq;
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

/** Assumptions behind the default minimum debt (docs/risk.md, "Sizing the minimum debt"). */
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

/** The yearly rate model and liquidation rules of `config` in the environment config's decimal form. */
export function riskOf(config: HubConfig): EnvironmentConfig["risk"] {
  const dec = (x: bigint) => formatUnits(x, 18);
  const rm = config.rateModel;
  return {
    rateModel: {
      baseRatePerYear: dec(rm.baseRatePerYear),
      slope1PerYear: dec(rm.slope1PerYear),
      slope2PerYear: dec(rm.slope2PerYear),
      kink: dec(rm.kink),
    },
    reserveFactorBps: config.reserveFactorBps,
    liquidation: {
      targetHealth: dec(config.liquidation.targetHealth),
      maxBonusHealth: dec(config.liquidation.maxBonusHealth),
      minBonusBps: config.liquidation.minBonusBps,
      protocolShareBps: config.liquidation.protocolShareBps,
      storeFrontShareBps: config.liquidation.storeFrontShareBps,
      absorbReward: dec(config.liquidation.absorbReward * 10n ** 12n),
    },
    minDebt: dec(config.minDebt * 10n ** 12n),
  };
}

/**
 * Deploys the hub on one chain: messenger, LocalAdapter, then the hub steps of deploy/hub.ts (the same construction
 * as the multi-chain deploy). For single-chain unit tests; base decimals must be 6 (minDebt is in base units).
 */
export async function deployHub(deployer: Signer, config: HubConfig): Promise<HubDeployment> {
  const owner = await deployer.getAddress();
  const messaging = await deployMessaging(deployer, config.guardian, config.localFee ?? 0n);
  const inputs: HubInputs = {
    owner,
    guardian: config.guardian,
    messenger: await messaging.messenger.getAddress(),
    baseToken: config.baseToken,
    risk: riskOf(config),
    baseDecimals: 6,
  };
  const deployed: Record<string, string> = {};
  for (const step of HUB_STEPS) {
    const tx = await (step.factory.getDeployTransaction as (...a: unknown[]) => Promise<{ data: string }>)(
      ...step.args(inputs, deployed),
    );
    const receipt = await (await deployer.sendTransaction({ data: tx.data })).wait();
    if (!receipt?.contractAddress) throw new Error(`deploy ${step.name} failed`);
    deployed[step.name] = receipt.contractAddress;
  }
  return {
    ...messaging,
    engine: IMarginHub__factory.connect(deployed.engine, deployer),
    extension: MarginEngineExt__factory.connect(deployed.extension, deployer),
    liquidations: MarginEngineLiq__factory.connect(deployed.liquidations, deployer),
    lens: MarginLens__factory.connect(deployed.lens, deployer),
  };
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
 * Gives the engine the feed of `token`, lists the market on the engine and only then allows `token` in its
 * vault: if the hub refuses the feed or the market (e.g. `InvalidDecimals`), the vault never takes deposits of a
 * token the hub cannot list.
 */
export async function listCollateral(hub: HubDeployment, listing: CollateralListing): Promise<void> {
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
  await send(listing.spoke.vault.setAssetAllowed(listing.token, true));
}
