/**
 * Delivery over the bridges' REAL contracts at the address book's addresses, on any chain that has them (a
 * rehearsal node, a fork of one, a fork of a live testnet), acting as each bridge's off-chain workers do:
 *
 * - LayerZero: read `PacketSent` on the source EndpointV2 (packets of xmargin's adapter); on the destination, as
 *   every DVN the receive library's ULN config requires for (receiver, source eid) (impersonated), `verify(header,
 *   payloadHash, confirmations)` on ReceiveUln302, then `commitVerification`, then `EndpointV2.lzReceive` as the
 *   executor with the lzReceive gas of the packet's options.
 * - CCIP: read `CCIPMessageSent` on the OnRamp the source router names for the destination; on the destination,
 *   as the OffRamp the router registers for the source selector (impersonated), `router.routeMessage` with the
 *   message's gas limit (chainlink-local's fork simulator). A receiver failure is reported, not sent (the OffRamp
 *   would revert and leave the message for manual execution).
 * - Hyperlane: read `Dispatch` on the source mailbox and the IGP's `GasPayment` for it (no payment, no delivery);
 *   `Mailbox.process` on the destination with empty metadata (the ISM in force must accept it: TestIsm on rehearsal
 *   nodes; {@link useTestIsm} sets it on a fork of a live network).
 *
 * Impersonation uses `anvil_*` or `hardhat_*` methods, whichever the chain answers to. {RealBridgeRelayer} has
 * the poll/deliver/flush interface of {BridgeRelayer}.
 */
import { AbiCoder, dataSlice, getAddress, keccak256, toQuantity, zeroPadValue, type Signer } from "ethers";
import {
  CCIPOnRampHarness__factory,
  InterchainGasPaymaster__factory,
  Mailbox__factory,
  Router__factory,
  TestIsm__factory,
  type Messenger,
} from "../../typechain-types";
import { Messenger__factory } from "../../typechain-types";
import type { AccountSigner, Chain } from "./chain";
import { send } from "../../deploy/orchestrator";
import { queryRange } from "./events";
import { short, type Logger } from "./relayer";
import {
  BRIDGE_KINDS,
  PacketRelayer,
  lzReceiveGas,
  type BridgeDelivery,
  type BridgeKind,
  type BridgePacket,
} from "./bridges";
import { lzContract } from "./realBridges";
import type { ChainDeploymentRecord, NetworkEntry } from "../../deploy/types";

/** A chain with xmargin's messenger and bridge adapters, and the bridges' real contracts from its book entry. */
export interface RealBridgedChain {
  chain: Chain;
  net: NetworkEntry;
  messenger: Messenger;
  /** xmargin's adapter address per bridge. */
  adapters: Partial<Record<BridgeKind, string>>;
}

/** The chain's real bridges and xmargin's adapters on it, from a deployment record and the address book. */
export function realBridgedChainOf(
  chain: Chain,
  record: ChainDeploymentRecord,
  net: NetworkEntry,
  signer: Signer,
): RealBridgedChain {
  const adapters: Partial<Record<BridgeKind, string>> = {};
  for (const kind of BRIDGE_KINDS) {
    const a = record.adapters[kind];
    if (a) adapters[kind] = a.address;
  }
  return { chain, net, messenger: Messenger__factory.connect(record.contracts.messenger.address, signer), adapters };
}

/** The bridge's own id of a network (LayerZero eid, CCIP selector, Hyperlane domain). */
export function bookBridgeId(kind: BridgeKind, net: NetworkEntry): bigint | undefined {
  if (kind === "layerzero") return net.layerzero ? BigInt(net.layerzero.eid) : undefined;
  if (kind === "ccip") return net.ccip ? BigInt(net.ccip.chainSelector) : undefined;
  return net.hyperlane ? BigInt(net.hyperlane.domain) : undefined;
}

const prefixes = new WeakMap<Chain, Promise<"anvil" | "hardhat">>();

/** `anvil` or `hardhat`: the prefix of the chain's dev RPC methods. */
export function rpcPrefix(chain: Chain): Promise<"anvil" | "hardhat"> {
  let p = prefixes.get(chain);
  if (!p) {
    p = chain
      .send("web3_clientVersion", [])
      .then((v) => (String(v).toLowerCase().startsWith("anvil") ? "anvil" : "hardhat"));
    prefixes.set(chain, p);
  }
  return p;
}

