/**
 * Offline rehearsal of a public-network deploy: npm run deploy:rehearse -- --env testnet
 *
 * One anvil node per network of the environment, with that network's real chain id; the bridges' REAL contracts at
 * the address book's addresses (scripts/lib/realBridges.ts: LayerZero EndpointV2, ULN302 libraries, DVN and
 * executor; CCIP router; Hyperlane mailbox and IGP), mock feeds and tokens at the book's feed and token addresses;
 * then exactly the deploy of `npm run deploy` (RPC URLs and key through the same variables), `check:deploy`, a
 * second deploy that must send nothing, a deposit -> credit -> borrow -> withdraw -> release round trip on each
 * spoke carried over the real adapters (scripts/lib/realRelayer.ts acts as each bridge's DVN and executor, OffRamp
 * and relayer, on the real contracts), and the solvency check. Every node it started is stopped by its PID.
 */
import fs from "fs";
import net from "net";
import os from "os";
import path from "path";
import { parseArgs } from "util";
import { spawn, type ChildProcess } from "child_process";
import { MaxUint256, formatUnits, parseUnits, type Signer } from "ethers";
import { connectRpc, type Chain } from "./lib/chain";
import { installAssets } from "./lib/harness";
import { installRealBridges } from "./lib/realBridges";
import { RealBridgeRelayer, realBridgedChainOf } from "./lib/realRelayer";
import { assertSolvent } from "./lib/solvency";
import { deployWith, estimatesPath } from "./deploy";
import { checkWith } from "./check-deploy";
import { loadBook, loadConfig } from "./lib/environment";
import { readRecordFile } from "../deploy/record";
import { DEPLOYER_KEY_VAR } from "../deploy/networks/secrets";
import type { DeploymentRecordV2, EnvironmentConfig, NetworkEntry } from "../deploy/types";
import {
  CollateralVault__factory,
  IBridgeAdapter__factory,
  IMarginHub__factory,
  MockERC20__factory,
  Messenger__factory,
} from "../typechain-types";

const HELP = `usage: npm run deploy:rehearse -- --env <name> [--base-port 28545] [--record <file>] [--keep]

Rehearses the deploy of an environment offline on local anvil nodes that carry the networks' real chain ids and
the bridges' contracts at their real addresses, then checks it, deploys again (nothing may change), carries a
deposit/borrow/withdraw round trip over the real adapters on every spoke and checks solvency. Exit 0 only if
every step passed; a failure names the chain and the call.

options:
  --base-port <n>   port of the first node; one per network upwards (default 28545); busy ports are refused
  --record <file>   deployment record (default: a temporary file)
  --keep            leave the nodes running (prints their PIDs) instead of stopping them
  --write-estimates write the gas of every deploy step to deploy/estimates/<env>.json, which the dry run of a
                    real deploy quotes for the calls it cannot estimate before their contracts exist`;

/** Answers of the mock feeds placed at the book's feed addresses (8-decimal USD), unless the book sets one. */
export const REHEARSAL_PRICES: Record<string, bigint> = {
  "ETH/USD": 3_000n * 10n ** 8n,
  "BTC/USD": 60_000n * 10n ** 8n,
  "LINK/USD": 15n * 10n ** 8n,
  "USDC/USD": 10n ** 8n,
};

/** The book with the rehearsal's prices as mock answers. */
export function withPrices(entry: NetworkEntry): NetworkEntry {
  const feeds = Object.fromEntries(
    Object.entries(entry.feeds).map(([k, f]) => {
      const price = REHEARSAL_PRICES[k];
      const answer = price === undefined ? undefined : (price * 10n ** BigInt(f.decimals)) / 10n ** 8n;
      return [k, { ...f, mockAnswer: f.mockAnswer ?? answer?.toString() }];
    }),
  );
  return { ...entry, feeds };
}

/** Gas of a deposit or withdrawal that fans out over every bridge of a route. */
const FAN_OUT_GAS = 3_000_000n;

