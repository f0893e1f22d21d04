/**
 * Relayer keeper for the LocalAdapter transport: carries every envelope emitted on any chain of a deployment to
 * its destination. Each chain on its own (a dead or frozen chain holds only its routes), cursors and the queue kept
 * in the state directory, several deliveries in flight per destination.
 *
 *   npm run relayer -- [--once] [--deployment deployments/devnet.json] [--account relayer | --key-env KEY]
 */
import { EXIT, EXIT_CODES_HELP, KEEPER_OPTIONS, loop, parseKeeperArgs, runMain, intFlag } from "./lib/cli";
import { connectDeployment, type Connected } from "./lib/deployment";
import { Relayer, type DeliveryResult } from "./lib/relayer";
import { openKeeperContext, takeCounters } from "./lib/keepers/context";
import { RelayKeeper, relaySummary } from "./lib/keepers/relay";
import { keeperLog } from "./lib/keepers/log";
import { Metrics } from "./lib/keepers/metrics";

const HELP = `usage: npm run relayer -- [options]

Watches the LocalAdapter of every chain in the deployment record (from the record's start blocks, then from its
cursors in the state directory, each chain's confirmation depth behind its head) for RelayRequested events and
delivers each envelope to the peer adapter on its destination chain. Checks at start that the signer is an allowed
relayer on every LocalAdapter. A chain that is down or does not answer is retried with back-off and holds only the
envelopes from or to it. Chains without a LocalAdapter are skipped: their bridges carry their messages.

${KEEPER_OPTIONS}
  --concurrency <n>     deliveries in flight per destination chain (default 16)

${EXIT_CODES_HELP}`;

/** A relayer over every chain of the deployment `d` (connected as an authorised relayer): tests and the demo. */
export function makeKeeperRelayer(d: Connected, log?: (line: string) => void): Relayer {
  const chains = [d.hub, ...d.spokes].flatMap((c) =>
    c.deployment.adapter
      ? [
          {
            name: c.chain.name,
            chainId: c.chain.chainId,
            adapter: c.deployment.adapter,
            fromBlock: d.fromBlocks.get(c.chain.chainId),
            confirmations: d.confirmations.get(c.chain.chainId),
          },
        ]
      : [],
  );
  if (!chains.length) {
    throw new Error("no LocalAdapter in this deployment: its bridges (LayerZero, CCIP, Hyperlane) carry messages");
  }
  return new Relayer(chains, log);
}

/** One pass of the in-memory relayer: poll every chain, deliver everything new. */
export async function relayOnce(relayer: Relayer, log: (line: string) => void = () => {}): Promise<DeliveryResult[]> {
  const results = await relayer.flush();
  const failed = results.filter((r) => r.error).length;
  if (results.length) log(`pass: ${results.length - failed} delivered, ${failed} failed`);
  return results;
}

/** Connects a deployment for tests that still use the in-memory relayer. */
export { connectDeployment };

async function main(): Promise<number> {
  const args = parseKeeperArgs(process.argv.slice(2), "relayer", { concurrency: { type: "string", default: "16" } });
  if (args.help) {
    console.log(HELP);
    return EXIT.OK;
  }
  const concurrency = intFlag("concurrency", args.rest.concurrency as string, 1, 256);
  const log = keeperLog("relayer", args.log);
  const metrics = new Metrics();
  const server = args.metricsPort ? await metrics.serve(args.metricsPort) : undefined;
  const ctx = openKeeperContext(args.record, args.identity, { timeoutMs: args.timeoutMs });
  const keeper = new RelayKeeper(ctx, { stateDir: args.stateDir, log, metrics, concurrency });
  const { unreachable } = await keeper.checkRelayer();
  for (const u of unreachable) log.warn(`cannot check the relayer key on ${u} yet: checked before its first delivery`);
  log(
    `relaying between ${keeper.chains.map((c) => c.name).join(", ")}; state in ${args.stateDir}${args.once ? " (one pass)" : ""}`,
  );
  let last = "";
  const report = await loop(
    args.once,
    args.intervalMs,
    async () => {
      const r = await keeper.pass();
      const rpc = takeCounters(ctx);
      const line = relaySummary(r);
      // Silence when nothing changed: a line when something was delivered or failed, or a chain changed state.
      const key = `${r.delivered}|${r.failed.length}|${JSON.stringify(r.pending)}|${r.chains.map((c) => c.ok).join()}`;
      if (key !== last || r.delivered || r.failed.length) log(line, { ...r, rpc });
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
