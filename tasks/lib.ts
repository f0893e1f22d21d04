/**
 * What every xm:* task shares: which record (--deployment / --env), how to reach each chain (the record's RPC
 * URL, else the Hardhat network of that name or chain id), who signs (--account on dev nodes, else the key of
 * the network's config), amounts printed in token units, errors printed decoded. The SDK (sdk/) is loaded only
 * when a task runs: the config must load before anything is compiled.
 */
import path from "path";
import { HardhatPluginError } from "hardhat/plugins";
import type { ConfigurableTaskDefinition, HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";
import type * as Sdk from "../sdk";
import type { DeploymentRecordV2 } from "../deploy/types";

export type SdkModule = typeof Sdk;

export interface CommonArgs {
  deployment?: string;
  env?: string;
  account?: string;
}

/** Adds --deployment, --env and --account to a task. */
export function common(task: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return task
    .addOptionalParam("deployment", "deployment record file (default: deployments/<env>.json)")
    .addOptionalParam("env", "environment whose record to use (default: devnet on devnet networks)")
    .addOptionalParam(
      "account",
      "sign with this unlocked account index of the nodes (dev nodes); default: the network's key, else 0",
    );
}

export async function loadSdk(): Promise<SdkModule> {
  try {
    return await import("../sdk");
  } catch (e) {
    throw new HardhatPluginError("xmargin", `cannot load the SDK (run npx hardhat compile first): ${String(e)}`);
  }
}

const LOCAL_NETWORKS = ["hardhat", "localhost"];

export function recordFile(hre: HardhatRuntimeEnvironment, args: CommonArgs): string {
  if (args.deployment) return path.resolve(args.deployment);
  const env =
    args.env ??
    (hre.network.name.startsWith("devnet") || LOCAL_NETWORKS.includes(hre.network.name) ? "devnet" : undefined);
  if (!env) {
    throw new HardhatPluginError(
      "xmargin",
      `which deployment? pass --env <name> (deployments/<name>.json) or --deployment <file> (network ${hre.network.name})`,
    );
  }
  return path.join(hre.config.paths.root, "deployments", `${env}.json`);
}

const MISSING = "missing-rpc-url";

/** Connects the SDK as the task's signer. */
export async function connectTask(hre: HardhatRuntimeEnvironment, args: CommonArgs, sdk: SdkModule) {
  const file = recordFile(hre, args);
  const record: DeploymentRecordV2 = wrap(sdk, () => sdk.readDeployment(file));
  const rpc: Record<string, string> = {};
  let privateKey: string | undefined;
  for (const c of Object.values(record.chains)) {
    const byName = hre.config.networks[c.network];
    const byId = Object.values(hre.config.networks).find((n) => "url" in n && n.chainId === c.chainId);
    const net = (byName && "url" in byName ? byName : byId) as HttpNetworkConfig | undefined;
    if (!c.rpc && net?.url && !net.url.includes(MISSING)) rpc[c.network] = net.url;
    if (!c.rpc && !rpc[c.network]) {
      throw new HardhatPluginError(
        "xmargin",
        `${c.network} (chain ${c.chainId}): the record has no RPC URL and no network of the config gives one`,
      );
    }
    if (!privateKey && net && Array.isArray(net.accounts) && typeof net.accounts[0] === "string") {
      privateKey = net.accounts[0];
    }
  }
  let account: number | undefined;
  if (args.account !== undefined) {
    account = Number(args.account);
    if (!Number.isInteger(account) || account < 0) {
      throw new HardhatPluginError("xmargin", `--account ${args.account}: not an account index`);
    }
  }
  const options = account !== undefined ? { rpc, account } : privateKey ? { rpc, privateKey } : { rpc, account: 0 };
  return run(sdk, () => sdk.connect(record, options));
}

function wrap<T>(sdk: SdkModule, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new HardhatPluginError("xmargin", sdk.describeError(e));
  }
}

/** Runs an SDK call; any failure becomes a one-line Hardhat error with the contract error decoded. */
export async function run<T>(sdk: SdkModule, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new HardhatPluginError("xmargin", sdk.describeError(e));
  }
}

/** Connects, runs `body`, always closes the providers. */
export async function withXm<T>(
  hre: HardhatRuntimeEnvironment,
  args: CommonArgs,
  body: (xm: Sdk.XMargin, sdk: SdkModule) => Promise<T>,
): Promise<T> {
  const sdk = await loadSdk();
  const xm = await connectTask(hre, args, sdk);
  try {
    return await run(sdk, () => body(xm, sdk));
  } finally {
    xm.close();
  }
}

/** Prints the outcome of owner calls: sent, or the timelock operation to schedule and execute. */
export function printOutcomes(outcomes: Sdk.AdminOutcome[]): void {
  for (const o of outcomes) {
    if (o.kind === "sent") {
      console.log(`${o.description} (${o.chain}): sent in ${o.hash}`);
      continue;
    }
    console.log(`${o.description} (${o.chain}): the owner is the timelock ${o.timelock}; schedule, wait, execute:`);
    console.log(`  target       ${o.target}`);
    console.log(`  value        ${o.value}`);
    console.log(`  data         ${o.data}`);
    console.log(`  predecessor  ${o.predecessor}`);
    console.log(`  salt         ${o.salt}`);
    console.log(`  delay        ${o.delay} s`);
    console.log(`  operation    ${o.operationId}`);
    console.log(`  schedule     to ${o.timelock} data ${o.schedule}`);
    console.log(`  execute      to ${o.timelock} data ${o.execute}   (after ${o.delay} s)`);
  }
}