/** anvil's first dev key: the rehearsal's deployer. */
const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export function anvilBinary(): string {
  const pkg = require.resolve("@foundry-rs/anvil-linux-amd64/package.json");
  const bin = path.join(path.dirname(pkg), "bin", "anvil");
  if (!fs.existsSync(bin)) throw new Error(`anvil binary missing at ${bin}: run npm ci`);
  return bin;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export interface Node {
  network: string;
  url: string;
  pid: number;
  child: ChildProcess;
  chain: Chain;
}

/** Starts anvil for `entry` on `port` (refused if busy) and waits until it answers with the right chain id. */
export async function startAnvil(entry: NetworkEntry, port: number): Promise<Node> {
  if (!(await portFree(port))) throw new Error(`${entry.name}: port ${port} is busy; pick another --base-port`);
  const child = spawn(
    anvilBinary(),
    ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(entry.chainId), "--accounts", "4", "--silent"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry.name}: anvil exited (${child.exitCode}): ${stderr}`);
    try {
      const chain = await connectRpc(entry.name, url, {
        chainId: BigInt(entry.chainId),
        accounts: 4,
        pollingInterval: 50,
      });
      return { network: entry.name, url, pid: child.pid!, child, chain };
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${entry.name}: anvil did not answer on ${url}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function stopNode(node: Node): Promise<void> {
  if (node.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => process.kill(node.pid, "SIGKILL"), 5000);
    node.child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(node.pid, "SIGTERM");
  });
}

export interface RehearsalOptions {
  config: EnvironmentConfig;
  book: Record<string, NetworkEntry>;
  basePort?: number;
  record?: string;
  keep?: boolean;
  log?: (line: string) => void;
}

export interface RehearsalResult {
  ok: boolean;
  failed?: string;
  /** Deploy gas and wall time (seconds, node start + harness + deploy transactions) per network. */
  perChain: Record<string, { gas: bigint; transactions: number; seconds: number }>;
  /** Gas of every step of the deploy (`<network>:<label>`), for the dry run of a real deploy. */
  estimates?: Record<string, string>;
  /** Transactions the second deploy sent (must be 0). */
  secondRunTransactions: number;
  record?: DeploymentRecordV2;
  nodes: Node[];
  totalSeconds: number;
}

/** Runs the whole rehearsal; never throws for a failed step (see `failed`), always stops its nodes unless `keep`. */
export async function rehearse(opts: RehearsalOptions): Promise<RehearsalResult> {
  const log = opts.log ?? console.log;
  const { config, book } = opts;
  const started = Date.now();
  const networks = [config.hub, ...config.spokes];
  const basePort = opts.basePort ?? 28545;
  const record =
    opts.record ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-rehearsal-")), `${config.name}.json`);
  const result: RehearsalResult = { ok: false, perChain: {}, secondRunTransactions: -1, nodes: [], totalSeconds: 0 };
  const setup = new Map<string, number>();
  const savedEnv = new Map<string, string | undefined>();
  const setEnv = (k: string, v: string) => {
    if (!savedEnv.has(k)) savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  };
  let step = "start nodes";
  try {
    // 1. Nodes with the real chain ids.
    for (const [i, name] of networks.entries()) {
      const t0 = Date.now();
      const node = await startAnvil(book[name], basePort + i);
      result.nodes.push(node);
      setup.set(name, Date.now() - t0);
      log(`${name}: anvil pid ${node.pid}, chain ${book[name].chainId}, ${node.url}`);
    }
    // 2. The bridges' real contracts and the assets at the book's addresses (the nodes are independent: in parallel).
    step = "install the bridges' contracts";
    await Promise.all(
      result.nodes.map(async (node, i) => {
        const t0 = Date.now();
        const harness = node.chain.signers[3];
        const remotes = networks.filter((n) => n !== node.network).map((n) => book[n]);
        try {
          await installRealBridges(node.chain, harness, book[node.network], remotes);
          await installAssets(node.chain, harness, withPrices(book[node.network]), true);
        } catch (e) {
          throw new Error(`${node.network}: install the bridges' contracts at the book's addresses: ${String(e)}`);
        }
        // One deployer key on every chain: offset its nonces per chain, so that no contract of one chain shares its
        // address with a contract of another (a message to a twin would look local).
        await node.chain.send("anvil_setNonce", [node.chain.signers[0].address, `0x${(1000 * (i + 1)).toString(16)}`]);
        setup.set(node.network, setup.get(node.network)! + Date.now() - t0);
        log(`${node.network}: bridges' real contracts, feeds and tokens installed in ${(Date.now() - t0) / 1000} s`);
      }),
    );
    // 3. Exactly the deploy of `npm run deploy`, through the variables the networks use.
    for (const node of result.nodes) setEnv(book[node.network].rpcUrlVar, node.url);
    setEnv(DEPLOYER_KEY_VAR, DEV_KEY);
    step = "dry run";
    const nonces = await Promise.all(
      result.nodes.map((n) => n.chain.provider.getTransactionCount(n.chain.signers[0].address)),
    );
    const dry = await deployWith(config, book, { record, log, dryRun: true });
    const after = await Promise.all(
      result.nodes.map((n) => n.chain.provider.getTransactionCount(n.chain.signers[0].address)),
    );
    if (dry.code !== 0 || after.some((x, i) => x !== nonces[i]))
      throw new Error("the dry run failed or sent something");
    step = "deploy";
    const first = await deployWith(config, book, { record, log });
    if (first.code !== 0) throw new Error(`deploy exited with ${first.code} (see the [deploy] lines above)`);
    result.estimates = first.run!.used;
    for (const name of networks) {
      result.perChain[name] = {
        gas: first.run!.gasUsed.get(name) ?? 0n,
        transactions: first.run!.sent.get(name) ?? 0,
        seconds: ((setup.get(name) ?? 0) + (first.run!.elapsed.get(name) ?? 0)) / 1000,
      };
    }
    // 4. The check, then a second deploy that must change nothing.
    step = "check:deploy";
    const check = await checkWith(config, book, record);
    for (const l of check.lines) log(`[check] ${l}`);
    if (check.code !== 0) throw new Error("check:deploy found differences after the deploy");
    step = "second deploy";
    const second = await deployWith(config, book, { record, log });
    result.secondRunTransactions = [...(second.run?.sent.values() ?? [])].reduce((a, b) => a + b, 0);
    if (second.code !== 0 || result.secondRunTransactions !== 0) {
      throw new Error(`the second deploy sent ${result.secondRunTransactions} transaction(s) (exit ${second.code})`);
    }
    // 5. Round trips over the real adapters, then solvency.
    result.record = readRecordFile(record);
    await roundTrips(result.record, result.nodes, config, book, log, (s) => (step = s));
    step = "solvency";
    const rows = await assertSolvent(viewOf(result.record, result.nodes, config));
    log(`solvency holds on ${rows.length} (chain, asset) rows`);
    result.ok = true;
  } catch (e) {
    result.failed = `${step}: ${e instanceof Error ? e.message : String(e)}`;
    log(`REHEARSAL FAILED at ${result.failed}`);
  } finally {
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const node of result.nodes) (node.chain.provider as { destroy?: () => void }).destroy?.();
    if (!opts.keep) for (const node of result.nodes) await stopNode(node);
    result.totalSeconds = (Date.now() - started) / 1000;
  }
  return result;
}

