/**
 * Following an envelope end to end: sent on its source chain (which adapters took it), confirmations per adapter
 * on its destination, then delivered, failed (stored for `retry`), held (route paused; stored) or dropped
 * (consumed but no longer retryable: invalidated). Found by envelope id or by the hash of the transaction that
 * sent it, on any chain of the deployment.
 */
import { isHexString, type Log, type Provider, type TransactionReceipt } from "ethers";
import { decodeAppMessage, decodeEnvelope, envelopeId, type AppMessage, type Envelope } from "./codec";
import { bridgeAdapterAt, localAdapterAt } from "./contracts";
import { decodeErrorData, XMarginError } from "./errors";
import type { ChainClient, TokenInfo, XMargin } from "./connect";

export type MessageStatus = "sent" | "confirming" | "delivered" | "failed" | "held" | "dropped";

export interface AdapterState {
  address: string;
  /** `local`, `layerzero`, `ccip`, `hyperlane` (from the record), or undefined for an adapter it does not list. */
  kind?: string;
  /** The adapter took the envelope at send time (it emitted it). */
  took: boolean;
  /** Why the adapter refused it at send time (decoded), when it did. */
  sendError?: string;
  /** The adapter confirmed the envelope on the destination (or delivered it on a 1-of-n route). */
  confirmed: boolean;
}

export interface MessageTrack {
  id: string;
  status: MessageStatus;
  source: { chain: string; chainId: bigint; tx: string; blockNumber: number; nonce: bigint; sender: string };
  destination: { chain: string; chainId: bigint; receiver: string };
  /** The xmargin payload (DEPOSIT/RELEASE) with its token, when the SDK knows it. */
  message?: AppMessage & { token?: TokenInfo };
  envelope?: Envelope;
  /** The envelope's bytes as sent (for `retry`, `resend`, `reissue`). */
  encoded?: string;
  adapters: AdapterState[];
  /** Confirmations the destination route requires (k), and how many it counted. */
  required: number;
  confirmations: number;
  deliveredTx?: string;
  /** Last stored failure: the transaction and the receiver's decoded revert reason. */
  failure?: { tx: string; reason: string };
  /** When the envelope was stored for `retry` (unix seconds), while it is retryable. */
  retryableAt?: bigint;
}

const RANGE = 5_000;

/** Runs `query` over [from, latest] in ranges of at most 5,000 blocks. */
export async function queryInRanges<T>(
  provider: Provider,
  from: number,
  query: (from: number, to: number) => Promise<T[]>,
): Promise<T[]> {
  const last = await provider.getBlockNumber();
  const out: T[] = [];
  for (let start = Math.max(0, from); start <= last; start += RANGE) {
    out.push(...(await query(start, Math.min(last, start + RANGE - 1))));
  }
  return out;
}

function adapterKinds(chain: ChainClient): Map<string, string> {
  return new Map(Object.entries(chain.record.adapters).map(([kind, a]) => [a!.address.toLowerCase(), kind]));
}

/** Every envelope a transaction sent, with its status. `ref` is an envelope id or a transaction hash. */
export async function trackMessage(xm: XMargin, ref: string): Promise<MessageTrack[]> {
  if (!isHexString(ref, 32)) throw new XMarginError(`"${ref}" is neither an envelope id nor a transaction hash`);
  const receipts = await Promise.all(xm.chains.map((c) => c.provider.getTransactionReceipt(ref).catch(() => null)));
  const found = receipts.findIndex((r) => r !== null);
  if (found >= 0) {
    const tracks = await tracksOfReceipt(xm, xm.chains[found], receipts[found]!);
    if (tracks.length === 0) throw new XMarginError(`transaction ${ref} on ${xm.chains[found].name} sent no envelope`);
    return tracks;
  }
  for (const chain of xm.chains) {
    const sent = await queryInRanges(chain.provider, chain.startBlock, (from, to) =>
      chain.messenger.queryFilter(chain.messenger.filters.MessageSent(ref), from, to),
    );
    if (sent.length > 0) {
      const receipt = await chain.provider.getTransactionReceipt(sent[0].transactionHash);
      return (await tracksOfReceipt(xm, chain, receipt!)).filter((t) => t.id === ref.toLowerCase());
    }
  }
  throw new XMarginError(`no envelope ${ref} and no transaction with that hash on any chain of the deployment`);
}

