/**
 * The relayer keeper for LocalAdapter routes: per chain, reads `RelayRequested` from its cursor (confirmation
 * depth behind the head), queues the envelopes, and delivers them on their destination with several
 * transactions in flight. Every chain is handled on its own: a chain that is down, frozen (timeout) or lagging
 * holds only the envelopes from or to it, and is retried with back-off. Cursors and the queue are checkpointed in
 * the state directory after every pass, so a restart resumes where it stopped.
 */
import path from "path";
import { JsonRpcSigner, keccak256, type Provider, type TransactionReceipt } from "ethers";
import { LocalAdapter__factory, Messenger__factory } from "../../../typechain-types";
import { decodeEnvelope } from "../codec";
import { describeError } from "../errors";
import { UsageError } from "../cli";
import type { Packet } from "../relayer";
import type { KeeperChain, KeeperContext } from "./context";
import { mapLimit, settleAll } from "./rpc";
import { scanLogs } from "./scan";
import { readState, writeState, type Cursors } from "./state";
import { silentLog, type KeeperLog } from "./log";
import type { Metrics } from "./metrics";

const RELAY_TOPIC = LocalAdapter__factory.createInterface().getEvent("RelayRequested").topicHash;

interface RelayState {
  version: 1;
  cursors: Cursors;
  /** Envelopes read and not yet delivered (their destination was down, or delivery failed). */
  pending: (Omit<Packet, "srcChainId" | "dstChainId"> & { srcChainId: string; dstChainId: string; attempts: number })[];
}

export interface RelayPassReport {
  delivered: number;
  failed: { id: string; dst: string; error: string }[];
  /** Envelopes still waiting, by destination chain name. */
  pending: Record<string, number>;
  chains: { name: string; ok: boolean; head?: number; cursor?: number; error?: string; nextRetryInMs?: number }[];
  /** Whether anything the pass tried failed (a chain or a delivery): the --once exit code. */
  anyFailure: boolean;
}

export interface RelayOptions {
  stateDir?: string;
  log?: KeeperLog;
  metrics?: Metrics;
  /** Deliveries in flight per destination chain. */
  concurrency?: number;
  /** How long to wait for a delivery to be mined. */
  receiptTimeoutMs?: number;
}

export class RelayKeeper {
  private state: RelayState;
  private readonly file?: string;
  private readonly log: KeeperLog;
  private readonly checked = new Set<bigint>();
  readonly chains: KeeperChain[];

  constructor(
    readonly ctx: KeeperContext,
    private readonly opts: RelayOptions = {},
  ) {
    this.chains = ctx.all.filter((c) => c.adapters.local);
    if (!this.chains.length) {
      throw new Error("no LocalAdapter in this deployment: its bridges (LayerZero, CCIP, Hyperlane) carry messages");
    }
    this.log = opts.log ?? silentLog;
    this.file = opts.stateDir ? path.join(opts.stateDir, "relayer.json") : undefined;
    this.state = this.file ? readState<RelayState>(this.file, { version: 1, cursors: {}, pending: [] }) : emptyState();
    for (const c of this.chains) {
      this.state.cursors[c.chainId.toString()] ??= c.startBlock;
      c.health.status.cursor = this.state.cursors[c.chainId.toString()];
    }
  }

  /**
   * Checks that the keeper's signer may deliver on every LocalAdapter it serves. Throws naming the chain and the
   * adapter when it may not; a chain that cannot be reached is skipped here and checked before its first delivery.
   */
  async checkRelayer(): Promise<{ unreachable: string[] }> {
    const unreachable: string[] = [];
    for (const r of await settleAll(this.chains, (c) => this.checkOne(c))) {
      if (r.ok) continue;
      if (r.error instanceof NotAllowedRelayer) throw r.error;
      {
        r.item.health.fail(r.error);
        unreachable.push(`${r.item.name} (${describeError(r.error)})`);
      }
    }
    return { unreachable };
  }

  private async checkOne(c: KeeperChain): Promise<void> {
    if (this.checked.has(c.chainId)) return;
    const signer = await c.signer();
    const me = await signer.getAddress();
    const adapter = LocalAdapter__factory.connect(c.adapters.local!, c.provider);
    if (!(await adapter.isRelayer(me))) throw new NotAllowedRelayer(c.name, c.adapters.local!, me);
    this.checked.add(c.chainId);
  }

  pendingCount(): number {
    return this.state.pending.length;
  }

