/**
 * Liquidator keeper: keeps an index of borrowers from the engine's events (state directory), scans every account
 * with debt in gas-budgeted lens batches, and per liquidatable account executes the most profitable of liquidate
 * (RELEASE to --recipient), liquidateToAccount and absorb after gas and fees (--mode, --min-profit), with a slippage
 * guard; optionally buys the hub's absorbed inventory (--buy-inventory). Needs only the hub.
 *
 *   npm run liquidator -- [--once] [--mode auto|release|account|absorb] [--deployment deployments/devnet.json]
 */
import {
  EXIT,
  EXIT_CODES_HELP,
  KEEPER_OPTIONS,
  UsageError,
  addressFlag,
  intFlag,
  loop,
  parseKeeperArgs,
  runMain,
} from "./lib/cli";
import { MODES, type ModeFlag } from "./lib/liquidation-plan";
import { openKeeperContext, takeCounters } from "./lib/keepers/context";
import { LiquidatorKeeper, liquidatorSummary } from "./lib/keepers/liquidate";
import { keeperLog } from "./lib/keepers/log";
import { Metrics } from "./lib/keepers/metrics";

const HELP = `usage: npm run liquidator -- [options]

Keeps an index of the accounts that borrowed (from the engine's Borrowed events, read once, from the record's
start block and then from its cursor in the state directory), checks the health of every account with debt in
batched lens calls sized to stay under the node's call gas cap, and for each liquidatable one evaluates the
actions --mode allows (liquidate with a RELEASE, liquidateToAccount, absorb) at the size the hub allows with the
signer's base, and executes the most profitable after gas and the message fee, in base; unprofitable ones are
skipped. Every decision is logged with its figures. Absorbs are batched into one call. Only the hub is
contacted: the source chains may be down.

${KEEPER_OPTIONS}
  --recipient <address> receive seized collateral there on every source chain (default: the signer)
  --slippage-bps <n>    accept up to n bps (0-10000) less collateral than previewed (default 50)
  --mode <m>            auto (default): per account, the most profitable of the modes below after gas and
                        the message fee, in base; release: liquidate, seized collateral released on its chain
                        (RELEASE fee paid); account: liquidateToAccount, seized collateral kept as a credit in
                        the signer's hub account (no message); absorb: absorb([...]) in one call, needs no base
  --min-profit <units>  skip actions earning less than this, in base token units (default 0)
  --haircut-bps <n>     what realising seized collateral is expected to cost, bps of its value (default 0)
  --native-price <x>    base token units per ETH for gas and fees when the hub has no ETH feed
  --buy-inventory       also buy the hub's absorbed inventory when its discount beats gas

${EXIT_CODES_HELP}`;

export interface LiquidatorFlags {
  recipient?: string;
  slippageBps: number;
  mode: ModeFlag;
  minProfit: string;
  haircutBps: number;
  nativePrice?: string;
  buyInventory: boolean;
}

function unitsFlag(name: string, value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${name} ${value}: not a decimal number of token units`);
  return value;
}

/** Checks the liquidator's own flags (exported for tests). */
export function liquidatorFlags(rest: Record<string, string | boolean | undefined>): LiquidatorFlags {
  return {
    recipient: rest.recipient === undefined ? undefined : addressFlag("recipient", String(rest.recipient)),
    slippageBps: intFlag("slippage-bps", rest["slippage-bps"] as string, 0, 10_000),
    mode: modeFlag(String(rest.mode)),
    minProfit: unitsFlag("min-profit", String(rest["min-profit"])),
    haircutBps: intFlag("haircut-bps", rest["haircut-bps"] as string, 0, 10_000),
    nativePrice:
      rest["native-price"] === undefined ? undefined : unitsFlag("native-price", String(rest["native-price"])),
    buyInventory: rest["buy-inventory"] === true,
  };
}

function modeFlag(value: string): ModeFlag {
  if (!(MODES as readonly string[]).includes(value)) {
    throw new UsageError(`--mode ${value}: must be one of ${MODES.join(", ")}`);
  }
  return value as ModeFlag;
}

export const LIQUIDATOR_EXTRA = {
  recipient: { type: "string" as const },
  "slippage-bps": { type: "string" as const, default: "50" },
  mode: { type: "string" as const, default: "auto" },
  "min-profit": { type: "string" as const, default: "0" },
  "haircut-bps": { type: "string" as const, default: "0" },
  "native-price": { type: "string" as const },
  "buy-inventory": { type: "boolean" as const, default: false },
};

async function main(): Promise<number> {
  const args = parseKeeperArgs(process.argv.slice(2), "liquidator", LIQUIDATOR_EXTRA);
  if (args.help) {
    console.log(HELP);
    return EXIT.OK;
  }
  const flags = liquidatorFlags(args.rest);
  const log = keeperLog("liquidator", args.log);
  const metrics = new Metrics();
  const server = args.metricsPort ? await metrics.serve(args.metricsPort) : undefined;
  const ctx = openKeeperContext(args.record, args.identity, {
    timeoutMs: args.timeoutMs,
    only: (c) => c.role === "hub",
  });
  const keeper = new LiquidatorKeeper(ctx, { stateDir: args.stateDir, log, metrics, ...flags });
  log(`liquidating on ${ctx.hub.name}; index in ${args.stateDir}${args.once ? " (one pass)" : ""}`);
  let last = "";
  const report = await loop(
    args.once,
    args.intervalMs,
    async () => {
      const r = await keeper.pass();
      const rpc = takeCounters(ctx);
      const line = liquidatorSummary(r);
      const key = line.replace(/head \d+ cursor \d+/, "");
      if (key !== last || r.results.length)
        log(line, { rpc, withDebt: r.withDebt, liquidatable: r.liquidatable.length });
      last = key;
      return r;
    },
    (l) => log.error(l),
  );
  server?.close();
  ctx.close();
  return args.once && report?.anyFailure ? EXIT.FAILED : EXIT.OK;
}

if (require.main === module) runMain(main);
