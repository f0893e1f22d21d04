/**
 * Liquidator keeper: finds unhealthy accounts with the lens and liquidates them, receiving the seized collateral
 * on its source chain at the liquidator's own address (or --recipient).
 *
 *   npm run liquidator -- [--once] [--deployment deployments/devnet.json] [--account liquidator | --key-env KEY]
 */
import { KEEPER_OPTIONS, logLine, loop, parseKeeperArgs } from "./lib/cli";
import { connectDeployment, readRecord, type Connected } from "./lib/deployment";
import { discoverBorrowers, liquidateOnce, type LiquidationResult } from "./lib/liquidator";

const HELP = `usage: npm run liquidator -- [options]

Scans borrowers (from the engine's Borrowed events), asks the lens which are liquidatable, and liquidates each
one's most valuable position with a slippage guard. The signer pays the repayment in the base asset and the
messaging fee of the RELEASE.

${KEEPER_OPTIONS}
  --recipient <address> receive seized collateral there on every source chain (default: the signer)
  --slippage-bps <n>    accept up to n bps less collateral than previewed (default 50)`;

export interface LiquidatorOptions {
  recipient?: string;
  slippageBps?: number;
  log?: (line: string) => void;
}

/** One pass over every borrower of the deployment `d` (connected as the liquidator). */
export async function liquidatorPass(d: Connected, opts: LiquidatorOptions = {}): Promise<LiquidationResult[]> {
  return liquidateOnce(
    {
      signer: d.hub.signer,
      engine: d.hub.deployment.engine,
      lens: d.hub.deployment.lens,
      base: d.hub.base,
      recipient: () => opts.recipient ?? d.hub.signer.address,
      slippageBps: opts.slippageBps,
      log: opts.log,
    },
    await discoverBorrowers(d.hub.deployment.engine, d.fromBlocks.get(d.hub.chain.chainId)),
  );
}

async function main() {
  const args = parseKeeperArgs(process.argv.slice(2), "liquidator", {
    recipient: { type: "string" },
    "slippage-bps": { type: "string", default: "50" },
  });
  if (args.help) return console.log(HELP);
  const log = logLine("liquidator");
  const d = await connectDeployment(readRecord(args.record), args.identity);
  log(`liquidating as ${d.hub.signer.address} on hub ${d.hub.chain.chainId}${args.once ? " (one pass)" : ""}`);
  await loop(
    args.once,
    args.intervalMs,
    async () => {
      await liquidatorPass(d, {
        recipient: args.rest.recipient as string | undefined,
        slippageBps: Number(args.rest["slippage-bps"]),
        log,
      });
    },
    log,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
