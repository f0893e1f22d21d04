import { expect } from "chai";
import { AbiCoder, MaxUint256, concat, parseEther, parseUnits, zeroPadValue } from "ethers";
import {
  BRIDGE_KINDS,
  BridgeKind,
  bridgeId,
  encodeHyperlaneMessage,
  encodeLzPacket,
  type BridgedChain,
} from "../../scripts/lib/bridges";
import { worldChainId, assertSolvent, deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { solvency } from "../../scripts/lib/solvency";
import { DEPOSIT, encodeEnvelope, encodeMessage } from "../../scripts/lib/codec";
import { send } from "../../deploy/orchestrator";
import { MockApp__factory } from "../../typechain-types";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const FEE = parseEther("0.001");

function stackOf(w: World, chainId: bigint, kind: BridgeKind) {
  const c = w.bridges!.chains.find((x: BridgedChain) => x.chain.chainId === chainId)!;
  return c.stacks[kind]!;
}

/** A DEPOSIT of `amount` WETH to `account` as alpha's vault would send it, with an unused nonce. */
async function forgedDepositEnvelope(w: World, account: string, amount: bigint, nonce = 1_000_000n) {
  return encodeEnvelope({
    nonce,
    srcChainId: ALPHA,
    dstChainId: HUB_CHAIN_ID,
    srcMessenger: await spoke(w, "alpha").deployment.messenger.getAddress(),
    sender: await spoke(w, "alpha").deployment.vault.getAddress(),
    receiver: await w.hub.deployment.engine.getAddress(),
    payload: encodeMessage({ kind: DEPOSIT, who: account, asset: await asset(w, "alpha", "WETH"), amount }),
  });
}

for (const kind of BRIDGE_KINDS) {
  describe(`${kind} adapter, over the bridge's own harness (1-of-1 routes)`, () => {
    const h = useWorld(
      async (w) => {
        await supplyLiquidity(w);
      },
      { routes: { bridges: [kind], local: false, k: 1, fee: FEE } },
    );

    it("carries the whole loop: deposit -> credit -> withdraw -> release", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const weth = await asset(w, "alpha", "WETH");
      const token = spoke(w, "alpha").tokens.WETH;
      const before = await token.balanceOf(alice.address);

      await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18));
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
      const delivered = await w.bridges!.relayer.flush();
      expect(delivered).to.have.length(1);
      expect(delivered[0].error).to.equal(undefined);
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));

      const fee = await engine.quoteRelease(ALPHA);
      expect(fee).to.equal(FEE); // one bridge, its fee
      await send(
        engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("1.5", 18), alice.address, { value: fee }),
      );
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("0.5", 18));
      const released = await w.bridges!.relayer.flush();
      expect(released.map((r) => r.error)).to.deep.equal([undefined]);
      expect(before - (await token.balanceOf(alice.address))).to.equal(parseUnits("0.5", 18));
      expect(await spoke(w, "alpha").deployment.vault.totalLocked(weth)).to.equal(parseUnits("0.5", 18));
    });

    it("the deposit fee is quoted per bridge and excess is refunded", async () => {
      const w = h.w;
      const vault = spoke(w, "alpha").deployment.vault;
      const weth = await asset(w, "alpha", "WETH");
      const alice = signer(spoke(w, "alpha").chain, "alice");
      expect(await vault.quoteDeposit(weth, 1n, alice.address)).to.equal(FEE);
      await send(
        spoke(w, "alpha")
          .tokens.WETH.connect(alice)
          .approve(await vault.getAddress(), 10n ** 18n),
      );
      const provider = spoke(w, "alpha").chain.provider;
      const before = await provider.getBalance(alice.address);
      const tx = await vault.connect(alice).deposit(weth, 10n ** 18n, alice.address, { value: FEE * 5n });
      const receipt = (await tx.wait())!;
      const gasCost = receipt.gasUsed * receipt.gasPrice;
      expect(before - (await provider.getBalance(alice.address)) - gasCost).to.equal(FEE);
    });

    it("rejects direct calls to its inbound entry point", async () => {
      const w = h.w;
      const s = stackOf(w, HUB_CHAIN_ID, kind);
      const mallory = signer(w.hub.chain, "dave");
      const message = concat([
        await spoke(w, "alpha").deployment.messenger.getAddress(),
        await forgedDepositEnvelope(w, mallory.address, 1n),
      ]);
      if (s.kind === "layerzero") {
        const origin = {
          srcEid: bridgeId("layerzero", ALPHA),
          sender: zeroPadValue(await stackOf(w, ALPHA, kind).adapter.getAddress(), 32),
          nonce: 1n,
        };
        await expect(
          s.adapter.connect(mallory).lzReceive(origin, zeroPadValue("0x01", 32), message, mallory.address, "0x"),
        )
          .to.be.revertedWithCustomError(s.adapter, "OnlyEndpoint")
          .withArgs(mallory.address);
      } else if (s.kind === "ccip") {
        const msg = {
          messageId: zeroPadValue("0x01", 32),
          sourceChainSelector: bridgeId("ccip", ALPHA),
          sender: AbiCoder.defaultAbiCoder().encode(["address"], [await stackOf(w, ALPHA, kind).adapter.getAddress()]),
          data: message,
          destTokenAmounts: [],
        };
        await expect(s.adapter.connect(mallory).ccipReceive(msg))
          .to.be.revertedWithCustomError(s.adapter, "InvalidRouter")
          .withArgs(mallory.address);
      } else {
        const sender = zeroPadValue(await stackOf(w, ALPHA, kind).adapter.getAddress(), 32);
        await expect(s.adapter.connect(mallory).handle(Number(ALPHA), sender, message))
          .to.be.revertedWithCustomError(s.adapter, "NotBridge")
          .withArgs(mallory.address);
      }
      expect(
        await w.hub.deployment.engine.collateralOf(mallory.address, ALPHA, await asset(w, "alpha", "WETH")),
      ).to.equal(0n);
    });

    it("rejects a message from a sender that is not the trusted peer, and from an unknown origin", async () => {
      const w = h.w;
      const s = stackOf(w, HUB_CHAIN_ID, kind);
      const mallory = signer(w.hub.chain, "dave");
      const weth = await asset(w, "alpha", "WETH");
      const message = concat([
        await spoke(w, "alpha").deployment.messenger.getAddress(),
        await forgedDepositEnvelope(w, mallory.address, 10n ** 30n),
      ]);
      const impostor = zeroPadValue(mallory.address, 32);
      if (s.kind === "layerzero") {
        // The endpoint refuses to even verify a path from a non-peer sender (OApp.allowInitializePath), and
        // from an eid with no peer at all.
        const packet = (srcEid: bigint, sender: string) =>
          encodeLzPacket({
            nonce: 1n,
            srcEid,
            sender,
            dstEid: bridgeId("layerzero", HUB_CHAIN_ID),
            receiver: s.adapter.target as string,
            guid: zeroPadValue("0x01", 32),
            message,
          });
        await expect(s.lib.verify(packet(bridgeId("layerzero", ALPHA), impostor))).to.be.revertedWithCustomError(
          s.endpoint,
          "LZ_PathNotInitializable",
        );
        const peer = zeroPadValue(await stackOf(w, ALPHA, kind).adapter.getAddress(), 32);
        // An eid this endpoint has no path for is refused before any OApp code runs.
        await expect(s.lib.verify(packet(9999n, peer))).to.be.revertedWithCustomError(
          s.endpoint,
          "LZ_DefaultReceiveLibUnavailable",
        );
      } else if (s.kind === "ccip") {
        const route = (sender: string, selector: bigint) =>
          s.router.routeMessage(
            {
              messageId: zeroPadValue("0x02", 32),
              sourceChainSelector: selector,
              sender: AbiCoder.defaultAbiCoder().encode(["address"], [sender]),
              data: message,
              destTokenAmounts: [],
            },
            5000,
            500_000,
            s.adapter.getAddress(),
          );
        const peer = await stackOf(w, ALPHA, kind).adapter.getAddress();
        await expect(route(mallory.address, bridgeId("ccip", ALPHA)))
          .to.emit(s.router, "MsgExecuted")
          .withArgs(
            false,
            s.adapter.interface.encodeErrorResult("UntrustedSender", [ALPHA, impostor]),
            (g: bigint) => g > 0n,
          );
        await expect(route(peer, 12345n))
          .to.emit(s.router, "MsgExecuted")
          .withArgs(false, s.adapter.interface.encodeErrorResult("UnknownOrigin", [12345n]), (g: bigint) => g > 0n);
      } else {
        const process = (origin: number, sender: string) =>
          s.mailbox.process(
            "0x",
            encodeHyperlaneMessage({
              nonce: 7,
              origin,
              sender,
              destination: bridgeId("hyperlane", HUB_CHAIN_ID),
              recipient: s.adapter.target as string,
              body: message,
            }),
          );
        await expect(process(Number(ALPHA), impostor))
          .to.be.revertedWithCustomError(s.adapter, "UntrustedSender")
          .withArgs(ALPHA, impostor);
        const peer = zeroPadValue(await stackOf(w, ALPHA, kind).adapter.getAddress(), 32);
        await expect(process(4242, peer)).to.be.revertedWithCustomError(s.adapter, "UnknownOrigin").withArgs(4242);
      }
      expect(await w.hub.deployment.engine.collateralOf(mallory.address, ALPHA, weth)).to.equal(0n);
    });

    it("a replayed delivery credits once", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const weth = await asset(w, "alpha", "WETH");
      await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
      const [packet] = await w.bridges!.relayer.poll();
      const first = await w.bridges!.relayer.deliver(packet);
      expect(first.error).to.equal(undefined);
      const again = await w.bridges!.relayer.deliver(packet);
      if (kind === "ccip") {
        // The mock router (like a compromised OffRamp) executes it again: the messenger ignores the duplicate.
        expect(again.error).to.equal(undefined);
        await expect(again.receipt!).to.emit(w.hub.deployment.messenger, "MessageDuplicate");
      } else {
        // LayerZero's endpoint cleared the payload; Hyperlane's mailbox marked it delivered. On forks the real
        // EndpointV2 comes from LayerZero's artifacts, whose errors Hardhat does not name: LZ_PathNotVerifiable() is
        // its selector there.
        expect(again.error).to.match(
          kind === "layerzero" ? /LZ_PathNotVerifiable|0x0177e1ca/ : /Mailbox: already delivered/,
        );
        expect(again.receipt).to.equal(undefined);
      }
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
    });

    it("a delivery that runs out of gas is not lost: the bridge executes it again with enough gas", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const weth = await asset(w, "alpha", "WETH");
      await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
      const [packet] = await w.bridges!.relayer.poll();
      const starved = await w.bridges!.relayer.deliver(packet, { gasLimit: 40_000n });
      // LayerZero's executor and Hyperlane's relayer see the transaction run out of gas; CCIP's OffRamp records
      // the receiver's failure (out of gas: no revert data).
      expect(starved.error).to.match(kind === "ccip" ? /CCIP receiver failed: 0x$/ : /run out of gas/);
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
      expect(
        await w.hub.deployment.messenger.isDelivered(
          ALPHA,
          await spoke(w, "alpha").deployment.messenger.getAddress(),
          0n,
        ),
      ).to.equal(false);
      const retried = await w.bridges!.relayer.deliver(packet);
      expect(retried.error).to.equal(undefined);
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
    });

    it("an envelope its app rejects is delivered by the bridge, stored by the messenger and retried once", async () => {
      const w = h.w;
      const a = spoke(w, "alpha");
      const { messenger } = w.hub.deployment;
      const hubApp = await new MockApp__factory(signer(w.hub.chain, "deployer")).deploy(await messenger.getAddress());
      const alphaApp = await new MockApp__factory(signer(a.chain, "deployer")).deploy(
        await a.deployment.messenger.getAddress(),
      );
      await send(messenger.setPeerApp(await hubApp.getAddress(), ALPHA, await alphaApp.getAddress()));
      await send(
        a.deployment.messenger.setPeerApp(await alphaApp.getAddress(), HUB_CHAIN_ID, await hubApp.getAddress()),
      );
      await send(hubApp.setShouldRevert(true));
      await send(alphaApp.send(HUB_CHAIN_ID, "0x01", { value: FEE }));
      const [res] = await w.bridges!.relayer.flush();
      expect(res.error).to.equal(undefined); // the bridge's delivery succeeds: nothing for it to retry
      await expect(res.receipt!).to.emit(messenger, "MessageFailed");
      expect(await messenger.isRetryable(res.packet.id)).to.equal(true);
      await send(hubApp.setShouldRevert(false));
      await send(messenger.retry(res.packet.envelope));
      expect(await hubApp.received()).to.equal(1n);
      await expect(messenger.retry(res.packet.envelope)).to.be.revertedWithCustomError(messenger, "NotRetryable");
    });

    it("an envelope arriving while its route is paused is held by the messenger and retried, not lost", async () => {
      const w = h.w;
      const { engine, messenger } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const weth = await asset(w, "alpha", "WETH");
      // The hub holds deliveries from alpha while the route is paused: the bridge's delivery succeeds,
      // the envelope is kept for retry.
      await send(messenger.connect(signer(w.hub.chain, "guardian")).pauseRoute(ALPHA));
      await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
      const [res] = await w.bridges!.relayer.flush();
      expect(res.error).to.equal(undefined);
      await expect(res.receipt!).to.emit(messenger, "MessageHeld");
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
      await send(messenger.unpauseRoute(ALPHA));
      await send(messenger.retry(res.packet.envelope));
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
    });

    if (kind === "layerzero") {
      it("the new owner becomes the OApp's delegate on the endpoint; a peer left by an eid change is cleared", async () => {
        const w = h.w;
        const s = stackOf(w, HUB_CHAIN_ID, kind);
        if (s.kind !== "layerzero") return;
        const adapter = await s.adapter.getAddress();
        const next = signer(w.hub.chain, "treasury");
        expect(await s.endpoint.delegates(adapter)).to.equal(signer(w.hub.chain, "deployer").address);
        await send(s.adapter.transferOwnership(next.address));
        await send(s.adapter.connect(next).acceptOwnership());
        expect(await s.endpoint.delegates(adapter)).to.equal(next.address);
        // The old owner can no longer touch the OApp's endpoint configuration.
        const old = signer(w.hub.chain, "deployer");
        await expect(
          s.endpoint.connect(old).setReceiveLibrary(adapter, bridgeId(kind, ALPHA), await s.lib.getAddress(), 0),
        ).to.be.revertedWithCustomError(s.endpoint, "LZ_Unauthorized");

        const remote = await s.adapter.remote(ALPHA);
        const oldEid = Number(remote.bridgeId);
        await send(s.adapter.connect(next).setRemote(ALPHA, 40999n, remote.adapter, remote.gasLimit));
        expect(await s.adapter.peers(oldEid)).to.equal(zeroPadValue("0x", 32));
        expect(await s.adapter.peers(40999)).to.equal(zeroPadValue(remote.adapter, 32));
        expect(await s.adapter.chainIdOf(BigInt(oldEid))).to.equal(0n);
      });
    }

    it("only the owner configures remotes, and peers cannot be set around setRemote", async () => {
      const w = h.w;
      const s = stackOf(w, HUB_CHAIN_ID, kind);
      const mallory = signer(w.hub.chain, "dave");
      await expect(s.adapter.connect(mallory).setRemote(ALPHA, 1n, mallory.address, 1))
        .to.be.revertedWithCustomError(s.adapter, "OwnableUnauthorizedAccount")
        .withArgs(mallory.address);
      await expect(s.adapter.setRemote(ALPHA, 0n, mallory.address, 1)).to.be.revertedWithCustomError(
        s.adapter,
        "InvalidRemoteConfig",
      );
      await expect(s.adapter.setRemote(ALPHA, 1n, mallory.address, 0)).to.be.revertedWithCustomError(
        s.adapter,
        "InvalidRemoteConfig",
      );
      // A bridge id already mapped to another chain cannot be taken.
      await expect(
        s.adapter.setRemote(worldChainId("beta"), bridgeId(kind, ALPHA), mallory.address, 1),
      ).to.be.revertedWithCustomError(s.adapter, "InvalidRemoteConfig");
      if (s.kind === "layerzero") {
        await expect(s.adapter.setPeer(1, zeroPadValue(mallory.address, 32))).to.be.revertedWithCustomError(
          s.adapter,
          "UseSetRemote",
        );
        await expect(s.adapter.setEnforcedOptions([])).to.be.revertedWithCustomError(s.adapter, "UseSetRemote");
      }
      if (kind !== "ccip") {
        // LayerZero eids and Hyperlane domains are 32-bit: a larger id could never match an origin.
        await expect(
          s.adapter.setRemote(worldChainId("beta"), 2n ** 32n, mallory.address, 1),
        ).to.be.revertedWithCustomError(s.adapter, "InvalidRemoteConfig");
      }
      await expect(s.adapter.send(ALPHA, "0x"))
        .to.be.revertedWithCustomError(s.adapter, "OnlyMessenger")
        .withArgs(signer(w.hub.chain, "deployer").address);
    });
  });
}