async function tracksOfReceipt(xm: XMargin, chain: ChainClient, receipt: TransactionReceipt): Promise<MessageTrack[]> {
  const messenger = await chain.messenger.getAddress();
  const m = chain.messenger.interface;
  const sent: { id: string; dst: bigint; sender: string; nonce: bigint }[] = [];
  const failedAdapters = new Map<string, { adapter: string; reason: string }[]>();
  const envelopes = new Map<string, { envelope: string; adapter: string }[]>();
  const local = localAdapterAt(messenger, chain.provider).interface;
  const bridged = bridgeAdapterAt(messenger, chain.provider).interface;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() === messenger.toLowerCase()) {
      const p = safeParse(() => m.parseLog(log));
      if (p?.name === "MessageSent") {
        sent.push({
          id: String(p.args.id).toLowerCase(),
          dst: p.args.dstChainId,
          sender: p.args.sender,
          nonce: p.args.nonce,
        });
      }
      if (p?.name === "AdapterFailed") {
        const id = String(p.args.id).toLowerCase();
        const reason = decodeErrorData(String(p.args.reason))?.text ?? String(p.args.reason);
        failedAdapters.set(id, [...(failedAdapters.get(id) ?? []), { adapter: String(p.args.adapter), reason }]);
      }
      continue;
    }
    const p = safeParse(() => local.parseLog(log)) ?? safeParse(() => bridged.parseLog(log));
    if (p?.name === "RelayRequested" || p?.name === "EnvelopeBridged") {
      const env = String(p.args.envelope);
      const id = envelopeId(env).toLowerCase();
      envelopes.set(id, [...(envelopes.get(id) ?? []), { envelope: env, adapter: log.address }]);
    }
  }
  return Promise.all(
    sent.map((s) => trackSent(xm, chain, receipt, s, envelopes.get(s.id) ?? [], failedAdapters.get(s.id) ?? [])),
  );
}

function safeParse<T>(parse: () => T | null): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}

async function trackSent(
  xm: XMargin,
  src: ChainClient,
  receipt: TransactionReceipt,
  s: { id: string; dst: bigint; sender: string; nonce: bigint },
  took: { envelope: string; adapter: string }[],
  failed: { adapter: string; reason: string }[],
): Promise<MessageTrack> {
  const dst = xm.chain(s.dst);
  const envelope = took[0] ? decodeEnvelope(took[0].envelope) : undefined;
  const app = envelope ? decodeAppMessage(envelope.payload) : undefined;
  const tokenChain = app ? (app.kind === "DEPOSIT" ? src : dst) : undefined;
  const token = app && tokenChain ? Object.values(tokenChain.tokens).find((t) => t.address === app.asset) : undefined;

  const m = dst.messenger;
  const srcMessenger = await src.messenger.getAddress();
  const [route, routeAdapters, consumed, retryableAt] = await Promise.all([
    m.route(src.chainId),
    m.routeAdapters(src.chainId),
    m.isDelivered(src.chainId, srcMessenger, s.nonce),
    m.retryableAt(s.id),
  ]);
  const logs: Log[] = await queryInRanges(dst.provider, Math.max(dst.startBlock, 0), (from, to) =>
    dst.provider.getLogs({ address: m.target as string, topics: [null, s.id], fromBlock: from, toBlock: to }),
  );
  const confirmedBy = new Set<string>();
  let delivered: string | undefined;
  let failure: { tx: string; reason: string } | undefined;
  let last: "failed" | "held" | "delivered" | undefined;
  for (const log of logs) {
    const p = safeParse(() => m.interface.parseLog(log));
    if (!p) continue;
    if (p.name === "MessageConfirmed" || p.name === "MessageDuplicate")
      confirmedBy.add(String(p.args.adapter).toLowerCase());
    if (p.name === "MessageDelivered") {
      delivered = log.transactionHash;
      last = "delivered";
    }
    if (p.name === "MessageFailed") {
      const reason = decodeErrorData(String(p.args.reason))?.text ?? String(p.args.reason);
      failure = { tx: log.transactionHash, reason };
      last = "failed";
    }
    if (p.name === "MessageHeld") last = "held";
  }
  // On a 1-of-n route the messenger emits no confirmation: the adapter that delivered is the one that confirmed.
  const firstArrival = logs.find((l) => safeParse(() => m.interface.parseLog(l))?.name !== "MessageDuplicate");
  if (firstArrival && confirmedBy.size === 0) {
    const tx = await dst.provider.getTransaction(firstArrival.transactionHash);
    const to = tx?.to?.toLowerCase();
    if (to && routeAdapters.some((a) => a.toLowerCase() === to)) confirmedBy.add(to);
  }

  const kindsSrc = adapterKinds(src);
  const kindsDst = adapterKinds(dst);
  const srcAdapters = new Set([
    ...took.map((t) => t.adapter.toLowerCase()),
    ...failed.map((f) => f.adapter.toLowerCase()),
  ]);
  const adapters: AdapterState[] = [...srcAdapters].map((a) => {
    const kind = kindsSrc.get(a);
    const remote = Object.entries(dst.record.adapters)
      .find(([k]) => k === kind)?.[1]
      ?.address.toLowerCase();
    return {
      address: a,
      kind,
      took: took.some((t) => t.adapter.toLowerCase() === a),
      sendError: failed.find((f) => f.adapter.toLowerCase() === a)?.reason,
      confirmed: remote !== undefined && confirmedBy.has(remote),
    };
  });
  for (const c of confirmedBy) {
    const kind = kindsDst.get(c);
    if (!adapters.some((a) => a.kind !== undefined && a.kind === kind)) {
      adapters.push({ address: c, kind, took: false, confirmed: true });
    }
  }

  const retryable = retryableAt !== 0n;
  let status: MessageStatus;
  if (delivered && !retryable) status = "delivered";
  else if (retryable) status = last === "held" ? "held" : "failed";
  else if (consumed) status = delivered ? "delivered" : "dropped";
  else status = confirmedBy.size > 0 ? "confirming" : "sent";

  return {
    id: s.id,
    status,
    source: {
      chain: src.name,
      chainId: src.chainId,
      tx: receipt.hash,
      blockNumber: receipt.blockNumber,
      nonce: s.nonce,
      sender: s.sender,
    },
    destination: { chain: dst.name, chainId: dst.chainId, receiver: envelope?.receiver ?? "" },
    message: app ? { ...app, token } : undefined,
    envelope,
    encoded: took[0]?.envelope,
    adapters,
    required: Number(route.requiredConfirmations),
    confirmations: confirmedBy.size,
    deliveredTx: delivered,
    failure,
    retryableAt: retryable ? retryableAt : undefined,
  };
}

