/** Small shared command-line handling for the keeper scripts. */
import { parseArgs } from "util";
import { ACTORS, type ActorName } from "./world";
import type { Identity } from "./deployment";

export const DEFAULT_RECORD = "deployments/devnet.json";

export interface KeeperArgs {
  help: boolean;
  once: boolean;
  intervalMs: number;
  record: string;
  identity: Identity;
  rest: Record<string, string | boolean | undefined>;
}

/**
 * Parses the options every keeper takes:
 *   --deployment <file>   deployment record (default deployments/devnet.json)
 *   --once                one pass, then exit (tests, cron)
 *   --interval <ms>       pause between passes (default 2000)
 *   --key-env <VAR>       sign with the private key in environment variable VAR (testnets)
 *   --account <name|n>    sign with an unlocked dev-node account: an actor name (relayer, liquidator, ...) or index
 * plus `extra` options of the script.
 */
export function parseKeeperArgs(
  argv: string[],
  defaultAccount: ActorName,
  extra: Record<string, { type: "string" | "boolean"; default?: string | boolean }> = {},
): KeeperArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h", default: false },
      once: { type: "boolean", default: false },
      interval: { type: "string", default: "2000" },
      deployment: { type: "string", default: DEFAULT_RECORD },
      "key-env": { type: "string" },
      account: { type: "string", default: defaultAccount },
      ...extra,
    },
    strict: true,
  });
  let identity: Identity;
  const keyEnv = values["key-env"] as string | undefined;
  if (keyEnv) {
    const key = process.env[keyEnv];
    if (!key) throw new Error(`--key-env ${keyEnv}: the environment variable is empty`);
    identity = { key };
  } else {
    const account = String(values.account);
    const index = account in ACTORS ? ACTORS[account as ActorName] : Number(account);
    if (!Number.isInteger(index) || index < 0) throw new Error(`--account ${account}: not an actor name or an index`);
    identity = { account: index };
  }
  const intervalMs = Number(values.interval);
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new Error(`--interval ${values.interval}: not a number`);
  return {
    help: Boolean(values.help),
    once: Boolean(values.once),
    intervalMs,
    record: String(values.deployment),
    identity,
    rest: values as Record<string, string | boolean | undefined>,
  };
}

export const KEEPER_OPTIONS = `options:
  --deployment <file>   deployment record to use (default ${DEFAULT_RECORD}, written by npm run devnet)
  --once                one pass, then exit (for tests and cron)
  --interval <ms>       pause between passes (default 2000)
  --key-env <VAR>       sign with the private key held in environment variable VAR (testnets)
  --account <who>       sign with an unlocked dev-node account: an actor name or an index
  -h, --help            this help`;

/** Timestamped log line. */
export function logLine(tag: string): (line: string) => void {
  return (line) => console.log(`${new Date().toISOString()} [${tag}] ${line}`);
}

/**
 * Runs `pass` once, or forever every `intervalMs` until SIGINT/SIGTERM. In a loop, a failing pass (node down,
 * RPC error) is logged and retried at the next interval; with `once`, the error propagates (non-zero exit).
 */
export async function loop(
  once: boolean,
  intervalMs: number,
  pass: () => Promise<void>,
  log: (line: string) => void = console.error,
): Promise<void> {
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    do {
      if (once) {
        await pass();
        break;
      }
      try {
        await pass();
      } catch (e) {
        log(`pass failed, retrying in ${intervalMs} ms: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (stopping) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    } while (!stopping);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
