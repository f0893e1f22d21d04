/**
 * Relayer for the LocalAdapter transport: collects `RelayRequested` events on every chain and delivers them to
 * the peer adapter on the destination chain. The same class drives the keeper script (separate nodes) and the
 * test harness (in-process chains), where tests decide what to deliver, in which order, how often, or not at all.
 */
import { keccak256, type ContractTransactionReceipt } from "ethers";
import { Messenger__factory, type LocalAdapter, type Messenger } from "../../typechain-types";
import { decodeEnvelope } from "./codec";
import { queryRange } from "./events";

/** One envelope waiting to be carried. */
export interface Packet {
  /** Envelope id (keccak256 of the envelope bytes). */
  id: string;
  srcChainId: bigint;
  dstChainId: bigint;
  srcAdapter: string;
  srcMessenger: string;
  envelope: string;
  /** Where it was emitted, for ordering and logs. */
  blockNumber: number;
  logIndex: number;
}

/** A chain the relayer watches and delivers to: its LocalAdapter, connected to an authorised relayer key. */
export interface RelayEndpoint {
  name: string;
  chainId: bigint;
  adapter: LocalAdapter;
  /** First block to scan. Default 0. */
  fromBlock?: number;
  /**
   * Depth: an envelope is relayed only once its block is this many blocks below the chain's head (0 = as soon as
   * it is mined, right only where nothing can reorganise the chain: in-process chains and dev nodes that mine on
   * demand). Default 0. Live networks take it from the deployment record (the address book's `confirmations`).
   */
  confirmations?: number;
}

export type Order = "fifo" | "lifo" | "random";

export interface DeliveryResult {
  packet: Packet;
  receipt?: ContractTransactionReceipt;
  error?: string;
}

export type Logger = (line: string) => void;

export class Relayer {
  private readonly endpoints = new Map<
    bigint,
    RelayEndpoint & { adapterAddress: string; messengerAddress: string; messenger?: Messenger; nextBlock: number }
  >();
  private queue: Packet[] = [];
  private rng: () => number;

  /**
   * @param log Progress lines.
   * @param seed Seed of the "random" delivery order.
   * @param skipDelivered Skip envelopes the destination already consumed when polling (a keeper restarting from
   *        an old block); tests that deliver duplicates on purpose call {@link deliver} directly.
   */
  constructor(
    endpoints: RelayEndpoint[],
    private readonly log: Logger = () => {},
    seed = 1,
    private readonly skipDelivered = true,
  ) {
    for (const e of endpoints) {
      this.endpoints.set(e.chainId, { ...e, adapterAddress: "", messengerAddress: "", nextBlock: e.fromBlock ?? 0 });
    }
    this.rng = mulberry32(seed);
  }

  private async init(): Promise<void> {
    for (const e of this.endpoints.values()) {
      if (!e.adapterAddress) {
        e.adapterAddress = await e.adapter.getAddress();
        e.messengerAddress = await e.adapter.messenger();
        e.messenger = Messenger__factory.connect(e.messengerAddress, e.adapter.runner);
      }
    }
  }

  /**
   * Scans every chain for new `RelayRequested` events in blocks at its confirmation depth (head - confirmations)
   * and queues them. Returns the new packets. A block above that depth is read on a later poll, once deep enough:
   * an envelope reorganised away before then is never seen.
   */
  async poll(): Promise<Packet[]> {
    await this.init();
    const found: Packet[] = [];
    for (const src of this.endpoints.values()) {
      const safe = (await src.adapter.runner!.provider!.getBlockNumber()) - (src.confirmations ?? 0);
      if (safe < src.nextBlock) continue;
      const events = await queryRange(
        src.adapter.runner!.provider!,
        (from, to) => src.adapter.queryFilter(src.adapter.filters.RelayRequested(), from, to),
        src.nextBlock,
        safe,
      );
      src.nextBlock = safe + 1;
      for (const ev of events) {
        const dst = this.endpoints.get(ev.args.dstChainId);
        const packet: Packet = {
          id: keccak256(ev.args.envelope),
          srcChainId: src.chainId,
          dstChainId: ev.args.dstChainId,
          srcAdapter: src.adapterAddress,
          srcMessenger: src.messengerAddress,
          envelope: ev.args.envelope,
          blockNumber: ev.blockNumber,
          logIndex: ev.index,
        };
        if (!dst) {
          this.log(`skip ${short(packet.id)}: no endpoint for chain ${packet.dstChainId}`);
          continue;
        }
        if (this.skipDelivered) {
          const { nonce } = decodeEnvelope(packet.envelope);
          if (await dst.messenger!.isDelivered(packet.srcChainId, packet.srcMessenger, nonce)) continue;
        }
        found.push(packet);
      }
    }
    this.queue.push(...found);
    return found;
  }

  /** Packets collected and not yet delivered (or dropped). */
  pending(): readonly Packet[] {
    return this.queue;
  }

  /** Removes and returns the queued packets matching `filter` (all by default): "hold" them or drop them. */
  take(filter: (p: Packet) => boolean = () => true): Packet[] {
    const taken = this.queue.filter(filter);
    this.queue = this.queue.filter((p) => !filter(p));
    return taken;
  }

  /** Delivers one packet on its destination chain. Does not touch the queue; may deliver the same one twice. */
  async deliver(packet: Packet, overrides: { gasLimit?: bigint } = {}): Promise<DeliveryResult> {
    const dst = this.endpoints.get(packet.dstChainId);
    if (!dst) throw new Error(`no endpoint for chain ${packet.dstChainId}`);
    const src = this.endpoints.get(packet.srcChainId);
    try {
      const tx = await dst.adapter.deliver(
        packet.srcChainId,
        packet.srcAdapter,
        packet.srcMessenger,
        packet.envelope,
        overrides,
      );
      const receipt = (await tx.wait())!;
      this.log(
        `delivered ${short(packet.id)} ${src?.name ?? packet.srcChainId} -> ${dst.name} (gas ${receipt.gasUsed})`,
      );
      return { packet, receipt };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.log(`delivery of ${short(packet.id)} to ${dst.name} failed: ${error}`);
      return { packet, error };
    }
  }

  /** Polls, then delivers every queued packet in `order` and empties the queue. */
  async flush(order: Order = "fifo"): Promise<DeliveryResult[]> {
    await this.poll();
    const batch = this.take();
    if (order === "lifo") batch.reverse();
    if (order === "random") shuffle(batch, this.rng);
    const results: DeliveryResult[] = [];
    for (const p of batch) results.push(await this.deliver(p));
    return results;
  }
}

export function short(id: string): string {
  return `${id.slice(0, 10)}…`;
}

/** Small seeded PRNG so "random" orders are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
