/**
 * The hub's contracts, in deploy order: the ONE place that knows how the hub is constructed. Each step names the
 * record key, the factory and the constructor arguments from what the steps before it deployed. Everything else
 * (wiring, markets, governance) uses the record keys below:
 *
 * - `feeds`: the address that holds the price feeds (`setFeed`, `setFeedBounds`, `setSequencerUptimeFeed`,
 *   `feedOf`): the engine itself, which reads prices inside (its extension serves these calls);
 * - `engine`: the peer app of the vaults (messenger `setPeerApp`), owner of markets and credit caps;
 * - `owned`: every Ownable2Step contract of the hub besides the messenger and adapters (handed to the timelock).
 */
import {
  MarginEngineExt__factory,
  MarginEngineLiq__factory,
  MarginEngine__factory,
  MarginLens__factory,
} from "../typechain-types";
import type { DeployFactory } from "./runner";
import type { EnvironmentConfig } from "./types";

export const SECONDS_PER_YEAR = 365n * 24n * 3600n;
export const WAD = 10n ** 18n;

/** A decimal string ("0.04") as a 1e18 fixed-point integer. */
export function wad(value: string): bigint {
  const [int, frac = ""] = value.split(".");
  return BigInt(int || "0") * WAD + BigInt((frac + "0".repeat(18)).slice(0, 18));
}

export interface HubInputs {
  /** The deploying key: every contract starts owned by it. */
  owner: string;
  guardian: string;
  messenger: string;
  baseToken: string;
  risk: EnvironmentConfig["risk"];
  /** Base token decimals (minDebt is given in whole units). */
  baseDecimals: number;
}

export interface HubStep {
  name: string;
  factory: DeployFactory;
  args: (inputs: HubInputs, deployed: Record<string, string>) => unknown[];
}

export const HUB_STEPS: HubStep[] = [
  // The engine's liquidation part (absorb, buyCollateral, bad-debt write-off, liquidation quotes), reached through
  // the extension's fallback, and the extension (configuration, feeds, rare views), reached through the engine's:
  // neither holds state of its own and both refuse direct calls, so they are deployed first, in this order (each
  // part takes the next one's address), and owned by nobody that matters.
  { name: "liquidations", factory: new MarginEngineLiq__factory(), args: (i) => [i.baseToken, i.messenger] },
  { name: "extension", factory: new MarginEngineExt__factory(), args: (_i, d) => [d.liquidations] },
  {
    name: "engine",
    factory: new MarginEngine__factory(),
    args: (i, d) => {
      const rm = i.risk.rateModel;
      const liq = i.risk.liquidation;
      return [
        d.extension,
        {
          baseRate: wad(rm.baseRatePerYear) / SECONDS_PER_YEAR,
          slope1: wad(rm.slope1PerYear) / SECONDS_PER_YEAR,
          slope2: wad(rm.slope2PerYear) / SECONDS_PER_YEAR,
          kink: wad(rm.kink),
        },
        i.risk.reserveFactorBps,
        {
          targetHealth: wad(liq.targetHealth),
          maxBonusHealth: wad(liq.maxBonusHealth),
          minBonusBps: liq.minBonusBps,
          protocolShareBps: liq.protocolShareBps,
          storeFrontShareBps: liq.storeFrontShareBps,
          absorbReward: wad(liq.absorbReward) / 10n ** BigInt(18 - i.baseDecimals),
        },
        wad(i.risk.minDebt) / 10n ** BigInt(18 - i.baseDecimals),
        i.owner,
        i.guardian,
      ];
    },
  },
  { name: "lens", factory: new MarginLens__factory(), args: (_i, d) => [d.engine] },
];

/** Record keys of the hub's roles (see the file comment). */
export const HUB_ROLES = { feeds: "engine", engine: "engine", owned: ["engine"] } as const;
