/**
 * Verifies every contract of a deployment record on its chain's explorer, through hardhat-verify (Etherscan v2: one
 * key for every chain). Usable as a command and, through `verifyDeployment`, as the `--verify` step of the deploy.
 *
 * Each network runs in its own `hardhat run --network <name>` child (hardhat-verify works on the runtime's network),
 * which calls `verify:verify` per contract and prints one result line per contract for this process to collect.
 */
import { spawn } from "child_process";
import fs from "fs";
import path from "path";
import { parseArgs } from "util";
import type { DeploymentRecordV2 } from "../deploy/types";
import { EXPLORER_KEY_VAR, explorerKey, howToSet } from "../deploy/networks/secrets";

const USAGE = `usage: npm run verify -- --env <name> [--network <name>] [--record <file>]

Verifies every contract of deployments/<env>.json on its chain's explorer (Etherscan v2 API, one key for all chains).
Without an explorer key (${EXPLORER_KEY_VAR}) it says so and exits 0. A contract already verified is not an error.

options:
  --env <name>        environment whose record to read (deployments/<name>.json)
  --network <name>    only this network of the record
  --record <file>     read this record instead of deployments/<env>.json
  -h, --help          this help`;

/** One contract to verify on one network. */
export interface VerifyJob {
  /** Role name in the record (`engine`, `adapter.ccip`, ...). */
  name: string;
  address: string;
  constructorArguments: unknown[];
  /** Fully qualified name, when the record has it (skips hardhat-verify's bytecode matching). */
  contract?: string;
}

export type VerifyStatus = "verified" | "already-verified" | "failed";

export interface VerifyResult {
  network: string;
  name: string;
  address: string;
  status: VerifyStatus;
  error?: string;
}

/** Verifies one contract on `network`; throws what the explorer answered when it refuses. */
export type VerifyCall = (network: string, job: VerifyJob) => Promise<void>;

export interface VerifyOptions {
  /** Only this network of the record. */
  network?: string;
  /** Explorer key; undefined = read it from the environment / Hardhat vars; null = no key. */
  apiKey?: string | null;
  /** Verifies one contract (tests inject a fake); default: a `hardhat run --network` child per network. */
  verify?: VerifyCall;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface VerifySummary {
  /** True when nothing was attempted because there is no explorer key. */
  skipped: boolean;
  results: VerifyResult[];
}

/** What the explorer answers for a contract that is already verified (hardhat-verify and Etherscan wordings). */
export function isAlreadyVerified(message: string): boolean {
  return /already (been )?verified/i.test(message);
}

/** The verification jobs of one network of a record: every contract once (an address listed twice is verified once). */
export function jobsOf(record: DeploymentRecordV2, network: string): VerifyJob[] {
  const chain = record.chains[network];
  if (chain === undefined) {
    throw new Error(
      `the record of ${record.env} has no network "${network}" (it has ${Object.keys(record.chains).join(", ")})`,
    );
  }
  const seen = new Set<string>();
  const jobs: VerifyJob[] = [];
  for (const [name, c] of Object.entries(chain.contracts)) {
    if (seen.has(c.address.toLowerCase())) continue;
    seen.add(c.address.toLowerCase());
    jobs.push({ name, address: c.address, constructorArguments: c.args ?? [], contract: c.contract });
  }
  return jobs;
}

/** Runs one job and classifies the outcome: an "already verified" answer is a success. */
export async function runJob(verify: VerifyCall, network: string, job: VerifyJob): Promise<VerifyResult> {
  const base = { network, name: job.name, address: job.address };
  try {
    await verify(network, job);
    return { ...base, status: "verified" };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isAlreadyVerified(message)) return { ...base, status: "already-verified" };
    return { ...base, status: "failed", error: message.split("\n")[0] };
  }
}

/**
 * Verifies every contract of `record` (or of `opts.network` only). With no explorer key, logs that it skips and
 * returns `{ skipped: true }`. Never throws for a contract the explorer refuses: its result says `failed`.
 */
export async function verifyDeployment(record: DeploymentRecordV2, opts: VerifyOptions = {}): Promise<VerifySummary> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const apiKey = opts.apiKey === undefined ? explorerKey() : opts.apiKey;
  if (apiKey === null || apiKey === undefined || apiKey === "") {
    log(`verify: no explorer key, skipping verification (${howToSet(EXPLORER_KEY_VAR)})`);
    return { skipped: true, results: [] };
  }
  const networks = opts.network !== undefined ? [opts.network] : Object.keys(record.chains);
  const results: VerifyResult[] = [];
  for (const network of networks) {
    const jobs = jobsOf(record, network);
    log(`verify: ${network}: ${jobs.length} contract${jobs.length === 1 ? "" : "s"}`);
    const chainResults =
      opts.verify !== undefined
        ? await sequential(jobs, (job) => runJob(opts.verify!, network, job))
        : await verifyInChild(network, jobs, apiKey, log);
    for (const r of chainResults) log(`verify: ${network}: ${r.name} ${r.address}: ${describe(r)}`);
    results.push(...chainResults);
  }
  const failed = results.filter((r) => r.status === "failed").length;
  log(`verify: ${results.length - failed} of ${results.length} verified or already verified, ${failed} failed`);
  return { skipped: false, results };
}