  /** One pass: read every reachable chain, deliver what can be delivered, checkpoint. */
  async pass(): Promise<RelayPassReport> {
    const report: RelayPassReport = { delivered: 0, failed: [], pending: {}, chains: [], anyFailure: false };
    // 1. Read new envelopes on every chain that is due, each on its own.
    const due = this.chains.filter((c) => c.health.ready());
    const scans = await settleAll(due, async (c) => {
      const key = c.chainId.toString();
      const { head, next, logs } = await scanLogs(c, this.state.cursors[key], [c.adapters.local!], [RELAY_TOPIC]);
      const iface = LocalAdapter__factory.createInterface();
      const messenger = c.contracts.messenger;
      const known = new Set(this.state.pending.map((p) => p.id + p.dstChainId));
      for (const l of logs) {
        const ev = iface.parseLog(l)!;
        const id = keccak256(ev.args.envelope as string);
        const dst = (ev.args.dstChainId as bigint).toString();
        if (known.has(id + dst)) continue;
        this.state.pending.push({
          id,
          srcChainId: key,
          dstChainId: dst,
          srcAdapter: c.adapters.local!,
          srcMessenger: messenger,
          envelope: ev.args.envelope as string,
          blockNumber: l.blockNumber,
          logIndex: l.index,
          attempts: 0,
        });
      }
      this.state.cursors[key] = next;
      c.health.status.cursor = next;
      return head;
    });
    for (const s of scans) {
      if (!s.ok) s.item.health.fail(s.error);
      else s.item.health.ok(s.value);
    }
    // 2. Deliver per destination, each destination on its own.
    const byDst = new Map<string, RelayState["pending"]>();
    for (const p of this.state.pending) {
      const list = byDst.get(p.dstChainId);
      if (list) list.push(p);
      else byDst.set(p.dstChainId, [p]);
    }
    const targets = [...byDst.keys()]
      .map((id) => this.ctx.byId.get(BigInt(id)))
      .filter((c): c is KeeperChain => !!c && !!c.adapters.local && c.health.ready());
    const delivered = new Set<RelayState["pending"][number]>();
    const results = await settleAll(targets, async (dst) => {
      await this.checkOne(dst);
      const packets = byDst.get(dst.chainId.toString())!;
      const messenger = Messenger__factory.connect(dst.contracts.messenger, dst.provider);
      // Consumed already (a restart from an older cursor, another relayer): batched reads, all in flight.
      const done = await Promise.all(
        packets.map((p) => messenger.isDelivered(p.srcChainId, p.srcMessenger, decodeEnvelope(p.envelope).nonce)),
      );
      const todo = packets.filter((p, i) => {
        if (done[i]) delivered.add(p);
        return !done[i];
      });
      const signer = await dst.signer();
      const adapter = LocalAdapter__factory.connect(dst.adapters.local!, signer);
      const fail = (p: RelayState["pending"][number], e: unknown) => {
        p.attempts++;
        const error = describeError(e);
        report.failed.push({ id: p.id, dst: dst.name, error });
        this.opts.metrics?.inc("xmargin_relayer_failures_total", "Failed deliveries", { dst: dst.name });
        this.log.warn(`delivery of ${p.id.slice(0, 10)}… to ${dst.name} failed: ${error}`, { id: p.id });
      };
      // Estimate every delivery first (all in flight): one that would revert is reported, decoded, and keeps
      // its place in the queue without taking a nonce.
      const args = (p: RelayState["pending"][number]) =>
        [p.srcChainId, p.srcAdapter, p.srcMessenger, p.envelope] as const;
      const estimates = await Promise.all(
        todo.map((p) =>
          adapter.deliver.estimateGas(...args(p)).then(
            (g) => g,
            (e: unknown) => (fail(p, e), undefined),
          ),
        ),
      );
      const ready = todo.flatMap((p, i) => (estimates[i] === undefined ? [] : [{ p, gas: estimates[i]! }]));
      if (!ready.length) return;
      // Then send with nonces assigned here: nodes given many transactions at once from one account do not
      // order them reliably, and waiting for each before the next would make a pass take minutes.
      let nonce = await dst.provider.getTransactionCount(await signer.getAddress(), "pending");
      const fees = signer instanceof JsonRpcSigner ? {} : await feeFields(dst.provider);
      const sends = ready.map(({ p, gas }) => ({ p, gasLimit: (gas * 12n) / 10n + 10_000n, nonce: nonce++ }));
      // Send everything (several in flight), then collect the receipts in batched polls: three calls per
      // envelope (estimate, send, receipt) instead of one envelope at a time.
      const sent: { p: RelayState["pending"][number]; hash: string; nonce: number }[] = [];
      await mapLimit(sends, this.opts.concurrency ?? 16, async ({ p, gasLimit, nonce }) => {
        try {
          const data = adapter.interface.encodeFunctionData("deliver", [...args(p)]);
          const tx = { to: dst.adapters.local!, data, gasLimit, nonce, ...fees };
          const hash =
            signer instanceof JsonRpcSigner
              ? await signer.sendUncheckedTransaction(tx)
              : (await signer.sendTransaction(tx)).hash;
          sent.push({ p, hash, nonce });
        } catch (e) {
          fail(p, e);
        }
      });
      const receipts = await waitReceipts(
        dst.provider,
        await signer.getAddress(),
        sent.map(({ hash, nonce }) => ({ hash, nonce })),
        this.opts.receiptTimeoutMs ?? 120_000,
      );
      sent.forEach(({ p, hash }, i) => {
        const r = receipts[i];
        if (r?.status === 1) {
          delivered.add(p);
          report.delivered++;
          this.opts.metrics?.inc("xmargin_relayer_delivered_total", "Envelopes delivered", { dst: dst.name });
        } else {
          fail(
            p,
            new Error(r ? `delivery transaction ${hash} reverted` : `delivery transaction ${hash} not mined in time`),
          );
        }
      });
    });
    for (const r of results) {
      if (r.ok) continue;
      if (r.error instanceof NotAllowedRelayer) throw r.error;
      r.item.health.fail(r.error);
    }
    this.state.pending = this.state.pending.filter((p) => !delivered.has(p));
    if (this.file) writeState(this.file, this.state);
    // 3. Report.
    for (const p of this.state.pending) {
      const name = this.ctx.byId.get(BigInt(p.dstChainId))?.name ?? p.dstChainId;
      report.pending[name] = (report.pending[name] ?? 0) + 1;
    }
    for (const c of this.chains) {
      const s = c.health.status;
      report.chains.push({
        name: c.name,
        ok: !s.error,
        head: s.head,
        cursor: s.cursor,
        error: s.error,
        nextRetryInMs: s.error ? Math.max(0, s.nextRetryAt - Date.now()) : undefined,
      });
      const m = this.opts.metrics;
      if (m) {
        m.set("xmargin_chain_up", "1 when the chain answered on the last try", { chain: c.name }, s.error ? 0 : 1);
        if (s.head !== undefined) m.set("xmargin_chain_head", "Latest block seen", { chain: c.name }, s.head);
        if (s.head !== undefined && s.cursor !== undefined) {
          m.set("xmargin_cursor_lag_blocks", "Head minus next block to read", { chain: c.name }, s.head + 1 - s.cursor);
        }
        m.set(
          "xmargin_relayer_pending",
          "Envelopes waiting for delivery",
          { dst: c.name },
          report.pending[c.name] ?? 0,
        );
      }
    }
    report.anyFailure = report.failed.length > 0 || report.chains.some((c) => !c.ok);
    return report;
  }
}

