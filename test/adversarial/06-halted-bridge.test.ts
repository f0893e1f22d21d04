/**
 * Adversarial 6 — the bridge is halted for 7 days while prices fall. Setup: alice (10 WETH on alpha, $20,000
 * borrowed) and bob (1 WBTC on beta, $40,000 borrowed); the only transport of every route (the LocalAdapter's
 * relayer) stops carrying anything. Action: 7 days pass, prices fall 27% and 20%, feeds keep updating on the hub;
 * the liquidator keeper liquidates; alice tries to top up on alpha (her DEPOSIT is stuck too). Then the bridge
 * resumes and delivers everything, and every packet is delivered a second time. Must hold: liquidations on the
 * hub never needed the bridge; each RELEASE pays the liquidator exactly what the hub seized, once; the stuck
 * top-up is credited once; the solvency invariant holds with everything in flight and after.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import {
  worldChainId,
  advanceAll,
  assertSolvent,
  deposit,
  liquidateAll,
  refreshFeeds,
  signer,
  spoke,
  World,
} from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");
const DAY = 86_400;

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
  await deposit(w, "beta", "bob", "WBTC", parseUnits("1", 8));
  await w.relayer.flush();
  const { engine } = w.hub.deployment;
  const alice = signer(w.hub.chain, "alice");
  const bob = signer(w.hub.chain, "bob");
  await send(engine.connect(alice).borrow(parseUnits("20000", 6), alice.address));
  await send(engine.connect(bob).borrow(parseUnits("40000", 6), bob.address));
}

describe("adversarial 6: a bridge halted for 7 days while prices fall", () => {
  const h = useWorld(setup);

  it("liquidations work on the hub during the outage; their RELEASEs are paid exactly once when it resumes", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const liquidator = signer(w.hub.chain, "liquidator");
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    const wbtc = await asset(w, "beta", "WBTC");
    const a = spoke(w, "alpha");
    const b = spoke(w, "beta");
    await send(w.hub.base.connect(liquidator).approve(await engine.getAddress(), 2n ** 255n));

    // The bridge halts: from here on nothing is carried until the end of the test.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18)); // her top-up, stuck on alpha
    for (let day = 1; day <= 7; day++) {
      await advanceAll(w, DAY);
      await refreshFeeds(w); // the hub's oracles keep working: they do not need the bridge
      await send(w.feeds.WETH.updateAnswer(BigInt(3000 - 115 * day) * 10n ** 8n)); // 2195 on day 7
      await send(w.feeds.WBTC.updateAnswer(BigInt(60000 - 1715 * day) * 10n ** 8n)); // 47995 on day 7
    }
    expect(await engine.isLiquidatable(alice.address)).to.equal(true);
    expect(await engine.isLiquidatable(signer(w.hub.chain, "bob").address)).to.equal(true);

    const results = await liquidateAll(w);
    const done = results.filter((r) => r.error === undefined && r.seized > 0n);
    const seizedOn = (chainId: bigint) => done.filter((r) => r.chainId === chainId).reduce((s, r) => s + r.seized, 0n);
    expect(seizedOn(ALPHA)).to.be.gt(0n);
    expect(seizedOn(BETA)).to.be.gt(0n);
    // Everything is in flight: the top-up DEPOSIT and the RELEASEs. The conservative view still holds.
    const inFlight = await assertSolvent(w);
    const wethRow = inFlight.find((r) => r.chainId === ALPHA && r.symbol === "WETH")!;
    expect(wethRow.releasesInFlight).to.equal(seizedOn(ALPHA));
    expect(wethRow.depositsInFlight).to.equal(parseUnits("1", 18));

    // The bridge resumes.
    const before = {
      weth: await a.tokens.WETH.balanceOf(liquidator.address),
      wbtc: await b.tokens.WBTC.balanceOf(liquidator.address),
    };
    const delivered = await w.relayer.flush();
    expect(delivered.every((d) => d.error === undefined)).to.equal(true);
    for (const d of delivered) {
      const dst = d.packet.dstChainId === ALPHA ? a : d.packet.dstChainId === BETA ? b : w.hub;
      expect(await dst.deployment.messenger.isRetryable(d.packet.id)).to.equal(false); // none failed or held
    }
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before.weth).to.equal(seizedOn(ALPHA));
    expect((await b.tokens.WBTC.balanceOf(liquidator.address)) - before.wbtc).to.equal(seizedOn(BETA));
    const aliceCredit = await engine.collateralOf(alice.address, ALPHA, weth);
    expect(aliceCredit).to.equal(parseUnits("11", 18) - seizedOn(ALPHA));

    // A second copy of every packet (a relayer restarting from an old block) changes nothing.
    for (const d of delivered) await w.relayer.deliver(d.packet);
    expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before.weth).to.equal(seizedOn(ALPHA));
    expect((await b.tokens.WBTC.balanceOf(liquidator.address)) - before.wbtc).to.equal(seizedOn(BETA));
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(aliceCredit);
    expect(await a.deployment.vault.totalLocked(weth)).to.equal(aliceCredit);
    expect(await b.deployment.vault.totalLocked(wbtc)).to.equal(parseUnits("1", 8) - seizedOn(BETA));
  });
});