describe("ccip adapter alone (1-of-1): a liquidation whose RELEASE the lane cannot take", () => {
  const h = useWorld(
    async (w) => {
      await supplyLiquidity(w);
    },
    { routes: { bridges: ["ccip"], local: false, k: 1, fee: FEE } },
  );

  it("finding 'a liquidation needs k bridges': the liquidation succeeds with no adapter taking the RELEASE; it counts as in flight until anyone pushes it, then the vault pays once", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await w.bridges!.relayer.flush();
    await send(engine.connect(alice).borrow(parseUnits("2000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(1_500n * 10n ** 8n));
    await send(w.hub.base.connect(liquidator).approve(await engine.getAddress(), MaxUint256));

    // The lane's fee jumps above what the liquidator pays (as when CCIP cannot take the message): no adapter takes it.
    const fee = await engine.quoteRelease(ALPHA);
    const router = w.bridges!.chains.find((c) => c.chain.chainId === HUB_CHAIN_ID)!.stacks.ccip!;
    if (router.kind !== "ccip") throw new Error("no CCIP stack");
    await send(router.router.setFee(fee + 1n));
    const tx = await engine
      .connect(liquidator)
      .liquidate(alice.address, ALPHA, weth, MaxUint256, 0n, liquidator.address, { value: fee });
    const receipt = (await tx.wait())!;
    const pending = receipt.logs.map((l) => messenger.interface.parseLog(l)).find((e) => e?.name === "MessagePending")!;
    const [id, , taken, envelope] = pending.args as unknown as [string, bigint, bigint, string];
    expect(taken).to.equal(0n);
    // Nothing was bridged, the vault has not paid: the solvency check still counts the RELEASE as in flight.
    await assertSolvent(w);
    const release = (await solvency(w)).find((r) => r.chainId === ALPHA && r.asset === weth.toLowerCase())!;
    const seized = (await engine.queryFilter(engine.filters.Liquidated(), receipt.blockNumber))[0].args.seized;
    expect(release.releasesInFlight).to.equal(seized);

    await send(router.router.setFee(FEE));
    const before = await a.tokens.WETH.balanceOf(liquidator.address);
    await send(messenger.connect(signer(w.hub.chain, "carol")).pushPending(envelope, { value: FEE }));
    expect(await messenger.isPending(id)).to.equal(false);
    await w.bridges!.relayer.flush();
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(seized);
    await w.bridges!.relayer.flush();
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(seized);
  });
});