function signerOf(nodes: Node[], network: string, index: number): Signer {
  return nodes.find((n) => n.network === network)!.chain.signers[index];
}

/** A deposit on each spoke, credited on the hub, a borrow, a withdrawal released back on the spoke. */
async function roundTrips(
  record: DeploymentRecordV2,
  nodes: Node[],
  config: EnvironmentConfig,
  book: Record<string, NetworkEntry>,
  log: (line: string) => void,
  at: (step: string) => void,
) {
  const hubRec = record.chains[config.hub];
  const bridged = nodes.map((n) =>
    realBridgedChainOf(n.chain, record.chains[n.network], book[n.network], n.chain.signers[2]),
  );
  const relayer = new RealBridgeRelayer(
    bridged,
    (chain) => chain.signers[2],
    (l) => log(`[relay] ${l}`),
  );
  const relay = async (what: string) => {
    at(`relay ${what}`);
    const results = await relayer.flush();
    const failed = results.filter((r) => r.error);
    if (failed.length)
      throw new Error(
        failed.map((f) => `${f.packet.kind} ${f.packet.srcChainId}->${f.packet.dstChainId}: ${f.error}`).join("; "),
      );
    return results.length;
  };
  const hubUser = signerOf(nodes, config.hub, 1);
  const lender = signerOf(nodes, config.hub, 2);
  const user = await hubUser.getAddress();
  const engine = IMarginHub__factory.connect(hubRec.contracts.engine.address, hubUser);
  const base = MockERC20__factory.connect(hubRec.tokens[config.base.token].address, lender);
  const baseDecimals = hubRec.tokens[config.base.token].decimals;

  at(`${config.hub}: engine.supplyBase`);
  await (await base.mint(await lender.getAddress(), parseUnits("1000000", baseDecimals))).wait();
  await (await base.approve(hubRec.contracts.engine.address, MaxUint256)).wait();
  await (
    await engine.connect(lender).supplyBase(parseUnits("1000000", baseDecimals), await lender.getAddress())
  ).wait();

  for (const spoke of config.spokes) {
    const rec = record.chains[spoke];
    const market = config.markets.find((m) => m.network === spoke);
    if (!market) continue;
    const token = rec.tokens[market.token];
    const spokeUser = signerOf(nodes, spoke, 1);
    const vault = CollateralVault__factory.connect(rec.contracts.vault.address, spokeUser);
    const erc20 = MockERC20__factory.connect(token.address, spokeUser);
    const amount = parseUnits("10", token.decimals);
    at(`${spoke}: vault.deposit(${market.token})`);
    await (await erc20.mint(user, amount)).wait();
    await (await erc20.approve(rec.contracts.vault.address, MaxUint256)).wait();
    const fee = await vault.quoteDeposit(token.address, amount, user);
    // An explicit gas limit: eth_estimateGas finds the least gas with which the call succeeds, and the messenger's
    // fan-out survives a bridge that runs out of gas (it is skipped), so an estimate can silently drop the last one.
    await (await vault.deposit(token.address, amount, user, { value: fee, gasLimit: FAN_OUT_GAS })).wait();
    const { k, adapters } = config.routes[spoke];
    const bridges = adapters.filter((a) => a !== "local").length;
    const carried = await relay(`deposit ${spoke} -> ${config.hub}`);
    if (carried !== bridges) throw new Error(`${carried} bridge message(s) carried, the route has ${bridges} bridges`);
    at(`${config.hub}: engine.collateralOf(${market.token}@${spoke})`);
    const credited = await engine.collateralOf(user, rec.chainId, token.address);
    if (credited !== amount) throw new Error(`credited ${credited}, deposited ${amount}`);

    at(`${config.hub}: engine.borrow`);
    const borrowAmount = parseUnits(config.risk.minDebt, baseDecimals);
    await (await engine.borrow(borrowAmount, user)).wait();
    at(`${config.hub}: engine.withdrawCollateral(${market.token}@${spoke})`);
    const part = amount / 10n;
    const releaseFee = await engine.quoteRelease(rec.chainId);
    await (
      await engine.withdrawCollateral(rec.chainId, token.address, part, user, {
        value: releaseFee,
        gasLimit: FAN_OUT_GAS,
      })
    ).wait();
    const before = await erc20.balanceOf(user);
    const back = await relay(`release ${config.hub} -> ${spoke}`);
    if (back !== bridges) throw new Error(`${back} bridge message(s) carried, the route has ${bridges} bridges`);
    at(`${spoke}: release paid`);
    const paid = (await erc20.balanceOf(user)) - before;
    if (paid !== part) throw new Error(`vault paid ${paid}, released ${part}`);
    log(
      `${spoke}: deposit ${market.token} -> credited -> borrowed -> withdrew ${formatUnits(part, token.decimals)} ${market.token} -> released over ${config.routes[spoke].adapters.join("+")} (k=${k})`,
    );
  }
}

