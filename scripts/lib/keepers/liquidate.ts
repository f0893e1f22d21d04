/**
 * The liquidator keeper: an index of the accounts that borrowed (from the engine's `Borrowed` events, read
 * incrementally from a cursor and kept in the state directory), a health scan of every account with debt in
 * batched lens calls sized to a gas budget (all in flight at once, so ethers sends them as JSON-RPC batches), and
 * a liquidation of each liquidatable one. It needs only the hub.
 *
 * Index: `active` accounts had debt at the last scan (or borrowed since); `dormant` ones had none and are not
 * scanned until they borrow again (a `Borrowed` event moves them back). Nothing is ever re-read from history.
 */
import path from "path";
import { IERC20Metadata__factory, IMarginHub__factory, MarginLens__factory } from "../../../typechain-types";
import type { MarginLens } from "../../../typechain-types";
import { describeError } from "../errors";
import { liquidateAccount, type LiquidationResult } from "../liquidator";
import { formatAmount, type KeeperContext, type TokenInfo } from "./context";
import { mapLimit } from "./rpc";
import { scanLogs } from "./scan";
import { readState, writeState } from "./state";
import { silentLog, type KeeperLog } from "./log";
import type { Metrics } from "./metrics";

const BORROWED_TOPIC = IMarginHub__factory.createInterface().getEvent("Borrowed").topicHash;

/** Gas one account costs in `MarginLens.accounts` (measured ~41,400 with two positions) with a margin. */
export const GAS_PER_ACCOUNT = 45_000;
/** Gas budget of one lens call: under the 16,777,216 cap of Hardhat's hardfork and of most providers. */
export const CALL_GAS_BUDGET = 14_000_000;

interface IndexState {
  version: 1;
  cursor: number;
  active: string[];
  dormant: string[];
}

export interface ScanResult {
  scanned: number;
  withDebt: number;
  liquidatable: string[];
  priceErrors: string[];
  /** Lowest health among accounts with debt (1e18 = liquidation line). */
  lowest?: { account: string; health: bigint };
  /** The accounts nearest liquidation (lowest health first, at most {@link NEAREST}), price errors left out. */
  nearest: { account: string; health: bigint; debt: bigint }[];
}

/** How many of the accounts nearest liquidation a scan keeps. */
export const NEAREST = 10;

export interface LiquidatorPassReport extends ScanResult {
  newAccounts: number;
  results: LiquidationResult[];
  hub: { ok: boolean; head?: number; cursor: number; error?: string };
  anyFailure: boolean;
}

export interface LiquidatorOptions {
  stateDir?: string;
  log?: KeeperLog;
  metrics?: Metrics;
  recipient?: string;
  slippageBps?: number;
  /** Accounts per lens call (default from the gas budget). */
  batch?: number;
  /** Scan only; never send a liquidation (the monitor's use). */
  readOnly?: boolean;
}

/** Incremental index of borrowers plus batched health scans: shared by the liquidator and the monitor. */
export class AccountIndex {
  state: IndexState;
  private dirty = false;
  batch: number;

  constructor(
    private readonly ctx: KeeperContext,
    private readonly file?: string,
    batch?: number,
  ) {
    this.state = file
      ? readState<IndexState>(file, { version: 1, cursor: ctx.hub.startBlock, active: [], dormant: [] })
      : { version: 1, cursor: ctx.hub.startBlock, active: [], dormant: [] };
    this.batch = batch ?? Math.floor(CALL_GAS_BUDGET / GAS_PER_ACCOUNT);
  }

  /** Reads new `Borrowed` events; returns how many accounts entered the scan. */
  async update(): Promise<{ head: number; added: number }> {
    const hub = this.ctx.hub;
    const { head, next, logs } = await scanLogs(hub, this.state.cursor, [hub.contracts.engine], [BORROWED_TOPIC]);
    let added = 0;
    if (logs.length) {
      const active = new Set(this.state.active);
      const dormant = new Set(this.state.dormant);
      for (const l of logs) {
        const account = `0x${l.topics[1].slice(26)}`.toLowerCase();
        if (!active.has(account)) {
          active.add(account);
          dormant.delete(account);
          added++;
        }
      }
      this.state.active = [...active];
      this.state.dormant = [...dormant];
    }
    if (next !== this.state.cursor) this.dirty = true;
    this.state.cursor = next;
    hub.health.status.cursor = next;
    return { head, added };
  }

