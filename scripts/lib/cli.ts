/**
 * Command-line handling shared by the keepers: the common options, checked at start (numbers, ranges,
 * addresses, the deployment file and its shape, each message naming the flag or the file), exit codes, and the
 * pass loop (SIGINT/SIGTERM finish the current pass, then exit).
 */
import fs from "fs";
import { parseArgs } from "util";
import { isAddress, getAddress } from "ethers";
import { ACTORS, type ActorName } from "./world";
import type { Identity } from "./deployment";
import type { DeploymentRecordV2 } from "../../deploy/types";
import { defaultStateDir } from "./keepers/state";
import type { LogFormat } from "./keepers/log";

export const DEFAULT_RECORD = "deployments/devnet.json";

/** Exit codes of every keeper (documented in each --help). */
export const EXIT = {
  /** --once: everything tried succeeded. */
  OK: 0,
  /** Refused at start: a bad flag, deployment file or key; nothing was sent. */
  USAGE: 1,
  /** --once: something it tried failed (a chain unreachable, a delivery or liquidation reverted). */
  FAILED: 2,
  /** monitor --once: the solvency invariant is broken, envelopes are stuck, orphaned or swallowed. */
  ALERT: 3,
} as const;

export const EXIT_CODES_HELP = `exit codes:
  0  --once: everything it tried succeeded (a keeper in a loop exits 0 on SIGINT/SIGTERM after its pass)
  1  refused at start: bad flag, deployment file, state directory or key (the message names which)
  2  --once: something it tried failed: a chain unreachable or timing out, a delivery or liquidation reverted
  3  monitor --once: solvency broken, envelopes stuck, or a delivered envelope whose source event is gone
     (reorganised away) or swallowed as a duplicate of one (takes precedence over 2)`;

/** A bad command line or configuration, found before anything ran. */
export class UsageError extends Error {}

export interface KeeperArgs {
  help: boolean;
  once: boolean;
  intervalMs: number;
  recordFile: string;
  record: DeploymentRecordV2;
  identity: Identity;
  stateDir: string;
  log: LogFormat;
  metricsPort?: number;
  timeoutMs: number;
  rest: Record<string, string | boolean | undefined>;
}

type Extra = Record<string, { type: "string" | "boolean"; default?: string | boolean }>;

/** An integer flag in [min, max]. */
export function intFlag(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${flag} ${value ?? ""}: not an integer`);
  }
  if (n < min || n > max) throw new UsageError(`--${flag} ${value}: must be between ${min} and ${max}`);
  return n;
}

/** An address flag (checksummed on return). */
export function addressFlag(flag: string, value: string): string {
  if (!isAddress(value)) throw new UsageError(`--${flag} ${value}: not an address (0x followed by 40 hex digits)`);
  return getAddress(value);
}

/** Reads and checks a deployment record: exists, JSON, version 2, hub present, addresses well formed. */
export function loadRecordChecked(file: string): DeploymentRecordV2 {
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such deployment record (start a devnet: npm run devnet)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${e instanceof Error ? e.message : e})`);
  }
  const r = raw as Partial<DeploymentRecordV2>;
  if (r.version !== 2) {
    throw new UsageError(`${file}: version ${String(r.version)}, expected a version 2 record (restart the devnet)`);
  }
  if (!r.chains || typeof r.chains !== "object") throw new UsageError(`${file}: no "chains"`);
  if (!r.hub || !r.chains[r.hub]) throw new UsageError(`${file}: hub "${String(r.hub)}" is not one of its chains`);
  for (const [name, c] of Object.entries(r.chains)) {
    const where = `${file}: chains.${name}`;
    if (!Number.isSafeInteger(c.chainId) || c.chainId <= 0) throw new UsageError(`${where}.chainId is not a chain id`);
    if (!Number.isSafeInteger(c.startBlock) || c.startBlock < 0) throw new UsageError(`${where}.startBlock missing`);
    if (!Number.isSafeInteger(c.confirmations) || c.confirmations < 0) {
      throw new UsageError(`${where}.confirmations missing`);
    }
    const need = c.role === "hub" ? ["messenger", "engine", "lens"] : ["messenger", "vault"];
    for (const role of need) {
      if (!isAddress(c.contracts?.[role]?.address)) throw new UsageError(`${where}.contracts.${role} has no address`);
    }
    for (const [kind, a] of Object.entries(c.adapters ?? {})) {
      if (!isAddress(a?.address)) throw new UsageError(`${where}.adapters.${kind} has no address`);
    }
  }
  return r as DeploymentRecordV2;
}

/**
 * Parses and checks the options every keeper takes, plus `extra` options of the script (checked by the caller).
 * Throws {@link UsageError} with a message naming the flag or file.
 */
