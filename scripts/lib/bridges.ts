/**
 * Real bridge transports on in-process chains, each driven through the bridge's own local harness:
 *
 * - LayerZero V2: the EndpointV2 port of LayerZero's Foundry kit on every chain with {TestLzMessageLib} as send
 *   and receive library. The relayer plays DVN (`verify` on the destination endpoint) and executor
 *   (`endpoint.lzReceive` with the lzReceive gas of the enforced options), as on a real network.
 * - Chainlink CCIP: `MockCCIPRouter` on every chain. The relayer plays the OffRamp: `routeMessage` on the
 *   destination router with the source chain's selector, the sending adapter and the message's gas limit.
 * - Hyperlane: `MockMailbox` (a real Mailbox with a test ISM) on every chain. The relayer plays the Hyperlane
 *   relayer: `mailbox.process` of the dispatched message on the destination.
 *
 * {BridgeRelayer} collects what each bridge emitted and delivers it; tests can halt a bridge, hold packets,
 * reorder, duplicate, or deliver with too little gas.
 */
import {
  AbiCoder,
  concat,
  dataSlice,
  getBytes,
  hexlify,
  keccak256,
  toBeHex,
  zeroPadValue,
  type ContractTransactionReceipt,
} from "ethers";
import {
  CCIPAdapter,
  CCIPAdapter__factory,
  EndpointV2Mock,
  EndpointV2Mock__factory,
  HyperlaneAdapter,
  HyperlaneAdapter__factory,
  LayerZeroAdapter,
  LayerZeroAdapter__factory,
  MockCCIPRouter,
  MockCCIPRouter__factory,
  MockMailbox,
  MockMailbox__factory,
  TestLzMessageLib,
  TestLzMessageLib__factory,
  TestPostDispatchHook__factory,
  type Messenger,
} from "../../typechain-types";
import type { AccountSigner, Chain } from "./chain";
import { send } from "../../deploy/orchestrator";
import { NETWORK_ENTRIES } from "../../deploy/networks";
import { queryRange } from "./events";
import { mulberry32, shuffle, short, type Logger, type Order } from "./relayer";

export type BridgeKind = "layerzero" | "ccip" | "hyperlane";
export const BRIDGE_KINDS: readonly BridgeKind[] = ["layerzero", "ccip", "hyperlane"];

/** Gas the destination's delivery gets, per remote (lzReceive option, CCIP gas limit, Hyperlane IGP gas). */
export const DEFAULT_DELIVERY_GAS = 400_000;

// Bridge ids of the in-process chains, shaped like the bridges' testnet ids (LayerZero eids of Sepolia,
// Arbitrum Sepolia and Base Sepolia; their CCIP selectors). Hyperlane domains are the chain ids, as on Hyperlane.
const LZ_EIDS: Record<string, bigint> = { "31337": 40161n, "31338": 40231n, "31339": 40245n };
const CCIP_SELECTORS: Record<string, bigint> = {
  "31337": 16015286601757825753n,
  "31338": 3478487238524512106n,
  "31339": 10344971235874465080n,
};

/**
 * The bridge's own id of `chainId`: the address book's for a network of the book (forks keep the real chain ids),
 * else the in-process table's; chains outside both get a derived id.
 */
export function bridgeId(kind: BridgeKind, chainId: bigint): bigint {
  const net = NETWORK_ENTRIES.find((n) => BigInt(n.chainId) === chainId);
  if (net && kind === "layerzero" && net.layerzero) return BigInt(net.layerzero.eid);
  if (net && kind === "ccip" && net.ccip) return BigInt(net.ccip.chainSelector);
  if (net && kind === "hyperlane" && net.hyperlane) return BigInt(net.hyperlane.domain);
  const key = chainId.toString();
  if (kind === "layerzero") return LZ_EIDS[key] ?? 40000n + (chainId % 10000n);
  if (kind === "ccip") return CCIP_SELECTORS[key] ?? BigInt(keccak256(toBeHex(chainId, 32))) >> 192n;
  return chainId;
}

/** One bridge's harness and adapter on one chain. */
export type BridgeStack =
  | { kind: "layerzero"; adapter: LayerZeroAdapter; endpoint: EndpointV2Mock; lib: TestLzMessageLib }
  | { kind: "ccip"; adapter: CCIPAdapter; router: MockCCIPRouter }
  | { kind: "hyperlane"; adapter: HyperlaneAdapter; mailbox: MockMailbox };

export type BridgeAdapterContract = LayerZeroAdapter | CCIPAdapter | HyperlaneAdapter;