/** A signer sending as `address` (impersonated on anvil or Hardhat), with gas money if it has little. */
export async function impersonate(chain: Chain, address: string): Promise<Signer> {
  const prefix = await rpcPrefix(chain);
  await chain.send(`${prefix}_impersonateAccount`, [address]);
  if ((await chain.provider.getBalance(address)) < 10n ** 17n) {
    await chain.send(`${prefix}_setBalance`, [address, toQuantity(10n ** 20n)]);
  }
  return (chain.provider as unknown as { getSigner(a: string): Promise<Signer> }).getSigner(address);
}

/**
 * Makes `TestIsm` the default ISM of the chain's real mailbox (deployed by `deployer`, set as the impersonated
 * mailbox owner): for forks of live networks, where the default ISM wants validator signatures. Returns the ISM.
 */
export async function useTestIsm(chain: Chain, net: NetworkEntry, deployer: Signer): Promise<string> {
  const mailbox = Mailbox__factory.connect(net.hyperlane!.mailbox, chain.provider);
  const ism = await new TestIsm__factory(deployer).deploy();
  await ism.waitForDeployment();
  const owner = await impersonate(chain, await mailbox.owner());
  await send(mailbox.connect(owner).setDefaultIsm(await ism.getAddress()));
  return ism.getAddress();
}

const LZ_HEADER = 81;
const HYPERLANE_HEADER = 77;
/** Gas an OffRamp keeps for the exact-gas check (CCIP 1.6's default). */
const CCIP_GAS_FOR_CALL_EXACT_CHECK = 5_000;
const EXTRA_ARGS_V2 = "0x181dcf10";
const EXTRA_ARGS_V1 = "0x97a657c9";

/** The gas limit of CCIP extra args (GenericExtraArgsV2 or EVMExtraArgsV1); 200k (the default) when empty. */
export function ccipGasLimit(extraArgs: string): bigint {
  if (extraArgs === "0x") return 200_000n;
  const tag = dataSlice(extraArgs, 0, 4);
  if (tag !== EXTRA_ARGS_V2 && tag !== EXTRA_ARGS_V1) throw new Error(`unknown CCIP extra args tag ${tag}`);
  return BigInt(dataSlice(extraArgs, 4, 36));
}

export class RealBridgeRelayer extends PacketRelayer {
  private readonly nextBlock = new Map<string, number>();

