/**
 * The LayerZero, CCIP and Hyperlane adapters on one chain, each over its bridge's own local harness: inbound
 * messages are crafted as the remote adapter would have sent them (the harness plays DVN, OffRamp or relayer),
 * outbound ones are checked where the bridge records them. The remote chain is simulated by plain addresses.
 * The same flows over real extra chains are in test/bridges.
 */
import hre from "hardhat";
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, Wallet, ZeroAddress, ZeroHash, concat, dataSlice, keccak256, toBeHex, zeroPadValue } from "ethers";
import {
  CCIPAdapter__factory,
  EndpointV2Mock__factory,
  HyperlaneAdapter__factory,
  LayerZeroAdapter__factory,
  LocalAdapter__factory,
  Messenger__factory,
  MockApp__factory,
  MockCCIPRouter__factory,
  MockMailbox__factory,
  TestIsm__factory,
  TestLzMessageLib__factory,
  TestPostDispatchHook__factory,
  type CCIPAdapter,
  type HyperlaneAdapter,
  type LayerZeroAdapter,
} from "../../typechain-types";
import {
  bridgeId,
  encodeHyperlaneMessage,
  encodeLzPacket,
  lzReceiveGas,
  type BridgeKind,
} from "../../scripts/lib/bridges";
import { decodeEnvelope, encodeEnvelope, envelopeId, type Envelope } from "../../scripts/lib/codec";

const LOCAL = 31337n;
const REMOTE = 31338n;
const OTHER = 31339n;
const FEE = 1_000n;
const GAS = 300_000;
const MSG_TYPE_ENVELOPE = 1;
const GENERIC_EXTRA_ARGS_V2_TAG = "0x181dcf10";
const abi = AbiCoder.defaultAbiCoder();

/** A messenger with a 1-of-1 route to REMOTE over `adapter`, an app paired with a remote app. */
async function messengerWith(deployAdapter: (messenger: string, owner: string) => Promise<string>) {
  const [owner, guardian, stranger] = await hre.ethers.getSigners();
  const messenger = await new Messenger__factory(owner).deploy(owner.address, guardian.address);
  const messengerAddress = await messenger.getAddress();
  const app = await new MockApp__factory(owner).deploy(messengerAddress);
  const remote = {
    messenger: Wallet.createRandom().address,
    adapter: Wallet.createRandom().address,
    app: Wallet.createRandom().address,
  };
  const adapterAddress = await deployAdapter(messengerAddress, owner.address);
  await messenger.setRoute(REMOTE, remote.messenger, [adapterAddress], 1);
  await messenger.setPeerApp(await app.getAddress(), REMOTE, remote.app);

  let nonce = 0n;
  /** An envelope from the remote app to the local app, as the remote messenger would have sent it. */
  const envelope = async (overrides: Partial<Envelope> = {}) => {
    const encoded = encodeEnvelope({
      nonce: nonce++,
      srcChainId: REMOTE,
      dstChainId: LOCAL,
      srcMessenger: remote.messenger,
      sender: remote.app,
      receiver: await app.getAddress(),
      payload: "0xc0ffee",
      ...overrides,
    });
    return { encoded, id: envelopeId(encoded), bridged: concat([remote.messenger, encoded]) };
  };
  return { owner, guardian, stranger, messenger, app, remote, envelope };
}

