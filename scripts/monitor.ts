/**
 * Monitor keeper: the protocol's vital signs across chains. Solvency per (chain, asset), messages in flight and
 * stored for retry, the hub pool, and borrowers' health. Exits non-zero in --once mode if solvency is broken.
 *
 *   npm run monitor -- [--once] [--deployment deployments/devnet.json]
 */
import { formatUnits } from "ethers";
import { KEEPER_OPTIONS, logLine, loop, parseKeeperArgs } from "./lib/cli";
import { connectDeployment, readRecord, type Connected } from "./lib/deployment";
import { solvency, violation, type SolvencyRow } from "./lib/solvency";
import { discoverBorrowers } from "./lib/liquidator";
import { queryRange } from "./lib/events";
import { IERC20Metadata__factory, type Messenger } from "../typechain-types";

const HELP = `usage: npm run monitor -- [options]

Prints, every pass: the solvency check per (chain, asset) (vault.totalLocked = hub credits + quarantined +
messages in flight over every adapter: LocalAdapter, LayerZero, CCIP, Hyperlane, read from the record's start blocks; a vault holding less than it owes, e.g. after a negative rebase, shows as BROKEN), envelopes stored for retry on each messenger, the hub pool, and how many borrowers are liquidatable
or have a stale price. Read-only: any account works.

${KEEPER_OPTIONS}`;

export interface MonitorReport {
  rows: SolvencyRow[];
  broken: string[];
  retryable: { chain: string; id: string }[];
  borrowers: number;
  liquidatable: string[];
  priceErrors: string[];
}

async function retryableOn(
  chain: string,
  messenger: Messenger,
  fromBlock = 0,
): Promise<{ chain: string; id: string }[]> {
  const ids = new Set<string>();
  const provider = messenger.runner!.provider!;
  const failed = await queryRange(
    provider,
    (a, b) => messenger.queryFilter(messenger.filters.MessageFailed(), a, b),
    fromBlock,
  );
  const held = await queryRange(
    provider,
    (a, b) => messenger.queryFilter(messenger.filters.MessageHeld(), a, b),
    fromBlock,
  );
  for (const ev of [...failed, ...held]) ids.add(ev.args.id);
  const out = [];
  for (const id of ids) if (await messenger.isRetryable(id)) out.push({ chain, id });
  return out;
}

/** One pass; logs a readable report and returns it. */
export async function monitorPass(d: Connected, log: (line: string) => void = () => {}): Promise<MonitorReport> {
  const rows = await solvency(d);
  const broken = rows.map(violation).filter((v): v is string => v !== undefined);
  const decimals = new Map<string, number>();
  for (const s of d.spokes) {
    for (const [symbol, token] of Object.entries(s.tokens)) {
      const meta = IERC20Metadata__factory.connect(await token.getAddress(), s.chain.provider);
      decimals.set(`${s.chain.name}/${symbol}`, Number(await meta.decimals()));
    }
  }
  log(
    `solvency: ${broken.length ? `BROKEN on ${broken.length} row(s)` : `holds on all ${rows.length} (chain, asset) rows`}`,
  );
  for (const r of rows) {
    const dec = decimals.get(`${r.chain}/${r.symbol}`) ?? 18;
    const f = (x: bigint) => formatUnits(x, dec);
    log(
      `  ${r.chain}/${r.symbol}: locked ${f(r.locked)} = credits ${f(r.credits)} + quarantined ` +
        `${f(r.quarantined)} + in flight ${f(r.releasesInFlight + r.depositsInFlight)}; vault holds ${f(r.held)} ` +
        `(claims ${f(r.claimable)})${r.quarantined > 0n ? "  <- quarantined deposits await the owner's review" : ""}`,
    );
  }
  for (const b of broken) log(`  BROKEN ${b}`);

  const retryable = [
    ...(await retryableOn(d.hub.chain.name, d.hub.deployment.messenger, d.fromBlocks.get(d.hub.chain.chainId))),
    ...(
      await Promise.all(
        d.spokes.map((s) => retryableOn(s.chain.name, s.deployment.messenger, d.fromBlocks.get(s.chain.chainId))),
      )
    ).flat(),
  ];
  log(
    `messages stored for retry: ${retryable.length}${retryable.map((r) => ` ${r.chain}:${r.id.slice(0, 10)}…`).join("")}`,
  );

  const { engine, lens } = d.hub.deployment;
  const base = IERC20Metadata__factory.connect(await d.hub.base.getAddress(), d.hub.chain.provider);
  const baseDecimals = Number(await base.decimals());
  const [supplied, borrowed] = await engine.poolTotals();
  const [, , utilization] = await engine.rates();
  log(
    `hub pool: lent ${formatUnits(supplied, baseDecimals)}, borrowed ${formatUnits(borrowed, baseDecimals)} ` +
      `(${formatUnits(utilization * 100n, 18).slice(0, 5)}%), reserves ${formatUnits(await engine.reserves(), baseDecimals)}, ` +
      `bad debt so far ${formatUnits(await engine.totalBadDebt(), baseDecimals)}`,
  );

  const borrowers = await discoverBorrowers(engine, d.fromBlocks.get(d.hub.chain.chainId));
  const views = borrowers.length ? await lens.accounts(borrowers) : [];
  const liquidatable = views.filter((v) => v.liquidatable).map((v) => v.account);
  const priceErrors = views.filter((v) => v.priceError).map((v) => v.account);
  log(`borrowers: ${borrowers.length}, liquidatable ${liquidatable.length}, with a bad price ${priceErrors.length}`);
  return { rows, broken, retryable, borrowers: borrowers.length, liquidatable, priceErrors };
}

async function main() {
  const args = parseKeeperArgs(process.argv.slice(2), "deployer");
  if (args.help) return console.log(HELP);
  const log = logLine("monitor");
  const d = await connectDeployment(readRecord(args.record), args.identity);
  await loop(
    args.once,
    args.intervalMs,
    async () => {
      const report = await monitorPass(d, log);
      if (args.once && report.broken.length) process.exitCode = 2;
    },
    log,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
