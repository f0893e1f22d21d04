/**
 * Devnet: one Hardhat node per chain, each its own process, with xmargin deployed and wired over HTTP.
 *
 *   npm run devnet [-- --base-port 8545 --out deployments/devnet.json --seed]
 */
import { spawn, type ChildProcess } from "child_process";
import net from "net";
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
  --base-port <n>   port of the hub node; the source chains use the next ones (default 8545); refused if any is busy
  --node <kind>     hardhat (default) or anvil (starts in 0.3 s; from @foundry-rs/anvil-linux-amd64)
  --out <file>      deployment record to write (default deployments/devnet.json)
  --seed            also supply liquidity and make deposits on both source chains (work for the relayer)
  -h, --help        this help

A node that dies is reported (and the devnet stops the others and exits 1); Ctrl-C stops every node it started.

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
  /** The node processes, by chain name. */
  nodes: { name: string; child: ChildProcess; url: string; port: number }[];
  stop(): Promise<void>;
}

export type NodeKind = "hardhat" | "anvil";

/** Whether nothing listens on 127.0.0.1:`port`. */
export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Throws naming every busy port among `ports` (a devnet already running, another program). */
export async function assertPortsFree(ports: { name: string; port: number }[]): Promise<void> {
  const busy: string[] = [];
  for (const p of ports) if (!(await portFree(p.port))) busy.push(`${p.port} (${p.name})`);
  if (busy.length) {
    throw new Error(
      `port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} already in use on 127.0.0.1: another devnet may be ` +
        `running; stop it or pick another --base-port`,
    );
  }
}

function anvilBinary(): string {
  const pkg = require.resolve("@foundry-rs/anvil-linux-amd64/package.json", { paths: [ROOT] });
  return path.join(path.dirname(pkg), "bin", "anvil");
}

/** Starts a node for `chainId` on `port` in its own process and waits until it answers. */
async function startNode(
  name: string,
  chainId: bigint,
  port: number,
  log: (l: string) => void,
  kind: NodeKind = "hardhat",
  anvilArgs: string[] = [],
) {
  const child =
    kind === "anvil"
      ? spawn(
          anvilBinary(),
          ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--accounts", "10"].concat([
            "--silent",
            ...anvilArgs,
          ]),
          { stdio: ["ignore", "pipe", "pipe"] },
        )
      : spawn(
          process.execPath,
          [
            require.resolve("hardhat/internal/cli/cli.js", { paths: [ROOT] }),
            "node",
            "--hostname",
            "127.0.0.1",
            "--port",
            String(port),
          ],
          {
            cwd: ROOT,
            env: { ...process.env, XMARGIN_CHAIN_ID: chainId.toString(), TS_NODE_TRANSPILE_ONLY: "true" },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
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

/**
 * Starts the nodes (refused when a port is busy), deploys a world on them and returns it with its record.
 * `onNodeExit` is called when a node dies while the devnet runs.
 */
export async function startDevnet(
  opts: {
    basePort?: number;
    log?: (l: string) => void;
    node?: NodeKind;
    anvilArgs?: string[];
    onNodeExit?: (name: string, pid: number, code: number | null, signal: NodeJS.Signals | null) => void;
  } = {},
): Promise<Devnet> {
  const log = opts.log ?? (() => {});
  const basePort = opts.basePort ?? 8545;
  const specs = [{ name: "hub", chainId: HUB_CHAIN_ID }, ...DEFAULT_SPOKES];
  await assertPortsFree(specs.map((s, i) => ({ name: s.name, port: basePort + i })));
  const started = await Promise.allSettled(
    specs.map((s, i) => startNode(s.name, s.chainId, basePort + i, log, opts.node, opts.anvilArgs)),
  );
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(started.map((r) => (r.status === "fulfilled" ? stopNode(r.value.child) : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const nodes = started.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof startNode>>>).value);
  let stopping = false;
  nodes.forEach((n, i) =>
    n.child.once("exit", (code, signal) => {
      if (!stopping) opts.onNodeExit?.(specs[i].name, n.child.pid!, code, signal);
    }),
  );
  const stop = async () => {
    stopping = true;
    await Promise.all(nodes.map((n) => stopNode(n.child)));
  };
  try {
    const [hub, ...spokes] = nodes.map((n) => n.chain);
    log("deploying and wiring xmargin...");
    const world = await deployWorld(hub as Chain, spokes);
    const rpc = Object.fromEntries(nodes.map((n, i) => [specs[i].name, n.url]));
    const record = await recordOf(world, rpc);
    return {
      world,
      record,
      pids: nodes.map((n) => n.child.pid!),
      nodes: nodes.map((n, i) => ({ name: specs[i].name, child: n.child, url: n.url, port: basePort + i })),
      stop,
    };
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
      node: { type: "string", default: "hardhat" },
    },
  });
  if (values.help) return console.log(HELP);
  const basePort = Number(values["base-port"]);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65533) {
    throw new Error(`--base-port ${values["base-port"]}: must be an integer between 1024 and 65533`);
  }
  const node = String(values.node);
  if (node !== "hardhat" && node !== "anvil") throw new Error(`--node ${node}: must be hardhat or anvil`);
  const log = (l: string) => console.log(`${new Date().toISOString()} [devnet] ${l}`);
  let devnet: Devnet | undefined;
  let shuttingDown = false;
  const onNodeExit = (name: string, pid: number, code: number | null, signal: NodeJS.Signals | null) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${name} node (pid ${pid}) died (${signal ?? `exit code ${code}`}): stopping the other nodes`);
    void (devnet?.stop() ?? Promise.resolve()).then(() => process.exit(1));
  };
  devnet = await startDevnet({ basePort, log, node, onNodeExit });
  const out = path.resolve(String(values.out));
  writeRecord(out, devnet.record);
  log(`deployment record written to ${path.relative(process.cwd(), out)}`);
  if (values.seed) {
    await seed(devnet.world);
    log("seeded: 500,000 USDC lent on the hub; alice deposited 5 WETH on alpha and 10,000 USDC.b on beta");
  }
  log("running; Ctrl-C stops the nodes");
  const running = devnet;
  const timer = setInterval(() => {
    refreshFeeds(running.world).then(
      () => log("feeds refreshed"),
      (e) => log(`feed refresh failed: ${e instanceof Error ? e.message : e}`),
    );
  }, 5 * 60_000);
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    clearInterval(timer);
    log(`stopping nodes (pids ${devnet!.pids.join(", ")})...`);
    await devnet!.stop();
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
