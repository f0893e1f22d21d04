/**
 * Adversarial 3 — ordering. Setup: credits on both source chains. Action: envelopes delivered in order, reversed,
 * shuffled, duplicated, held back, and a RELEASE delivered before DEPOSITs it overtook. Must hold: the same final
 * state as in order, no underflow (no delivery fails), nothing stuck (nothing retryable or in flight at the end).
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import {
  worldChainId,
  deposit,
  signer,
  snapshotWorld,
  resetRelayer,
  spoke,
  World,
  HUB_CHAIN_ID,
} from "../../scripts/lib/world";
import { decodeEnvelope } from "../../scripts/lib/codec";
import { send } from "../../deploy/orchestrator";
import { Packet, mulberry32, shuffle } from "../../scripts/lib/relayer";
import { insufficientCollateralArgs } from "../helpers/adversarial";
import { useWorld, supplyLiquidity, asset, observableState } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");

/** Credits alice and bob on both chains (delivered before the snapshot). */
async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
  await deposit(w, "beta", "bob", "WBTC", parseUnits("2", 8));
  await deposit(w, "beta", "bob", "USDC.b", parseUnits("5000", 6));
}

/** Ten messages in three directions, none of them delivered: deposits to the hub and withdrawals from it. */
async function traffic(w: World): Promise<Packet[]> {
  const { engine } = w.hub.deployment;
  const alice = signer(w.hub.chain, "alice");
  const bob = signer(w.hub.chain, "bob");
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
  await deposit(w, "alpha", "carol", "WETH", parseUnits("2", 18));
  await deposit(w, "beta", "alice", "WBTC", parseUnits("0.3", 8));
  await deposit(w, "beta", "carol", "USDC.b", parseUnits("700", 6));
  await deposit(w, "alpha", "bob", "WETH", parseUnits("0.5", 18), signer(w.hub.chain, "dave").address);
  await deposit(w, "beta", "dave", "USDC.b", parseUnits("12.345678", 6));
  const weth = await asset(w, "alpha", "WETH");
  const wbtc = await asset(w, "beta", "WBTC");
  const usdc = await asset(w, "beta", "USDC.b");
  await engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("4", 18), alice.address);
  await engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("1", 18), bob.address);
  await engine.connect(bob).withdrawCollateral(BETA, wbtc, parseUnits("1.5", 8), bob.address);
  await engine.connect(bob).withdrawCollateral(BETA, usdc, parseUnits("5000", 6), alice.address);
  return w.relayer.poll();
}

describe("adversarial 3: delivery order and duplicates", () => {
  const h = useWorld(setup);

  it("in order, reversed, shuffled and duplicated deliveries all reach the same final state", async () => {
    const w = h.w;
    const packets = await traffic(w);
    expect(packets).to.have.length(10);
    let revert = await snapshotWorld(w);

    const run = async (order: Packet[]) => {
      for (const p of order) {
        const r = await w.relayer.deliver(p);
        expect(r.error, r.error).to.equal(undefined);
      }
      return observableState(w);
    };

    const inOrder = await run(packets);
    // In order, every message had its effect.
    const hubWeth = inOrder[`hub.alpha.WETH.alice`];
    expect(hubWeth).to.equal(parseUnits("6", 18).toString()); // 10 + 1 - 4 - 1

    const rewind = async () => {
      await revert();
      revert = await snapshotWorld(w);
      await resetRelayer(w);
    };
    for (const seed of [1, 2, 3]) {
      await rewind();
      const rng = mulberry32(seed);
      const order = shuffle([...packets, ...packets.filter(() => rng() < 0.5)], rng); // some twice, any order
      expect(await run(order)).to.deep.equal(inOrder);
    }
    await rewind();
    expect(await run([...packets].reverse())).to.deep.equal(inOrder);
    // Leave the chains in the delivered state so the solvency check sees no message in flight.
  });

  it("a message held back for a long time is still credited exactly once when it finally arrives", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const carol = signer(w.hub.chain, "carol");
    const weth = await asset(w, "alpha", "WETH");
    await deposit(w, "alpha", "carol", "WETH", parseUnits("1", 18));
    const [late] = await w.relayer.poll();
    w.relayer.take(); // hold it
    for (let i = 0; i < 5; i++) await deposit(w, "alpha", "carol", "WETH", parseUnits("0.1", 18));
    await w.relayer.flush();
    expect(await engine.collateralOf(carol.address, ALPHA, weth)).to.equal(parseUnits("0.5", 18));
    await w.relayer.deliver(late);
    await w.relayer.deliver(late);
    expect(await engine.collateralOf(carol.address, ALPHA, weth)).to.equal(parseUnits("1.5", 18));
  });

  it("a RELEASE delivered before the DEPOSITs it overtook: same final state as in order, no underflow, nothing stuck", async () => {
    // Setup: alice holds 10 WETH credit on alpha. Bob (2 WETH) and alice (1 WETH) deposit on alpha; alice
    // withdraws 10 WETH on the hub. Action: the RELEASE reaches alpha's vault before either DEPOSIT reaches the
    // hub, and the DEPOSITs then arrive in reverse order — versus everything in order. Must hold: identical
    // balances, credits and locked amounts; every delivery succeeds; nothing left retryable.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    // The hub never sends a RELEASE for a credit it has not received: alice cannot withdraw her in-flight WETH.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    await expect(engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("11", 18), alice.address))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(...insufficientCollateralArgs(alice.address, ALPHA, weth, parseUnits("10", 18), parseUnits("11", 18)));
    await deposit(w, "alpha", "bob", "WETH", parseUnits("2", 18));
    await send(engine.connect(alice).withdrawCollateral(ALPHA, weth, parseUnits("10", 18), alice.address));
    const packets = await w.relayer.poll();
    expect(packets).to.have.length(3);
    const release = packets.find((p) => p.dstChainId === ALPHA)!;
    const [aliceDeposit, bobDeposit] = packets.filter((p) => p.dstChainId === HUB_CHAIN_ID);
    let revert = await snapshotWorld(w);
    const run = async (order: Packet[]) => {
      for (const p of order) expect((await w.relayer.deliver(p)).error).to.equal(undefined);
      for (const p of order) {
        const on = p.dstChainId === HUB_CHAIN_ID ? w.hub.deployment.messenger : spoke(w, "alpha").deployment.messenger;
        expect(await on.isRetryable(p.id)).to.equal(false);
        expect(await on.isDelivered(p.srcChainId, p.srcMessenger, decodeEnvelope(p.envelope).nonce)).to.equal(true);
      }
      return observableState(w);
    };
    const inOrder = await run(packets);
    expect(inOrder["alpha.WETH.locked"]).to.equal(parseUnits("3", 18).toString());
    expect(inOrder["hub.alpha.WETH.alice"]).to.equal(parseUnits("1", 18).toString());
    await revert();
    revert = await snapshotWorld(w);
    await resetRelayer(w);
    expect(await run([release, bobDeposit, aliceDeposit])).to.deep.equal(inOrder);
    w.relayer.take();
  });
});