export function parseKeeperArgs(argv: string[], defaultAccount: ActorName, extra: Extra = {}): KeeperArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        help: { type: "boolean", short: "h", default: false },
        once: { type: "boolean", default: false },
        interval: { type: "string", default: "2000" },
        deployment: { type: "string", default: DEFAULT_RECORD },
        "key-env": { type: "string" },
        account: { type: "string", default: defaultAccount },
        "state-dir": { type: "string" },
        log: { type: "string", default: "text" },
        "metrics-port": { type: "string" },
        "rpc-timeout": { type: "string", default: "10000" },
        confirmations: { type: "string" },
        ...extra,
      },
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const base = {
    help: Boolean(values.help),
    once: Boolean(values.once),
    rest: values,
  };
  if (base.help) return { ...base } as KeeperArgs;
  let identity: Identity;
  const keyEnv = values["key-env"] as string | undefined;
  if (keyEnv) {
    const key = process.env[keyEnv];
    if (!key) throw new UsageError(`--key-env ${keyEnv}: the environment variable is empty`);
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key.trim())) {
      throw new UsageError(`--key-env ${keyEnv}: not a private key (64 hex digits)`);
    }
    identity = { key: key.trim().startsWith("0x") ? key.trim() : `0x${key.trim()}` };
  } else {
    const account = String(values.account);
    const index = account in ACTORS ? ACTORS[account as ActorName] : /^\d+$/.test(account) ? Number(account) : NaN;
    if (!Number.isInteger(index) || index < 0) {
      throw new UsageError(`--account ${account}: not an actor name (${Object.keys(ACTORS).join(", ")}) or an index`);
    }
    identity = { account: index };
  }
  const log = String(values.log);
  if (log !== "text" && log !== "json") throw new UsageError(`--log ${log}: must be text or json`);
  const recordFile = String(values.deployment);
  const record = applyConfirmations(loadRecordChecked(recordFile), values.confirmations as string | undefined);
  const stateDir = (values["state-dir"] as string | undefined) ?? defaultStateDir(record.env);
  if (fs.existsSync(stateDir) && !fs.statSync(stateDir).isDirectory()) {
    throw new UsageError(`--state-dir ${stateDir}: not a directory`);
  }
  return {
    ...base,
    intervalMs: intFlag("interval", values.interval as string, 0, 86_400_000),
    recordFile,
    record,
    identity,
    stateDir,
    log,
    metricsPort:
      values["metrics-port"] === undefined
        ? undefined
        : intFlag("metrics-port", values["metrics-port"] as string, 1, 65535),
    timeoutMs: intFlag("rpc-timeout", values["rpc-timeout"] as string, 100, 600_000),
  };
}

/**
 * The record with the depths of `--confirmations <chain>=<n>[,<chain>=<n>...]` in place of those it recorded (the
 * address book's, at deploy time): how many blocks below a chain's head a keeper reads that chain's events.
 */
export function applyConfirmations(record: DeploymentRecordV2, value: string | undefined): DeploymentRecordV2 {
  if (!value) return record;
  const out = structuredClone(record);
  for (const part of value.split(",")) {
    const [name, n, extra] = part.split("=");
    if (n === undefined || extra !== undefined) {
      throw new UsageError(`--confirmations ${part}: expected <chain>=<blocks>, e.g. sepolia=3`);
    }
    const chain = out.chains[name];
    if (!chain) {
      throw new UsageError(
        `--confirmations ${part}: ${name} is not a chain of the record (${Object.keys(out.chains).join(", ")})`,
      );
    }
    chain.confirmations = intFlag("confirmations", n, 0, 10_000);
  }
  return out;
}

export const KEEPER_OPTIONS = `options:
  --deployment <file>   deployment record to use (default ${DEFAULT_RECORD}, written by npm run devnet)
  --once                one pass, then exit with the code below (tests, cron)
  --interval <ms>       pause between passes (default 2000)
  --state-dir <dir>     cursors and indexes, kept across restarts (default .xmargin/<env>/)
  --log text|json       readable lines (default) or JSON lines
  --metrics-port <n>    serve Prometheus metrics at http://127.0.0.1:<n>/metrics
  --rpc-timeout <ms>    give up on a JSON-RPC request after this long (default 10000)
  --confirmations <c=n> read chain c's events only n blocks below its head (comma separated, e.g.
                        sepolia=3,arbitrumSepolia=2); default the record's depth per chain (the address book's)
  --key-env <VAR>       sign with the private key held in environment variable VAR (testnets)
  --account <who>       sign with an unlocked dev-node account: an actor name or an index
  -h, --help            this help`;

/** Timestamped log line (kept for scripts that do not use the keeper logger). */
export function logLine(tag: string): (line: string) => void {
  return (line) => console.log(`${new Date().toISOString()} [${tag}] ${line}`);
}

/**
 * Runs `pass` once, or forever every `intervalMs` until SIGINT/SIGTERM, which let the current pass finish. A pass
 * that throws is logged and retried at the next interval (a keeper never exits on a transient error); with
 * `once`, the error propagates. Returns the result of the last pass. `signal` stops it like SIGTERM (in-process use).
 */
export async function loop<T>(
  once: boolean,
  intervalMs: number,
  pass: () => Promise<T>,
  log: (line: string) => void = console.error,
  signal?: AbortSignal,
): Promise<T | undefined> {
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  signal?.addEventListener("abort", stop);
  if (signal?.aborted) stopping = true;
  let last: T | undefined;
  try {
    do {
      if (once) return await pass();
      try {
        last = await pass();
      } catch (e) {
        log(`pass failed, retrying in ${intervalMs} ms: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (stopping) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, intervalMs);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    } while (!stopping);
    return last;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    signal?.removeEventListener("abort", stop);
  }
}

/** Runs a keeper's `main`, mapping a {@link UsageError} to exit code 1 with its message. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = e instanceof UsageError ? EXIT.USAGE : EXIT.FAILED;
    },
  );
}
