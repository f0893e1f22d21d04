/**
 * Checks an environment config against the address book before any transaction is sent. Every problem is one line
 * naming where it is and what is wrong; an empty list means the config is valid.
 */
import { isAddress, parseUnits } from "ethers";
import type { AdapterKind, EnvironmentConfig, NetworkEntry } from "../types";
import { ADAPTER_KINDS } from "../types";

const BPS = 10_000;
/** Adapters that need an entry in the address book on both ends (`local` is carried by the xmargin relayer). */
const BRIDGE_KINDS: readonly AdapterKind[] = ["layerzero", "ccip", "hyperlane"];

function isBps(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= BPS;
}

/** Token units of a decimal string ("1000.5"), or an error text. */
function amount(value: string, decimals: number): bigint | string {
  if (!/^\d+(\.\d+)?$/.test(value)) return `"${value}" is not a decimal amount`;
  try {
    return parseUnits(value, decimals);
  } catch {
    return `"${value}" has more than ${decimals} decimals`;
  }
}

/** One line per problem of `config` against `book`; empty when the config is valid. */
export function validateEnvironment(config: EnvironmentConfig, book: Record<string, NetworkEntry>): string[] {
  const problems: string[] = [];
  const known = (network: string, where: string): NetworkEntry | undefined => {
    const entry = book[network];
    if (entry === undefined) problems.push(`${where}: unknown network "${network}" (not in the address book)`);
    return entry;
  };

  // Networks: the hub, the spokes, their chain ids.
  const hub = known(config.hub, "hub");
  if (config.spokes.length === 0) problems.push("spokes: none listed");
  const seenSpokes = new Set<string>();
  for (const spoke of config.spokes) {
    if (seenSpokes.has(spoke)) problems.push(`spokes: "${spoke}" listed twice`);
    seenSpokes.add(spoke);
    if (spoke === config.hub) problems.push(`spokes: "${spoke}" is the hub; a hub cannot also be a spoke`);
    known(spoke, `spoke ${spoke}`);
  }
  const byChainId = new Map<number, string>();
  for (const network of [config.hub, ...seenSpokes]) {
    const entry = book[network];
    if (entry === undefined) continue;
    const other = byChainId.get(entry.chainId);
    if (other !== undefined && other !== network) {
      problems.push(`networks: ${other} and ${network} have the same chain id ${entry.chainId}`);
    }
    byChainId.set(entry.chainId, network);
  }

  // Routes: one per spoke, adapters both ends have, 1 <= k <= n.
  for (const spoke of seenSpokes) {
    if (config.routes[spoke] === undefined) problems.push(`route ${spoke}: missing (every spoke needs a route)`);
  }
  for (const [spoke, route] of Object.entries(config.routes)) {
    const where = `route ${spoke}`;
    if (!seenSpokes.has(spoke)) problems.push(`${where}: "${spoke}" is not a spoke`);
    const n = route.adapters.length;
    if (!Number.isInteger(route.k) || route.k < 1 || route.k > n) {
      problems.push(`${where}: k = ${route.k} must be between 1 and n = ${n} (the number of adapters)`);
    }
    if (new Set(route.adapters).size !== n)
      problems.push(`${where}: an adapter is listed twice (${route.adapters.join(", ")})`);
    const spokeEntry = book[spoke];
    for (const kind of route.adapters) {
      if (!ADAPTER_KINDS.includes(kind)) {
        problems.push(`${where}: unknown adapter "${kind}" (one of ${ADAPTER_KINDS.join(", ")})`);
        continue;
      }
      if (kind === "local" && (config.relayers ?? []).length === 0) {
        problems.push(`${where}: the local adapter needs at least one address in relayers`);
      }
      if (!BRIDGE_KINDS.includes(kind)) continue;
      for (const [end, entry] of [
        [config.hub, hub],
        [spoke, spokeEntry],
      ] as const) {
        if (entry !== undefined && entry[kind as "layerzero" | "ccip" | "hyperlane"] === undefined) {
          problems.push(`${where}: adapter ${kind} is not available on ${end} (no ${kind} entry in its address book)`);
        }
      }
    }
  }

  // LayerZero DVNs named by the config must be in the book of every network a LayerZero route touches.
  for (const dvn of config.layerzero?.requiredDVNs ?? []) {
    const lzNetworks = new Set<string>();
    for (const [spoke, route] of Object.entries(config.routes)) {
      if (route.adapters.includes("layerzero")) lzNetworks.add(config.hub).add(spoke);
    }
    for (const network of lzNetworks) {
      const lz = book[network]?.layerzero;
      if (lz !== undefined && lz.dvns?.[dvn] === undefined) {
        problems.push(`layerzero: DVN "${dvn}" has no address on ${network} (layerzero.dvns in its address book)`);
      }
    }
  }
  if (config.layerzero?.executor !== undefined && !isAddress(config.layerzero.executor)) {
    problems.push(`layerzero: executor "${config.layerzero.executor}" is not an address`);
  }

  // Base asset on the hub.
  if (hub !== undefined) {
    if (hub.feeds[config.base.feed] === undefined) {
      problems.push(`base: no feed "${config.base.feed}" on the hub ${config.hub} (feeds in its address book)`);
    }
    if (!config.deployTokens && hub.tokens[config.base.token] === undefined) {
      problems.push(`base: token ${config.base.token} is not in the address book of the hub ${config.hub}`);
    }
  }

  // Markets.
  const seenMarkets = new Set<string>();
  config.markets.forEach((m) => {
    const where = `market ${m.token} on ${m.network}`;
    const key = `${m.network}/${m.token}`;
    if (seenMarkets.has(key)) problems.push(`${where}: listed twice`);
    seenMarkets.add(key);
    const entry = book[m.network];
    if (entry === undefined) problems.push(`${where}: unknown network "${m.network}" (not in the address book)`);
    else if (!seenSpokes.has(m.network)) problems.push(`${where}: "${m.network}" is not a spoke`);
    if (hub !== undefined && hub.feeds[m.feed] === undefined) {
      problems.push(`${where}: no feed "${m.feed}" on the hub ${config.hub} (feeds in its address book)`);
    }
    const token = entry?.tokens[m.token];
    if (entry !== undefined && token === undefined && !config.deployTokens) {
      problems.push(`${where}: token ${m.token} is not in the address book of ${m.network}`);
    }

    const { borrowFactorBps: bf, liquidationThresholdBps: lt, liquidationBonusBps: bonus } = m;
    if (![bf, lt, bonus].every(isBps)) {
      problems.push(
        `${where}: bps values must be integers in [0, ${BPS}] (borrow ${bf}, threshold ${lt}, bonus ${bonus})`,
      );
    } else if (bf > lt || lt >= BPS) {
      problems.push(`${where}: need borrowFactorBps (${bf}) <= liquidationThresholdBps (${lt}) < ${BPS}`);
    } else if (lt * (BPS + bonus) > BPS * BPS) {
      problems.push(
        `${where}: threshold ${lt} x (1 + bonus ${bonus}) exceeds 100% (a liquidation would seize more than the debt covers)`,
      );
    }

    const decimals = token?.decimals ?? 18;
    const credit = amount(m.creditCap, decimals);
    const deposit = amount(m.depositCap, decimals);
    if (typeof credit === "string") problems.push(`${where}: creditCap ${credit}`);
    if (typeof deposit === "string") problems.push(`${where}: depositCap ${deposit}`);
    if (
      typeof credit === "bigint" &&
      typeof deposit === "bigint" &&
      credit !== 0n &&
      (deposit === 0n || deposit > credit)
    ) {
      const shown = deposit === 0n ? "0 (no cap)" : m.depositCap;
      problems.push(`${where}: vault deposit cap ${shown} is above the hub credit cap ${m.creditCap}`);
    }
    if (m.outflowLimit !== undefined) {
      const capacity = amount(m.outflowLimit.capacity, decimals);
      if (typeof capacity === "string") problems.push(`${where}: outflowLimit.capacity ${capacity}`);
      else if (capacity === 0n) problems.push(`${where}: outflowLimit.capacity is 0 (omit the limit instead)`);
      if (!Number.isInteger(m.outflowLimit.windowSeconds) || m.outflowLimit.windowSeconds <= 0) {
        problems.push(
          `${where}: outflowLimit.windowSeconds ${m.outflowLimit.windowSeconds} must be a positive integer`,
        );
      }
    }
  });

  // Risk, governance, delivery.
  const { risk } = config;
  for (const [name, value] of [
    ["reserveFactorBps", risk.reserveFactorBps],
    ["liquidation.minBonusBps", risk.liquidation.minBonusBps],
    ["liquidation.protocolShareBps", risk.liquidation.protocolShareBps],
    ["liquidation.storeFrontShareBps", risk.liquidation.storeFrontShareBps],
  ] as const) {
    if (!isBps(value)) problems.push(`risk.${name}: ${value} must be an integer in [0, ${BPS}]`);
  }
  // The engine's bounds (MarginEngineExt._setLiquidationParams): 1 < targetHealth <= 2, maxBonusHealth < 1.
  const target = Number(risk.liquidation.targetHealth);
  if (!(target > 1 && target <= 2)) {
    problems.push(`risk.liquidation.targetHealth: "${risk.liquidation.targetHealth}" must be in (1, 2]`);
  }
  const maxBonusHealth = Number(risk.liquidation.maxBonusHealth);
  if (!(maxBonusHealth >= 0 && maxBonusHealth < 1)) {
    problems.push(`risk.liquidation.maxBonusHealth: "${risk.liquidation.maxBonusHealth}" must be in [0, 1)`);
  }
  if (!/^\d+(\.\d+)?$/.test(risk.liquidation.absorbReward)) {
    problems.push(`risk.liquidation.absorbReward: "${risk.liquidation.absorbReward}" must be a decimal amount of base`);
  }
  for (const [network, haircut] of Object.entries(risk.latencyHaircutBps ?? {})) {
    if (!seenSpokes.has(network)) problems.push(`risk.latencyHaircutBps: "${network}" is not a spoke`);
    if (!Number.isInteger(haircut) || haircut < 0 || haircut >= BPS) {
      problems.push(`risk.latencyHaircutBps.${network}: ${haircut} must be an integer in [0, ${BPS})`);
    }
  }
  if (!Number.isSafeInteger(config.deliveryGas) || config.deliveryGas <= 0) {
    problems.push(
      `deliveryGas: ${config.deliveryGas} must be a positive integer (gas each destination gives a delivery)`,
    );
  }
  const principal = (value: string, where: string): void => {
    if (value !== "deployer" && !isAddress(value))
      problems.push(`${where}: "${value}" is neither "deployer" nor an address`);
  };
  principal(config.guardian, "guardian");
  config.governance.proposers.forEach((p) => principal(p, "governance.proposers"));
  config.governance.executors.forEach((e) => principal(e, "governance.executors"));
  (config.relayers ?? []).forEach((r) => principal(r, "relayers"));
  if (!Number.isInteger(config.governance.minDelay) || config.governance.minDelay < 0) {
    problems.push(`governance.minDelay: ${config.governance.minDelay} must be a non-negative integer (seconds)`);
  }
  if (config.governance.timelock && config.governance.proposers.length === 0) {
    problems.push("governance.proposers: a timelock needs at least one proposer");
  }
  return problems;
}

/** Throws an Error listing every problem of `config` (one per line), or returns when it is valid. */
export function assertValidEnvironment(config: EnvironmentConfig, book: Record<string, NetworkEntry>): void {
  const problems = validateEnvironment(config, book);
  if (problems.length > 0) {
    throw new Error(
      `environment "${config.name}" is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}