/** A chain with its messenger and the bridge stacks deployed on it. */
export interface BridgedChain {
  chain: Chain;
  messenger: Messenger;
  stacks: Partial<Record<BridgeKind, BridgeStack>>;
}

/** Deploys the harness and the adapter of `kind` on `chain` for `messenger`, owned by `deployer`. */
export async function deployBridge(
  kind: BridgeKind,
  chain: Chain,
  deployer: AccountSigner,
  messenger: Messenger,
  remoteChainIds: bigint[],
  fee = 0n,
): Promise<BridgeStack> {
  const messengerAddress = await messenger.getAddress();
  if (kind === "layerzero") {
    const endpoint = await new EndpointV2Mock__factory(deployer).deploy(
      bridgeId(kind, chain.chainId),
      deployer.address,
    );
    const lib = await new TestLzMessageLib__factory(deployer).deploy(await endpoint.getAddress(), fee);
    await send(endpoint.registerLibrary(await lib.getAddress()));
    for (const remote of remoteChainIds) {
      await send(endpoint.setDefaultSendLibrary(bridgeId(kind, remote), await lib.getAddress()));
      await send(endpoint.setDefaultReceiveLibrary(bridgeId(kind, remote), await lib.getAddress(), 0));
    }
    const adapter = await new LayerZeroAdapter__factory(deployer).deploy(
      messengerAddress,
      await endpoint.getAddress(),
      deployer.address,
    );
    return { kind, adapter, endpoint, lib };
  }
  if (kind === "ccip") {
    const router = await new MockCCIPRouter__factory(deployer).deploy();
    if (fee) await send(router.setFee(fee));
    const adapter = await new CCIPAdapter__factory(deployer).deploy(
      messengerAddress,
      await router.getAddress(),
      deployer.address,
    );
    return { kind, adapter, router };
  }
  const mailbox = await new MockMailbox__factory(deployer).deploy(bridgeId(kind, chain.chainId));
  if (fee) {
    // MockMailbox uses one free test hook as both required and default hook: charge the fee in the default one.
    const hook = await new TestPostDispatchHook__factory(deployer).deploy();
    await send(hook.setFee(fee));
    await send(mailbox.setDefaultHook(await hook.getAddress()));
  }
  // MockMailbox hands dispatched messages to a "remote" mailbox object on the same chain: give it a sink per
  // remote domain. The relayer reads the `Dispatch` event and processes the message on the real destination.
  for (const remote of remoteChainIds) {
    const sink = await new MockMailbox__factory(deployer).deploy(bridgeId(kind, remote));
    await send(mailbox.addRemoteMailbox(bridgeId(kind, remote), await sink.getAddress()));
  }
  const adapter = await new HyperlaneAdapter__factory(deployer).deploy(
    messengerAddress,
    await mailbox.getAddress(),
    deployer.address,
  );
  return { kind, adapter, mailbox };
}

/**
 * In-process chains share accounts, so the same deployer at the same nonce would get the same address on two
 * chains, and a CCIP mock router would then execute a message on the source chain. Give each chain its own
 * range of deployer nonces for bridge contracts.
 */
export async function separateNonces(chain: Chain, deployer: AccountSigner, index: number): Promise<void> {
  const floor = 10_000 * (index + 1);
  const nonce = await chain.provider.getTransactionCount(deployer.address);
  if (nonce < floor) await chain.send("hardhat_setNonce", [deployer.address, toBeHex(floor)]);
}

/** Makes the adapters of `kind` on `a` and `b` trust each other. */
export async function connectBridge(
  kind: BridgeKind,
  a: BridgedChain,
  b: BridgedChain,
  gasLimit = DEFAULT_DELIVERY_GAS,
): Promise<void> {
  const sa = a.stacks[kind]!;
  const sb = b.stacks[kind]!;
  const [addrA, addrB] = [await sa.adapter.getAddress(), await sb.adapter.getAddress()];
  // The CCIP mock router executes a message locally if the receiver address has code on the source chain:
  // make sure the peer's address is empty here, or the harness would not behave like a bridge.
  if ((await a.chain.provider.getCode(addrB)) !== "0x" || (await b.chain.provider.getCode(addrA)) !== "0x") {
    throw new Error(
      `${kind} adapters of ${a.chain.name} and ${b.chain.name} collide with contracts on the other chain`,
    );
  }
  await send(sa.adapter.setRemote(b.chain.chainId, bridgeId(kind, b.chain.chainId), addrB, gasLimit));
  await send(sb.adapter.setRemote(a.chain.chainId, bridgeId(kind, a.chain.chainId), addrA, gasLimit));
}