  constructor(
    private readonly chains: RealBridgedChain[],
    private readonly relayerOf: (chain: Chain) => AccountSigner,
    private readonly log: Logger = () => {},
    seed = 1,
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

  private chainOf(chainId: bigint): RealBridgedChain {
    const c = this.chains.find((x) => x.chain.chainId === chainId);
    if (!c) throw new Error(`no chain ${chainId}`);
    return c;
  }

  private chainById(kind: BridgeKind, id: bigint): RealBridgedChain | undefined {
    return this.chains.find((x) => bookBridgeId(kind, x.net) === id);
  }

  /** Collects newly emitted packets of xmargin's adapters on every bridge of every chain. */
  async poll(): Promise<BridgePacket[]> {
    const found: BridgePacket[] = [];
    for (const c of this.chains) {
      const latest = await c.chain.provider.getBlockNumber();
      for (const kind of BRIDGE_KINDS) {
        if (!c.adapters[kind] || bookBridgeId(kind, c.net) === undefined) continue;
        const key = `${kind}:${c.chain.chainId}`;
        const from = this.nextBlock.get(key) ?? 0;
        if (latest < from) continue;
        this.nextBlock.set(key, latest + 1);
        if (kind === "layerzero") found.push(...(await this.collectLayerZero(c, from, latest)));
        else if (kind === "ccip") found.push(...(await this.collectCcip(c, from, latest)));
        else found.push(...(await this.collectHyperlane(c, from, latest)));
      }
    }
    found.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    this.queue.push(...found);
    return found;
  }

  private async collectLayerZero(c: RealBridgedChain, from: number, to: number): Promise<BridgePacket[]> {
    const adapter = c.adapters.layerzero!;
    const endpoint = lzContract("EndpointV2", c.net.layerzero!.endpointV2, c.chain.provider);
    const sent = await queryRange(c.chain.provider, (f, t) => endpoint.queryFilter("PacketSent", f, t), from, to);
    const packets: BridgePacket[] = [];
    for (const ev of sent) {
      if (!("args" in ev)) continue;
      const raw: string = ev.args.encodedPayload;
      if (dataSlice(raw, 13, 45) !== zeroPadValue(adapter, 32).toLowerCase()) continue;
      const dst = this.chainById("layerzero", BigInt(dataSlice(raw, 45, 49)));
      if (!dst) continue;
      const envelope = dataSlice(raw, LZ_HEADER + 32 + 20);
      packets.push({
        kind: "layerzero",
        srcChainId: c.chain.chainId,
        dstChainId: dst.chain.chainId,
        id: keccak256(envelope),
        envelope,
        raw,
        bridgeMessageId: dataSlice(raw, LZ_HEADER, LZ_HEADER + 32),
        gasLimit: lzReceiveGas(ev.args.options),
        srcAdapter: adapter,
        blockNumber: ev.blockNumber,
        logIndex: ev.index,
      });
    }
    return packets;
  }

  private async collectCcip(c: RealBridgedChain, from: number, to: number): Promise<BridgePacket[]> {
    const adapter = getAddress(c.adapters.ccip!);
    const router = Router__factory.connect(c.net.ccip!.router, c.chain.provider);
    const onRamps = new Set<string>();
    for (const d of this.chains) {
      if (d === c || !d.net.ccip) continue;
      const onRamp = await router.getOnRamp(d.net.ccip.chainSelector);
      if (onRamp !== "0x0000000000000000000000000000000000000000") onRamps.add(onRamp);
    }
    const packets: BridgePacket[] = [];
    for (const onRampAddress of onRamps) {
      const onRamp = CCIPOnRampHarness__factory.connect(onRampAddress, c.chain.provider);
      const sent = await queryRange(
        c.chain.provider,
        (f, t) => onRamp.queryFilter(onRamp.filters.CCIPMessageSent(), f, t),
        from,
        to,
      );
      for (const ev of sent) {
        const m = ev.args.message;
        if (getAddress(m.sender) !== adapter) continue;
        const dst = this.chainById("ccip", ev.args.destChainSelector);
        if (!dst) continue;
        // The adapter's data is the source messenger (20 bytes) then the envelope.
        const envelope = dataSlice(m.data, 20);
        packets.push({
          kind: "ccip",
          srcChainId: c.chain.chainId,
          dstChainId: dst.chain.chainId,
          id: keccak256(envelope),
          envelope,
          raw: m.data,
          bridgeMessageId: m.header.messageId,
          gasLimit: ccipGasLimit(m.extraArgs),
          srcAdapter: adapter,
          blockNumber: ev.blockNumber,
          logIndex: ev.index,
        });
      }
    }
    return packets;
  }

  private async collectHyperlane(c: RealBridgedChain, from: number, to: number): Promise<BridgePacket[]> {
    const adapter = c.adapters.hyperlane!;
    const mailbox = Mailbox__factory.connect(c.net.hyperlane!.mailbox, c.chain.provider);
    const igp = InterchainGasPaymaster__factory.connect(c.net.hyperlane!.interchainGasPaymaster, c.chain.provider);
    const dispatched = await queryRange(
      c.chain.provider,
      (f, t) => mailbox.queryFilter(mailbox.filters.Dispatch(adapter), f, t),
      from,
      to,
    );
    const packets: BridgePacket[] = [];
    for (const ev of dispatched) {
      const dst = this.chainById("hyperlane", ev.args.destination);
      if (!dst) continue;
      const id = keccak256(ev.args.message);
      // What the sender paid the IGP for is the gas the relayer gives the recipient (Hyperlane's gas enforcement).
      const paid = await igp.queryFilter(igp.filters.GasPayment(id), ev.blockNumber, ev.blockNumber);
      const gasLimit = paid.reduce((s, p) => s + p.args.gasAmount, 0n);
      const envelope = dataSlice(ev.args.message, HYPERLANE_HEADER + 20);
      packets.push({
        kind: "hyperlane",
        srcChainId: c.chain.chainId,
        dstChainId: dst.chain.chainId,
        id: keccak256(envelope),
        envelope,
        raw: ev.args.message,
        bridgeMessageId: id,
        gasLimit,
        srcAdapter: adapter,
        blockNumber: ev.blockNumber,
        logIndex: ev.index,
      });
    }
    return packets;
  }

  /** Carries one packet as its bridge's workers would. `gasLimit` overrides the gas the receiver gets. */
  async deliver(packet: BridgePacket, overrides: { gasLimit?: bigint } = {}): Promise<BridgeDelivery> {
    const dst = this.chainOf(packet.dstChainId);
    const relayer = this.relayerOf(dst.chain);
    const gas = overrides.gasLimit ?? packet.gasLimit;
    try {
      let receipt;
      let receiverGas: bigint | undefined;
      if (packet.kind === "layerzero") {
        receipt = await this.deliverLayerZero(dst, packet, relayer, gas);
      } else if (packet.kind === "ccip") {
        ({ receipt, receiverGas } = await this.deliverCcip(dst, packet, gas));
      } else {
        if (packet.gasLimit === 0n) throw new Error("no interchain gas payment for the message");
        const mailbox = Mailbox__factory.connect(dst.net.hyperlane!.mailbox, relayer);
        receipt = (await (await mailbox.process("0x", packet.raw, { gasLimit: gas + 150_000n })).wait())!;
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

  private async deliverLayerZero(dst: RealBridgedChain, packet: BridgePacket, relayer: Signer, gas: bigint) {
    const lz = dst.net.layerzero!;
    const raw = packet.raw;
    const header = dataSlice(raw, 0, LZ_HEADER);
    const payloadHash = keccak256(dataSlice(raw, LZ_HEADER));
    const origin = {
      srcEid: BigInt(dataSlice(raw, 9, 13)),
      sender: dataSlice(raw, 13, 45),
      nonce: BigInt(dataSlice(raw, 1, 9)),
    };
    const receiver = getAddress(dataSlice(raw, 61, 81));
    const endpoint = lzContract("EndpointV2", lz.endpointV2, relayer);
    const stored: string = await endpoint.inboundPayloadHash(receiver, origin.srcEid, origin.sender, origin.nonce);
    if (stored !== payloadHash) {
      // The DVN step, once per packet: every DVN the receiver's ULN config needs, then the commit (anyone).
      const [lib] = (await endpoint.getReceiveLibrary(receiver, origin.srcEid)) as [string, boolean];
      const uln = lzContract("ReceiveUln302", lib, relayer);
      const cfg = (await uln.getUlnConfig(receiver, origin.srcEid)) as {
        confirmations: bigint;
        requiredDVNs: string[];
        optionalDVNs: string[];
        optionalDVNThreshold: bigint;
      };
      const dvns = [...cfg.requiredDVNs, ...cfg.optionalDVNs.slice(0, Number(cfg.optionalDVNThreshold))];
      for (const dvn of dvns) {
        const asDvn = await impersonate(dst.chain, dvn);
        await send(lzContract("ReceiveUln302", lib, asDvn).verify(header, payloadHash, cfg.confirmations));
      }
      await send(uln.commitVerification(header, payloadHash));
    }
    // The executor step; it may be repeated (e.g. after the receiver ran out of gas).
    const executor = lz.executor ? await impersonate(dst.chain, lz.executor) : relayer;
    const message = dataSlice(raw, LZ_HEADER + 32);
    const tx = await lzContract("EndpointV2", lz.endpointV2, executor).lzReceive(
      origin,
      receiver,
      packet.bridgeMessageId,
      message,
      "0x",
      { gasLimit: gas + 100_000n },
    );
    return (await tx.wait())!;
  }

  private async deliverCcip(dst: RealBridgedChain, packet: BridgePacket, gas: bigint) {
    const srcSelector = bookBridgeId("ccip", this.chainOf(packet.srcChainId).net)!;
    const router = Router__factory.connect(dst.net.ccip!.router, dst.chain.provider);
    const ramp = (await router.getOffRamps()).find((r) => r.sourceChainSelector === srcSelector);
    if (!ramp) throw new Error(`the router of ${dst.chain.name} has no OffRamp for selector ${srcSelector}`);
    const asOffRamp = router.connect(await impersonate(dst.chain, ramp.offRamp));
    const message = {
      messageId: packet.bridgeMessageId,
      sourceChainSelector: srcSelector,
      sender: AbiCoder.defaultAbiCoder().encode(["address"], [packet.srcAdapter]),
      data: packet.raw,
      destTokenAmounts: [],
    };
    const receiver = dst.adapters.ccip!;
    const [success, retData, gasUsed] = await asOffRamp.routeMessage.staticCall(
      message,
      CCIP_GAS_FOR_CALL_EXACT_CHECK,
      gas,
      receiver,
    );
    // The OffRamp reverts on a receiver failure and leaves the message for manual execution: do not send.
    if (!success) throw new Error(`CCIP receiver failed: ${retData}`);
    const tx = await asOffRamp.routeMessage(message, CCIP_GAS_FOR_CALL_EXACT_CHECK, gas, receiver, {
      gasLimit: gas + 150_000n,
    });
    return { receipt: (await tx.wait())!, receiverGas: gasUsed };
  }
}
