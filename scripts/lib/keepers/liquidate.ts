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
import { parseUnits } from "ethers";
import { IERC20Metadata__factory, IMarginHub__factory, MarginLens__factory } from "../../../typechain-types";
import type { IMarginHub, MarginLens } from "../../../typechain-types";
import { describeError } from "../errors";
import {
  buyInventory,
  executeAbsorb,
  executeLiquidation,
  planAccount,
  type BuyResult,
  type PassPrices,
  type PlannedResult,
} from "../liquidator";
import type { Candidate, ModeFlag, Plan } from "../liquidation-plan";
import { formatAmount, trimUnits, type KeeperContext, type TokenInfo } from "./context";
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
  results: PlannedResult[];
  /** Every liquidatable account's decision: the action and its figures, or why it was skipped. */
  decisions: Plan[];
  purchases: BuyResult[];
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
  /** Which action(s) to consider per account (default auto: the most profitable). */
  mode?: ModeFlag;
  /** Skip actions earning less, in base token units ("2.5"; default 0: any profit). */
  minProfit?: string;
  /** What the keeper expects to lose realising seized collateral, basis points (default 0). */
  haircutBps?: number;
  /** Base token units per ETH when the hub has no ETH feed (gas and RELEASE fees in base), e.g. "3000". */
  nativePrice?: string;
  /** Also buy the hub's absorbed inventory when its discount beats gas. */
  buyInventory?: boolean;
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
  private base?: TokenInfo & { address: string; fmt: (raw: bigint) => string };

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
      decisions: [],
      purchases: [],
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
    if (!this.opts.readOnly && (report.liquidatable.length || this.opts.buyInventory)) {
      await this.act(report);
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

  /** Plans every liquidatable account, executes liquidations as planned, absorbs in one batch, buys inventory. */
  private async act(report: LiquidatorPassReport): Promise<void> {
    const hub = this.ctx.hub;
    const signer = await hub.signer();
    const engine = IMarginHub__factory.connect(hub.contracts.engine, signer);
    const lens = MarginLens__factory.connect(hub.contracts.lens, signer);
    const me = await signer.getAddress();
    const prices = await this.passPrices(engine, me);
    const opts = {
      mode: this.opts.mode ?? "auto",
      minProfit: parseUnits(this.opts.minProfit ?? "0", this.base!.decimals),
      haircutBps: BigInt(this.opts.haircutBps ?? 0),
      slippageBps: this.opts.slippageBps ?? 50,
    };
    const releaseFees = new Map<bigint, bigint>();
    const toAbsorb: Candidate[] = [];
    for (const account of report.liquidatable) {
      const plan = await planAccount(engine, lens, account, prices, opts, releaseFees);
      report.decisions.push(plan);
      this.logDecision(plan, prices);
      const c = plan.chosen;
      if (!c) continue;
      if (c.mode === "absorb") {
        toAbsorb.push(c);
        continue;
      }
      const r = await executeLiquidation(signer, engine, c, {
        slippageBps: opts.slippageBps,
        recipient: () => this.opts.recipient ?? me,
      });
      if (!r.error) prices.available -= r.repaid + r.protocolFee;
      this.logResult(r);
      report.results.push(r);
    }
    if (toAbsorb.length) {
      for (const r of await executeAbsorb(signer, engine, toAbsorb)) {
        this.logResult(r);
        report.results.push(r);
      }
    }
    if (this.opts.buyInventory) {
      const markets = [...this.ctx.tokensOf].flatMap(([chainId, tokens]) =>
        chainId === hub.chainId ? [] : [...tokens.keys()].map((asset) => ({ chainId, asset })),
      );
      report.purchases = await buyInventory(signer, engine, markets, prices, opts);
      for (const b of report.purchases) {
        const where = this.ctx.nameOf.get(b.chainId) ?? `chain ${b.chainId}`;
        const amount = formatAmount(this.ctx.tokensOf.get(b.chainId), b.asset, b.amount);
        const fields = {
          chainId: b.chainId,
          asset: b.asset,
          amount: b.amount,
          baseCharged: b.baseCharged,
          profit: b.profit,
        };
        if (b.error) this.log.warn(`buying ${amount} of ${where} failed: ${b.error}`, fields);
        else if (b.buy)
          this.log(
            `bought ${amount} of ${where} for ${this.base!.fmt(b.baseCharged)} (profit ${this.base!.fmt(b.profit)}, tx ${b.txHash})`,
            fields,
          );
        else
          this.log(
            `inventory ${amount} of ${where}: not bought, profit ${this.base!.fmt(b.profit)} after gas ${this.base!.fmt(b.gasCost)}`,
            fields,
          );
      }
    }
  }

  /** Base price, gas price, the ETH price in base (hub feed, else --native-price) and the keeper's base balance. */
  private async passPrices(engine: IMarginHub, me: string): Promise<PassPrices> {
    const base = await this.baseToken();
    const hub = this.ctx.hub;
    let eth: { chainId: bigint; asset: string } | undefined;
    for (const [chainId, tokens] of this.ctx.tokensOf) {
      for (const [asset, t] of tokens) if (!eth && /^W?ETH$/i.test(t.symbol)) eth = { chainId, asset };
    }
    const erc20 = IERC20Metadata__factory.connect(base.address, hub.provider);
    const [basePrice, fees, available, ethPrice] = await Promise.all([
      engine.getPrice(hub.chainId, base.address),
      hub.provider.getFeeData(),
      erc20.balanceOf(me),
      eth ? engine.getPrice(eth.chainId, eth.asset).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const flag = this.opts.nativePrice === undefined ? undefined : parseUnits(this.opts.nativePrice, base.decimals);
    const nativePrice = ethPrice !== undefined && basePrice > 0n ? (10n ** 18n * ethPrice) / basePrice : flag;
    if (nativePrice === undefined) this.log.warn("no ETH price (no hub feed, no --native-price): gas and fees count 0");
    return { basePrice, gasPrice: fees.gasPrice ?? fees.maxFeePerGas ?? 0n, nativePrice, available };
  }

  private logDecision(plan: Plan, prices: PassPrices): void {
    const f = (x: bigint) => this.base!.fmt(x);
    const c = plan.chosen;
    if (!c) {
      this.log(`skip ${plan.account}: ${plan.reason}`, {
        account: plan.account,
        decision: "skip",
        candidates: plan.candidates.map((x) => ({
          mode: x.mode,
          chainId: x.chainId,
          asset: x.asset,
          profit: x.profit,
        })),
      });
      return;
    }
    const seized = c.asset ? formatAmount(this.ctx.tokensOf.get(c.chainId!), c.asset, c.seized) : "-";
    this.log(
      `plan ${plan.account}: ${c.mode}` +
        (c.mode === "absorb"
          ? ` reward ${f(c.value)}`
          : ` repay ${f(c.repaid)} (+${f(c.protocolFee)} fee), seize ${seized} at bonus ${Number(c.bonusBps) / 100}%`) +
        `, gas ${c.gas} (${f(c.gasCost)}), message fee ${f(c.fee)}, profit ${f(c.profit)}; base held ${f(prices.available)}`,
      {
        account: plan.account,
        decision: c.mode,
        chainId: c.chainId,
        asset: c.asset,
        repaid: c.repaid,
        protocolFee: c.protocolFee,
        seized: c.seized,
        bonusBps: c.bonusBps,
        gas: c.gas,
        gasCost: c.gasCost,
        fee: c.fee,
        profit: c.profit,
      },
    );
  }

  private logResult(r: PlannedResult): void {
    const where = this.ctx.nameOf.get(r.chainId) ?? `chain ${r.chainId}`;
    const fields = { account: r.account, mode: r.mode, chainId: r.chainId, asset: r.asset, txHash: r.txHash };
    if (r.error) {
      this.log.warn(`${r.mode} of ${r.account} failed: ${r.error}`, fields);
      this.opts.metrics?.inc("xmargin_liquidation_failures_total", "Failed liquidations", {});
      return;
    }
    const f = (x: bigint) => this.base!.fmt(x);
    if (r.mode === "absorb") {
      this.log(`absorbed ${r.account}: debt ${f(r.repaid)} taken over (tx ${r.txHash})`, { ...fields, debt: r.repaid });
    } else {
      const seized = formatAmount(this.ctx.tokensOf.get(r.chainId), r.asset, r.seized);
      const how = r.mode === "release" ? `released on ${where}` : `credited on the hub (of ${where})`;
      this.log(`liquidated ${r.account}: repaid ${f(r.repaid)}, seized ${seized} ${how} (tx ${r.txHash})`, {
        ...fields,
        repaid: r.repaid,
        seized: r.seized,
      });
    }
    this.opts.metrics?.inc("xmargin_liquidations_total", "Liquidations sent", { mode: r.mode });
  }

  private async baseToken(): Promise<TokenInfo & { address: string; fmt: (raw: bigint) => string }> {
    if (this.base) return this.base;
    const engine = IMarginHub__factory.connect(this.ctx.hub.contracts.engine, this.ctx.hub.provider);
    const address = (await engine.baseToken()).toLowerCase();
    const meta = IERC20Metadata__factory.connect(address, this.ctx.hub.provider);
    const [symbol, decimals] = await Promise.all([meta.symbol(), meta.decimals()]);
    const info = { address, symbol, decimals: Number(decimals) };
    this.base = { ...info, fmt: (raw) => `${trimUnits(raw, info.decimals)} ${symbol}` };
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