function describe(r: VerifyResult): string {
  if (r.status === "verified") return "verified";
  if (r.status === "already-verified") return "already verified";
  return `FAILED: ${r.error}`;
}

async function sequential<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}

const RESULT_PREFIX = "XMARGIN_VERIFY_RESULT ";
const JOBS_ENV = "XMARGIN_VERIFY_JOBS";

/** Spawns `hardhat run --network <network>` on this file with the jobs, and collects its result lines. */
async function verifyInChild(
  network: string,
  jobs: VerifyJob[],
  apiKey: string,
  log: (line: string) => void,
): Promise<VerifyResult[]> {
  const root = path.resolve(__dirname, "..");
  const env = { ...process.env, [JOBS_ENV]: JSON.stringify(jobs), [EXPLORER_KEY_VAR]: apiKey };
  const child = spawn(
    "npx",
    ["hardhat", "run", "--no-compile", "--network", network, path.join("scripts", "verify.ts")],
    {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const results: VerifyResult[] = [];
  let stderr = "";
  const lines = (chunk: Buffer, sink: (line: string) => void): void => {
    for (const line of chunk.toString().split("\n")) if (line.trim() !== "") sink(line);
  };
  child.stdout.on("data", (chunk: Buffer) =>
    lines(chunk, (line) => {
      if (line.startsWith(RESULT_PREFIX)) results.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as VerifyResult);
      else log(`  [${network}] ${line}`);
    }),
  );
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  // A job the child never reported (it died, or the network has no RPC URL) is a failure, with the child's error.
  const errorLines = stderr.split("\n").filter((l) => /^(Error|HH\d+)|Error in plugin/.test(l.trim()));
  const reason = errorLines[0]?.trim() ?? `hardhat run exited with ${code}`;
  for (const job of jobs) {
    if (!results.some((r) => r.address === job.address)) {
      results.push({ network, name: job.name, address: job.address, status: "failed", error: reason.trim() });
    }
  }
  return results;
}

/** Child mode: inside `hardhat run --network X`, verify each job through hardhat-verify and print its result. */
async function childMain(jobsJson: string): Promise<void> {
  const hre = (await import("hardhat")).default;
  const jobs = JSON.parse(jobsJson) as VerifyJob[];
  const verify: VerifyCall = async (_network, job) => {
    await hre.run("verify:verify", {
      address: job.address,
      constructorArguments: job.constructorArguments,
      ...(job.contract === undefined ? {} : { contract: job.contract }),
    });
  };
  for (const job of jobs) {
    const result = await runJob(verify, hre.network.name, job);
    console.log(RESULT_PREFIX + JSON.stringify(result));
  }
}

/** The command: returns the exit code (0 also when skipped for want of a key). */
export async function main(argv: string[], opts: Omit<VerifyOptions, "network"> = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: "string" },
      network: { type: "string" },
      record: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.env === undefined && values.record === undefined) {
    console.error(`verify: --env is required\n\n${USAGE}`);
    return 2;
  }
  const log = opts.log ?? ((line: string) => console.log(line));
  const apiKey = opts.apiKey === undefined ? explorerKey() : opts.apiKey;
  if (apiKey === null || apiKey === undefined || apiKey === "") {
    log(`verify: no explorer key, skipping verification (${howToSet(EXPLORER_KEY_VAR)})`);
    return 0;
  }
  const file = values.record ?? path.join("deployments", `${values.env}.json`);
  if (!fs.existsSync(file)) {
    console.error(`verify: no deployment record at ${file} (deploy first: npm run deploy -- --env ${values.env})`);
    return 1;
  }
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecordV2;
  log(`verify: ${file} (env ${record.env}, ${Object.keys(record.chains).length} chains)`);
  const summary = await verifyDeployment(record, { ...opts, apiKey, log, network: values.network });
  return summary.results.some((r) => r.status === "failed") ? 1 : 0;
}

if (require.main === module) {
  const jobs = process.env[JOBS_ENV];
  (jobs !== undefined ? childMain(jobs).then(() => 0) : main(process.argv.slice(2))).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
