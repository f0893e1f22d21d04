/**
 * Monitor keeper: the protocol's vital signs across chains, incrementally: solvency per (chain, asset), envelopes in
 * flight per route and adapter kind, stuck and failed envelopes with the call that would unstick each, the hub pool
 * and the borrowers' health. A line when something changed, silence otherwise.
 *
 *   npm run monitor -- [--once] [--deployment deployments/devnet.json] [--stuck-after 3600] [--serve 127.0.0.1:8080]
 */
import http from "http";
import { formatUnits } from "ethers";
import { EXIT, EXIT_CODES_HELP, KEEPER_OPTIONS, intFlag, loop, parseKeeperArgs, runMain, UsageError } from "./lib/cli";
import type { Connected } from "./lib/deployment";
import { solvency, violation, type SolvencyRow } from "./lib/solvency";
import { discoverBorrowers } from "./lib/liquidator";
import { queryRange } from "./lib/events";
import { IERC20Metadata__factory, type Messenger } from "../typechain-types";
import { openKeeperContext, takeCounters } from "./lib/keepers/context";
import { MonitorKeeper, type MonitorReport } from "./lib/keepers/monitor";
import { keeperLog } from "./lib/keepers/log";
import { Metrics } from "./lib/keepers/metrics";
import { parseServe, serveMonitorPage } from "./lib/keepers/page";

const HELP = `usage: npm run monitor -- [options]

Every pass, from its cursors (state directory) rather than from history: solvency per (chain, asset)
(vault.totalLocked = hub credits + quarantined + messages in flight over every adapter kind of the record:
LocalAdapter, LayerZero, CCIP, Hyperlane), envelopes in flight per route, stuck ones (not delivered after
--stuck-after seconds of source-chain time) with the owner's resend call, envelopes stored for retry with the
retry call (reissue for one dropped in an emergency), the hub pool, and the borrowers' health. Each chain is read
at its confirmation depth. A delivered envelope whose source event is gone (its block reorganised away after an
early delivery) is named with its credit or payout, and an envelope taken for a duplicate because a reorg
re-issued its nonce is named with the owner's reissue call: both are broken, like solvency. Prints a summary
line when something changed and one line per problem. Read-only: any account works. A chain that is down is
reported and its rows shown as unknown; the rest is still checked.

${KEEPER_OPTIONS}
  --stuck-after <s>     seconds after which an envelope not delivered is stuck (default 3600)
  --stuck-route <c=s>   per destination chain, comma separated (e.g. hub=600,alpha=1800)
  --serve <host:port>   serve a read-only page of the last pass at http://<host:port>/ (and its data at
                        /report.json); host 127.0.0.1 or localhost only

${EXIT_CODES_HELP}`;

/** Parses --stuck-route (exported for tests). */
export function stuckRoutes(value: string | undefined, chains: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (!value) return out;
  for (const part of value.split(",")) {
    const [name, secs] = part.split("=");
    if (!chains.includes(name)) throw new UsageError(`--stuck-route ${part}: ${name} is not a chain of the record`);
    out[name] = intFlag("stuck-route", secs, 1, 30 * 86400);
  }
  return out;
}

/** What {@link monitorPass} returns. */
export interface LegacyMonitorReport {
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

/**
 * One full re-read of a deployment connected with {@link connectDeployment} (the rehearsal's check): solvency from
 * the whole history. Fine for a fresh deployment; the keeper ({@link MonitorKeeper}) is incremental.
 */
export async function monitorPass(d: Connected, log: (line: string) => void = () => {}): Promise<LegacyMonitorReport> {
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

/**
 * The monitor's command line (exported so a test runs it in-process). `signal` stops the loop like SIGTERM;
 * `onServe` receives the page's server once it listens.
 */
export async function monitorMain(
  argv: string[],
  opts: { signal?: AbortSignal; onServe?: (server: http.Server) => void } = {},
): Promise<number> {
  const args = parseKeeperArgs(argv, "deployer", {
    "stuck-after": { type: "string", default: "3600" },
    "stuck-route": { type: "string" },
    serve: { type: "string" },
  });
  if (args.help) {
    console.log(HELP);
    return EXIT.OK;
  }
  const stuckAfter = intFlag("stuck-after", args.rest["stuck-after"] as string, 1, 30 * 86400);
  const stuckAfterRoute = stuckRoutes(
    args.rest["stuck-route"] as string | undefined,
    Object.values(args.record.chains).map((c) => c.network),
  );
  const serve = args.rest.serve === undefined ? undefined : parseServe(args.rest.serve as string);
  if (serve && args.once) throw new UsageError("--serve with --once: the page would close after one pass; drop --once");
  const log = keeperLog("monitor", args.log);
  const metrics = new Metrics();
  let last: MonitorReport | undefined;
  const server = args.metricsPort ? await metrics.serve(args.metricsPort) : undefined;
  let page: http.Server | undefined;
  try {
    page = serve ? await serveMonitorPage(serve, () => last) : undefined;
  } catch (e) {
    server?.close();
    throw e;
  }
  if (page) {
    log(`page at http://${serve!.host}:${serve!.port}/`);
    opts.onServe?.(page);
  }
  const ctx = openKeeperContext(args.record, args.identity, { timeoutMs: args.timeoutMs });
  const keeper = new MonitorKeeper(ctx, { stateDir: args.stateDir, log, metrics, stuckAfter, stuckAfterRoute });
  const report: MonitorReport | undefined = await loop(
    args.once,
    args.intervalMs,
    async () => {
      const r = await keeper.pass();
      takeCounters(ctx);
      last = r;
      return r;
    },
    (l) => log.error(l),
    opts.signal,
  );
  server?.close();
  page?.closeAllConnections();
  page?.close();
  ctx.close();
  if (!args.once || !report) return EXIT.OK;
  if (report.broken.length || report.stuck.length) return EXIT.ALERT;
  return report.anyFailure ? EXIT.FAILED : EXIT.OK;
}

if (require.main === module) runMain(() => monitorMain(process.argv.slice(2)));