/** Polls {@link trackMessage} until the envelope reaches one of `until` (default: delivered) or the timeout. */
export async function waitForMessage(
  xm: XMargin,
  id: string,
  options: { until?: MessageStatus[]; timeoutMs?: number; pollMs?: number } = {},
): Promise<MessageTrack> {
  const until = options.until ?? ["delivered"];
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const [track] = await trackMessage(xm, id);
    if (until.includes(track.status)) return track;
    if (Date.now() > deadline) {
      throw new XMarginError(`envelope ${id} is still ${track.status} after ${options.timeoutMs ?? 120_000} ms`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}

/** An envelope that has not completed yet, as a position lists it. */
export interface PendingMessage {
  id: string;
  kind: "DEPOSIT" | "RELEASE";
  from: string;
  to: string;
  token: TokenInfo;
  amount: bigint;
  /** `in flight`: not consumed yet; `stored`: failed or held on the destination, waiting for `retry`. */
  state: "in flight" | "stored";
  tx: string;
}

/**
 * Deposits `account` made and collateral withdrawals it asked for that have not completed: read from the vaults'
 * `Deposited` and the engine's `CollateralWithdrawn` events (from the record's start blocks), checked against
 * the destination messengers' nonces.
 */
export async function pendingMessages(xm: XMargin, account: string): Promise<PendingMessage[]> {
  const out: PendingMessage[] = [];
  const check = async (
    src: ChainClient,
    dst: ChainClient,
    kind: "DEPOSIT" | "RELEASE",
    tokenChain: ChainClient,
    ev: { id: string; asset: string; amount: bigint; tx: string },
  ) => {
    const receipt = await src.provider.getTransactionReceipt(ev.tx);
    const sentLog = receipt?.logs
      .map((l) => safeParse(() => src.messenger.interface.parseLog(l)))
      .find((p) => p?.name === "MessageSent" && String(p.args.id).toLowerCase() === ev.id.toLowerCase());
    if (!sentLog) return;
    const [consumed, retryable] = await Promise.all([
      dst.messenger.isDelivered(src.chainId, await src.messenger.getAddress(), sentLog.args.nonce),
      dst.messenger.isRetryable(ev.id),
    ]);
    if (consumed && !retryable) return;
    const token = Object.values(tokenChain.tokens).find((t) => t.address === ev.asset) ?? {
      symbol: ev.asset,
      address: ev.asset,
      decimals: 0,
    };
    out.push({
      id: ev.id,
      kind,
      from: src.name,
      to: dst.name,
      token,
      amount: ev.amount,
      state: consumed ? "stored" : "in flight",
      tx: ev.tx,
    });
  };
  const jobs: Promise<void>[] = [];
  for (const spoke of xm.spokes) {
    const vault = spoke.vault!;
    const events = await queryInRanges(spoke.provider, spoke.startBlock, (from, to) =>
      vault.queryFilter(vault.filters.Deposited(account), from, to),
    );
    for (const e of events) {
      jobs.push(
        check(spoke, xm.hub, "DEPOSIT", spoke, {
          id: e.args.messageId,
          asset: e.args.asset,
          amount: e.args.amount,
          tx: e.transactionHash,
        }),
      );
    }
  }
  const engine = xm.hub.engine;
  const withdrawals = await queryInRanges(xm.hub.provider, xm.hub.startBlock, (from, to) =>
    engine.queryFilter(engine.filters.CollateralWithdrawn(account), from, to),
  );
  for (const e of withdrawals) {
    const dst = xm.chain(e.args.chainId);
    jobs.push(
      check(xm.hub, dst, "RELEASE", dst, {
        id: e.args.messageId,
        asset: e.args.asset,
        amount: e.args.amount,
        tx: e.transactionHash,
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}
