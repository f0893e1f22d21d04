/**
 * The monitor keeper: per chain, reads what the messengers and every adapter kind of the record emitted
 * (LocalAdapter `RelayRequested`, bridge adapters' `EnvelopeBridged`, `MessageFailed`/`MessageHeld`/
 * `MessageReissued`/`MessageDelivered`) incrementally from its cursors, keeps the envelopes still in flight in the
 * state directory, and checks only those (not every message ever sent) on their destination each pass. From that:
 * solvency per (chain, asset), envelopes in flight per route and adapter, stuck ones (not delivered after
 * `--stuck-after`) and stored failures, each with the call that would unstick it; the borrowers' health from an
 * incremental index scanned in gas-budgeted lens batches; the hub pool.
 *
 * Reorganisations after delivery (a relayer or bridge that carried an envelope before its source block was final):
 * - orphans: every `MessageDelivered` on a destination is matched with the envelope's event on its source chain,
 *   read at that chain's confirmation depth. A delivery whose envelope is neither among those nor in the source's
 *   blocks above that depth (not final yet) has no source event any more: its source block was reorganised away,
 *   or it is a forgery. The monitor names it with what it did on the destination (the credit or the payout), and
 *   counts it as broken until the (chain, asset) it touched is solvent again (the owner's containment:
 *   `quarantineCredit`, then `releaseQuarantine(..., false)`).
 * - swallowed envelopes: the source re-issues the orphan's nonce to its next envelope, which the destination then
 *   takes for a duplicate (`isDelivered` is per nonce). An envelope read on its source and found "delivered" stays
 *   in the state until its own `MessageDelivered`/`MessageFailed`/`MessageHeld` is read; if the destination's
 *   events up to the block where its nonce was seen consumed hold none for its id, it was swallowed: broken, with
 *   the owner's `reissue` call that sends it again under a new nonce.
 */
import path from "path";
import type { Interface, Log } from "ethers";
import {
  CollateralVault__factory,
  IBridgeAdapter__factory,
  IERC20__factory,
  IERC20Metadata__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  Messenger__factory,
} from "../../../typechain-types";
import type { AdapterKind } from "../../../deploy/types";
import { decodeEnvelope, decodeMessage, envelopeId, DEPOSIT, RELEASE } from "../codec";
import { AccountIndex, type ScanResult } from "./liquidate";
import { formatAmount, trimUnits, type KeeperChain, type KeeperContext } from "./context";
import { settleAll } from "./rpc";
import { scanLogs } from "./scan";
import { readState, writeState, type Cursors } from "./state";
import { silentLog, type KeeperLog } from "./log";
import type { Metrics } from "./metrics";

const local = LocalAdapter__factory.createInterface();
const bridge = IBridgeAdapter__factory.createInterface();
const messenger = Messenger__factory.createInterface();
const vaultIface = CollateralVault__factory.createInterface();
const hubIface = IMarginHub__factory.createInterface();
const T = {
  relay: local.getEvent("RelayRequested").topicHash,
  bridged: bridge.getEvent("EnvelopeBridged").topicHash,
  failed: messenger.getEvent("MessageFailed").topicHash,
  held: messenger.getEvent("MessageHeld").topicHash,
  reissued: messenger.getEvent("MessageReissued").topicHash,
  delivered: messenger.getEvent("MessageDelivered").topicHash,
};

interface Flight {
  id: string;
  src: string;
  dst: string;
  nonce: string;
  srcMessenger: string;
  sender: string;
  kind?: number;
  asset?: string;
  amount?: bigint;
  /** Adapter kinds that carried it (as seen in their events). */
  adapters: AdapterKind[];
  block: number;
  /** Source block timestamp (s), read once it is still in flight after a check. */
  sentAt?: number;
  envelope: string;
  /** Seen stored for retry on the destination. */
  failed?: boolean;
  /** An event of the destination consuming it (`MessageDelivered`, `MessageFailed`, `MessageHeld`) was read. */
  deliverySeen?: boolean;
  /** Destination head when its nonce was first found consumed there (executed, or swallowed: see the header). */
  executedAt?: number;
}

/** A `MessageDelivered` read on a destination, not yet matched with its envelope's event on the source chain. */
interface Delivery {
  id: string;
  src: string;
  dst: string;
  nonce: string;
  block: number;
  tx: string;
  /** Set once found orphaned: what the delivery did (read once from its transaction's logs). */
  orphan?: { effect: string; chain?: string; asset?: string };
}