/** Fee fields for transactions signed here (one read per pass, not one per transaction). */
async function feeFields(provider: Provider): Promise<Record<string, bigint>> {
  const f = await provider.getFeeData();
  if (f.maxFeePerGas !== null && f.maxPriorityFeePerGas !== null) {
    return { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
  }
  return f.gasPrice !== null ? { gasPrice: f.gasPrice } : {};
}

/**
 * Receipts of transactions sent from `from` with consecutive nonces. Each poll asks the sender's mined nonce
 * (one call) and fetches receipts only for what was mined since (one batch), until all are in or `timeoutMs`.
 */
export async function waitReceipts(
  provider: Provider,
  from: string,
  sent: { hash: string; nonce: number }[],
  timeoutMs: number,
  pollMs = 250,
): Promise<(TransactionReceipt | null)[]> {
  const out: (TransactionReceipt | null)[] = sent.map(() => null);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mined = await provider.getTransactionCount(from, "latest");
    const due = sent.flatMap((s, i) => (!out[i] && s.nonce < mined ? [i] : []));
    const got = await Promise.all(due.map((i) => provider.getTransactionReceipt(sent[i].hash)));
    due.forEach((i, k) => (out[i] = got[k]));
    if (out.every((r) => r) || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The signer may not deliver on a LocalAdapter: refused at start (exit code 1). */
export class NotAllowedRelayer extends UsageError {
  constructor(
    readonly chain: string,
    readonly adapter: string,
    readonly relayer: string,
  ) {
    super(`${chain}: ${relayer} is not an allowed relayer on the LocalAdapter ${adapter} (isRelayer is false)`);
  }
}

function emptyState(): RelayState {
  return { version: 1, cursors: {}, pending: [] };
}

/** A one-line summary of a pass: what happened and each chain's state. */
export function relaySummary(r: RelayPassReport): string {
  const pending = Object.entries(r.pending)
    .map(([k, v]) => `${v} to ${k}`)
    .join(", ");
  const chains = r.chains
    .map((c) =>
      c.ok
        ? `${c.name} head ${c.head ?? "?"} cursor ${c.cursor ?? "?"}`
        : `${c.name} DOWN (${c.error}) retry in ${Math.ceil((c.nextRetryInMs ?? 0) / 1000)} s`,
    )
    .join("; ");
  return `delivered ${r.delivered}, failed ${r.failed.length}, pending ${pending || "0"} | ${chains}`;
}
