/**
 * Devnet: one Hardhat node per chain, each its own process, with xmargin deployed and wired over HTTP.
 *
 *   npm run devnet [-- --base-port 8545 --out deployments/devnet.json --seed]
 */
import { spawn, type ChildProcess } from "child_process";
import path from "path";
import { parseUnits } from "ethers";
import { connectRpc, type Chain } from "./lib/chain";
import { recordOf, writeRecord, type DeploymentRecord } from "./lib/deployment";
import { deployWorld, deposit, refreshFeeds, signer, DEFAULT_SPOKES, HUB_CHAIN_ID, type World } from "./lib/world";
import { send } from "../deploy/orchestrator";

const HELP = `usage: npm run devnet -- [options]

Starts three Hardhat nodes as separate processes (hub ${HUB_CHAIN_ID}, ${DEFAULT_SPOKES.map((s) => `${s.name} ${s.chainId}`).join(", ")})
on consecutive ports, deploys and wires xmargin on them with test tokens and Chainlink-style feeds, writes the
deployment record for the keepers, and keeps the nodes running (feeds refreshed every 5 minutes) until Ctrl-C.

options:
  --base-port <n>   port of the hub node; the source chains use the next ones (default 8545)
  --out <file>      deployment record to write (default deployments/devnet.json)
  --seed            also supply liquidity and make deposits on both source chains (work for the relayer)
  -h, --help        this help

then, in other terminals:
  npm run relayer               carry messages between the chains
  npm run liquidator            liquidate unhealthy accounts
  npm run monitor               solvency, messages in flight, account health`;

const ROOT = path.join(__dirname, "..");

export interface Devnet {
  world: World;
  record: DeploymentRecord;
  /** PIDs of the node processes. */
  pids: number[];
  stop(): Promise<void>;
}

/** Starts a Hardhat node for `chainId` on `port` in its own process and waits until it answers. */
async function startNode(name: string, chainId: bigint, port: number, log: (l: string) => void) {
  const cli = require.resolve("hardhat/internal/cli/cli.js", { paths: [ROOT] });
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, XMARGIN_CHAIN_ID: chainId.toString(), TS_NODE_TRANSPILE_ONLY: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output = (output + d.toString()).slice(-4000)));
  child.stderr!.on("data", (d) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} node exited (${child.exitCode}):\n${output}`);
    try {
      const chain = await connectRpc(name, url, { chainId, pollingInterval: 50 });
      log(`${name}: chain ${chainId} at ${url} (pid ${child.pid})`);
      return { child, chain, url };
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${name} node did not answer on ${url} within 90 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts the nodes, deploys a world on them and returns it with its record. */
export async function startDevnet(opts: { basePort?: number; log?: (l: string) => void } = {}): Promise<Devnet> {
  const log = opts.log ?? (() => {});
  const basePort = opts.basePort ?? 8545;
  const specs = [{ name: "hub", chainId: HUB_CHAIN_ID }, ...DEFAULT_SPOKES];
  const nodes = await Promise.all(specs.map((s, i) => startNode(s.name, s.chainId, basePort + i, log)));
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopNode(n.child)));
  };
  try {
    const [hub, ...spokes] = nodes.map((n) => n.chain);
    log("deploying and wiring xmargin...");
    const world = await deployWorld(hub as Chain, spokes);
    const rpc = Object.fromEntries(nodes.map((n, i) => [specs[i].name, n.url]));
    const record = await recordOf(world, rpc);
    return { world, record, pids: nodes.map((n) => n.child.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Gives the keepers something to do: liquidity on the hub, deposits waiting on both source chains. */
export async function seed(world: World): Promise<void> {
  const lender = signer(world.hub.chain, "lender");
  await send(world.hub.base.connect(lender).approve(await world.hub.deployment.engine.getAddress(), 2n ** 256n - 1n));
  await send(world.hub.deployment.engine.connect(lender).supplyBase(parseUnits("500000", 6), lender.address));
  await deposit(world, "alpha", "alice", "WETH", parseUnits("5", 18));
  await deposit(world, "beta", "alice", "USDC.b", parseUnits("10000", 6));
}

async function main() {
  const { parseArgs } = await import("util");
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: "boolean", short: "h", default: false },
      "base-port": { type: "string", default: "8545" },
      out: { type: "string", default: "deployments/devnet.json" },
      seed: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const log = (l: string) => console.log(`${new Date().toISOString()} [devnet] ${l}`);
  const devnet = await startDevnet({ basePort: Number(values["base-port"]), log });
  const out = path.resolve(String(values.out));
  writeRecord(out, devnet.record);
  log(`deployment record written to ${path.relative(process.cwd(), out)}`);
  if (values.seed) {
    await seed(devnet.world);
    log("seeded: 500,000 USDC lent on the hub; alice deposited 5 WETH on alpha and 10,000 USDC.b on beta");
  }
  log("running; Ctrl-C stops the nodes");
  const timer = setInterval(() => {
    refreshFeeds(devnet.world).then(
      () => log("feeds refreshed"),
      (e) => log(`feed refresh failed: ${e instanceof Error ? e.message : e}`),
    );
  }, 5 * 60_000);
  const shutdown = async () => {
    clearInterval(timer);
    log("stopping nodes...");
    await devnet.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