interface MonitorState {
  version: 1;
  cursors: Cursors;
  inflight: Record<string, Flight>;
  /** Deliveries waiting for their source event, and orphans (no source event any more). */
  deliveries?: Record<string, Delivery>;
}

export interface SolvencyLine {
  chain: string;
  symbol: string;
  asset: string;
  /** The token's decimals (from the record). */
  decimals: number;
  ok?: boolean;
  error?: string;
  locked?: bigint;
  credits?: bigint;
  quarantined?: bigint;
  inFlight?: bigint;
  held?: bigint;
  claimable?: bigint;
}

export interface Unstick {
  id: string;
  route: string;
  state: "stuck" | "stored-for-retry" | "dropped" | "swallowed";
  ageSeconds?: number;
  /** The call that would unstick it: who sends it, on which chain and contract. */
  call: string;
}

/** A delivered envelope whose source event is gone (reorganised away after delivery, or forged). */
export interface Orphan {
  id: string;
  route: string;
  nonce: string;
  /** Destination block and transaction of the delivery. */
  block: number;
  tx: string;
  /** What it did there: `credited 5 WETH to 0x…` (a DEPOSIT), `paid 2 WETH to 0x…` (a RELEASE). */
  effect: string;
  /** The (chain, asset) row it touched, when known: while that row is not solvent, the orphan counts as broken. */
  chain?: string;
  asset?: string;
  contained: boolean;
}

export interface MonitorReport {
  solvency: SolvencyLine[];
  broken: string[];
  /** Delivered envelopes with no source event any more (see the file's comment). */
  orphans: Orphan[];
  inFlight: Record<string, number>;
  /** Per route, the age (s, source-chain time) of the oldest envelope in flight whose send time is known. */
  oldestInFlight: Record<string, number>;
  stuck: Unstick[];
  retryable: Unstick[];
  /** Envelopes whose nonce another envelope consumed on the destination (see the file's comment). */
  swallowed: Unstick[];
  accounts?: ScanResult;
  pool?: { lent: string; borrowed: string; reserves: string; badDebt: string };
  /** The same pool figures in the base token's smallest unit, with its symbol and decimals. */
  poolUnits?: { symbol: string; decimals: number; lent: bigint; borrowed: bigint; reserves: bigint; badDebt: bigint };
  /** When the pass finished (ms since the epoch, local clock). */
  at: number;
  chains: { name: string; ok: boolean; head?: number; cursor?: number; error?: string }[];
  anyFailure: boolean;
}

export interface MonitorOptions {
  stateDir?: string;
  log?: KeeperLog;
  metrics?: Metrics;
  /** Seconds after which an envelope not delivered is stuck (per route: `default` and chain names). */
  stuckAfter?: number;
  stuckAfterRoute?: Record<string, number>;
}

export class MonitorKeeper {
  private state: MonitorState;
  private readonly file?: string;
  readonly index: AccountIndex;
  private readonly log: KeeperLog;
  private lastSummary = "";
  private baseDecimals?: { symbol: string; decimals: number };

  constructor(
    readonly ctx: KeeperContext,
    private readonly opts: MonitorOptions = {},
  ) {
    this.log = opts.log ?? silentLog;
    this.file = opts.stateDir ? path.join(opts.stateDir, "monitor.json") : undefined;
    const empty: MonitorState = { version: 1, cursors: {}, inflight: {} };
    this.state = this.file ? readState<MonitorState>(this.file, empty) : empty;
    for (const c of ctx.all) this.state.cursors[c.chainId.toString()] ??= c.startBlock;
    this.index = new AccountIndex(ctx, opts.stateDir ? path.join(opts.stateDir, "monitor-accounts.json") : undefined);
  }

  private stuckAfter(route: string): number {
    return this.opts.stuckAfterRoute?.[route] ?? this.opts.stuckAfter ?? 3600;
  }

