/**
 * Adversarial 5 — a compromised bridge forges a 1e30 DEPOSIT.
 *
 * On a 1-of-1 route (the LocalAdapter's relayer key is stolen) the forgery is delivered: the hub's per (chain,
 * asset) credit cap bounds the damage — only the room left under the cap becomes a credit (borrowing power), the
 * rest is quarantined with an event, and the owner discards it after review. On a 2-of-3 route (LayerZero +
 * CCIP + Local, k = 2) one compromised transport confirms once and credits nothing; two compromised transports
 * reach k, and the cap is the last line.
 */
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { parseUnits } from "ethers";
import {
  worldChainId,
  assertSolvent,
  deposit,
  signer,
  snapshotWorld,
  resetRelayer,
  solvency,
  World,
} from "../../scripts/lib/world";
import { envelopeId } from "../../scripts/lib/codec";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";
import { ccipForge, forgedDeposit, localForge } from "../helpers/adversarial";

const ALPHA = worldChainId("alpha");
const FORGED = 10n ** 30n;

/** Lenders' liquidity, and carol's genuine 10 WETH credited on alpha. */
async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "carol", "WETH", parseUnits("10", 18));
}

describe("adversarial 5a: a compromised 1-of-1 route is bounded by the hub's credit cap", () => {
  const h = useWorld(setup);

  it("cap = what is credited: the whole 1e30 forgery is quarantined, borrows nothing, and the owner discards it", async () => {
    // Setup: cap on (alpha, WETH) = 10 WETH, all of it carol's genuine credit. Action: the stolen relayer key
    // delivers a forged 1e30 WETH DEPOSIT for mallory. Must hold: CollateralQuarantined(mallory, alpha, WETH,
    // 1e30), no credit, no borrowing power; a genuine deposit above the cap is quarantined as well and credited
    // by the owner after review; discarding the forgery restores the solvency invariant.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const weth = await asset(w, "alpha", "WETH");
    const mallory = signer(w.hub.chain, "dave");
    await expect(engine.connect(mallory).setCreditCap(ALPHA, weth, 1n)).to.be.revertedWithCustomError(
      engine,
      "OwnableUnauthorizedAccount",
    );
    await expect(engine.setCreditCap(ALPHA, weth, parseUnits("10", 18)))
      .to.emit(engine, "CreditCapSet")
      .withArgs(ALPHA, weth, parseUnits("10", 18));

    const forged = await forgedDeposit(w, "alpha", mallory.address, weth, FORGED, 1_000_000n);
    const receipt = await localForge(w, "alpha", forged);
    await expect(receipt)
      .to.emit(engine, "CollateralQuarantined")
      .withArgs(mallory.address, ALPHA, weth, FORGED, envelopeId(forged));
    await expect(receipt).not.to.emit(engine, "CollateralCredited");
    expect(await engine.collateralOf(mallory.address, ALPHA, weth)).to.equal(0n);
    expect(await engine.quarantined(mallory.address, ALPHA, weth)).to.equal(FORGED);
    expect(await engine.totalQuarantined(ALPHA, weth)).to.equal(FORGED);
    expect((await engine.marketState(ALPHA, weth)).totalCredits).to.equal(parseUnits("10", 18));
    await expect(engine.connect(mallory).borrow(parseUnits("400", 6), mallory.address)) // above the minimum debt
      .to.be.revertedWithCustomError(engine, "NotHealthy")
      .withArgs(mallory.address, 0n);
    await expect(
      engine.connect(mallory).withdrawCollateral(ALPHA, weth, 1n, mallory.address),
    ).to.be.revertedWithCustomError(engine, "InsufficientCollateral");

    // A genuine deposit above the cap waits in quarantine too, and is credited after review.
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "alpha", "bob", "WETH", parseUnits("2", 18));
    await w.relayer.flush();
    expect(await engine.quarantined(bob.address, ALPHA, weth)).to.equal(parseUnits("2", 18));
    await expect(engine.releaseQuarantine(bob.address, ALPHA, weth, parseUnits("2", 18), true))
      .to.emit(engine, "QuarantineReleased")
      .withArgs(bob.address, ALPHA, weth, parseUnits("2", 18), true);
    expect(await engine.collateralOf(bob.address, ALPHA, weth)).to.equal(parseUnits("2", 18));

    // The forgery is discarded: no tokens back it in the vault.
    await expect(engine.releaseQuarantine(mallory.address, ALPHA, weth, FORGED, false))
      .to.emit(engine, "QuarantineReleased")
      .withArgs(mallory.address, ALPHA, weth, FORGED, false);
    expect(await engine.collateralOf(mallory.address, ALPHA, weth)).to.equal(0n);
    expect(await engine.totalQuarantined(ALPHA, weth)).to.equal(0n);
    await expect(engine.releaseQuarantine(mallory.address, ALPHA, weth, 1n, false))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(mallory.address, ALPHA, weth, 0n, 1n);
  });

  it("cap with 5 WETH of room: the forgery gains at most 5 WETH of credit and its borrowing power; the rest is quarantined", async () => {
    // Setup: cap 15 WETH with 10 credited. Action: a forged 1e30 DEPOSIT, then mallory borrows as much as she
    // can. Must hold: 5 WETH credited, 1e30 - 5 WETH quarantined, borrowing stops at 5 WETH * $3000 * 80%;
    // the vault's shortfall against hub credits is exactly the 5 WETH of room — the damage the cap allows.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const weth = await asset(w, "alpha", "WETH");
    const mallory = signer(w.hub.chain, "dave");
    const rewind = await snapshotWorld(w);
    await send(engine.setCreditCap(ALPHA, weth, parseUnits("15", 18)));
    const room = parseUnits("5", 18);
    const receipt = await localForge(
      w,
      "alpha",
      await forgedDeposit(w, "alpha", mallory.address, weth, FORGED, 1_000_001n),
    );
    await expect(receipt)
      .to.emit(engine, "CollateralQuarantined")
      .withArgs(mallory.address, ALPHA, weth, FORGED - room, anyValue);
    await expect(receipt).to.emit(engine, "CollateralCredited").withArgs(mallory.address, ALPHA, weth, room, anyValue);
    expect(await engine.collateralOf(mallory.address, ALPHA, weth)).to.equal(room);

    const capacity = parseUnits("12000", 6); // 5 * 3000 * 80%
    await expect(
      engine.connect(mallory).borrow(capacity + parseUnits("1", 6), mallory.address),
    ).to.be.revertedWithCustomError(engine, "NotHealthy");
    await send(engine.connect(mallory).borrow(capacity - parseUnits("1", 6), mallory.address));
    const [row] = (await solvency(w)).filter((r) => r.chainId === ALPHA && r.symbol === "WETH");
    expect(row.credits + row.quarantined - row.locked).to.equal(FORGED);
    await send(engine.releaseQuarantine(mallory.address, ALPHA, weth, FORGED - room, false));
    const [after] = (await solvency(w)).filter((r) => r.chainId === ALPHA && r.symbol === "WETH");
    expect(after.credits - after.locked).to.equal(room); // the bounded damage, nothing more
    // Rewind: the world must end solvent for the next test's snapshot (the after-test check).
    await rewind();
    await resetRelayer(w);
    await assertSolvent(w);
  });
});