  /** Health of every active account, in lens calls of `batch` accounts, all in flight; moves debt-free ones out. */
  async scan(): Promise<ScanResult> {
    const lens = MarginLens__factory.connect(this.ctx.hub.contracts.lens, this.ctx.hub.provider);
    const batches: string[][] = [];
    for (let i = 0; i < this.state.active.length; i += this.batch) {
      batches.push(this.state.active.slice(i, i + this.batch));
    }
    const views = (await mapLimit(batches, 64, (b) => accountsSplitting(lens, b))).flat();
    const result: ScanResult = { scanned: views.length, withDebt: 0, liquidatable: [], priceErrors: [], nearest: [] };
    const paidOff: string[] = [];
    for (const v of views) {
      if (v.debt === 0n) {
        paidOff.push(v.account.toLowerCase());
        continue;
      }
      result.withDebt++;
      if (v.liquidatable) result.liquidatable.push(v.account);
      if (v.priceError) result.priceErrors.push(v.account);
      else {
        if (!result.lowest || v.health < result.lowest.health) result.lowest = { account: v.account, health: v.health };
        const near = result.nearest;
        if (near.length < NEAREST || v.health < near[near.length - 1].health) {
          // Kept sorted and bounded: O(NEAREST) per account, no sort of every account.
          const at = near.findIndex((n) => v.health < n.health);
          near.splice(at < 0 ? near.length : at, 0, { account: v.account, health: v.health, debt: v.debt });
          if (near.length > NEAREST) near.pop();
        }
      }
    }
    if (paidOff.length) {
      const off = new Set(paidOff);
      this.state.active = this.state.active.filter((a) => !off.has(a));
      this.state.dormant.push(...paidOff);
      this.dirty = true;
    }
    return result;
  }

  save(): void {
    if (this.file && this.dirty) writeState(this.file, this.state);
    this.dirty = false;
  }
}

type View = Awaited<ReturnType<MarginLens["accounts"]>>[number];

/** `lens.accounts(list)`, halving the list while the call runs out of gas (a node's call gas cap). */
async function accountsSplitting(lens: MarginLens, list: string[]): Promise<View[]> {
  try {
    return [...(await lens.accounts(list))];
  } catch (e) {
    if (list.length <= 1 || !/gas|out of|exceeds|limit/i.test(describeError(e) + String(e))) throw e;
    const half = Math.ceil(list.length / 2);
    const [a, b] = await Promise.all([
      accountsSplitting(lens, list.slice(0, half)),
      accountsSplitting(lens, list.slice(half)),
    ]);
    return [...a, ...b];
  }
}

export class LiquidatorKeeper {
  readonly index: AccountIndex;
  private readonly log: KeeperLog;
  private base?: TokenInfo & { address: string };

  constructor(
    readonly ctx: KeeperContext,
    private readonly opts: LiquidatorOptions = {},
  ) {
    this.log = opts.log ?? silentLog;
    this.index = new AccountIndex(
      ctx,
      opts.stateDir ? path.join(opts.stateDir, "liquidator.json") : undefined,
      opts.batch,
    );
  }

