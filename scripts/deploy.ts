/**
 * Deploys an environment on every chain of it: npm run deploy -- --env testnet [--dry-run] [--verify] ...
 */
import fs from "fs";
import path from "path";
import { parseArgs } from "util";
import { formatEther, formatUnits, type Provider } from "ethers";
import { runEnvironment } from "../deploy/environment";
import { RecordStore, recordPath } from "../deploy/record";
import { Interrupted, type Run } from "../deploy/runner";
import type { EnvironmentConfig, NetworkEntry } from "../deploy/types";
import { connectSigners, destroySigners, loadBook, loadConfig, restrict, validate } from "./lib/environment";
import { verifyDeployment } from "./verify";

const HELP = `usage: npm run deploy -- --env <name> [options]

Deploys the environment deploy/config/<name>.ts on every network it names, in dependency order, wires it both
ways over the configured bridges, lists the markets and hands ownership to a timelock per chain (unless the config
says the deployer keeps it). Every step reads the chain first and only sends what differs: a re-run after a
failure continues where it stopped and changes nothing that is already right.

options:
  --env <name>          environment (deploy/config/<name>.ts); the record is deployments/<name>.json
  --dry-run             print the plan (every contract and call per chain, gas and cost) and send nothing
  --verify              verify every contract on its explorer afterwards (scripts/verify.ts)
  --networks <a,b>      only these spokes (and the hub)
  --reset <network>     forget a stale record of <network> (a chain reset under it) and deploy there afresh
  --record <file>       record file (default deployments/<env>.json)
  -h, --help            this help

RPC URLs and the deployer key: the Hardhat configuration variables of each network (npx hardhat vars set ...)
or the environment (see .env.example).`;

/** Rehearsal gas per plan label (`<network>:<label>`), used by the dry run for what it cannot estimate. */
export function estimatesPath(env: string): string {
  return path.join(__dirname, "..", "deploy", "estimates", `${env}.json`);
}

/** The dry-run plan, per chain, with the gas price of each chain. */
export async function formatPlan(run: Run, providers: Record<string, Provider>): Promise<string[]> {
  const lines: string[] = [];
  const networks = [...new Set(run.plan.map((p) => p.network))];
  if (!networks.length) return ["nothing to do: every chain already matches the config"];
  for (const network of networks) {
    const items = run.plan.filter((p) => p.network === network);
    const fee = await providers[network]?.getFeeData();
    const price = fee?.maxFeePerGas ?? fee?.gasPrice ?? 0n;
    let total = 0n;
    let unknown = 0;
    lines.push(`${network}: ${items.length} transactions (gas price ${formatUnits(price, "gwei")} gwei)`);
    for (const item of items) {
      const what = `${item.kind === "deploy" ? "deploy" : "call  "} ${item.label}`;
      if (item.gas === undefined) {
        unknown++;
        lines.push(`  ${what.padEnd(72)} gas ?  (${item.note})`);
      } else {
        total += item.gas;
        lines.push(`  ${what.padEnd(72)} gas ${item.gas}${item.note ? ` (${item.note})` : ""}`);
      }
    }
    lines.push(
      `  total: ${total} gas = ${formatEther(total * price)} native at the current gas price` +
        (unknown ? `, plus ${unknown} call(s) that can only be estimated after their contracts are deployed` : ""),
    );
  }
  return lines;
}

export interface DeployArgs {
  env: string;
  dryRun: boolean;
  verify: boolean;
  networks?: string[];
  reset: string[];
  record?: string;
}

export function parseDeployArgs(argv: string[]): DeployArgs | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
      networks: { type: "string" },
      reset: { type: "string", multiple: true, default: [] },
      record: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  if (!values.env) throw new Error("--env is required (e.g. --env testnet)");
  return {
    env: values.env,
    dryRun: Boolean(values["dry-run"]),
    verify: Boolean(values.verify),
    networks: values.networks?.split(",").filter(Boolean),
    reset: values.reset as string[],
    record: values.record,
  };
}

export interface DeployOptions {
  dryRun?: boolean;
  verify?: boolean;
  reset?: string[];
  /** Record file (default deployments/<env>.json). */
  record?: string;
  log?: (line: string) => void;
}

/** What a deploy did: exit code (0 ok, 1 failed, 2 timelock proposals left, 3 interrupted) and the run. */
export interface DeployOutcome {
  code: number;
  run?: Run;
  /** Wall time of the whole deploy, in seconds (per network: `run.elapsed`). */
  seconds: number;
}

/** Validates `config`, connects every network and runs the deploy (or the dry run): the path of `npm run deploy`. */
export async function deployWith(
  config: EnvironmentConfig,
  book: Record<string, NetworkEntry>,
  opts: DeployOptions = {},
): Promise<DeployOutcome> {
  const log = opts.log ?? console.log;
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const problems = validate(config, book);
  if (problems.length) {
    for (const p of problems) log(`config: ${p}`);
    return { code: 1, seconds: seconds() };
  }
  const file = opts.record ?? recordPath(config.name);
  const signers = await connectSigners(config, book);
  const estimatesFile = estimatesPath(config.name);
  const estimates = fs.existsSync(estimatesFile)
    ? (JSON.parse(fs.readFileSync(estimatesFile, "utf8")) as Record<string, string>)
    : undefined;
  let run: Run | undefined;
  try {
    run = await runEnvironment(
      { config, book, signers },
      {
        mode: opts.dryRun ? "dry-run" : "deploy",
        store: RecordStore.open(config, file),
        log: (l) => log(`[deploy] ${l}`),
        reset: opts.reset,
        estimates,
        stopAfter: process.env.XMARGIN_DEPLOY_STOP_AFTER ? Number(process.env.XMARGIN_DEPLOY_STOP_AFTER) : undefined,
      },
    );
    if (opts.dryRun) {
      const providers = Object.fromEntries(Object.entries(signers).map(([n, s]) => [n, s.provider!]));
      for (const line of await formatPlan(run, providers)) log(line);
      log("dry run: nothing was sent");
      return { code: 0, run, seconds: seconds() };
    }
    for (const [network, gas] of run.gasUsed) log(`${network}: ${run.sent.get(network)} transactions, ${gas} gas`);
    if (!run.gasUsed.size) log("nothing to do: every chain already matches the config");
    for (const p of run.proposals)
      log(`proposal for the timelock on ${p.network}: ${p.label}: to ${p.to} data ${p.data}`);
    log(`record: ${path.relative(process.cwd(), file)} (${seconds().toFixed(1)} s)`);
    if (opts.verify) await verifyDeployment(RecordStore.open(config, file).record, { log });
    return { code: run.proposals.length ? 2 : 0, run, seconds: seconds() };
  } catch (e) {
    if (e instanceof Interrupted) {
      log(`[deploy] ${e.message}`);
      return { code: 3, run, seconds: seconds() };
    }
    log(`[deploy] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    log(
      `[deploy] what was deployed is in ${path.relative(process.cwd(), file)}; fix the cause and run again to resume`,
    );
    return { code: 1, run, seconds: seconds() };
  } finally {
    destroySigners(signers);
  }
}

export async function deployMain(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const args = parseDeployArgs(argv);
  if (!args) {
    log(HELP);
    return 0;
  }
  const config = restrict(loadConfig(args.env), args.networks);
  const outcome = await deployWith(config, loadBook(), { ...args, log });
  return outcome.code;
}

if (require.main === module) {
  deployMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