// ================================================================================================ relaying

/** Something a bridge emitted on a source chain, to be carried to its destination. */
export interface BridgePacket {
  kind: BridgeKind;
  srcChainId: bigint;
  dstChainId: bigint;
  /** Envelope id: keccak256 of the envelope bytes. */
  id: string;
  envelope: string;
  /** LayerZero: the encoded packet; CCIP: the bridged data; Hyperlane: the dispatched message. */
  raw: string;
  /** LayerZero guid or CCIP message id. */
  bridgeMessageId: string;
  /** Gas the bridge gives the receiver. */
  gasLimit: bigint;
  srcAdapter: string;
  blockNumber: number;
  logIndex: number;
}

export interface BridgeDelivery {
  packet: BridgePacket;
  receipt?: ContractTransactionReceipt;
  /** For CCIP: the receiver's own gas, as the router measured it. */
  receiverGas?: bigint;
  error?: string;
}

const LZ_PACKET_HEADER = 81;
const HYPERLANE_HEADER = 77;

/** A LayerZero PacketV1 (as PacketV1Codec encodes it): sender and receiver as addresses or bytes32. */
export interface LzPacket {
  nonce: bigint;
  srcEid: bigint;
  sender: string;
  dstEid: bigint;
  receiver: string;
  guid: string;
  message: string;
}

export function encodeLzPacket(p: LzPacket): string {
  return concat([
    "0x01",
    toBeHex(p.nonce, 8),
    toBeHex(p.srcEid, 4),
    zeroPadValue(p.sender, 32),
    toBeHex(p.dstEid, 4),
    zeroPadValue(p.receiver, 32),
    p.guid,
    p.message,
  ]);
}

/** A Hyperlane v3 message (as Message.formatMessage encodes it): sender and recipient as addresses or bytes32. */
export interface HyperlaneMessage {
  nonce: bigint | number;
  origin: bigint | number;
  sender: string;
  destination: bigint | number;
  recipient: string;
  body: string;
}

export function encodeHyperlaneMessage(m: HyperlaneMessage): string {
  return concat([
    "0x03",
    toBeHex(m.nonce, 4),
    toBeHex(m.origin, 4),
    zeroPadValue(m.sender, 32),
    toBeHex(m.destination, 4),
    zeroPadValue(m.recipient, 32),
    m.body,
  ]);
}

/** What tests and tools use of a bridges' relayer: {@link BridgeRelayer} (harnesses) or RealBridgeRelayer. */
export type BridgeTransport = Pick<
  BridgeRelayer,
  "halted" | "skipToLatest" | "poll" | "pending" | "take" | "deliver" | "flush"
>;

/**
 * What the harness relayer ({@link BridgeRelayer}) and the real-contract relayer (`RealBridgeRelayer`) share: the
 * queue of packets seen and not yet delivered, halted bridges, and delivery in a chosen order.
 */
export abstract class PacketRelayer {
  protected queue: BridgePacket[] = [];
  protected readonly rng: () => number;
  /** Bridges that neither carry nor deliver anything while halted (their packets wait in the queue). */
  readonly halted = new Set<BridgeKind>();

  constructor(seed: number) {
    this.rng = mulberry32(seed);
  }

  /** Collects newly emitted packets of every bridge on every chain. */
  abstract poll(): Promise<BridgePacket[]>;

  /** Carries one packet as its bridge would. `gasLimit` overrides the gas the receiver gets. */
  abstract deliver(packet: BridgePacket, overrides?: { gasLimit?: bigint }): Promise<BridgeDelivery>;

  pending(): readonly BridgePacket[] {
    return this.queue;
  }

  /** Removes and returns the queued packets matching `filter`. */
  take(filter: (p: BridgePacket) => boolean = () => true): BridgePacket[] {
    const taken = this.queue.filter(filter);
    this.queue = this.queue.filter((p) => !filter(p));
    return taken;
  }

  /** Polls, then delivers every queued packet of bridges that are not halted, in `order`. */
  async flush(order: Order = "fifo"): Promise<BridgeDelivery[]> {
    await this.poll();
    const batch = this.take((p) => !this.halted.has(p.kind));
    if (order === "lifo") batch.reverse();
    if (order === "random") shuffle(batch, this.rng);
    const results: BridgeDelivery[] = [];
    for (const p of batch) results.push(await this.deliver(p));
    return results;
  }
}

export class BridgeRelayer extends PacketRelayer {
  private readonly nextBlock = new Map<string, number>();

