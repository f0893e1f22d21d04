/**
 * Keeper benchmark: N borrowing accounts over two source chains on a devnet of anvil processes, then one pass of
 * each keeper, timed, with its JSON-RPC calls and HTTP requests counted (a JSON-RPC batch is one request).
 *
 *   npm run bench:keepers [-- --sizes 1000,10000 --base-port 29545]
 *
 * How the accounts are made cheaply but for real: anvil runs with a very large block gas limit and automine off
 * while the state is built; every transaction goes out as raw `eth_sendTransaction` in JSON-RPC batches of 500
 * (deposits by a funder for each account through `vault.deposit(asset, amount, account)`, the LocalAdapter
 * deliveries from the relayer's key, and each account's own `borrow` through anvil's auto-impersonation), and a
 * single `evm_mine` then includes thousands of them per block. This is the protocol's real state (credits from
 * delivered DEPOSIT envelopes, debt from `borrow`), read by the keepers exactly as in production; only the
 * transactions are packed into few blocks. Then automine is switched back on and the keepers run as they would.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { parseArgs } from "util";
import { keccak256, parseUnits, toBeHex } from "ethers";
import { startDevnet, seed, type Devnet } from "./devnet";
import { ACTORS, signer, spoke } from "./lib/world";
import {
  CollateralVault__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  MockERC20__factory,
} from "../typechain-types";
import { openKeeperContext, takeCounters, type KeeperContext } from "./lib/keepers/context";
import { RelayKeeper } from "./lib/keepers/relay";
import { LiquidatorKeeper } from "./lib/keepers/liquidate";
import { MonitorKeeper } from "./lib/keepers/monitor";
import { send as sendTx } from "../deploy/orchestrator";
import { writeState } from "./lib/keepers/state";

/** What each account borrows: above the default minimum debt (350 USDC). */
const BORROW = parseUnits("400", 6);
const vaultI = CollateralVault__factory.createInterface();
const adapterI = LocalAdapter__factory.createInterface();
const engineI = IMarginHub__factory.createInterface();
const erc20I = MockERC20__factory.createInterface();

/** Raw JSON-RPC in batches of `size`, `inFlight` batches at a time. */
async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[], size = 500, inFlight = 4) {
  const results: unknown[] = new Array(calls.length);
  const chunks: number[] = [];
  for (let i = 0; i < calls.length; i += size) chunks.push(i);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) {
        const start = chunks[next++];
        const body = calls.slice(start, start + size).map((c, j) => ({ jsonrpc: "2.0", id: start + j, ...c }));
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const out = (await res.json()) as { id: number; result?: unknown; error?: { message: string } }[];
        for (const r of out) {
          if (r.error) throw new Error(`${calls[r.id].method}: ${r.error.message}`);
          results[r.id] = r.result;
        }
      }
    }),
  );
  return results;
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  return (await rpcBatch(url, [{ method, params }]))[0];
}

/**
 * Sends `txs` with automine off and mines them, 1,000 per block (anvil's pool slows down quadratically with many
 * pending transactions of one sender); checks every receipt succeeded.
 */
