/**
 * Keeper state on disk: small JSON documents (cursors per chain, the liquidator's account index, the monitor's
 * envelopes in flight) in a state directory, default `.xmargin/<env>/`. Every write goes to a temporary file that
 * is then renamed over the old one, so a crash leaves either the old or the new state, never half of one.
 *
 * Why JSON and not SQLite: the state is a few sets keyed by address or envelope id that a pass reads whole and
 * rewrites only when it changed (100,000 accounts are ~4.5 MB, written in ~30 ms); it needs no native module
 * (better-sqlite3 compiles against the Node ABI, and its current major does not run on Node 20), can be read and
 * repaired with a text editor, and is deleted to force a rebuild from the record's start blocks.
 */
import fs from "fs";
import path from "path";

/** Default state directory of an environment. */
export function defaultStateDir(env: string): string {
  return path.join(".xmargin", env);
}

/** Reads `file` as JSON, or returns `fallback` when it does not exist. A corrupt file is an error naming it. */
export function readState<T>(file: string, fallback: T): T {
  if (!fs.existsSync(file)) return fallback;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"), (_k, v: unknown) =>
      typeof v === "string" && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
    ) as T;
  } catch (e) {
    throw new Error(
      `${file}: not a readable keeper state (${e instanceof Error ? e.message : e}); delete it to rebuild`,
    );
  }
}

/** Writes `value` as JSON to `file` atomically (temporary file in the same directory, then rename). */
export function writeState(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(
    tmp,
    JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)),
  );
  fs.renameSync(tmp, file);
}

/** Per-chain block cursors: the next block a keeper reads events from, by chain id. */
export type Cursors = Record<string, number>;

/**
 * The range of blocks a keeper may read now on a chain with head `head`: up to `head - confirmations` (so a reorg
 * shallower than the confirmation depth never reaches what it read), from `cursor`. Undefined when nothing is new.
 */
export function safeRange(cursor: number, head: number, confirmations: number): [number, number] | undefined {
  const to = head - confirmations;
  return to >= cursor ? [cursor, to] : undefined;
}