  /** Reads new events on `c`; returns the head and its timestamp. */
  private async read(c: KeeperChain): Promise<{ head: number; time: number }> {
    const key = c.chainId.toString();
    const block = await c.provider.getBlock("latest");
    if (!block) throw new Error(`${c.name}: no latest block`);
    const kindOf = new Map<string, AdapterKind>();
    for (const [k, a] of Object.entries(c.adapters)) kindOf.set(a!.toLowerCase(), k as AdapterKind);
    const addresses = [c.contracts.messenger, ...kindOf.keys()];
    const topics = [T.relay, T.bridged, T.failed, T.held, T.reissued, T.delivered];
    const { next, logs } = await scanLogs(c, this.state.cursors[key], addresses, topics, undefined, block.number);
    const fl = this.state.inflight;
    for (const l of logs) {
      const topic = l.topics[0];
      if (topic === T.relay || topic === T.bridged) {
        const raw = (topic === T.relay ? local.parseLog(l) : bridge.parseLog(l))!.args.envelope as string;
        const id = envelopeId(raw);
        const kind = kindOf.get(l.address.toLowerCase())!;
        const known = fl[id];
        if (known) {
          if (!known.adapters.includes(kind)) known.adapters.push(kind);
          continue;
        }
        const e = decodeEnvelope(raw);
        let m: ReturnType<typeof decodeMessage> | undefined;
        try {
          m = decodeMessage(e.payload);
        } catch {
          m = undefined;
        }
        fl[id] = {
          id,
          src: key,
          dst: e.dstChainId.toString(),
          nonce: e.nonce.toString(),
          srcMessenger: c.contracts.messenger,
          sender: e.sender.toLowerCase(),
          kind: m?.kind,
          asset: m?.asset.toLowerCase(),
          amount: m?.amount,
          adapters: [kind],
          block: l.blockNumber,
          envelope: raw,
        };
      } else if (topic === T.reissued) {
        delete fl[messenger.parseLog(l)!.args.oldId as string];
      } else if (topic === T.failed || topic === T.held) {
        const id = l.topics[1];
        if (fl[id]) {
          fl[id].failed = true;
          fl[id].deliverySeen = true;
        }
      } else if (topic === T.delivered) {
        const ev = messenger.parseLog(l)!;
        const src = (ev.args.srcChainId as bigint).toString();
        if (!this.ctx.nameOf.has(BigInt(src))) continue;
        const id = ev.args.id as string;
        (this.state.deliveries ??= {})[id] ??= {
          id,
          src,
          dst: key,
          nonce: (ev.args.nonce as bigint).toString(),
          block: l.blockNumber,
          tx: l.transactionHash,
        };
      }
    }
    this.state.cursors[key] = next;
    c.health.status.cursor = next;
    return { head: block.number, time: block.timestamp };
  }