/** The solvency view of a rehearsal: every adapter's EnvelopeBridged counts as in flight until delivered. */
function viewOf(record: DeploymentRecordV2, nodes: Node[], config: EnvironmentConfig) {
  const runnerOf = (network: string) => nodes.find((n) => n.network === network)!.chain.provider;
  const bridgeAdapters = new Map(
    Object.values(record.chains).map((c) => [
      BigInt(c.chainId),
      Object.entries(c.adapters)
        .filter(([kind]) => kind !== "local")
        .map(([, a]) => IBridgeAdapter__factory.connect(a!.address, runnerOf(c.network))),
    ]),
  );
  const hub = record.chains[config.hub];
  return {
    hub: {
      chain: { chainId: BigInt(hub.chainId) },
      deployment: {
        engine: IMarginHub__factory.connect(hub.contracts.engine.address, runnerOf(config.hub)),
        messenger: Messenger__factory.connect(hub.contracts.messenger.address, runnerOf(config.hub)),
      },
    },
    spokes: config.spokes.map((s) => {
      const c = record.chains[s];
      return {
        chain: { name: s, chainId: BigInt(c.chainId) },
        deployment: {
          vault: CollateralVault__factory.connect(c.contracts.vault.address, runnerOf(s)),
          messenger: Messenger__factory.connect(c.contracts.messenger.address, runnerOf(s)),
        },
        tokens: Object.fromEntries(
          config.markets
            .filter((m) => m.network === s)
            .map((m) => [m.token, MockERC20__factory.connect(c.tokens[m.token].address, runnerOf(s))]),
        ),
      };
    }),
    bridgeAdapters,
    fromBlocks: new Map(Object.values(record.chains).map((c) => [BigInt(c.chainId), c.startBlock])),
  };
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      env: { type: "string" },
      "base-port": { type: "string", default: process.env.XMARGIN_REHEARSAL_PORT ?? "28545" },
      record: { type: "string" },
      keep: { type: "boolean", default: false },
      "write-estimates": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(HELP);
  if (!values.env) throw new Error("--env is required (e.g. --env testnet)");
  const config = loadConfig(values.env);
  const book = loadBook();
  const log = (l: string) => console.log(`${new Date().toISOString().slice(11, 19)} [rehearse] ${l}`);
  const result = await rehearse({
    config,
    book,
    basePort: Number(values["base-port"]),
    record: values.record,
    keep: values.keep,
    log,
  });
  for (const [name, c] of Object.entries(result.perChain)) {
    log(
      `${name}: deploy ${c.transactions} transactions, ${c.gas} gas, ${c.seconds.toFixed(1)} s (node, harness, deploy)`,
    );
  }
  log(`second deploy: ${result.secondRunTransactions} transactions`);
  if (values["write-estimates"] && result.ok && result.estimates) {
    const file = estimatesPath(config.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result.estimates, null, 2) + "\n");
    log(`gas of every step written to ${path.relative(process.cwd(), file)} (the dry run quotes it)`);
  }
  if (values.keep)
    log(`nodes left running: ${result.nodes.map((n) => `${n.network} pid ${n.pid} ${n.url}`).join(", ")}`);
  log(`${result.ok ? "PASSED" : `FAILED (${result.failed})`} in ${result.totalSeconds.toFixed(1)} s`);
  process.exitCode = result.ok ? 0 : 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
