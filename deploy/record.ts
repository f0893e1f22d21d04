/**
 * The deployment record (`deployments/<env>.json`, {@link DeploymentRecordV2}): written by the deploy after every
 * contract (atomically: a temporary file renamed over the old one), read by every tool.
 */
import fs from "fs";
import path from "path";
import { execFileSync } from "child_process";
import { keccak256, toUtf8Bytes } from "ethers";
import type { ChainDeploymentRecord, DeploymentRecordV2, EnvironmentConfig } from "./types";

export const RECORDS_DIR = path.join(__dirname, "..", "deployments");

/** `deployments/<env>.json` under the repository. */
export function recordPath(env: string): string {
  return path.join(RECORDS_DIR, `${env}.json`);
}

/** JSON with sorted keys, so that the hash of a config does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: EnvironmentConfig): string {
  return keccak256(toUtf8Bytes(canonicalJson(config)));
}

/** The commit of the working tree (with `-dirty` if it has changes), or "unknown" outside git. */
export function gitCommit(): string {
  try {
    const cwd = path.join(__dirname, "..");
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "contracts", "deploy"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

export function emptyRecord(config: EnvironmentConfig): DeploymentRecordV2 {
  return {
    version: 2,
    env: config.name,
    configHash: configHash(config),
    gitCommit: gitCommit(),
    hub: config.hub,
    chains: {},
  };
}

export function readRecordFile(file: string): DeploymentRecordV2 {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<DeploymentRecordV2>;
  if (parsed.version !== 2) throw new Error(`${file}: not a version 2 deployment record (version ${parsed.version})`);
  return parsed as DeploymentRecordV2;
}

/** Writes `record` to `file` atomically: a reader sees the old record or the new one, never half of one. */
export function writeRecordFile(file: string, record: DeploymentRecordV2): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** The record of one run, saved to `file` (if any) on every change. */
export class RecordStore {
  constructor(
    readonly record: DeploymentRecordV2,
    readonly file?: string,
  ) {}

  static open(config: EnvironmentConfig, file?: string): RecordStore {
    const record = file && fs.existsSync(file) ? readRecordFile(file) : emptyRecord(config);
    if (record.env !== config.name) throw new Error(`${file}: record of environment ${record.env}, not ${config.name}`);
    return new RecordStore(record, file);
  }

  chain(network: string): ChainDeploymentRecord | undefined {
    return this.record.chains[network];
  }

  ensureChain(init: Omit<ChainDeploymentRecord, "contracts" | "adapters" | "tokens" | "startBlock">) {
    const existing = this.record.chains[init.network];
    if (existing) return existing;
    const created: ChainDeploymentRecord = { ...init, contracts: {}, adapters: {}, tokens: {}, startBlock: 0 };
    this.record.chains[init.network] = created;
    return created;
  }

  /** Forgets everything recorded on `network` (after `--reset <network>`). */
  reset(network: string): void {
    delete this.record.chains[network];
    this.save();
  }

  save(): void {
    if (this.file) writeRecordFile(this.file, this.record);
  }
}