describe("adversarial 5b: a 2-of-3 route (LayerZero + CCIP + Local, k = 2)", () => {
  const h = useWorld(setup, { routes: { bridges: ["layerzero", "ccip"], local: true, k: 2 } });

  it("one compromised transport (CCIP executing a forgery, or the Local relayer key) credits nothing", async () => {
    const w = h.w;
    const { engine, messenger } = w.hub.deployment;
    const weth = await asset(w, "alpha", "WETH");
    const mallory = signer(w.hub.chain, "dave").address;
    const viaCcip = await forgedDeposit(w, "alpha", mallory, weth, FORGED, 1_000_000n);
    const first = await ccipForge(w, "alpha", viaCcip);
    expect(first.success).to.equal(true);
    await expect(first.receipt).to.emit(messenger, "MessageConfirmed").withArgs(envelopeId(viaCcip), anyValue, 1n);
    const again = await ccipForge(w, "alpha", viaCcip);
    await expect(again.receipt).to.emit(messenger, "MessageDuplicate");
    const viaLocal = await forgedDeposit(w, "alpha", mallory, weth, FORGED, 1_000_001n);
    await expect(await localForge(w, "alpha", viaLocal)).to.emit(messenger, "MessageConfirmed");
    await localForge(w, "alpha", viaLocal);
    expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
    expect(await engine.quarantined(mallory, ALPHA, weth)).to.equal(0n);
    expect((await engine.marketState(ALPHA, weth)).totalCredits).to.equal(parseUnits("10", 18));
  });

  it("a direct lzReceive from anyone but the endpoint is refused (OnlyEndpoint)", async () => {
    const w = h.w;
    const stack = w.bridges!.chains[0].stacks.layerzero!;
    if (stack.kind !== "layerzero") throw new Error("no LayerZero on the hub");
    const lz = stack.adapter;
    const mallory = signer(w.hub.chain, "dave");
    const origin = { srcEid: 40231n, sender: "0x" + "00".repeat(32), nonce: 1n };
    await expect(lz.connect(mallory).lzReceive(origin, "0x" + "00".repeat(32), "0x", mallory.address, "0x"))
      .to.be.revertedWithCustomError(lz, "OnlyEndpoint")
      .withArgs(mallory.address);
  });

  it("two compromised transports reach k: the forgery is delivered, and the credit cap still quarantines all of it", async () => {
    // Setup: cap = 10 WETH (all credited). Action: CCIP and the Local key both confirm a forged 1e30 DEPOSIT.
    // Must hold: k-of-n alone no longer protects — the cap does: all 1e30 quarantined, nothing credited; the
    // owner discards it.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const weth = await asset(w, "alpha", "WETH");
    const mallory = signer(w.hub.chain, "dave").address;
    await send(engine.setCreditCap(ALPHA, weth, parseUnits("10", 18)));
    const forged = await forgedDeposit(w, "alpha", mallory, weth, FORGED, 1_000_002n);
    await ccipForge(w, "alpha", forged);
    await expect(await localForge(w, "alpha", forged))
      .to.emit(engine, "CollateralQuarantined")
      .withArgs(mallory, ALPHA, weth, FORGED, envelopeId(forged));
    expect(await engine.collateralOf(mallory, ALPHA, weth)).to.equal(0n);
    await send(engine.releaseQuarantine(mallory, ALPHA, weth, FORGED, false));
  });
});