  async pass(): Promise<LiquidatorPassReport> {
    const hub = this.ctx.hub;
    const report: LiquidatorPassReport = {
      newAccounts: 0,
      scanned: 0,
      withDebt: 0,
      liquidatable: [],
      priceErrors: [],
      nearest: [],
      results: [],
      hub: { ok: true, cursor: this.index.state.cursor },
      anyFailure: false,
    };
    if (!hub.health.ready()) {
      report.hub = { ok: false, cursor: this.index.state.cursor, error: hub.health.status.error };
      report.anyFailure = true;
      return report;
    }
    try {
      const { head, added } = await this.index.update();
      report.newAccounts = added;
      Object.assign(report, await this.index.scan());
      hub.health.ok(head);
      report.hub = { ok: true, head, cursor: this.index.state.cursor };
    } catch (e) {
      hub.health.fail(e);
      report.hub = { ok: false, cursor: this.index.state.cursor, error: hub.health.status.error };
      report.anyFailure = true;
    }
    this.index.save();
    if (!this.opts.readOnly && report.liquidatable.length) {
      const signer = await hub.signer();
      const engine = IMarginHub__factory.connect(hub.contracts.engine, signer);
      const lens = MarginLens__factory.connect(hub.contracts.lens, signer);
      const me = await signer.getAddress();
      const base = await this.baseToken();
      for (const account of report.liquidatable) {
        const r = await liquidateAccount(
          {
            signer,
            engine,
            lens,
            recipient: () => this.opts.recipient ?? me,
            slippageBps: this.opts.slippageBps,
          },
          account,
        );
        if (!r) continue;
        report.results.push(r);
        const seized = formatAmount(this.ctx.tokensOf.get(r.chainId), r.asset, r.seized);
        const where = this.ctx.nameOf.get(r.chainId) ?? `chain ${r.chainId}`;
        if (r.error) {
          this.log.warn(`liquidation of ${account} failed: ${r.error}`, {
            account,
            chainId: r.chainId,
            asset: r.asset,
          });
          this.opts.metrics?.inc("xmargin_liquidation_failures_total", "Failed liquidations", {});
        } else {
          const repaid = formatAmount(new Map([[base.address, base]]), base.address, r.repaid);
          this.log(`liquidated ${account}: repaid ${repaid}, seized ${seized} on ${where} (tx ${r.txHash})`, {
            account,
            chainId: r.chainId,
            asset: r.asset,
            repaid: r.repaid,
            seized: r.seized,
            txHash: r.txHash,
          });
          this.opts.metrics?.inc("xmargin_liquidations_total", "Liquidations sent", { chain: where });
        }
      }
    }
    if (report.results.some((r) => r.error)) report.anyFailure = true;
    const m = this.opts.metrics;
    if (m) {
      m.set(
        "xmargin_chain_up",
        "1 when the chain answered on the last try",
        { chain: hub.name },
        report.hub.ok ? 1 : 0,
      );
      if (report.hub.head !== undefined) {
        m.set("xmargin_chain_head", "Latest block seen", { chain: hub.name }, report.hub.head);
        m.set(
          "xmargin_cursor_lag_blocks",
          "Head minus next block to read",
          { chain: hub.name },
          report.hub.head + 1 - report.hub.cursor,
        );
      }
      m.set("xmargin_accounts_with_debt", "Accounts with debt at the last scan", {}, report.withDebt);
      m.set("xmargin_accounts_liquidatable", "Liquidatable accounts at the last scan", {}, report.liquidatable.length);
    }
    return report;
  }

  private async baseToken(): Promise<TokenInfo & { address: string }> {
    if (this.base) return this.base;
    const engine = IMarginHub__factory.connect(this.ctx.hub.contracts.engine, this.ctx.hub.provider);
    const address = (await engine.baseToken()).toLowerCase();
    const meta = IERC20Metadata__factory.connect(address, this.ctx.hub.provider);
    const [symbol, decimals] = await Promise.all([meta.symbol(), meta.decimals()]);
    this.base = { address, symbol, decimals: Number(decimals) };
    return this.base;
  }
}

export function liquidatorSummary(r: LiquidatorPassReport): string {
  if (!r.hub.ok) return `hub DOWN (${r.hub.error}); cursor ${r.hub.cursor}`;
  const failed = r.results.filter((x) => x.error).length;
  return (
    `${r.withDebt} account(s) with debt (+${r.newAccounts} new), ${r.liquidatable.length} liquidatable, ` +
    `${r.results.length - failed} liquidated, ${failed} failed | hub head ${r.hub.head} cursor ${r.hub.cursor}`
  );
}