  async pass(): Promise<MonitorReport> {
    const ctx = this.ctx;
    const report: MonitorReport = {
      solvency: [],
      broken: [],
      orphans: [],
      swallowed: [],
      inFlight: {},
      oldestInFlight: {},
      stuck: [],
      retryable: [],
      chains: [],
      anyFailure: false,
      at: 0,
    };
    // 1. New events, every chain on its own.
    const heads = new Map<bigint, { head: number; time: number }>();
    for (const r of await settleAll(
      ctx.all.filter((c) => c.health.ready()),
      (c) => this.read(c),
    )) {
      if (!r.ok) r.item.health.fail(r.error);
      else {
        r.item.health.ok(r.value.head);
        heads.set(r.item.chainId, r.value);
      }
    }
    const up = (id: bigint | string) => heads.has(BigInt(id));
    // Deliveries matched with their source events; the rest checked against the source's blocks not final yet.
    const orphans = await this.orphans(up, heads);
    // 2. Envelopes in flight: checked on their destination, all reads in flight at once.
    const flights = Object.values(this.state.inflight).filter((f) => up(f.dst) && f.executedAt === undefined);
    const checks = await settleAll(flights, async (f) => {
      const dst = ctx.byId.get(BigInt(f.dst))!;
      const m = Messenger__factory.connect(dst.contracts.messenger, dst.provider);
      const [delivered, retryable] = await Promise.all([
        m.isDelivered(f.src, f.srcMessenger, f.nonce),
        m.isRetryable(f.id),
      ]);
      return { delivered, retryable };
    });
    for (const r of checks) {
      if (!r.ok) {
        ctx.byId.get(BigInt(r.item.dst))!.health.fail(r.error);
        continue;
      }
      const f = r.item;
      if (r.value.delivered && !r.value.retryable) {
        // Executed, or dropped by an emergency invalidation after it was stored for retry.
        if (f.failed) {
          report.retryable.push(this.unstick(f, "dropped"));
        }
        // Kept until the destination's events up to here are read: its own delivery event must be among them
        // (else another envelope consumed its nonce), and so must a retry's, which is matched with it.
        f.executedAt = heads.get(BigInt(f.dst))!.head;
      } else if (r.value.retryable) {
        f.failed = true;
      }
    }
    // Source timestamps of what is still in flight (once per envelope).
    const undated = Object.values(this.state.inflight).filter(
      (f) => f.sentAt === undefined && f.executedAt === undefined && up(f.src),
    );
    const blocks = [...new Set(undated.map((f) => `${f.src}:${f.block}`))];
    const times = await settleAll(blocks, async (k) => {
      const [src, n] = k.split(":");
      return (await ctx.byId.get(BigInt(src))!.provider.getBlock(Number(n)))?.timestamp;
    });
    const timeOf = new Map(times.map((t) => [t.item, t.ok ? t.value : undefined]));
    for (const f of undated) f.sentAt = timeOf.get(`${f.src}:${f.block}`);
    for (const f of Object.values(this.state.inflight)) {
      if (f.executedAt !== undefined) {
        // Executed: done once the destination's events up to then are read; swallowed if they hold none for it.
        if (this.state.cursors[f.dst] <= f.executedAt) continue;
        if (f.deliverySeen) delete this.state.inflight[f.id];
        else report.swallowed.push(this.unstick(f, "swallowed"));
        continue;
      }
      const route = this.route(f);
      report.inFlight[route] = (report.inFlight[route] ?? 0) + 1;
      if (f.failed) {
        report.retryable.push(this.unstick(f, "stored-for-retry"));
        continue;
      }
      const now = heads.get(BigInt(f.src))?.time;
      if (now !== undefined && f.sentAt !== undefined) {
        report.oldestInFlight[route] = Math.max(report.oldestInFlight[route] ?? 0, now - f.sentAt);
      }
      if (
        now !== undefined &&
        f.sentAt !== undefined &&
        now - f.sentAt >= this.stuckAfter(ctx.nameOf.get(BigInt(f.dst)) ?? "")
      ) {
        report.stuck.push({ ...this.unstick(f, "stuck"), ageSeconds: now - f.sentAt });
      }
    }
    // 3. Solvency per (spoke, asset), the pool and the borrowers, if the hub is up.
    const hub = ctx.hub;
    if (up(hub.chainId)) {
      try {
        const [rows, pool, accounts] = await Promise.all([this.solvency(up), this.pool(), this.accounts()]);
        report.solvency = rows;
        report.pool = pool.text;
        report.poolUnits = pool.units;
        report.accounts = accounts;
      } catch (e) {
        hub.health.fail(e);
      }
    }
    for (const r of report.solvency) if (r.ok === false) report.broken.push(this.solvencyText(r));
    for (const w of report.swallowed) report.broken.push(`swallowed ${w.id} (${w.route}): ${w.call}`);
    for (const o of orphans) {
      const row = report.solvency.find((r) => r.chain === o.chain && r.asset === o.asset);
      o.contained = row?.ok === true;
      if (!o.contained) report.broken.push(orphanText(o));
    }
    report.orphans = orphans;
    if (this.file) writeState(this.file, this.state);
    for (const c of ctx.all) {
      const s = c.health.status;
      report.chains.push({ name: c.name, ok: !s.error, head: s.head, cursor: s.cursor, error: s.error });
    }
    report.anyFailure = report.chains.some((c) => !c.ok);
    report.at = Date.now();
    this.metrics(report);
    this.print(report);
    return report;
  }

