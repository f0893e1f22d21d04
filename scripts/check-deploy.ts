/**
 * Compares an environment's config with what its chains hold: npm run check:deploy -- --env testnet
 */
import path from "path";
import { parseArgs } from "util";
import { runEnvironment } from "../deploy/environment";
import { RecordStore, recordPath } from "../deploy/record";
import type { Run } from "../deploy/runner";
import type { EnvironmentConfig, NetworkEntry } from "../deploy/types";
import { connectSigners, destroySigners, loadBook, loadConfig, restrict } from "./lib/environment";

const HELP = `usage: npm run check:deploy -- --env <name> [--networks a,b] [--record <file>]

Reads every chain of the environment and lists each difference from deploy/config/<name>.ts: adapter peers and
gas, routes and k, peer apps, owners and pending owners, guardians, timelock delay, markets and factors, feeds,
credit caps, deposit caps, outflow limits, pauses. Exit 1 on any difference, 0 (one "matches" line per chain)
otherwise. Sends nothing.`;

/** The report of a check run and its exit code. */
export function formatCheck(run: Run, config: EnvironmentConfig): { code: number; lines: string[] } {
  const lines: string[] = [];
  for (const network of [config.hub, ...config.spokes]) {
    const diffs = run.diffs.filter((d) => d.network === network);
    if (diffs.length) {
      lines.push(`${network}: ${diffs.length} difference(s)`);
      for (const d of diffs) lines.push(`  ${network}: ${d.line}`);
    } else {
      lines.push(`${network}: matches`);
    }
  }
  return { code: run.diffs.length ? 1 : 0, lines };
}

export async function checkMain(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: "string" },
      networks: { type: "string" },
      record: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  if (!values.env) throw new Error("--env is required");
  const config = restrict(loadConfig(values.env), values.networks?.split(","));
  const { code, lines } = await checkWith(config, loadBook(), values.record ?? recordPath(values.env));
  for (const l of lines) log(l);
  return code;
}

/** Connects every network read-only and compares it with `config`: the path of `npm run check:deploy`. */
export async function checkWith(
  config: EnvironmentConfig,
  book: Record<string, NetworkEntry>,
  file: string,
): Promise<{ code: number; lines: string[] }> {
  const signers = await connectSigners(config, book, true);
  try {
    const run = await runEnvironment(
      { config, book, signers },
      { mode: "check", store: RecordStore.open(config, file) },
    );
    return formatCheck(run, config);
  } catch (e) {
    return {
      code: 1,
      lines: [
        `check failed: ${e instanceof Error ? e.message : String(e)} (record ${path.relative(process.cwd(), file)})`,
      ],
    };
  } finally {
    destroySigners(signers);
  }
}

if (require.main === module) {
  checkMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