async function layerZeroFixture() {
  const [deployer] = await hre.ethers.getSigners();
  const endpoint = await new EndpointV2Mock__factory(deployer).deploy(bridgeId("layerzero", LOCAL), deployer.address);
  const lib = await new TestLzMessageLib__factory(deployer).deploy(await endpoint.getAddress(), FEE);
  await endpoint.registerLibrary(await lib.getAddress());
  for (const chain of [REMOTE, OTHER]) {
    await endpoint.setDefaultSendLibrary(bridgeId("layerzero", chain), await lib.getAddress());
    await endpoint.setDefaultReceiveLibrary(bridgeId("layerzero", chain), await lib.getAddress(), 0);
  }
  let adapter!: LayerZeroAdapter;
  const base = await messengerWith(async (messenger, owner) => {
    adapter = await new LayerZeroAdapter__factory(deployer).deploy(messenger, await endpoint.getAddress(), owner);
    return adapter.getAddress();
  });
  await adapter.setRemote(REMOTE, bridgeId("layerzero", REMOTE), base.remote.adapter, GAS);
  /** A PacketV1 from `sender` on `srcEid` to the adapter, as the remote endpoint would have encoded it, with the
   *  next nonce of that path on this endpoint. */
  const packet = async (message: string, sender = base.remote.adapter, srcEid = bridgeId("layerzero", REMOTE)) => {
    const sender32 = zeroPadValue(sender, 32);
    const nonce = (await endpoint.inboundNonce(adapter.target as string, srcEid, sender32)) + 1n;
    const origin = { srcEid, sender: sender32, nonce };
    const guid = keccak256(toBeHex(nonce, 32));
    const encoded = encodeLzPacket({
      ...origin,
      dstEid: bridgeId("layerzero", LOCAL),
      receiver: adapter.target as string,
      guid,
      message,
    });
    return { origin, guid, encoded, message };
  };
  /** DVN step (the lib verifies on the endpoint), then executor step (the endpoint calls the adapter). */
  const deliver = async (message: string, sender?: string, srcEid?: bigint) => {
    const p = await packet(message, sender, srcEid);
    await lib.verify(p.encoded);
    return endpoint.lzReceive(p.origin, adapter.target as string, p.guid, p.message, "0x");
  };
  return { ...base, kind: "layerzero" as const, adapter, endpoint, lib, packet, deliver };
}

async function ccipFixture() {
  const [deployer] = await hre.ethers.getSigners();
  const router = await new MockCCIPRouter__factory(deployer).deploy();
  await router.setFee(FEE);
  let adapter!: CCIPAdapter;
  const base = await messengerWith(async (messenger, owner) => {
    adapter = await new CCIPAdapter__factory(deployer).deploy(messenger, await router.getAddress(), owner);
    return adapter.getAddress();
  });
  await adapter.setRemote(REMOTE, bridgeId("ccip", REMOTE), base.remote.adapter, GAS);
  /** The OffRamp's execution of a message from `sender` (raw bytes) on `selector`. */
  const route = (
    data: string,
    sender = abi.encode(["address"], [base.remote.adapter]),
    selector = bridgeId("ccip", REMOTE),
  ) =>
    router.routeMessage(
      { messageId: keccak256(data), sourceChainSelector: selector, sender, data, destTokenAmounts: [] },
      5_000,
      GAS,
      adapter.target as string,
    );
  return { ...base, kind: "ccip" as const, adapter, router, route };
}

async function hyperlaneFixture() {
  const [deployer] = await hre.ethers.getSigners();
  const mailbox = await new MockMailbox__factory(deployer).deploy(Number(bridgeId("hyperlane", LOCAL)));
  // MockMailbox hands a dispatched message to a mailbox object for the destination domain: a sink here.
  const sink = await new MockMailbox__factory(deployer).deploy(Number(bridgeId("hyperlane", REMOTE)));
  await mailbox.addRemoteMailbox(Number(bridgeId("hyperlane", REMOTE)), await sink.getAddress());
  const hook = await new TestPostDispatchHook__factory(deployer).deploy();
  await hook.setFee(FEE);
  await mailbox.setDefaultHook(await hook.getAddress());
  let adapter!: HyperlaneAdapter;
  const base = await messengerWith(async (messenger, owner) => {
    adapter = await new HyperlaneAdapter__factory(deployer).deploy(messenger, await mailbox.getAddress(), owner);
    return adapter.getAddress();
  });
  await adapter.setRemote(REMOTE, bridgeId("hyperlane", REMOTE), base.remote.adapter, GAS);
  let hlNonce = 0;
  /** A Hyperlane v3 message from `sender` on `origin` to the adapter, processed by the mailbox. */
  const process = (body: string, sender = base.remote.adapter, origin = Number(bridgeId("hyperlane", REMOTE))) =>
    mailbox.process(
      "0x",
      encodeHyperlaneMessage({
        nonce: hlNonce++,
        origin,
        sender,
        destination: bridgeId("hyperlane", LOCAL),
        recipient: adapter.target as string,
        body,
      }),
    );
  return { ...base, kind: "hyperlane" as const, adapter, mailbox, sink, hook, process };
}