async function mineBatch(url: string, txs: Record<string, string>[], label: string): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < txs.length; i += 1000) await mineChunk(url, txs.slice(i, i + 1000), label);
  console.error(`  ${label}: ${txs.length} txs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function mineChunk(url: string, txs: Record<string, string>[], label: string): Promise<void> {
  await rpc(url, "evm_setAutomine", [false]);
  // Explicit nonces: anvil handles the requests of one batch concurrently and would give two the same nonce.
  const senders = [...new Set(txs.map((t) => t.from))];
  const counts = (await rpcBatch(
    url,
    senders.map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] })),
  )) as string[];
  const nonces = new Map(senders.map((a, i) => [a, Number(counts[i])]));
  const signed = txs.map((t) => {
    const nonce = nonces.get(t.from)!;
    nonces.set(t.from, nonce + 1);
    return { gas: "0x1e8480", nonce: toBeHex(nonce), ...t };
  });
  const hashes = (await rpcBatch(
    url,
    signed.map((t) => ({ method: "eth_sendTransaction", params: [t] })),
  )) as string[];
  await rpc(url, "evm_mine", []);
  await rpc(url, "evm_setAutomine", [true]);
  const receipts = (await rpcBatch(
    url,
    hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
  )) as ({ status: string } | null)[];
  const bad = receipts.filter((r) => !r || r.status !== "0x1").length;
  if (bad) throw new Error(`${label}: ${bad} of ${txs.length} transactions failed or were not mined`);
}

function accountAt(seedTag: number, i: number): string {
  return `0x${keccak256(toBeHex(seedTag * 1_000_000_000 + i, 32)).slice(26)}`;
}

interface Row {
  n: number;
  what: string;
  seconds: number;
  calls: number;
  requests: number;
  target: string;
}

async function timed(ctx: KeeperContext, fn: () => Promise<unknown>) {
  takeCounters(ctx);
  const t = Date.now();
  await fn();
  const seconds = (Date.now() - t) / 1000;
  return { seconds, ...takeCounters(ctx) };
}

async function benchSize(n: number, basePort: number, rows: Row[]): Promise<void> {
  console.error(`N = ${n}: starting anvil devnet on ${basePort}..${basePort + 2}`);
  const devnet: Devnet = await startDevnet({
    basePort,
    node: "anvil",
    anvilArgs: ["--gas-limit", "100000000000", "--disable-code-size-limit"],
  });
  try {
    await seed(devnet.world);
    const w = devnet.world;
    const urls = Object.fromEntries(devnet.nodes.map((x) => [x.name, x.url]));
    const deployer = signer(w.hub.chain, "deployer").address;
    const relayer = signer(w.hub.chain, "relayer").address;
    const accounts = Array.from({ length: n }, (_, i) => accountAt(n, i));
    // Deposits: half the accounts hold WETH on alpha, half USDC.b on beta; each borrows BORROW USDC, just above the
    // minimum debt (350 USDC by default).
    const plan = [
      { chain: "alpha", symbol: "WETH", amount: parseUnits("0.2", 18), list: accounts.filter((_, i) => i % 2 === 0) },
      { chain: "beta", symbol: "USDC.b", amount: parseUnits("500", 6), list: accounts.filter((_, i) => i % 2 === 1) },
    ];
    for (const p of plan) {
      const s = spoke(w, p.chain);
      const token = await s.tokens[p.symbol].getAddress();
      const vault = await s.deployment.vault.getAddress();
      const url = urls[p.chain];
      await mineBatch(
        url,
        [
          {
            from: deployer,
            to: token,
            data: erc20I.encodeFunctionData("mint", [deployer, p.amount * BigInt(p.list.length)]),
          },
          {
            from: deployer,
            to: token,
            data: erc20I.encodeFunctionData("approve", [vault, p.amount * BigInt(p.list.length)]),
          },
        ],
        `${p.chain}: mint + approve`,
      );
      const fee = await s.deployment.vault.quoteDeposit(token, p.amount, deployer);
      await mineBatch(
        url,
        p.list.map((a) => ({
          from: deployer,
          to: vault,
          value: toBeHex(fee),
          data: vaultI.encodeFunctionData("deposit", [token, p.amount, a]),
        })),
        `${p.chain}: ${p.list.length} deposits`,
      );
    }
    // Deliveries to the hub, from the relayer's key, batched (the relayer keeper's own pass is timed below).
    const hubAdapter = await w.hub.deployment.adapter!.getAddress();
    for (const p of plan) {
      const s = spoke(w, p.chain);
      const srcAdapter = await s.deployment.adapter!.getAddress();
      const srcMessenger = await s.deployment.messenger.getAddress();
      const events = await s.deployment.adapter!.queryFilter(s.deployment.adapter!.filters.RelayRequested());
      const txs = events.map((ev) => ({
        from: relayer,
        to: hubAdapter,
        data: adapterI.encodeFunctionData("deliver", [s.chain.chainId, srcAdapter, srcMessenger, ev.args.envelope]),
      }));
      await mineBatch(urls.hub, txs, `hub: ${txs.length} deliveries from ${p.chain}`);
    }
    // Each account borrows BORROW USDC itself (auto-impersonation; gas money from anvil_setBalance); the lender
    // supplies what they borrow on top of the devnet's seed.
    const engine = await w.hub.deployment.engine.getAddress();
    const lender = signer(w.hub.chain, "lender");
    await sendTx(w.hub.deployment.engine.connect(lender).supplyBase(BORROW * BigInt(n), lender.address));
    await rpc(urls.hub, "anvil_autoImpersonateAccount", [true]);
    await rpcBatch(
      urls.hub,
      accounts.map((a) => ({ method: "anvil_setBalance", params: [a, toBeHex(10n ** 18n)] })),
    );
    await mineBatch(
      urls.hub,
      accounts.map((a) => ({
        from: a,
        to: engine,
        data: engineI.encodeFunctionData("borrow", [BORROW, a]),
      })),
      `hub: ${n} borrows`,
    );

    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-bench-"));
    // Liquidator: first pass builds the index from history; the next one is the steady state.
    const lctx = openKeeperContext(devnet.record, { account: ACTORS.liquidator }, { only: (c) => c.role === "hub" });
    const liquidator = new LiquidatorKeeper(lctx, { stateDir });
    const l1 = await timed(lctx, () => liquidator.pass());
    rows.push({ n, what: "liquidator, first pass (index from history + scan)", ...l1, target: "-" });
    const l2 = await timed(lctx, () => liquidator.pass());
    rows.push({
      n,
      what: "liquidator pass (index update + scan of every debtor)",
      ...l2,
      target: "≤ 10 s, ≤ 50 calls",
    });
    // Monitor.
    const mctx = openKeeperContext(devnet.record, { account: ACTORS.deployer }, { timeoutMs: 30_000 });
    const monitor = new MonitorKeeper(mctx, { stateDir });
    // The first passes read the whole history (a pass that timed out on a chain is retried after its back-off).
    let first = true;
    for (let i = 0; i < 4; i++) {
      let report: Awaited<ReturnType<MonitorKeeper["pass"]>> | undefined;
      const m = await timed(mctx, async () => {
        report = await monitor.pass();
      });
      const failed = report!.chains.filter((c) => !c.ok).map((c) => `${c.name}: ${c.error}`);
      if (failed.length) console.error(`  monitor pass ${i + 1}: ${failed.join("; ")}`);
      if (first && !failed.length) {
        rows.push({ n, what: `monitor, first complete pass (whole history, pass ${i + 1})`, ...m, target: "-" });
        first = false;
      } else if (!first && !failed.length) {
        rows.push({ n, what: "monitor pass (steady state)", ...m, target: "≤ 5 s" });
        break;
      }
      if (failed.length) await new Promise((r) => setTimeout(r, 4000));
    }
    // Relayer: 1,000 envelopes waiting (deposits of the first 1,000 accounts again), carried by one pass.
    const pending = Math.min(1000, n);
    const s = spoke(w, "alpha");
    const token = await s.tokens.WETH.getAddress();
    const vault = await s.deployment.vault.getAddress();
    const amount = parseUnits("0.001", 18);
    await sendTx(s.tokens.WETH.connect(signer(s.chain, "deployer")).mint(deployer, amount * BigInt(pending)));
    await sendTx(s.tokens.WETH.connect(signer(s.chain, "deployer")).approve(vault, amount * BigInt(pending)));
    const fee = await s.deployment.vault.quoteDeposit(token, amount, deployer);
    // The relayer's state: cursors at the heads, alpha's just before the new deposits (history is not the subject).
    const relayDir = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-bench-r-"));
    const cursors: Record<string, number> = {};
    for (const c of [w.hub.chain, ...w.spokes.map((x) => x.chain)]) {
      cursors[c.chainId.toString()] = (await c.provider.getBlockNumber()) + 1;
    }
    writeState(path.join(relayDir, "relayer.json"), { version: 1, cursors, pending: [] });
    await mineBatch(
      urls.alpha,
      accounts.slice(0, pending).map((a) => ({
        from: deployer,
        to: vault,
        value: toBeHex(fee),
        data: vaultI.encodeFunctionData("deposit", [token, amount, a]),
      })),
      `alpha: ${pending} deposits left for the relayer`,
    );
    const rctx = openKeeperContext(devnet.record, { account: ACTORS.relayer });
    const relay = new RelayKeeper(rctx, { stateDir: relayDir, concurrency: 32 });
    let report: Awaited<ReturnType<RelayKeeper["pass"]>> | undefined;
    const r1 = await timed(rctx, async () => {
      report = await relay.pass();
    });
    rows.push({
      n,
      what: `relayer pass carrying ${report?.delivered} of ${pending} pending envelopes`,
      ...r1,
      target: "≤ 60 s",
    });
    if (report?.failed.length)
      console.error(
        `  relayer failures: ${report.failed
          .slice(0, 3)
          .map((f) => f.error)
          .join("; ")}`,
      );
  } finally {
    await devnet.stop();
  }
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { sizes: { type: "string", default: "1000,10000" }, "base-port": { type: "string", default: "29545" } },
  });
  const sizes = String(values.sizes).split(",").map(Number);
  if (sizes.some((x) => !Number.isInteger(x) || x < 1))
    throw new Error(`--sizes ${values.sizes}: integers, comma separated`);
  const rows: Row[] = [];
  for (const n of sizes) await benchSize(n, Number(values["base-port"]), rows);
  const pad = (s: string, k: number) => s.padEnd(k);
  console.log(
    `\n${pad("N", 7)}${pad("keeper pass", 78)}${pad("time", 9)}${pad("calls", 8)}${pad("requests", 10)}target at 10,000`,
  );
  for (const r of rows) {
    console.log(
      `${pad(String(r.n), 7)}${pad(r.what, 78)}${pad(`${r.seconds.toFixed(2)} s`, 9)}${pad(String(r.calls), 8)}${pad(String(r.requests), 10)}${r.target}`,
    );
  }
  console.log(
    `\ncalls: JSON-RPC calls; requests: HTTP round trips (ethers sends calls issued in the same tick as one batch)`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
