/**
 * Liquidator keeper: keeps an index of borrowers from the engine's events (state directory), scans every account
 * with debt in gas-budgeted lens batches, and liquidates each liquidatable one's most valuable position with a
 * slippage guard, receiving the seized collateral on its source chain at --recipient. Needs only the hub.
 *
 *   npm run liquidator -- [--once] [--deployment deployments/devnet.json] [--account liquidator | --key-env KEY]
 */
import { EXIT, EXIT_CODES_HELP, KEEPER_OPTIONS, addressFlag, intFlag, loop, parseKeeperArgs, runMain } from "./lib/cli";
import { openKeeperContext, takeCounters } from "./lib/keepers/context";
import { LiquidatorKeeper, liquidatorSummary } from "./lib/keepers/liquidate";
import { keeperLog } from "./lib/keepers/log";
import { Metrics } from "./lib/keepers/metrics";

const HELP = `usage: npm run liquidator -- [options]

Keeps an index of the accounts that borrowed (from the engine's Borrowed events, read once, from the record's
start block and then from its cursor in the state directory), checks the health of every account with debt in
batched lens calls sized to stay under the node's call gas cap, and liquidates each liquidatable one's most
valuable position. The signer pays the repayment in the base asset and the messaging fee of the RELEASE. Only the
hub is contacted: the source chains may be down.

${KEEPER_OPTIONS}
  --recipient <address> receive seized collateral there on every source chain (default: the signer)
  --slippage-bps <n>    accept up to n bps (0-10000) less collateral than previewed (default 50)

${EXIT_CODES_HELP}`;

export interface LiquidatorFlags {
  recipient?: string;
  slippageBps: number;
}

/** Checks the liquidator's own flags (exported for tests). */
export function liquidatorFlags(rest: Record<string, string | boolean | undefined>): LiquidatorFlags {
  return {
    recipient: rest.recipient === undefined ? undefined : addressFlag("recipient", String(rest.recipient)),
    slippageBps: intFlag("slippage-bps", rest["slippage-bps"] as string, 0, 10_000),
  };
}

export const LIQUIDATOR_EXTRA = {
  recipient: { type: "string" as const },
  "slippage-bps": { type: "string" as const, default: "50" },
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