type AnyFixture =
  | Awaited<ReturnType<typeof layerZeroFixture>>
  | Awaited<ReturnType<typeof ccipFixture>>
  | Awaited<ReturnType<typeof hyperlaneFixture>>;

const FIXTURES: Record<BridgeKind, () => Promise<AnyFixture>> = {
  layerzero: layerZeroFixture,
  ccip: ccipFixture,
  hyperlane: hyperlaneFixture,
};

/** Delivers `bridged` from `sender` on the bridge id `srcBridgeId` the way the bridge would. */
async function deliverVia(f: AnyFixture, bridged: string, sender?: string, srcBridgeId?: bigint) {
  if (f.kind === "layerzero") return f.deliver(bridged, sender, srcBridgeId);
  if (f.kind === "ccip") {
    return f.route(bridged, sender === undefined ? undefined : abi.encode(["address"], [sender]), srcBridgeId);
  }
  return f.process(bridged, sender, srcBridgeId === undefined ? undefined : Number(srcBridgeId));
}

/** Expects the adapter to refuse the delivery with `error(args)`: CCIP's router records it, the others revert. */
async function expectRefused(f: AnyFixture, tx: ReturnType<typeof deliverVia>, error: string, args: unknown[]) {
  if (f.kind === "ccip") {
    await expect(tx)
      .to.emit(f.router, "MsgExecuted")
      .withArgs(false, f.adapter.interface.encodeErrorResult(error, args), anyValue);
  } else {
    await expect(tx)
      .to.be.revertedWithCustomError(f.adapter, error)
      .withArgs(...args);
  }
}

