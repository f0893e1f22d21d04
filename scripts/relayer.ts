/**
 * Relayer keeper for the LocalAdapter transport: carries every envelope emitted on any chain of a deployment to
 * its destination, in order of emission, skipping those already delivered.
 *
 *   npm run relayer -- [--once] [--deployment deployments/devnet.json] [--account relayer | --key-env KEY]
 */
import { KEEPER_OPTIONS, logLine, loop, parseKeeperArgs } from "./lib/cli";
import { connectDeployment, readRecord, type Connected } from "./lib/deployment";
import { Relayer, type DeliveryResult } from "./lib/relayer";

const HELP = `usage: npm run relayer -- [options]

Watches the LocalAdapter of every chain in the deployment record (from the record's start blocks) for
RelayRequested events and delivers each envelope to the peer adapter on its destination chain. The signer must be
an authorised relayer there. Chains without a LocalAdapter are skipped: their bridges carry their messages.

${KEEPER_OPTIONS}`;

/** A relayer over every chain of the deployment `d` (connected as an authorised relayer). */
export function makeKeeperRelayer(d: Connected, log?: (line: string) => void): Relayer {
  const chains = [d.hub, ...d.spokes].flatMap((c) =>
    c.deployment.adapter
      ? [
          {
            name: c.chain.name,
            chainId: c.chain.chainId,
            adapter: c.deployment.adapter,
            fromBlock: d.fromBlocks.get(c.chain.chainId),
          },
        ]
      : [],
  );
  if (!chains.length) {
    throw new Error("no LocalAdapter in this deployment: its bridges (LayerZero, CCIP, Hyperlane) carry messages");
  }
  return new Relayer(chains, log);
}

/** One pass: poll every chain, deliver everything new. */
export async function relayOnce(relayer: Relayer, log: (line: string) => void = () => {}): Promise<DeliveryResult[]> {
  const results = await relayer.flush();
  const failed = results.filter((r) => r.error).length;
  if (results.length) log(`pass: ${results.length - failed} delivered, ${failed} failed`);
  return results;
}

async function main() {
  const args = parseKeeperArgs(process.argv.slice(2), "relayer");
  if (args.help) return console.log(HELP);
  const log = logLine("relayer");
  const d = await connectDeployment(readRecord(args.record), args.identity);
  const relayer = makeKeeperRelayer(d, log);
  log(`relaying as ${d.hub.signer.address} between ${1 + d.spokes.length} chains${args.once ? " (one pass)" : ""}`);
  await loop(
    args.once,
    args.intervalMs,
    async () => {
      await relayOnce(relayer, log);
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
