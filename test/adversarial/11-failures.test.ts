/**
 * Adversarial 11 — failed, held and out-of-gas deliveries. Must hold: a delivery the app rejects, or that runs the
 * app out of gas, is stored (MessageFailed) and retried by anyone exactly once with enough gas; later envelopes
 * are never blocked; a relayer giving too little gas to even store the failure changes nothing, so the envelope
 * can simply be delivered again; a paused route holds envelopes without losing them.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import { worldChainId, deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { MockApp__factory } from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");

/** A pair of test apps, hub <-> alpha, next to the protocol's own. */
async function appPair(w: World) {
  const a = spoke(w, "alpha");
  const hubApp = await new MockApp__factory(signer(w.hub.chain, "deployer")).deploy(
    await w.hub.deployment.messenger.getAddress(),
  );
  const alphaApp = await new MockApp__factory(signer(a.chain, "deployer")).deploy(
    await a.deployment.messenger.getAddress(),
  );
  await send(w.hub.deployment.messenger.setPeerApp(await hubApp.getAddress(), ALPHA, await alphaApp.getAddress()));
  await send(a.deployment.messenger.setPeerApp(await alphaApp.getAddress(), HUB_CHAIN_ID, await hubApp.getAddress()));
  return { hubApp, alphaApp };
}

describe("adversarial 11: failed, held and out-of-gas deliveries", () => {
  const h = useWorld(supplyLiquidity);

  it("a delivery the receiving app rejects is stored, later messages pass, and a retry delivers it once", async () => {
    const w = h.w;
    const { hubApp, alphaApp } = await appPair(w);

    await send(hubApp.setShouldRevert(true));
    await send(alphaApp.send(HUB_CHAIN_ID, "0x01"));
    const [first] = await w.relayer.flush();
    expect(first.error).to.equal(undefined); // the delivery transaction itself succeeds
    expect(await w.hub.deployment.messenger.isRetryable(first.packet.id)).to.equal(true);

    // Later messages on the same route still go through, the app's and the protocol's.
    await send(hubApp.setShouldRevert(false));
    await send(alphaApp.send(HUB_CHAIN_ID, "0x02"));
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await w.relayer.flush();
    expect(await hubApp.received()).to.equal(1n);
    expect(await hubApp.lastPayload()).to.equal("0x02");
    const alice = signer(w.hub.chain, "alice").address;
    expect(await w.hub.deployment.engine.collateralOf(alice, ALPHA, await asset(w, "alpha", "WETH"))).to.equal(
      parseUnits("1", 18),
    );

    // Anyone retries the stored one: delivered once, then neither retry nor re-delivery does anything.
    await send(w.hub.deployment.messenger.connect(signer(w.hub.chain, "carol")).retry(first.packet.envelope));
    expect(await hubApp.received()).to.equal(2n);
    expect(await hubApp.lastPayload()).to.equal("0x01");
    await expect(w.hub.deployment.messenger.retry(first.packet.envelope)).to.be.revertedWithCustomError(
      w.hub.deployment.messenger,
      "NotRetryable",
    );
    await w.relayer.deliver(first.packet);
    expect(await hubApp.received()).to.equal(2n);
  });

  it("while the guardian pauses a route, its deposits are held, other routes flow, and nothing is lost", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    const usdc = await asset(w, "beta", "USDC.b");
    await send(messenger.connect(signer(w.hub.chain, "guardian")).pauseRoute(ALPHA));

    await deposit(w, "alpha", "alice", "WETH", parseUnits("2", 18));
    await deposit(w, "beta", "alice", "USDC.b", parseUnits("1000", 6));
    const results = await w.relayer.flush();
    const held = results.find((r) => r.packet.srcChainId === ALPHA)!;
    expect(await messenger.isRetryable(held.packet.id)).to.equal(true);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
    expect(await engine.collateralOf(alice.address, BETA, usdc)).to.equal(parseUnits("1000", 6));

    // Borrowing, withdrawing and sending releases to the paused chain's vault keep working on the hub.
    await engine.connect(alice).borrow(parseUnits("400", 6), alice.address); // at least the minimum debt
    await w.relayer.flush();

    await send(messenger.unpauseRoute(ALPHA));
    await send(messenger.retry(held.packet.envelope));
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
    await w.relayer.deliver(held.packet);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
  });

  it("a relayer that sends too little gas changes nothing: the envelope can be delivered again", async () => {
    const w = h.w;
    await deposit(w, "beta", "bob", "WBTC", parseUnits("0.1", 8));
    const [packet] = await w.relayer.poll();
    const bad = await w.relayer.deliver(packet, { gasLimit: 60_000n });
    expect(bad.error).to.match(/run out of gas/);
    const bob = signer(w.hub.chain, "bob").address;
    const wbtc = await asset(w, "beta", "WBTC");
    expect(await w.hub.deployment.engine.collateralOf(bob, BETA, wbtc)).to.equal(0n);
    expect((await w.relayer.deliver(packet)).error).to.equal(undefined);
    expect(await w.hub.deployment.engine.collateralOf(bob, BETA, wbtc)).to.equal(parseUnits("0.1", 8));
    w.relayer.take();
  });

  it("out of gas in the app: stored (MessageFailed), retried once with enough gas, then NotRetryable and duplicate", async () => {
    // Setup: the hub app needs 3M gas. Action: the relayer delivers with 2.5M (the app gets 63/64 and runs out;
    // the messenger keeps 1/64 to store the failure), anyone retries with 4M, then again, then the relayer
    // re-delivers. Must hold: delivered exactly once, and the envelope is no longer retryable.
    const w = h.w;
    const { messenger } = w.hub.deployment;
    const { hubApp, alphaApp } = await appPair(w);
    await send(hubApp.setBurnGas(3_000_000n));
    await send(alphaApp.send(HUB_CHAIN_ID, "0xbeef"));
    const [packet] = await w.relayer.poll();
    const starved = await w.relayer.deliver(packet, { gasLimit: 2_500_000n });
    expect(starved.error).to.equal(undefined);
    await expect(starved.receipt!).to.emit(messenger, "MessageFailed");
    expect(await messenger.isRetryable(packet.id)).to.equal(true);
    expect(await hubApp.received()).to.equal(0n);
    const anyone = messenger.connect(signer(w.hub.chain, "carol"));
    await expect(anyone.retry(packet.envelope, { gasLimit: 4_000_000n })).to.emit(messenger, "MessageDelivered");
    expect(await hubApp.received()).to.equal(1n);
    await expect(anyone.retry(packet.envelope))
      .to.be.revertedWithCustomError(messenger, "NotRetryable")
      .withArgs(packet.id);
    await expect((await w.relayer.deliver(packet)).receipt!).to.emit(messenger, "MessageDuplicate");
    expect(await hubApp.received()).to.equal(1n);
    w.relayer.take();
  });
});