for (const kind of ["layerzero", "ccip", "hyperlane"] as const) {
  describe(`${kind} adapter on one chain`, () => {
    const fixture = FIXTURES[kind];

    describe("inbound", () => {
      it("hands an envelope from the trusted remote adapter to the messenger, which delivers it once", async () => {
        const f = await loadFixture(fixture);
        const e = await f.envelope();
        const tx = deliverVia(f, e.bridged);
        if (f.kind === "ccip") await expect(tx).to.emit(f.router, "MsgExecuted").withArgs(true, "0x", anyValue);
        await expect(tx)
          .to.emit(f.messenger, "MessageDelivered")
          .withArgs(e.id, REMOTE, 0n)
          .and.to.emit(f.app, "Received")
          .withArgs(REMOTE, f.remote.app, e.id, "0xc0ffee");
        // The same envelope again (a bridge replay or a second bridge): the messenger ignores it.
        await expect(deliverVia(f, e.bridged)).to.emit(f.messenger, "MessageDuplicate");
        expect(await f.app.received()).to.equal(1n);
      });

      it("refuses a sender that is not the trusted remote adapter", async () => {
        const f = await loadFixture(fixture);
        const e = await f.envelope();
        const impostor = Wallet.createRandom().address;
        if (f.kind === "layerzero") {
          // The endpoint will not even verify a path from a non-peer (OApp.allowInitializePath).
          await expect(f.lib.verify((await f.packet(e.bridged, impostor)).encoded)).to.be.revertedWithCustomError(
            f.endpoint,
            "LZ_PathNotInitializable",
          );
        } else {
          await expectRefused(f, deliverVia(f, e.bridged, impostor), "UntrustedSender", [
            REMOTE,
            zeroPadValue(impostor, 32),
          ]);
        }
        expect(await f.app.received()).to.equal(0n);
      });

      it("refuses a bridge id mapped to no chain, and a remote that was removed", async () => {
        const f = await loadFixture(fixture);
        const e = await f.envelope();
        const unknown = bridgeId(kind, OTHER);
        if (f.kind === "layerzero") {
          // No peer for that eid: the endpoint will not verify the path.
          await expect(
            f.lib.verify((await f.packet(e.bridged, f.remote.adapter, unknown)).encoded),
          ).to.be.revertedWithCustomError(f.endpoint, "LZ_PathNotInitializable");
        } else {
          await expectRefused(f, deliverVia(f, e.bridged, f.remote.adapter, unknown), "UnknownOrigin", [unknown]);
        }
        // Removing the remote: its bridge id maps to nothing and nothing from there gets through.
        const remoteId = bridgeId(kind, REMOTE);
        await expect(f.adapter.setRemote(REMOTE, remoteId, ZeroAddress, 0))
          .to.emit(f.adapter, "RemoteSet")
          .withArgs(REMOTE, remoteId, ZeroAddress, 0);
        expect(await f.adapter.chainIdOf(remoteId)).to.equal(0n);
        expect((await f.adapter.remote(REMOTE)).adapter).to.equal(ZeroAddress);
        if (f.kind === "layerzero") {
          expect(await f.adapter.peers(remoteId)).to.equal(zeroPadValue("0x", 32));
          await expect(f.lib.verify((await f.packet(e.bridged)).encoded)).to.be.revertedWithCustomError(
            f.endpoint,
            "LZ_PathNotInitializable",
          );
        } else {
          await expectRefused(f, deliverVia(f, e.bridged), "UnknownOrigin", [remoteId]);
        }
        expect(await f.app.received()).to.equal(0n);
      });

      it("refuses a message too short to name the source messenger", async () => {
        const f = await loadFixture(fixture);
        await expectRefused(f, deliverVia(f, "0x" + "11".repeat(19)), "MalformedMessage", []);
      });

      it("only its bridge may call the inbound entry point", async () => {
        const f = await loadFixture(fixture);
        const e = await f.envelope();
        const s = f.stranger;
        if (f.kind === "layerzero") {
          const origin = { srcEid: bridgeId(kind, REMOTE), sender: zeroPadValue(f.remote.adapter, 32), nonce: 1n };
          await expect(f.adapter.connect(s).lzReceive(origin, zeroPadValue("0x01", 32), e.bridged, s.address, "0x"))
            .to.be.revertedWithCustomError(f.adapter, "OnlyEndpoint")
            .withArgs(s.address);
        } else if (f.kind === "ccip") {
          const message = {
            messageId: zeroPadValue("0x01", 32),
            sourceChainSelector: bridgeId(kind, REMOTE),
            sender: abi.encode(["address"], [f.remote.adapter]),
            data: e.bridged,
            destTokenAmounts: [],
          };
          await expect(f.adapter.connect(s).ccipReceive(message))
            .to.be.revertedWithCustomError(f.adapter, "InvalidRouter")
            .withArgs(s.address);
        } else {
          await expect(
            f.adapter.connect(s).handle(Number(bridgeId(kind, REMOTE)), zeroPadValue(f.remote.adapter, 32), e.bridged),
          )
            .to.be.revertedWithCustomError(f.adapter, "NotBridge")
            .withArgs(s.address);
        }
        expect(await f.app.received()).to.equal(0n);
      });
    });

    describe("outbound", () => {
      it("quotes the bridge's fee and hands the envelope, after the source messenger, to the bridge", async () => {
        const f = await loadFixture(fixture);
        expect(await f.messenger.quote(REMOTE, "0xabcd")).to.equal(FEE);
        const tx = await f.app.send(REMOTE, "0xabcd", { value: FEE });
        const receipt = (await tx.wait())!;
        const bridged = receipt.logs
          .map((l) => f.adapter.interface.parseLog(l))
          .find((ev) => ev?.name === "EnvelopeBridged")!;
        expect(bridged.args.dstChainId).to.equal(REMOTE);
        const envelope = decodeEnvelope(bridged.args.envelope);
        expect(envelope).to.deep.equal({
          nonce: 0n,
          srcChainId: LOCAL,
          dstChainId: REMOTE,
          srcMessenger: await f.messenger.getAddress(),
          sender: await f.app.getAddress(),
          receiver: f.remote.app,
          payload: "0xabcd",
        });
        const message = concat([await f.messenger.getAddress(), bridged.args.envelope]);
        if (f.kind === "layerzero") {
          const sent = receipt.logs
            .map((l) => f.endpoint.interface.parseLog(l))
            .find((ev) => ev?.name === "PacketSent")!;
          const raw: string = sent.args.encodedPayload;
          expect(BigInt(dataSlice(raw, 45, 49))).to.equal(bridgeId(kind, REMOTE)); // dstEid
          expect(dataSlice(raw, 49, 81)).to.equal(zeroPadValue(f.remote.adapter, 32).toLowerCase()); // receiver
          expect(dataSlice(raw, 81, 113)).to.equal(bridged.args.bridgeMessageId); // guid
          expect(dataSlice(raw, 113)).to.equal(message.toLowerCase());
          expect(lzReceiveGas(sent.args.options)).to.equal(BigInt(GAS));
          await expect(tx).to.changeEtherBalance(f.lib, FEE);
        } else if (f.kind === "ccip") {
          // The mock router's message id is the hash of the whole EVM2AnyMessage the adapter built.
          const extraArgs = concat([GENERIC_EXTRA_ARGS_V2_TAG, abi.encode(["uint256", "bool"], [GAS, true])]);
          const expected = keccak256(
            abi.encode(
              [
                "tuple(bytes receiver, bytes data, tuple(address token, uint256 amount)[] tokenAmounts, address feeToken, bytes extraArgs)",
              ],
              [[abi.encode(["address"], [f.remote.adapter]), message, [], ZeroAddress, extraArgs]],
            ),
          );
          expect(bridged.args.bridgeMessageId).to.equal(expected);
          await expect(tx).to.changeEtherBalance(f.router, FEE);
        } else {
          const dispatched = receipt.logs
            .map((l) => f.mailbox.interface.parseLog(l))
            .find((ev) => ev?.name === "Dispatch")!;
          expect(dispatched.args.sender).to.equal(await f.adapter.getAddress());
          expect(dispatched.args.destination).to.equal(bridgeId(kind, REMOTE));
          expect(dispatched.args.recipient).to.equal(zeroPadValue(f.remote.adapter, 32).toLowerCase());
          expect(dataSlice(dispatched.args.message, 77)).to.equal(message.toLowerCase());
          expect(bridged.args.bridgeMessageId).to.equal(keccak256(dispatched.args.message));
          expect(await f.sink.inboundMessages(0)).to.equal(dispatched.args.message);
          await expect(tx).to.changeEtherBalance(f.hook, FEE);
        }
      });

      it("only its messenger sends, and only to a configured remote", async () => {
        const f = await loadFixture(fixture);
        await expect(f.adapter.connect(f.stranger).send(REMOTE, "0x"))
          .to.be.revertedWithCustomError(f.adapter, "OnlyMessenger")
          .withArgs(f.stranger.address);
        await expect(f.adapter.quote(OTHER, "0x"))
          .to.be.revertedWithCustomError(f.adapter, "UnknownRemote")
          .withArgs(OTHER);
        // A route to a chain the adapter has no remote for: the messenger skips it (quote and send) ...
        const local = await new LocalAdapter__factory(f.owner).deploy(
          await f.messenger.getAddress(),
          f.owner.address,
          0,
        );
        await local.setRemoteAdapter(OTHER, f.remote.adapter);
        const adapters = [await f.adapter.getAddress(), await local.getAddress()];
        await f.messenger.setRoute(OTHER, f.remote.messenger, adapters, 1);
        await f.messenger.setPeerApp(await f.app.getAddress(), OTHER, f.remote.app);
        expect(await f.messenger.quote(OTHER, "0x")).to.equal(0n);
        const reason = f.adapter.interface.encodeErrorResult("UnknownRemote", [OTHER]);
        await expect(f.app.send(OTHER, "0x"))
          .to.emit(f.messenger, "AdapterFailed")
          .withArgs(anyValue, OTHER, adapters[0], reason)
          .and.to.emit(local, "RelayRequested");
        // ... and the send fails if that leaves too few adapters.
        await f.messenger.setRoute(OTHER, f.remote.messenger, adapters, 2);
        await expect(f.app.send(OTHER, "0x"))
          .to.be.revertedWithCustomError(f.messenger, "NotEnoughAdapters")
          .withArgs(OTHER, 1, 2);
      });
    });

    describe("configuration", () => {
      it("setRemote maps chain and bridge ids both ways and validates its input; owner only", async () => {
        const f = await loadFixture(fixture);
        const remoteId = bridgeId(kind, REMOTE);
        const otherId = bridgeId(kind, OTHER);
        const peer = f.remote.adapter;
        expect(await f.adapter.remote(REMOTE)).to.deep.equal([peer, BigInt(GAS), remoteId]);
        expect(await f.adapter.chainIdOf(remoteId)).to.equal(REMOTE);
        await expect(f.adapter.connect(f.stranger).setRemote(OTHER, otherId, peer, GAS))
          .to.be.revertedWithCustomError(f.adapter, "OwnableUnauthorizedAccount")
          .withArgs(f.stranger.address);
        for (const [chain, id, adapter, gas] of [
          [0n, otherId, peer, GAS], // no chain id
          [OTHER, 0n, peer, GAS], // no bridge id
          [OTHER, remoteId, peer, GAS], // a bridge id that is REMOTE's
          [OTHER, otherId, peer, 0], // no delivery gas
        ] as const) {
          await expect(f.adapter.setRemote(chain, id, adapter, gas)).to.be.revertedWithCustomError(
            f.adapter,
            "InvalidRemoteConfig",
          );
        }
        await expect(f.adapter.setRemote(OTHER, otherId, peer, GAS))
          .to.emit(f.adapter, "RemoteSet")
          .withArgs(OTHER, otherId, peer, GAS);
        expect(await f.adapter.chainIdOf(otherId)).to.equal(OTHER);
      });

      it("moving a remote to another bridge id releases the old one, which then reaches nothing", async () => {
        const f = await loadFixture(fixture);
        const oldId = bridgeId(kind, REMOTE);
        const newId = bridgeId(kind, OTHER);
        await f.adapter.setRemote(REMOTE, newId, f.remote.adapter, GAS * 2);
        expect(await f.adapter.chainIdOf(oldId)).to.equal(0n);
        expect(await f.adapter.chainIdOf(newId)).to.equal(REMOTE);
        expect((await f.adapter.remote(REMOTE)).gasLimit).to.equal(BigInt(GAS * 2));
        if (f.kind === "layerzero") {
          expect(await f.adapter.peers(newId)).to.equal(zeroPadValue(f.remote.adapter, 32).toLowerCase());
          expect(lzReceiveGas(await f.adapter.enforcedOptions(newId, MSG_TYPE_ENVELOPE))).to.equal(BigInt(GAS * 2));
        }
        // A message still arriving under the old id is refused: LayerZero's old peer is cleared, so the
        // endpoint refuses the path; the other bridges reach the adapter, which refuses the origin.
        const e = await f.envelope();
        if (f.kind === "layerzero") {
          expect(await f.adapter.peers(oldId)).to.equal(ZeroHash);
          await expect(deliverVia(f, e.bridged, f.remote.adapter, oldId)).to.be.revertedWithCustomError(
            f.endpoint,
            "LZ_PathNotInitializable",
          );
        } else {
          await expectRefused(f, deliverVia(f, e.bridged, f.remote.adapter, oldId), "UnknownOrigin", [oldId]);
        }
        // ... while the new id delivers, and the old id is free for another chain.
        await deliverVia(f, e.bridged, f.remote.adapter, newId);
        expect(await f.app.received()).to.equal(1n);
        await f.adapter.setRemote(OTHER, oldId, f.remote.adapter, GAS);
        expect(await f.adapter.chainIdOf(oldId)).to.equal(OTHER);
      });

      it("ownership moves in two steps", async () => {
        const f = await loadFixture(fixture);
        await expect(f.adapter.connect(f.stranger).transferOwnership(f.stranger.address))
          .to.be.revertedWithCustomError(f.adapter, "OwnableUnauthorizedAccount")
          .withArgs(f.stranger.address);
        await expect(f.adapter.transferOwnership(f.stranger.address))
          .to.emit(f.adapter, "OwnershipTransferStarted")
          .withArgs(f.owner.address, f.stranger.address);
        expect(await f.adapter.owner()).to.equal(f.owner.address);
        expect(await f.adapter.pendingOwner()).to.equal(f.stranger.address);
        await expect(f.adapter.connect(f.guardian).acceptOwnership())
          .to.be.revertedWithCustomError(f.adapter, "OwnableUnauthorizedAccount")
          .withArgs(f.guardian.address);
        await f.adapter.connect(f.stranger).acceptOwnership();
        expect(await f.adapter.owner()).to.equal(f.stranger.address);
        expect(await f.adapter.pendingOwner()).to.equal(ZeroAddress);
        await f.adapter.connect(f.stranger).setRemote(OTHER, bridgeId(kind, OTHER), f.remote.adapter, GAS);
      });
    });
  });
}

