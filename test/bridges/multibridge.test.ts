import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { MaxUint256, ZeroHash, parseUnits } from "ethers";
import {
  worldChainId,
  assertSolvent,
  deposit,
  flushAll,
  signer,
  spoke,
  HUB_CHAIN_ID,
  World,
} from "../../scripts/lib/world";
import { DEPOSIT, RELEASE, encodeEnvelope, encodeMessage, envelopeId } from "../../scripts/lib/codec";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";
import { bridgeId, DEFAULT_DELIVERY_GAS, type BridgePacket, type BridgeStack } from "../../scripts/lib/bridges";
import { CCIPAdapter__factory, type CCIPAdapter } from "../../typechain-types";

const ALPHA = worldChainId("alpha");

/**
 * Every hub <-> source route is LayerZero + CCIP + Local with k = 2 (the Aave Delivery Infrastructure pattern):
 * any single transport, compromised or halted, can neither forge a message nor freeze one.
 */
describe("k-of-n routes: LayerZero + CCIP + Local, k = 2", () => {
  const h = useWorld(
    async (w) => {
      await supplyLiquidity(w);
    },
    { routes: { bridges: ["layerzero", "ccip"], local: true, k: 2 } },
  );

  async function alphaEnvelope(w: World, kind: number, who: string, amount: bigint, nonce: bigint, toHub = true) {
    const a = spoke(w, "alpha");
    const vault = await a.deployment.vault.getAddress();
    const engine = await w.hub.deployment.engine.getAddress();
    return encodeEnvelope({
      nonce,
      srcChainId: toHub ? ALPHA : HUB_CHAIN_ID,
      dstChainId: toHub ? HUB_CHAIN_ID : ALPHA,
      srcMessenger: await (toHub ? a : w.hub).deployment.messenger.getAddress(),
      sender: toHub ? vault : engine,
      receiver: toHub ? engine : vault,
      payload: encodeMessage({ kind, who, asset: await asset(w, "alpha", "WETH"), amount }),
    });
  }

  /** The compromised LocalAdapter relayer key delivers `envelope` (forged) on its destination. */
  async function localForge(w: World, envelope: string, toHub = true) {
    const a = spoke(w, "alpha");
    const [dst, src] = toHub ? [w.hub, a] : [a, w.hub];
    const srcAdapter = await src.deployment.adapter.getAddress();
    const srcMessenger = await src.deployment.messenger.getAddress();
    const relayer = signer(dst.chain, "relayer");
    return (
      await dst.deployment.adapter
        .connect(relayer)
        .deliver(toHub ? ALPHA : HUB_CHAIN_ID, srcAdapter, srcMessenger, envelope)
    ).wait();
  }

  it("quotes and pays all three transports; one confirmation credits nothing, the second delivers", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("3", 18));
    await w.relayer.poll();
    const [local] = w.relayer.take();
    const packets = await w.bridges!.relayer.poll();
    expect(packets.map((p) => p.kind).sort()).to.deep.equal(["ccip", "layerzero"]);

    const lz = packets.find((p) => p.kind === "layerzero")!;
    const first = await w.bridges!.relayer.deliver(lz);
    await expect(first.receipt!)
      .to.emit(messenger, "MessageConfirmed")
      .withArgs(lz.id, (a: string) => !!a, 1n);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);

    const ccip = packets.find((p) => p.kind === "ccip")!;
    const second = await w.bridges!.relayer.deliver(ccip);
    await expect(second.receipt!).to.emit(messenger, "MessageDelivered");
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("3", 18));

    // The third transport's copy arrives after completion: a no-op.
    const late = await w.relayer.deliver(local);
    await expect(late.receipt!).to.emit(messenger, "MessageDuplicate");
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("3", 18));
  });

  it("one compromised transport forging a 1e30 DEPOSIT achieves nothing, however often it confirms", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const mallory = signer(w.hub.chain, "dave").address;
    const weth = await asset(w, "alpha", "WETH");
    const forged = await alphaEnvelope(w, DEPOSIT, mallory, 10n ** 30n, 7n);
    const once = await localForge(w, forged);
    await expect(once!).to.emit(messenger, "MessageConfirmed");
    const twice = await localForge(w, forged);
    await expect(twice!).to.emit(messenger, "MessageDuplicate");
    expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
    expect((await engine.marketState(ALPHA, weth)).totalCredits).to.equal(0n);
  });

  it("one compromised transport forging a RELEASE on the vault pays nothing", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("5", 18));
    await flushAll(w);
    const mallory = signer(a.chain, "dave").address;
    const forged = await alphaEnvelope(w, RELEASE, mallory, parseUnits("5", 18), 99n, false);
    const receipt = await localForge(w, forged, false);
    const vaultMessenger = a.deployment.messenger;
    await expect(receipt!)
      .to.emit(vaultMessenger, "MessageConfirmed")
      .withArgs(envelopeId(forged), await a.deployment.adapter.getAddress(), 1n);
    await expect(receipt!).to.not.emit(a.deployment.vault, "Released");
    expect(await a.tokens.WETH.balanceOf(mallory)).to.equal(parseUnits("1000000", 18)); // minted at setup only
    expect(await a.deployment.vault.totalLocked(await asset(w, "alpha", "WETH"))).to.equal(parseUnits("5", 18));
  });

  it("with one bridge halted the other two still deliver; the halted one's copies are no-ops when it resumes", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    const token = spoke(w, "alpha").tokens.WETH;
    w.bridges!.relayer.halted.add("layerzero");

    await deposit(w, "alpha", "alice", "WETH", parseUnits("4", 18));
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("4", 18));

    const before = await token.balanceOf(alice.address);
    const fee = await engine.quoteRelease(ALPHA);
    await send(
      engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("1", 18), alice.address, { value: fee }),
    );
    await flushAll(w);
    expect((await token.balanceOf(alice.address)) - before).to.equal(parseUnits("1", 18));

    w.bridges!.relayer.halted.clear();
    const late = await w.bridges!.relayer.flush();
    expect(late.map((d) => d.packet.kind)).to.deep.equal(["layerzero", "layerzero"]);
    expect(late.every((d) => d.error === undefined)).to.equal(true);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("3", 18));
    expect((await token.balanceOf(alice.address)) - before).to.equal(parseUnits("1", 18));
  });

  it("with two transports down nothing is delivered until one comes back; the send itself never fails", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    w.bridges!.relayer.halted.add("layerzero");
    w.bridges!.relayer.halted.add("ccip");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
    w.bridges!.relayer.halted.delete("ccip");
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
  });

  it("an envelope a bridge did not take at send time is re-sent over it, same id, delivered once", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    const lz = a.deployment.messenger;
    const lzAdapter = w.bridges!.chains.find((c) => c.chain.chainId === ALPHA)!.stacks.layerzero!.adapter;
    const remote = await lzAdapter.remote(HUB_CHAIN_ID);
    // LayerZero's remote is missing on alpha: the adapter fails, the messenger skips it (2 of 3 still took it).
    await send(lzAdapter.setRemote(HUB_CHAIN_ID, remote.bridgeId, "0x0000000000000000000000000000000000000000", 0));
    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18));
    // CCIP carries it but Local's relayer is gone: one confirmation only.
    await w.relayer.poll();
    w.relayer.take();
    await w.bridges!.relayer.flush();
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);

    await send(lzAdapter.setRemote(HUB_CHAIN_ID, remote.bridgeId, remote.adapter, remote.gasLimit));
    const [sent] = await a.deployment.adapter.queryFilter(a.deployment.adapter.filters.RelayRequested());
    const envelope = sent.args.envelope;
    await expect(
      lz.connect(signer(a.chain, "dave")).resend(envelope, [await lzAdapter.getAddress()]),
    ).to.be.revertedWithCustomError(lz, "OwnableUnauthorizedAccount");
    await expect(lz.resend(envelope, [await lzAdapter.getAddress()]))
      .to.emit(lz, "MessageResent")
      .withArgs(id, HUB_CHAIN_ID, 0n, [await lzAdapter.getAddress()]);
    const [delivered] = await w.bridges!.relayer.flush();
    expect(delivered.packet.id).to.equal(id);
    await expect(delivered.receipt!).to.emit(messenger, "MessageDelivered");
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));

    // Re-sending again changes nothing on the hub.
    await send(lz.resend(envelope, [await lzAdapter.getAddress()]));
    const [dup] = await w.bridges!.relayer.flush();
    await expect(dup.receipt!).to.emit(messenger, "MessageDuplicate");
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
    // Nothing that was not sent here can be re-sent.
    const foreign = await alphaEnvelope(w, DEPOSIT, alice.address, 1n, 50n);
    await expect(lz.resend(foreign, [])).to.be.revertedWithCustomError(lz, "NotSentHere");
  });

  it("emergency invalidation suspends the compromised transport: its forgery cannot complete, honest confirmations stand", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const mallory = signer(w.hub.chain, "dave").address;
    const weth = await asset(w, "alpha", "WETH");
    const localOnHub = await w.hub.deployment.adapter.getAddress();

    // A legitimate deposit confirmed by LayerZero only, and a forgery confirmed by the compromised Local.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await w.relayer.poll();
    const [local] = w.relayer.take();
    const packets = await w.bridges!.relayer.poll();
    await w.bridges!.relayer.deliver(packets.find((p) => p.kind === "layerzero")!);
    const forged = await alphaEnvelope(w, DEPOSIT, mallory, 10n ** 30n, 1n);
    await localForge(w, forged);

    await expect(messenger.connect(signer(w.hub.chain, "dave")).invalidateInFlight(ALPHA, [localOnHub]))
      .to.be.revertedWithCustomError(messenger, "NotGuardian")
      .withArgs(signer(w.hub.chain, "dave").address);
    await expect(messenger.connect(signer(w.hub.chain, "guardian")).invalidateInFlight(ALPHA, [localOnHub]))
      .to.emit(messenger, "InFlightInvalidated")
      .withArgs(ALPHA, (t: bigint) => t > 0n, [localOnHub]);

    // A second compromised transport confirming the forgery reaches one counting confirmation only.
    const ccipForgery = await w.bridges!.relayer.deliver({
      ...packets.find((p) => p.kind === "ccip")!,
      raw: (await spoke(w, "alpha").deployment.messenger.getAddress()) + forged.slice(2),
      id: "forged",
    });
    await expect(ccipForgery.receipt!).to.emit(messenger, "MessageConfirmed").withArgs(anyValue, anyValue, 1n);
    expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
    // The suspended transport can deliver nothing.
    await expect(localForge(w, forged))
      .to.be.revertedWithCustomError(messenger, "AdapterSuspended")
      .withArgs(ALPHA, localOnHub);

    // The legitimate deposit keeps LayerZero's confirmation: CCIP's completes it.
    const ccip = await w.bridges!.relayer.deliver(packets.find((p) => p.kind === "ccip")!);
    await expect(ccip.receipt!).to.emit(messenger, "MessageDelivered");
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
    expect((await w.relayer.deliver(local)).error).to.match(/AdapterSuspended/);

    // Later envelopes flow over the two honest bridges; Local is retired from the route for good.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
    const adapters = [...(await messenger.routeAdapters(ALPHA))];
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    await expect(messenger.setRoute(ALPHA, alphaMessenger, adapters, 2))
      .to.be.revertedWithCustomError(messenger, "AdapterRetired")
      .withArgs(ALPHA, localOnHub);
    expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
  });

  it("a held envelope dropped by invalidation is re-issued by its source under a new nonce, credited once", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    await send(messenger.connect(signer(w.hub.chain, "guardian")).pauseRoute(ALPHA));
    const id = await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await flushAll(w);
    expect(await messenger.isRetryable(id)).to.equal(true);
    await send(messenger.connect(signer(w.hub.chain, "guardian")).invalidateInFlight(ALPHA, []));
    // The owner's check before re-issuing: consumed on the hub, stored at or before the invalidation.
    expect(await messenger.retryableAt(id)).to.be.lte(await messenger.invalidBefore(ALPHA));
    await send(messenger.unpauseRoute(ALPHA));
    const [sent] = await a.deployment.adapter.queryFilter(a.deployment.adapter.filters.RelayRequested());
    await expect(messenger.retry(sent.args.envelope)).to.be.revertedWithCustomError(messenger, "EnvelopeInvalidated");

    // The owner checks the hub (nonce consumed, not retryable) and re-issues on alpha.
    const reissue = a.deployment.messenger.reissue(sent.args.envelope);
    await expect(reissue).to.emit(a.deployment.messenger, "MessageReissued");
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
  });

  function ccipStack(w: World, chainId: bigint) {
    const stack = w.bridges!.chains.find((c) => c.chain.chainId === chainId)!.stacks.ccip!;
    return stack as Extract<BridgeStack, { kind: "ccip" }>;
  }

  /** A CCIP message from alpha's CCIP adapter carrying `envelope` to the hub, as a compromised DON would commit it. */
  async function ccipPacket(w: World, envelope: string): Promise<BridgePacket> {
    const a = spoke(w, "alpha");
    return {
      kind: "ccip",
      srcChainId: ALPHA,
      dstChainId: HUB_CHAIN_ID,
      id: envelopeId(envelope),
      envelope,
      raw: (await a.deployment.messenger.getAddress()) + envelope.slice(2),
      bridgeMessageId: ZeroHash,
      gasLimit: BigInt(DEFAULT_DELIVERY_GAS),
      srcAdapter: await ccipStack(w, ALPHA).adapter.getAddress(),
      blockNumber: 0,
      logIndex: 0,
    };
  }

  it("finding 'reinstating a suspended adapter': a suspended adapter never rejoins its route, so the forgery its bridge still holds can never count", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const mallory = signer(w.hub.chain, "dave").address;
    const weth = await asset(w, "alpha", "WETH");
    const hubCcip = ccipStack(w, HUB_CHAIN_ID);
    const oldCcip = await hubCcip.adapter.getAddress();
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    const adapters = [...(await messenger.routeAdapters(ALPHA))];

    // CCIP's DON is compromised; the guardian suspends CCIP on the hub before its forgery is executed. The
    // execution fails, and the OffRamp keeps the message manually executable by anyone.
    await send(messenger.connect(signer(w.hub.chain, "guardian")).invalidateInFlight(ALPHA, [oldCcip]));
    const forged = await alphaEnvelope(w, DEPOSIT, mallory, 10n ** 30n, 7n);
    const failed = await w.bridges!.relayer.deliver(await ccipPacket(w, forged));
    expect(failed.error).to.match(/CCIP receiver failed/);

    // The owner cannot reinstate the suspended adapter: had it rejoined, re-executing the failed message would
    // confirm the forgery under its new bit, and one compromise of another bridge would complete it.
    await expect(messenger.setRoute(ALPHA, alphaMessenger, adapters, 2))
      .to.be.revertedWithCustomError(messenger, "AdapterRetired")
      .withArgs(ALPHA, oldCcip);

    // Instead the owner deploys a new CCIP adapter on the hub and rewires both ends to it.
    const deployer = signer(w.hub.chain, "deployer");
    const fresh = await new CCIPAdapter__factory(deployer).deploy(
      await messenger.getAddress(),
      await hubCcip.router.getAddress(),
      deployer.address,
    );
    const freshAddress = await fresh.getAddress();
    await send(
      fresh.setRemote(ALPHA, bridgeId("ccip", ALPHA), await ccipStack(w, ALPHA).adapter.getAddress(), 400_000),
    );
    await send(
      ccipStack(w, ALPHA).adapter.setRemote(HUB_CHAIN_ID, bridgeId("ccip", HUB_CHAIN_ID), freshAddress, 400_000),
    );
    await send(
      messenger.setRoute(
        ALPHA,
        alphaMessenger,
        adapters.map((a) => (a === oldCcip ? freshAddress : a)),
        2,
      ),
    );
    const previous: CCIPAdapter = hubCcip.adapter;
    try {
      // Anyone re-executes the failed forgery: it reaches the old adapter, which is no longer in the route.
      const replay = await w.bridges!.relayer.deliver(await ccipPacket(w, forged));
      expect(replay.error).to.match(/CCIP receiver failed/);
      // A second compromised bridge (the Local relayer key) confirms the forgery: one confirmation, no credit.
      await expect(localForge(w, forged)).to.emit(messenger, "MessageConfirmed").withArgs(anyValue, anyValue, 1n);
      expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);

      // Legitimate traffic flows over the new adapter.
      hubCcip.adapter = fresh;
      w.bridges!.relayer.halted.add("layerzero");
      await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
      await w.relayer.poll();
      w.relayer.take(); // the Local copy is lost: CCIP (new adapter) and LayerZero must do it
      await w.bridges!.relayer.flush();
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
      w.bridges!.relayer.halted.clear();
      await w.bridges!.relayer.flush();
      expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
      expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
    } finally {
      hubCcip.adapter = previous;
    }
  });

  it("finding 'a liquidation needs k bridges': with LayerZero and CCIP unable to take the RELEASE the liquidation still succeeds; anyone pushes it later, paid once", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const carol = signer(w.hub.chain, "carol");
    const weth = await asset(w, "alpha", "WETH");
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await flushAll(w);
    await send(engine.connect(alice).borrow(parseUnits("2000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(1_500n * 10n ** 8n));
    await send(w.hub.base.connect(liquidator).approve(await engine.getAddress(), MaxUint256));

    // LayerZero's send library is paused and CCIP's lane cannot take the message (its fee is above what the
    // liquidator pays, as for a cursed lane): only Local takes the RELEASE, 1 of the 2 required.
    const hubLz = w.bridges!.chains.find((c) => c.chain.chainId === HUB_CHAIN_ID)!.stacks.layerzero!;
    if (hubLz.kind !== "layerzero") throw new Error("no LayerZero stack");
    await send(hubLz.lib.setPaused(true));
    await send(ccipStack(w, HUB_CHAIN_ID).router.setFee(1n));
    const tx = engine.connect(liquidator).liquidate(alice.address, ALPHA, weth, MaxUint256, 0n, liquidator.address);
    await expect(tx).to.emit(messenger, "MessagePending");
    const receipt = (await (await tx).wait())!;
    const pending = receipt.logs.map((l) => messenger.interface.parseLog(l)).find((e) => e?.name === "MessagePending")!;
    const [id, dst, taken, envelope] = pending.args as unknown as [string, bigint, bigint, string];
    expect([dst, taken]).to.deep.equal([ALPHA, 1n]);
    expect(await messenger.isPending(id)).to.equal(true);
    const seized = (await engine.queryFilter(engine.filters.Liquidated(), receipt.blockNumber))[0].args.seized;
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("1", 18) - seized);

    // Local carries its copy: one confirmation on alpha, nothing paid; the RELEASE counts as in flight.
    const before = await a.tokens.WETH.balanceOf(liquidator.address);
    await flushAll(w);
    expect(await a.tokens.WETH.balanceOf(liquidator.address)).to.equal(before);
    await assertSolvent(w);

    // The bridges are back; carol (no rights) pushes the recorded envelope to the adapters that did not take it.
    await send(hubLz.lib.setPaused(false));
    await send(ccipStack(w, HUB_CHAIN_ID).router.setFee(0n));
    await expect(messenger.connect(carol).pushPending(envelope))
      .to.emit(messenger, "PendingPushed")
      .withArgs(id, ALPHA, 3n, 2n);
    expect(await messenger.isPending(id)).to.equal(false);
    await expect(messenger.connect(carol).pushPending(envelope))
      .to.be.revertedWithCustomError(messenger, "NotPending")
      .withArgs(id);
    await flushAll(w);
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(seized);
    await flushAll(w);
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(seized);
  });
});
