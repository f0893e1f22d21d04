import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { parseUnits } from "ethers";
import { deposit, flushAll, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { DEPOSIT, RELEASE, encodeEnvelope, encodeMessage, envelopeId } from "../../scripts/lib/codec";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = 31338n;

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

    // Later envelopes flow over the two honest bridges; the owner reinstates Local with setRoute.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
    const adapters = [...(await messenger.routeAdapters(ALPHA))];
    await send(messenger.setRoute(ALPHA, await spoke(w, "alpha").deployment.messenger.getAddress(), adapters, 2));
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    w.bridges!.relayer.halted.add("ccip");
    await flushAll(w);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("3", 18));
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
});