  /**
   * Matches the deliveries read on destinations with the envelopes read on their sources (at depth); looks for
   * each one left in its source's blocks above that depth (`MessageSent` with its id). One found nowhere is an
   * orphan: its effect on the destination is read once from the delivery's transaction.
   */
  private async orphans(
    up: (id: bigint | string) => boolean,
    heads: Map<bigint, { head: number; time: number }>,
  ): Promise<Orphan[]> {
    const deliveries = (this.state.deliveries ??= {});
    const open: Delivery[] = [];
    for (const d of Object.values(deliveries)) {
      const f = this.state.inflight[d.id];
      if (f) {
        f.deliverySeen = true;
        delete deliveries[d.id];
      } else if (!d.orphan && up(d.src) && up(d.dst)) open.push(d);
    }
    const sent = messenger.getEvent("MessageSent").topicHash;
    const checks = await settleAll(open, async (d) => {
      const src = this.ctx.byId.get(BigInt(d.src))!;
      const from = this.state.cursors[d.src];
      const head = heads.get(src.chainId)!.head;
      if (from > head) return false;
      const logs = await src.provider.getLogs({
        address: src.contracts.messenger,
        topics: [sent, d.id],
        fromBlock: from,
        toBlock: head,
      });
      return logs.length === 0;
    });
    for (const c of checks) {
      if (!c.ok) {
        this.ctx.byId.get(BigInt(c.item.src))!.health.fail(c.error);
        continue;
      }
      if (!c.value) continue; // in the source's blocks not final yet: matched at depth later
      const d = c.item;
      try {
        d.orphan = await this.effectOf(d);
      } catch (e) {
        this.ctx.byId.get(BigInt(d.dst))!.health.fail(e);
      }
    }
    return Object.values(deliveries)
      .filter((d) => d.orphan)
      .map((d) => ({
        id: d.id,
        route: this.route(d),
        nonce: d.nonce,
        block: d.block,
        tx: d.tx,
        effect: d.orphan!.effect,
        chain: d.orphan!.chain,
        asset: d.orphan!.asset,
        contained: false,
      }));
  }

  /** What the delivery `d` did on its destination, from its transaction's logs (credit, quarantine, payout). */
  private async effectOf(d: Delivery): Promise<NonNullable<Delivery["orphan"]>> {
    const dst = this.ctx.byId.get(BigInt(d.dst))!;
    const receipt = await dst.provider.getTransactionReceipt(d.tx);
    const srcName = this.ctx.nameOf.get(BigInt(d.src)) ?? d.src;
    const dstName = this.ctx.nameOf.get(BigInt(d.dst)) ?? d.dst;
    for (const l of (receipt?.logs ?? []) as readonly Log[]) {
      const onHub = l.address.toLowerCase() === this.ctx.hub.contracts.engine.toLowerCase();
      const onVault = dst.contracts.vault && l.address.toLowerCase() === dst.contracts.vault.toLowerCase();
      const ev = onHub ? parse(hubIface, l) : onVault ? parse(vaultIface, l) : undefined;
      if (!ev || ev.args.messageId !== d.id) continue;
      const asset = (ev.args.asset as string).toLowerCase();
      const amount = ev.args.amount as bigint;
      if (ev.name === "CollateralCredited" || ev.name === "CollateralQuarantined") {
        const what = formatAmount(this.ctx.tokensOf.get(BigInt(d.src)), asset, amount);
        const verb = ev.name === "CollateralCredited" ? "credited" : "quarantined";
        return { effect: `DEPOSIT: ${verb} ${what} to ${ev.args.account}`, chain: srcName, asset };
      }
      if (ev.name === "Released" || ev.name === "ReleaseDeferred" || ev.name === "ReleaseRateLimited") {
        const what = formatAmount(this.ctx.tokensOf.get(BigInt(d.dst)), asset, amount);
        const verb = ev.name === "Released" ? "paid" : "owed as a claim";
        return { effect: `RELEASE: ${verb} ${what} to ${ev.args.recipient}`, chain: dstName, asset };
      }
    }
    return { effect: "no credit or payout found in its transaction" };
  }

  private route(f: { src: string; dst: string }): string {
    const n = (id: string) => this.ctx.nameOf.get(BigInt(id)) ?? id;
    return `${n(f.src)}->${n(f.dst)}`;
  }

