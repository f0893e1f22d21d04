/**
 * The multi-chain, bridge and adversarial suites on forks: npm run test:fork [-- [--cold] [--base-port 30545] [files]]
 *
 * Every chain of the test worlds forks a network of the testnet environment (hub Sepolia, source chains Arbitrum,
 * Base and OP Sepolia) with its real chain id: `FORK_<NETWORK>_URL` at `FORK_<NETWORK>_BLOCK`. For every network
 * without a URL, this starts a rehearsal node (anvil with the real chain id, the bridges' contracts and the assets at
 * the address book's addresses, no xmargin), then pins every fork to one block (the given one; on a rehearsal node the
 * last block of its installation, with empty blocks on top so that Hardhat takes it as final; else the node's latest
 * now) so that Hardhat's fork cache answers the next run, runs `hardhat test` with `XM_FORK=1`, and stops the nodes
 * it started by their PIDs, also on failure, Ctrl-C and SIGTERM.
 */
import fs from "fs";
import path from "path";
import { parseArgs } from "util";
import { spawn, type ChildProcess } from "child_process";
import { ADDRESS_BOOK, forkVarsOf } from "../deploy/networks";
import { FORK_MODE_VAR, FORK_NETWORKS } from "./lib/fork";
import { latestBlockOf } from "./lib/inprocess";
import { installAssets } from "./lib/harness";
import { installRealBridges } from "./lib/realBridges";
import { startAnvil, stopNode, withPrices, type Node } from "./rehearse";

const HELP = `usage: npm run test:fork -- [--cold] [--grep <text>] [--base-port 30545] [test files...]

Runs the multi-chain, bridge and adversarial suites (or the given files) with every chain of the test worlds forked
from a network of the testnet environment, keeping its real chain id. FORK_<NETWORK>_URL / FORK_<NETWORK>_BLOCK
(NETWORK: ${FORK_NETWORKS.map((n) => forkVarsOf(n).url.slice(5, -4)).join(", ")}) point a chain at a node; for every
network without a URL a local rehearsal node is started (anvil, real chain id, bridges and assets at the book's
addresses) and stopped at the end.

options:
  --grep <text>     only the tests whose full title contains <text> (Mocha's --grep)
  --cold            empty Hardhat's fork cache (cache/hardhat-network-fork) first, to measure a cold run
  --base-port <n>   port of the first local node, one per network upwards (default 30545); fixed ports keep the
                    fork cache's keys (host and port) the same from one run to the next`;

const SUITES = ["test/multichain", "test/bridges", "test/adversarial"];

function testFiles(args: string[]): string[] {
  if (args.length) return args;
  return SUITES.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => path.join(dir, f)),
  );
}

/**
 * Hardhat caches what a fork reads only at a block it takes as final: a few dozen blocks below the node's head. The
 * rehearsal nodes mine this many empty blocks on top of the block the forks are pinned to.
 */
const FINAL_DEPTH = 128;

/**
 * Starts a rehearsal node per network in `networks` into `nodes` (as they start, so that a signal stops them):
 * anvil, the bridges' real contracts and the assets in place, then {@link FINAL_DEPTH} empty blocks. Returns the block
 * to fork each at (the last block of the installation).
 */
async function startNodes(
  networks: string[],
  basePort: number,
  nodes: Node[],
  log: (l: string) => void,
): Promise<Map<string, number>> {
  const pins = new Map<string, number>();
  for (const name of networks) {
    const node = await startAnvil(ADDRESS_BOOK[name], basePort + FORK_NETWORKS.indexOf(name));
    nodes.push(node);
    const harness = node.chain.signers[3];
    const remotes = FORK_NETWORKS.filter((n) => n !== name).map((n) => ADDRESS_BOOK[n]);
    await installRealBridges(node.chain, harness, ADDRESS_BOOK[name], remotes);
    await installAssets(node.chain, harness, withPrices(ADDRESS_BOOK[name]), true);
    pins.set(name, await node.chain.provider.getBlockNumber());
    await node.chain.send("anvil_mine", [`0x${FINAL_DEPTH.toString(16)}`]);
    log(`${name}: rehearsal node pid ${node.pid} on ${node.url} (chain ${ADDRESS_BOOK[name].chainId})`);
  }
  return pins;
}

async function stopNodes(nodes: Node[]): Promise<void> {
  for (const node of nodes) {
    (node.chain.provider as { destroy?: () => void }).destroy?.();
    await stopNode(node);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      cold: { type: "boolean", default: false },
      grep: { type: "string" },
      "base-port": { type: "string", default: "30545" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const log = (l: string) => console.log(`${new Date().toISOString().slice(11, 19)} [test:fork] ${l}`);
  const started = Date.now();
  if (values.cold) {
    fs.rmSync(path.join("cache", "hardhat-network-fork"), { recursive: true, force: true });
    log("fork cache emptied (cold run)");
  }
  const env: NodeJS.ProcessEnv = { ...process.env, [FORK_MODE_VAR]: "1" };
  const missing = FORK_NETWORKS.filter((n) => !env[forkVarsOf(n).url]);
  const nodes: Node[] = [];
  let child: ChildProcess | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the tests and the nodes`);
    if (child?.pid && child.exitCode === null) process.kill(child.pid, "SIGTERM");
    void stopNodes(nodes).finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const pins = await startNodes(missing, Number(values["base-port"]), nodes, log);
    for (const node of nodes) env[forkVarsOf(node.network).url] = node.url;
    for (const name of FORK_NETWORKS) {
      const vars = forkVarsOf(name);
      if (!env[vars.block]) env[vars.block] = String(pins.get(name) ?? (await latestBlockOf(env[vars.url]!)));
      log(`${name}: forking ${env[vars.url]} at block ${env[vars.block]}`);
    }
    const setupSeconds = (Date.now() - started) / 1000;
    const files = testFiles(positionals);
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    const testsStarted = Date.now();
    const code = await new Promise<number>((resolve) => {
      child = spawn(
        process.execPath,
        [cli, "test", "--no-compile", ...(values.grep ? ["--grep", values.grep] : []), ...files],
        { env, stdio: "inherit" },
      );
      child.once("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    log(
      `${code === 0 ? "PASSED" : `FAILED (exit ${code})`}: ${files.length} files; nodes ${setupSeconds.toFixed(1)} s, ` +
        `tests ${((Date.now() - testsStarted) / 1000).toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return code;
  } finally {
    if (!stopping) await stopNodes(nodes);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