  constructor(
    private readonly chains: BridgedChain[],
    private readonly relayerOf: (chain: Chain) => AccountSigner,
    private readonly log: Logger = () => {},
    seed = 1,
    /** The bridge's own id of a chain (default: the in-process table of {@link bridgeId}). */
    private readonly idOf: (kind: BridgeKind, chainId: bigint) => bigint = bridgeId,
  ) {
    super(seed);
  }

  /** Starts scanning every chain from its next block, forgetting everything emitted before; resumes halted bridges. */
  async skipToLatest(): Promise<void> {
    this.queue = [];
    this.halted.clear();
    for (const c of this.chains) {
      const latest = await c.chain.provider.getBlockNumber();
      for (const kind of BRIDGE_KINDS) this.nextBlock.set(`${kind}:${c.chain.chainId}`, latest + 1);
    }
  }

  private chainOf(chainId: bigint): BridgedChain {
    const c = this.chains.find((x) => x.chain.chainId === chainId);
    if (!c) throw new Error(`no chain ${chainId}`);
    return c;
  }

  /** Collects newly emitted packets of every bridge on every chain. */
  async poll(): Promise<BridgePacket[]> {
    const found: BridgePacket[] = [];
    for (const c of this.chains) {
      const latest = await c.chain.provider.getBlockNumber();
      for (const stack of Object.values(c.stacks)) {
        const key = `${stack.kind}:${c.chain.chainId}`;
        const from = this.nextBlock.get(key) ?? 0;
        if (latest < from) continue;
        this.nextBlock.set(key, latest + 1);
        found.push(...(await this.collect(c, stack, from, latest)));
      }
    }
    found.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    this.queue.push(...found);
    return found;
  }

  private async collect(c: BridgedChain, stack: BridgeStack, from: number, to: number): Promise<BridgePacket[]> {
    const provider = c.chain.provider;
    const srcAdapter = await stack.adapter.getAddress();
    // Every bridge adapter logs the envelopes it was handed, with the bridge's message id.
    const bridged = await queryRange(
      provider,
      (f, t) => stack.adapter.queryFilter(stack.adapter.filters.EnvelopeBridged(), f, t),
      from,
      to,
    );
    const packets: BridgePacket[] = [];
    if (stack.kind === "layerzero") {
      const sent = await queryRange(
        provider,
        (f, t) => stack.endpoint.queryFilter(stack.endpoint.filters.PacketSent(), f, t),
        from,
        to,
      );
      for (const ev of sent) {
        const raw = ev.args.encodedPayload;
        const dstEid = BigInt(dataSlice(raw, 45, 49));
        const dst = this.chains.find((x) => this.idOf("layerzero", x.chain.chainId) === dstEid);
        if (!dst) continue;
        const envelope = dataSlice(raw, LZ_PACKET_HEADER + 32 + 20);
        packets.push({
          kind: "layerzero",
          srcChainId: c.chain.chainId,
          dstChainId: dst.chain.chainId,
          id: keccak256(envelope),
          envelope,
          raw,
          bridgeMessageId: dataSlice(raw, LZ_PACKET_HEADER, LZ_PACKET_HEADER + 32),
          gasLimit: lzReceiveGas(ev.args.options),
          srcAdapter,
          blockNumber: ev.blockNumber,
          logIndex: ev.index,
        });
      }
      return packets;
    }
    if (stack.kind === "ccip") {
      for (const ev of bridged) {
        const remote = await stack.adapter.remote(ev.args.dstChainId);
        packets.push({
          kind: "ccip",
          srcChainId: c.chain.chainId,
          dstChainId: ev.args.dstChainId,
          id: keccak256(ev.args.envelope),
          envelope: ev.args.envelope,
          raw: hexlify(new Uint8Array([...getBytes(await c.messenger.getAddress()), ...getBytes(ev.args.envelope)])),
          bridgeMessageId: ev.args.bridgeMessageId,
          gasLimit: remote.gasLimit,
          srcAdapter,
          blockNumber: ev.blockNumber,
          logIndex: ev.index,
        });
      }
      return packets;
    }
    const dispatched = await queryRange(
      provider,
      (f, t) => stack.mailbox.queryFilter(stack.mailbox.filters.Dispatch(), f, t),
      from,
      to,
    );
    for (const ev of dispatched) {
      const dst = this.chains.find((x) => this.idOf("hyperlane", x.chain.chainId) === ev.args.destination);
      if (!dst) continue;
      const envelope = dataSlice(ev.args.message, HYPERLANE_HEADER + 20);
      const remote = await stack.adapter.remote(dst.chain.chainId);
      packets.push({
        kind: "hyperlane",
        srcChainId: c.chain.chainId,
        dstChainId: dst.chain.chainId,
        id: keccak256(envelope),
        envelope,
        raw: ev.args.message,
        bridgeMessageId: keccak256(ev.args.message),
        gasLimit: remote.gasLimit,
        srcAdapter,
        blockNumber: ev.blockNumber,
        logIndex: ev.index,
      });
    }
    return packets;
  }