  private unstick(f: Flight, state: Unstick["state"]): Unstick {
    const src = this.ctx.nameOf.get(BigInt(f.src)) ?? f.src;
    const dst = this.ctx.nameOf.get(BigInt(f.dst)) ?? f.dst;
    const dstMessenger = this.ctx.byId.get(BigInt(f.dst))?.contracts.messenger ?? "?";
    const adapters = f.adapters
      .map((k) => this.ctx.byId.get(BigInt(f.src))?.adapters[k])
      .filter(Boolean)
      .join(",");
    const call =
      state === "stuck"
        ? `owner on ${src}: Messenger(${f.srcMessenger}).resend(<envelope ${f.id}>, [${adapters}])`
        : state === "stored-for-retry"
          ? `anyone on ${dst}: Messenger(${dstMessenger}).retry(<envelope ${f.id}>)`
          : state === "swallowed"
            ? `owner on ${src}: Messenger(${f.srcMessenger}).reissue(<envelope ${f.id}>): its nonce ${f.nonce} was ` +
              `consumed on ${dst} by another envelope (a reorganisation on ${src} re-used it), so it can never be delivered`
            : `owner on ${src}: Messenger(${f.srcMessenger}).reissue(<envelope ${f.id}>) after checking it can never be delivered`;
    return { id: f.id, route: this.route(f), state, call };
  }

  private async solvency(up: (id: bigint) => boolean): Promise<SolvencyLine[]> {
    const ctx = this.ctx;
    const engine = IMarginHub__factory.connect(ctx.hub.contracts.engine, ctx.hub.provider);
    const engineAddress = ctx.hub.contracts.engine.toLowerCase();
    const spokes = ctx.spokes;
    const lines = await Promise.all(
      spokes.flatMap((s) =>
        [...s.tokens.entries()].map(async ([asset, t]): Promise<SolvencyLine> => {
          const line: SolvencyLine = { chain: s.name, symbol: t.symbol, asset, decimals: t.decimals };
          if (!up(s.chainId)) return { ...line, error: `${s.name} unreachable` };
          const vault = CollateralVault__factory.connect(s.contracts.vault, s.provider);
          const vaultAddress = s.contracts.vault.toLowerCase();
          try {
            const [locked, market, quarantined, held, claimable] = await Promise.all([
              vault.totalLocked(asset),
              engine.marketState(s.chainId, asset),
              engine.totalQuarantined(s.chainId, asset),
              IERC20__factory.connect(asset, s.provider).balanceOf(vaultAddress),
              vault.totalClaimable(asset),
            ]);
            let inFlight = 0n;
            for (const f of Object.values(this.state.inflight)) {
              if (f.asset !== asset || f.amount === undefined || f.executedAt !== undefined) continue;
              const deposit = f.kind === DEPOSIT && f.src === s.chainId.toString() && f.sender === vaultAddress;
              const release = f.kind === RELEASE && f.dst === s.chainId.toString() && f.sender === engineAddress;
              if (deposit || release) inFlight += f.amount;
            }
            const credits = market.totalCredits;
            const ok = locked === credits + quarantined + inFlight && held >= locked + claimable;
            return { ...line, ok, locked, credits, quarantined, inFlight, held, claimable };
          } catch (e) {
            s.health.fail(e);
            return { ...line, error: s.health.status.error };
          }
        }),
      ),
    );
    return lines;
  }

  private async pool() {
    const hub = this.ctx.hub;
    const engine = IMarginHub__factory.connect(hub.contracts.engine, hub.provider);
    if (!this.baseDecimals) {
      const meta = IERC20Metadata__factory.connect(await engine.baseToken(), hub.provider);
      const [symbol, decimals] = await Promise.all([meta.symbol(), meta.decimals()]);
      this.baseDecimals = { symbol, decimals: Number(decimals) };
    }
    const [[lent, borrowed], reserves, badDebt] = await Promise.all([
      engine.poolTotals(),
      engine.reserves(),
      engine.totalBadDebt(),
    ]);
    const { symbol, decimals } = this.baseDecimals;
    const f = (x: bigint) => `${trimUnits(x, decimals, 2)} ${symbol}`;
    return {
      text: { lent: f(lent), borrowed: f(borrowed), reserves: f(reserves), badDebt: f(badDebt) },
      units: { symbol, decimals, lent, borrowed, reserves, badDebt },
    };
  }

  private async accounts(): Promise<ScanResult> {
    await this.index.update();
    const r = await this.index.scan();
    this.index.save();
    return r;
  }

  private solvencyText(r: SolvencyLine): string {
    const tokens = this.ctx.tokensOf.get(this.ctx.spokes.find((s) => s.name === r.chain)?.chainId ?? 0n);
    const f = (x?: bigint) => (x === undefined ? "?" : formatAmount(tokens, r.asset, x));
    return (
      `${r.chain}/${r.symbol}: locked ${f(r.locked)} vs credits ${f(r.credits)} + quarantined ${f(r.quarantined)} + ` +
      `in flight ${f(r.inFlight)}; vault holds ${f(r.held)}, owes claims ${f(r.claimable)}`
    );
  }

