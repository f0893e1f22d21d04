/**
 * Chain access for keepers: a JSON-RPC provider with a timeout on every request and request counters, and a
 * per-chain health record with exponential back-off, so a dead, frozen or lagging chain only affects the routes
 * that touch it.
 */
import { FetchRequest, JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { describeError } from "../errors";

/** Default timeout of one JSON-RPC request (or batch), in ms. */
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** Requests a provider made: HTTP round trips (a JSON-RPC batch is one) and JSON-RPC calls inside them. */
export interface RpcCounters {
  requests: number;
  calls: number;
  byMethod: Record<string, number>;
}

export class RpcTimeoutError extends Error {
  constructor(
    readonly url: string,
    readonly ms: number,
  ) {
    super(`timeout: no answer from ${url} within ${ms} ms`);
  }
}

/**
 * JsonRpcProvider for keepers: the chain id comes from the record (no probe at start, so a chain that is down at
 * start does not stop the keeper), no result cache (keepers must read fresh state), every request bounded by
 * `timeoutMs`, and counters of what was sent. Requests issued in the same tick go out as one JSON-RPC batch.
 */
export class KeeperProvider extends JsonRpcProvider {
  readonly counters: RpcCounters = { requests: 0, calls: 0, byMethod: {} };

  constructor(
    readonly url: string,
    chainId: bigint | number,
    readonly timeoutMs = DEFAULT_RPC_TIMEOUT_MS,
    options: { batchMaxCount?: number; pollingInterval?: number } = {},
  ) {
    const req = new FetchRequest(url);
    req.timeout = timeoutMs;
    const network = Network.from(BigInt(chainId));
    super(req, network, {
      staticNetwork: network,
      cacheTimeout: -1,
      batchStallTime: 2,
      batchMaxCount: options.batchMaxCount ?? 100,
      pollingInterval: options.pollingInterval ?? 500,
    });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const list = Array.isArray(payload) ? payload : [payload];
    this.counters.requests++;
    this.counters.calls += list.length;
    for (const p of list) this.counters.byMethod[p.method] = (this.counters.byMethod[p.method] ?? 0) + 1;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RpcTimeoutError(this.url, this.timeoutMs)), this.timeoutMs);
    });
    try {
      return await Promise.race([super._send(payload), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counters since the last reset, and resets them. */
  takeCounters(): RpcCounters {
    const c = { ...this.counters, byMethod: { ...this.counters.byMethod } };
    this.counters.requests = 0;
    this.counters.calls = 0;
    this.counters.byMethod = {};
    return c;
  }
}

/** What a keeper knows about one chain, reported every pass. */
export interface ChainStatus {
  name: string;
  chainId: bigint;
  /** Latest head seen, and when (ms since epoch). */
  head?: number;
  headAt?: number;
  /** Next block to read events from. */
  cursor?: number;
  /** Last error, while the chain is failing. */
  error?: string;
  /** Consecutive failures. */
  failures: number;
  /** Do not try this chain again before this time (ms since epoch). */
  nextRetryAt: number;
}

/**
 * Health of one chain with exponential back-off: after n consecutive failures, the next attempt waits
 * min(maxMs, baseMs * 2^(n-1)). A success resets it.
 */
export class ChainHealth {
  readonly status: ChainStatus;

  constructor(
    name: string,
    chainId: bigint,
    private readonly baseMs = 1_000,
    private readonly maxMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.status = { name, chainId, failures: 0, nextRetryAt: 0 };
  }

  /** Whether this chain may be tried now. */
  ready(): boolean {
    return this.now() >= this.status.nextRetryAt;
  }

  up(): boolean {
    return this.status.failures === 0;
  }

  ok(head?: number): void {
    if (head !== undefined) {
      this.status.head = head;
      this.status.headAt = this.now();
    }
    this.status.failures = 0;
    this.status.error = undefined;
    this.status.nextRetryAt = 0;
  }

  fail(e: unknown): void {
    this.status.failures++;
    this.status.error = describeError(e);
    this.status.nextRetryAt = this.now() + Math.min(this.maxMs, this.baseMs * 2 ** (this.status.failures - 1));
  }

  /** One readable phrase: `alpha: head 120, cursor 118` or `alpha: DOWN (timeout), retry in 4 s`. */
  describe(): string {
    const s = this.status;
    if (s.error) {
      const wait = Math.max(0, Math.ceil((s.nextRetryAt - this.now()) / 1000));
      return `${s.name}: DOWN (${s.error}), ${s.failures} failure(s), retry in ${wait} s`;
    }
    return `${s.name}: head ${s.head ?? "?"}${s.cursor !== undefined ? `, cursor ${s.cursor}` : ""}`;
  }
}

/**
 * Runs `work` for every item concurrently and returns each outcome; one failure never stops the others.
 */
export async function settleAll<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<({ item: T; ok: true; value: R } | { item: T; ok: false; error: unknown })[]> {
  const out = await Promise.allSettled(items.map((i) => work(i)));
  return out.map((o, i) =>
    o.status === "fulfilled"
      ? { item: items[i], ok: true as const, value: o.value }
      : { item: items[i], ok: false as const, error: o.reason as unknown },
  );
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. Rejects on the first error. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}