describe("bridge adapters: what only one bridge has", () => {
  it("an adapter needs a messenger; the Hyperlane adapter needs a mailbox", async () => {
    const [owner] = await hre.ethers.getSigners();
    const f = await loadFixture(hyperlaneFixture);
    const factory = new HyperlaneAdapter__factory(owner);
    await expect(
      factory.deploy(ZeroAddress, await f.mailbox.getAddress(), owner.address),
    ).to.be.revertedWithCustomError(factory, "InvalidRemoteConfig");
    await expect(
      factory.deploy(await f.messenger.getAddress(), ZeroAddress, owner.address),
    ).to.be.revertedWithCustomError(factory, "InvalidRemoteConfig");
  });

  it("LayerZero: peers and enforced options follow setRemote and cannot be set around it", async () => {
    const f = await loadFixture(layerZeroFixture);
    const eid = bridgeId("layerzero", REMOTE);
    expect(await f.adapter.peers(eid)).to.equal(zeroPadValue(f.remote.adapter, 32).toLowerCase());
    expect(lzReceiveGas(await f.adapter.enforcedOptions(eid, MSG_TYPE_ENVELOPE))).to.equal(BigInt(GAS));
    await expect(f.adapter.setPeer(Number(eid), zeroPadValue(f.stranger.address, 32))).to.be.revertedWithCustomError(
      f.adapter,
      "UseSetRemote",
    );
    await expect(f.adapter.setEnforcedOptions([])).to.be.revertedWithCustomError(f.adapter, "UseSetRemote");
    // The owner is the OApp's delegate on the endpoint (DVN and executor configuration).
    expect(await f.endpoint.delegates(await f.adapter.getAddress())).to.equal(f.owner.address);
  });

  it("CCIP: a sender that is not a 32-byte EVM address is untrusted", async () => {
    const f = await loadFixture(ccipFixture);
    const e = await f.envelope();
    const tx = f.route(e.bridged, f.remote.adapter); // 20 bytes, not abi-encoded
    await expect(tx)
      .to.emit(f.router, "MsgExecuted")
      .withArgs(
        false,
        f.adapter.interface.encodeErrorResult("UntrustedSender", [REMOTE, zeroPadValue("0x", 32)]),
        anyValue,
      );
    expect(await f.app.received()).to.equal(0n);
  });

  it("finding 'native value sent to payable entry points is stuck': LayerZero and Hyperlane deliveries carrying value are refused, and stay deliverable without it", async () => {
    const lz = await loadFixture(layerZeroFixture);
    const e = await lz.envelope();
    const p = await lz.packet(e.bridged);
    await lz.lib.verify(p.encoded);
    const adapter = lz.adapter.target as string;
    // An executor passing value with lzReceive (our options never ask for any): refused, the packet stays verified.
    await expect(lz.endpoint.lzReceive(p.origin, adapter, p.guid, p.message, "0x", { value: 1n }))
      .to.be.revertedWithCustomError(lz.adapter, "NativeValueRefused")
      .withArgs(1n);
    await expect(lz.endpoint.lzReceive(p.origin, adapter, p.guid, p.message, "0x")).to.emit(
      lz.messenger,
      "MessageDelivered",
    );
    expect(await hre.ethers.provider.getBalance(adapter)).to.equal(0n);

    const hl = await loadFixture(hyperlaneFixture);
    const h = await hl.envelope();
    const message = encodeHyperlaneMessage({
      nonce: 77,
      origin: Number(bridgeId("hyperlane", REMOTE)),
      sender: hl.remote.adapter,
      destination: bridgeId("hyperlane", LOCAL),
      recipient: hl.adapter.target as string,
      body: h.bridged,
    });
    // A relayer passing value to Mailbox.process (forwarded to handle): refused, the message is not consumed.
    await expect(hl.mailbox.process("0x", message, { value: 1n }))
      .to.be.revertedWithCustomError(hl.adapter, "NativeValueRefused")
      .withArgs(1n);
    await expect(hl.mailbox.process("0x", message)).to.emit(hl.messenger, "MessageDelivered");
    expect(await hre.ethers.provider.getBalance(hl.adapter.target as string)).to.equal(0n);

    // CCIP's ccipReceive is not payable; no adapter takes a plain transfer either.
    const ccip = await loadFixture(ccipFixture);
    for (const a of [lz.adapter.target, hl.adapter.target, ccip.adapter.target] as string[]) {
      await expect(ccip.owner.sendTransaction({ to: a, value: 1n })).to.be.reverted;
    }
  });

  it("Hyperlane: the owner's interchain security module replaces the mailbox's default", async () => {
    const f = await loadFixture(hyperlaneFixture);
    const ism = await new TestIsm__factory(f.owner).deploy();
    await ism.setVerify(false);
    await expect(f.adapter.connect(f.stranger).setInterchainSecurityModule(await ism.getAddress()))
      .to.be.revertedWithCustomError(f.adapter, "OwnableUnauthorizedAccount")
      .withArgs(f.stranger.address);
    await expect(f.adapter.setInterchainSecurityModule(await ism.getAddress()))
      .to.emit(f.adapter, "InterchainSecurityModuleSet")
      .withArgs(await ism.getAddress());
    expect(await f.mailbox.recipientIsm(await f.adapter.getAddress())).to.equal(await ism.getAddress());
    const e = await f.envelope();
    await expect(f.process(e.bridged)).to.be.revertedWith("Mailbox: ISM verification failed");
    await ism.setVerify(true);
    await f.process(e.bridged);
    expect(await f.app.received()).to.equal(1n);
    // Zero: back to the mailbox's default.
    await f.adapter.setInterchainSecurityModule(ZeroAddress);
    expect(await f.mailbox.recipientIsm(await f.adapter.getAddress())).to.equal(await f.mailbox.defaultIsm());
  });
});