  private metrics(r: MonitorReport): void {
    const m = this.opts.metrics;
    if (!m) return;
    for (const c of this.ctx.all) {
      const s = c.health.status;
      m.set("xmargin_chain_up", "1 when the chain answered on the last try", { chain: c.name }, s.error ? 0 : 1);
      if (s.head !== undefined) m.set("xmargin_chain_head", "Latest block seen", { chain: c.name }, s.head);
      if (s.head !== undefined && s.cursor !== undefined) {
        m.set("xmargin_cursor_lag_blocks", "Head minus next block to read", { chain: c.name }, s.head + 1 - s.cursor);
      }
    }
    m.clear("xmargin_envelopes_in_flight");
    for (const [route, n] of Object.entries(r.inFlight)) {
      m.set("xmargin_envelopes_in_flight", "Envelopes sent and not executed, per route", { route }, n);
    }
    m.set("xmargin_envelopes_stuck", "Envelopes in flight longer than --stuck-after", {}, r.stuck.length);
    m.set("xmargin_envelopes_failed", "Envelopes stored for retry or dropped", {}, r.retryable.length);
    for (const s of r.solvency) {
      const v = s.ok === undefined ? -1 : s.ok ? 1 : 0;
      m.set(
        "xmargin_solvent",
        "1 solvent, 0 broken, -1 unknown, per (chain, asset)",
        { chain: s.chain, asset: s.symbol },
        v,
      );
    }
    if (r.accounts) {
      m.set("xmargin_accounts_with_debt", "Accounts with debt at the last scan", {}, r.accounts.withDebt);
      m.set(
        "xmargin_accounts_liquidatable",
        "Liquidatable accounts at the last scan",
        {},
        r.accounts.liquidatable.length,
      );
    }
  }

  /** A summary line when something changed since the last one printed, plus a line per problem. */
  private print(r: MonitorReport): void {
    const solvent = r.solvency.filter((s) => s.ok).length;
    const unknown = r.solvency.filter((s) => s.ok === undefined).length;
    const inflight = Object.values(r.inFlight).reduce((a, b) => a + b, 0);
    const a = r.accounts;
    const lowest = a?.lowest ? trimUnits(a.lowest.health, 18, 3) : "-";
    const summary =
      `solvency ${r.broken.length ? `BROKEN on ${r.broken.length}` : "holds"} (${solvent}/${r.solvency.length} rows ok` +
      `${unknown ? `, ${unknown} unknown` : ""}); in flight ${inflight}, stuck ${r.stuck.length}, ` +
      `failed ${r.retryable.length}; borrowers ${a?.withDebt ?? "?"} (liquidatable ${a?.liquidatable.length ?? "?"}, ` +
      `lowest health ${lowest}); pool lent ${r.pool?.lent ?? "?"}, borrowed ${r.pool?.borrowed ?? "?"}` +
      r.chains
        .filter((c) => !c.ok)
        .map((c) => `; ${c.name} DOWN (${c.error})`)
        .join("");
    if (summary === this.lastSummary) return;
    this.lastSummary = summary;
    this.log(summary, { inFlight: r.inFlight, chains: r.chains, pool: r.pool });
    for (const b of r.broken) this.log.error(`BROKEN ${b}`);
    for (const o of r.orphans.filter((x) => x.contained)) this.log.warn(`contained ${orphanText(o)}`, { ...o });
    for (const s of [...r.stuck, ...r.retryable]) {
      this.log.warn(
        `${s.state} ${s.id.slice(0, 10)}… ${s.route}${s.ageSeconds ? ` for ${s.ageSeconds} s` : ""}: ${s.call}`,
        {
          ...s,
        },
      );
    }
  }
}

function parse(iface: Interface, l: Log) {
  try {
    return iface.parseLog(l);
  } catch {
    return null;
  }
}

/** One line naming an orphan, what it did and where. */
export function orphanText(o: Orphan): string {
  return (
    `orphan ${o.id} (${o.route}, nonce ${o.nonce}) delivered in block ${o.block} (tx ${o.tx}) has no source event ` +
    `any more (reorganised away after delivery, or forged): ${o.effect}`
  );
}