  /**
   * Carries one packet as its bridge would: LayerZero verify + lzReceive, CCIP routeMessage, Hyperlane process.
   * `gasLimit` overrides the gas the receiver gets (to simulate an under-funded execution).
   */
  async deliver(packet: BridgePacket, overrides: { gasLimit?: bigint } = {}): Promise<BridgeDelivery> {
    const dst = this.chainOf(packet.dstChainId);
    const relayer = this.relayerOf(dst.chain);
    // The gas the bridge gives the receiver; LayerZero's executor and Hyperlane's relayer add the endpoint's
    // or mailbox's own cost on top.
    const gas = overrides.gasLimit ?? packet.gasLimit;
    const txGas = gas + 100_000n;
    try {
      let receipt: ContractTransactionReceipt;
      let receiverGas: bigint | undefined;
      const stack = dst.stacks[packet.kind]!;
      if (stack.kind === "layerzero") {
        const endpoint = stack.endpoint.connect(relayer);
        const origin = {
          srcEid: BigInt(dataSlice(packet.raw, 9, 13)),
          sender: dataSlice(packet.raw, 13, 45),
          nonce: BigInt(dataSlice(packet.raw, 1, 9)),
        };
        const receiver = "0x" + dataSlice(packet.raw, 49, 81).slice(26);
        // DVN step, once per packet; the executor step may be repeated (e.g. after running out of gas).
        const payloadHash = keccak256(dataSlice(packet.raw, LZ_PACKET_HEADER));
        const stored = await endpoint.inboundPayloadHash(receiver, origin.srcEid, origin.sender, origin.nonce);
        if (stored !== payloadHash) await send(stack.lib.connect(relayer).verify(packet.raw));
        const message = dataSlice(packet.raw, LZ_PACKET_HEADER + 32);
        const tx = await endpoint.lzReceive(origin, receiver, packet.bridgeMessageId, message, "0x", {
          gasLimit: txGas,
        });
        receipt = (await tx.wait())!;
      } else if (stack.kind === "ccip") {
        const message = {
          messageId: packet.bridgeMessageId,
          sourceChainSelector: this.idOf("ccip", packet.srcChainId),
          sender: AbiCoder.defaultAbiCoder().encode(["address"], [packet.srcAdapter]),
          data: packet.raw,
          destTokenAmounts: [],
        };
        const tx = await stack.router
          .connect(relayer)
          .routeMessage(message, 5_000, gas, await stack.adapter.getAddress());
        receipt = (await tx.wait())!;
        const executed = receipt.logs
          .map((l) => {
            try {
              return stack.router.interface.parseLog(l);
            } catch {
              return null;
            }
          })
          .find((e) => e?.name === "MsgExecuted");
        receiverGas = executed?.args.gasUsed as bigint | undefined;
        if (executed && !executed.args.success) {
          // The OffRamp marks the message failed; it can be executed again manually.
          throw new Error(`CCIP receiver failed: ${executed.args.retData}`);
        }
      } else {
        const tx = await stack.mailbox.connect(relayer).process("0x", packet.raw, { gasLimit: txGas });
        receipt = (await tx.wait())!;
      }
      this.log(
        `${packet.kind}: delivered ${short(packet.id)} ${packet.srcChainId} -> ${packet.dstChainId} (gas ${receipt.gasUsed})`,
      );
      return { packet, receipt, receiverGas };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.log(`${packet.kind}: delivery of ${short(packet.id)} failed: ${error.split("\n")[0]}`);
      return { packet, error };
    }
  }
}

/** The lzReceive gas of LayerZero type-3 options (executor worker 1, option type 1). */
export function lzReceiveGas(options: string): bigint {
  const bytes = getBytes(options);
  let i = 2; // type 3 prefix
  while (i + 4 <= bytes.length) {
    const worker = bytes[i];
    const size = (bytes[i + 1] << 8) | bytes[i + 2];
    const type = bytes[i + 3];
    if (worker === 1 && type === 1) return BigInt(hexlify(bytes.slice(i + 4, i + 4 + 16)));
    i += 3 + size;
  }
  return BigInt(DEFAULT_DELIVERY_GAS);
}
