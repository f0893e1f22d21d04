/**
 * Issue 12's liquidation modes across chains: `liquidateToAccount` (the seized credit stays on the hub in the
 * liquidator's own account, no message), `absorb` (the protocol takes unhealthy accounts over, no capital) and
 * `buyCollateral` (anyone buys the absorbed inventory, credited on the hub), under a halted bridge, a cursed lane
 * (fewer than k adapters accept a send), an outflow limit reached on the vault, racing liquidators and absorbers, and
 * the later life of the credits they take: withdrawn with a RELEASE (paid exactly once), or borrowed against until the
 * liquidator is liquidated in turn. Last, what lenders and reserves carry while the inventory waits for a buyer.
 *
 * Setup (every test): the lender supplies 1,000,000 USDC; alice holds 10 WETH (alpha) against 20,000 USDC, bob 1 WBTC
 * (beta) against 40,000, dave 5 WETH (alpha) against 11,000. `fall()` takes WETH to $2,300 and WBTC to $49,000:
 * alice's health is then ≈ 0.978, bob's ≈ 0.98 and dave's ≈ 0.889. Every test ends with the solvency check.
 */
import { expect } from "chai";
import { MaxUint256, ZeroAddress, ZeroHash, parseUnits } from "ethers";
import {
  advanceAll,
  assertSolvent,
  deposit,
  flushAll,
  refreshFeeds,
  signer,
  spoke,
  HUB_CHAIN_ID,
  worldChainId,
  type World,
} from "../../scripts/lib/world";
import { increaseTime } from "../../scripts/lib/chain";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";
import type { IMarginHub } from "../../typechain-types";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");
const WAD = 10n ** 18n;
const HOUR = 3600;
const usdc = (x: string) => parseUnits(x, 6);
const weth = (x: string) => parseUnits(x, 18);

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", weth("10"));
  await deposit(w, "beta", "bob", "WBTC", parseUnits("1", 8));
  await deposit(w, "alpha", "dave", "WETH", weth("5"));
  await flushAll(w);
  const { engine } = w.hub.deployment;
  for (const [who, amount] of [
    ["alice", "20000"],
    ["bob", "40000"],
    ["dave", "11000"],
  ] as const) {
    const s = signer(w.hub.chain, who);
    await send(engine.connect(s).borrow(usdc(amount), s.address));
  }
  // The liquidator holds base; carol holds some too (to race or to buy), approved.
  const carol = signer(w.hub.chain, "carol");
  await send(w.hub.base.mint(carol.address, usdc("200000")));
  for (const who of ["liquidator", "carol"] as const) {
    await send(w.hub.base.connect(signer(w.hub.chain, who)).approve(await engine.getAddress(), MaxUint256));
  }
}

/** WETH to $2,300 and WBTC to $49,000: alice, bob and dave become liquidatable. */
async function fall(w: World) {
  await send(w.feeds.WETH.updateAnswer(2_300n * 10n ** 8n));
  await send(w.feeds.WBTC.updateAnswer(49_000n * 10n ** 8n));
}

/** Messages the hub's messenger has sent so far. */
async function hubSends(w: World): Promise<number> {
  const m = w.hub.deployment.messenger;
  return (await m.queryFilter(m.filters.MessageSent())).length;
}

/** The args of the engine's `Liquidated` events of one transaction. */
async function liquidatedIn(engine: IMarginHub, blockNumber: number) {
  return (await engine.queryFilter(engine.filters.Liquidated(), blockNumber, blockNumber)).map((e) => e.args);
}

/** Within 0.01% of `v` (interest accrues by the second between a preview and the next block). */
function near(x: bigint, v: bigint) {
  const tol = v / 10_000n + 1n;
  expect(x >= v - tol && x <= v + tol, `${x} not within ${tol} of ${v}`).to.equal(true);
}

describe("issue 12: liquidation modes across chains", () => {
  describe("on LocalAdapter routes", () => {
    const h = useWorld(setup);

    it("halted bridge: liquidateToAccount completes on the hub with no message; the credit is withdrawable once the bridge resumes", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const a = spoke(w, "alpha");
      const alice = signer(w.hub.chain, "alice");
      const liquidator = signer(w.hub.chain, "liquidator");
      const asset_ = await asset(w, "alpha", "WETH");
      // The bridge halts: the relayer carries nothing until the end of the test (alice's top-up is stuck on alpha).
      await deposit(w, "alpha", "alice", "WETH", weth("1"));
      await fall(w);
      expect(await engine.isLiquidatable(alice.address)).to.equal(true);

      const quote = await engine.previewLiquidation(alice.address, ALPHA, asset_, MaxUint256);
      const totalBefore = (await engine.marketState(ALPHA, asset_)).totalCredits;
      const sendsBefore = await hubSends(w);
      const tx = await engine.connect(liquidator).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n);
      const [ev] = await liquidatedIn(engine, (await tx.wait())!.blockNumber);
      expect(ev.recipient).to.equal(liquidator.address);
      expect(ev.messageId).to.equal(ZeroHash);
      near(ev.seized, quote.seized);
      expect(await hubSends(w)).to.equal(sendsBefore); // nothing for the halted bridge to carry
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(ev.seized);
      expect(await engine.collateralOf(alice.address, ALPHA, asset_)).to.equal(weth("10") - ev.seized);
      expect((await engine.marketState(ALPHA, asset_)).totalCredits).to.equal(totalBefore);
      // Repaid to the target health (1.05), not beyond.
      const health = await engine.healthFactor(alice.address);
      expect(health).to.be.gte(WAD).and.lt(parseUnits("1.06", 18));
      const stuck = (await assertSolvent(w)).find((r) => r.chainId === ALPHA && r.symbol === "WETH")!;
      expect(stuck.depositsInFlight).to.equal(weth("1"));

      // Still halted: the liquidator withdraws its credit; the RELEASE waits with the bridge.
      const fee = await engine.quoteRelease(ALPHA);
      await send(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, ev.seized, liquidator.address, { value: fee }),
      );
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(0n);
      const waiting = (await assertSolvent(w)).find((r) => r.chainId === ALPHA && r.symbol === "WETH")!;
      expect(waiting.releasesInFlight).to.equal(ev.seized);

      // The bridge resumes: paid once, top-up credited once, even if every packet comes twice.
      const before = await a.tokens.WETH.balanceOf(liquidator.address);
      const delivered = await w.relayer.flush();
      expect(delivered.every((d) => d.error === undefined)).to.equal(true);
      for (const d of delivered) await w.relayer.deliver(d.packet);
      expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(ev.seized);
      expect(await engine.collateralOf(alice.address, ALPHA, asset_)).to.equal(weth("11") - ev.seized);
      const rows = await assertSolvent(w);
      const row = rows.find((r) => r.chainId === ALPHA && r.symbol === "WETH")!;
      expect(row.locked)
        .to.equal(row.credits)
        .and.to.equal(weth("16") - ev.seized);
    });

    it("halted bridge: absorb takes two accounts over with no capital and no message; a buyer of the inventory withdraws it once the bridge resumes", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const b = spoke(w, "beta");
      const hub = await engine.getAddress();
      const [alice, bob, carol, liquidator] = (["alice", "bob", "carol", "liquidator"] as const).map((x) =>
        signer(w.hub.chain, x),
      );
      const asset_ = await asset(w, "alpha", "WETH");
      const wbtc = await asset(w, "beta", "WBTC");
      await fall(w);
      const [qa, qb] = [await engine.previewAbsorb(alice.address), await engine.previewAbsorb(bob.address)];
      expect(qa.surplus).to.be.gt(0n); // 10 WETH at $2,300 less a 2.7% bonus covers 20,000 USDC
      const sendsBefore = await hubSends(w);
      const totals = [
        (await engine.marketState(ALPHA, asset_)).totalCredits,
        (await engine.marketState(BETA, wbtc)).totalCredits,
      ];

      // The liquidator holds no base for this: it spends none. carol (healthy) is skipped, not refused.
      const baseBefore = await w.hub.base.balanceOf(liquidator.address);
      const list = [alice.address, carol.address, bob.address];
      expect(await engine.connect(liquidator).absorb.staticCall(list)).to.equal(2n);
      const tx = await engine.connect(liquidator).absorb(list);
      await expect(tx).to.emit(engine, "CollateralAbsorbed").withArgs(alice.address, ALPHA, asset_, weth("10"));
      await expect(tx).to.emit(engine, "CollateralAbsorbed").withArgs(bob.address, BETA, wbtc, parseUnits("1", 8));
      expect(await w.hub.base.balanceOf(liquidator.address)).to.equal(baseBefore);
      expect(await hubSends(w)).to.equal(sendsBefore);
      expect(await engine.supplyBalanceOf(liquidator.address)).to.be.closeTo(usdc("10"), 1n); // 2 × $5 reward
      for (const who of [alice, bob]) {
        expect(await engine.debtOf(who.address)).to.equal(0n);
        expect((await engine.accountState(who.address)).positions).to.equal(0n);
      }
      near(await engine.supplyBalanceOf(alice.address), qa.surplus);
      near(await engine.supplyBalanceOf(bob.address), qb.surplus);
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(weth("10"));
      expect(await engine.collateralOf(hub, BETA, wbtc)).to.equal(parseUnits("1", 8));
      expect((await engine.marketState(ALPHA, asset_)).totalCredits).to.equal(totals[0]);
      expect((await engine.marketState(BETA, wbtc)).totalCredits).to.equal(totals[1]);
      await assertSolvent(w);

      // carol buys the whole WBTC inventory (asking for far more than it holds: charged what it covers).
      const [amount, charge] = await engine.quoteBuyCollateral(BETA, wbtc, usdc("100000"));
      expect(amount).to.equal(parseUnits("1", 8));
      // $49,000 less half the 7% bonus cap: 3.5% off.
      near(charge, (usdc("49000") * 10_000n) / 10_350n);
      const reservesBefore = await engine.reserves();
      await expect(engine.connect(carol).buyCollateral(BETA, wbtc, amount, usdc("100000"), carol.address))
        .to.emit(engine, "CollateralBought")
        .withArgs(carol.address, carol.address, BETA, wbtc, charge, amount);
      expect(await engine.collateralOf(carol.address, BETA, wbtc)).to.equal(amount);
      expect(await engine.collateralOf(hub, BETA, wbtc)).to.equal(0n);
      expect((await engine.reserves()) - reservesBefore).to.be.closeTo(charge, 10n);
      await expect(engine.quoteBuyCollateral(BETA, wbtc, usdc("1")))
        .to.be.revertedWithCustomError(engine, "NotForSale")
        .withArgs(BETA, wbtc);

      // Still halted: carol withdraws what she bought; paid when the bridge resumes, once.
      const fee = await engine.quoteRelease(BETA);
      await send(engine.connect(carol).withdrawCollateral(BETA, wbtc, amount, carol.address, { value: fee }));
      const inFlight = (await assertSolvent(w)).find((r) => r.chainId === BETA && r.symbol === "WBTC")!;
      expect(inFlight.releasesInFlight).to.equal(amount);
      const before = await b.tokens.WBTC.balanceOf(carol.address);
      const delivered = await w.relayer.flush();
      for (const d of delivered) await w.relayer.deliver(d.packet);
      expect((await b.tokens.WBTC.balanceOf(carol.address)) - before).to.equal(amount);
      expect(await b.deployment.vault.totalLocked(wbtc)).to.equal(0n);
      await assertSolvent(w);
    });

    it("outflow limit reached: liquidateToAccount and absorb are unaffected; the withdrawals of the credits wait in the claim queue", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const [a, b] = [spoke(w, "alpha"), spoke(w, "beta")];
      const [alice, bob, carol, liquidator] = (["alice", "bob", "carol", "liquidator"] as const).map((x) =>
        signer(w.hub.chain, x),
      );
      const asset_ = await asset(w, "alpha", "WETH");
      const wbtc = await asset(w, "beta", "WBTC");
      // 1 WETH per hour on alpha, 0.1 WBTC per hour on beta: less than either withdrawal below.
      await send(a.deployment.vault.setOutflowLimit(asset_, weth("1"), HOUR));
      await send(b.deployment.vault.setOutflowLimit(wbtc, parseUnits("0.1", 8), HOUR));
      await fall(w);

      const tx = await engine.connect(liquidator).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n);
      const [ev] = await liquidatedIn(engine, (await tx.wait())!.blockNumber);
      expect(ev.seized).to.be.gt(weth("1"));
      await send(engine.connect(carol).absorb([bob.address]));
      const [bought] = await engine.quoteBuyCollateral(BETA, wbtc, usdc("1000000"));
      await send(engine.connect(carol).buyCollateral(BETA, wbtc, bought, usdc("1000000"), carol.address));

      await send(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, ev.seized, liquidator.address, {
          value: await engine.quoteRelease(ALPHA),
        }),
      );
      await send(
        engine
          .connect(carol)
          .withdrawCollateral(BETA, wbtc, bought, carol.address, { value: await engine.quoteRelease(BETA) }),
      );
      const delivered = await w.relayer.flush();
      expect(delivered.every((d) => d.error === undefined)).to.equal(true);
      expect(await a.deployment.vault.claimable(liquidator.address, asset_)).to.equal(ev.seized);
      expect(await b.deployment.vault.claimable(carol.address, wbtc)).to.equal(bought);
      await assertSolvent(w);

      // The claims are paid as the limits refill, exactly what was withdrawn, once.
      const before = [await a.tokens.WETH.balanceOf(liquidator.address), await b.tokens.WBTC.balanceOf(carol.address)];
      for (let i = 0; i < 12; i++) {
        if ((await a.deployment.vault.claimable(liquidator.address, asset_)) !== 0n) {
          await send(a.deployment.vault.pushClaim(liquidator.address, asset_));
        }
        if ((await b.deployment.vault.claimable(carol.address, wbtc)) !== 0n) {
          await send(b.deployment.vault.pushClaim(carol.address, wbtc));
        }
        await increaseTime(a.chain, HOUR);
        await increaseTime(b.chain, HOUR);
      }
      for (const d of delivered) await w.relayer.deliver(d.packet); // a second copy pays nothing more
      expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before[0]).to.equal(ev.seized);
      expect((await b.tokens.WBTC.balanceOf(carol.address)) - before[1]).to.equal(bought);
      expect(await a.deployment.vault.totalClaimable(asset_)).to.equal(0n);
      expect(await b.deployment.vault.totalClaimable(wbtc)).to.equal(0n);
      await assertSolvent(w);
    });

    it("two liquidators racing with liquidateToAccount: the second gets NotLiquidatable, or only the remainder", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const [alice, dave, carol, liquidator] = (["alice", "dave", "carol", "liquidator"] as const).map((x) =>
        signer(w.hub.chain, x),
      );
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);

      // Both ask for everything: the first restores alice to the target health, the second finds her healthy.
      await send(engine.connect(liquidator).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n));
      const health = await engine.healthFactor(alice.address);
      expect(health).to.be.gte(WAD);
      await expect(engine.connect(carol).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n))
        .to.be.revertedWithCustomError(engine, "NotLiquidatable")
        .withArgs(alice.address, (x: bigint) => x >= WAD);

      // On dave: the first takes a part, the second only what is left up to the target health.
      const full = await engine.previewLiquidation(dave.address, ALPHA, asset_, MaxUint256);
      const first = full.repaid / 4n;
      const tx1 = await engine.connect(carol).liquidateToAccount(dave.address, ALPHA, asset_, first, 0n);
      const [e1] = await liquidatedIn(engine, (await tx1.wait())!.blockNumber);
      expect(e1.repaid).to.equal(first);
      expect(await engine.isLiquidatable(dave.address)).to.equal(true);
      const rest = await engine.previewLiquidation(dave.address, ALPHA, asset_, MaxUint256);
      const tx2 = await engine.connect(liquidator).liquidateToAccount(dave.address, ALPHA, asset_, MaxUint256, 0n);
      const [e2] = await liquidatedIn(engine, (await tx2.wait())!.blockNumber);
      near(e2.repaid, rest.repaid);
      expect(e2.repaid).to.be.lt(full.repaid);
      expect(await engine.healthFactor(dave.address)).to.be.gte(WAD);
      expect(await engine.collateralOf(carol.address, ALPHA, asset_)).to.equal(e1.seized);
      const fromAlice = weth("10") - (await engine.collateralOf(alice.address, ALPHA, asset_));
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(fromAlice + e2.seized);
      await assertSolvent(w);
    });

    it("two absorbers racing: the first skips a healthy debtor, the second skips what the first took, and finding nothing reverts NothingToAbsorb", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const hub = await engine.getAddress();
      const [alice, bob, dave, carol, liquidator] = (["alice", "bob", "dave", "carol", "liquidator"] as const).map(
        (x) => signer(w.hub.chain, x),
      );
      const asset_ = await asset(w, "alpha", "WETH");
      const wbtc = await asset(w, "beta", "WBTC");
      await fall(w);
      await send(w.feeds.WBTC.updateAnswer(50_500n * 10n ** 8n)); // bob healthy again (≈ 1.01), still in debt
      const bobDebt = await engine.debtOf(bob.address);
      const surplus = (await engine.previewAbsorb(alice.address)).surplus;
      expect(await engine.connect(carol).absorb.staticCall([alice.address, bob.address])).to.equal(1n);
      await send(engine.connect(carol).absorb([alice.address, bob.address]));
      near(await engine.supplyBalanceOf(alice.address), surplus);
      near(await engine.debtOf(bob.address), bobDebt);
      expect(await engine.collateralOf(bob.address, BETA, wbtc)).to.equal(parseUnits("1", 8));

      // WBTC falls back. The second absorber's list overlaps: it takes bob and dave, and is paid for two accounts.
      await send(w.feeds.WBTC.updateAnswer(49_000n * 10n ** 8n));
      const list = [alice.address, bob.address, dave.address];
      expect(await engine.connect(liquidator).absorb.staticCall(list)).to.equal(2n);
      const q = await engine.previewAbsorb(dave.address);
      const tx = await engine.connect(liquidator).absorb(list);
      const block = (await tx.wait())!.blockNumber;
      const absorbed = (await engine.queryFilter(engine.filters.Absorbed(), block, block)).map((e) => e.args);
      expect(absorbed.map((e) => [e.account, e.absorber, e.reward])).to.deep.equal([
        [bob.address, liquidator.address, usdc("5")],
        [dave.address, liquidator.address, usdc("5")],
      ]);
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(weth("15"));
      expect(await engine.collateralOf(hub, BETA, wbtc)).to.equal(parseUnits("1", 8));
      expect(await engine.supplyBalanceOf(liquidator.address)).to.be.closeTo(usdc("10"), 1n);
      // dave's 5 WETH at $2,300 less the 5% bonus cap do not cover his 11,000 USDC: bad debt. The absorbs before it
      // left reserves negative (the inventory counts zero), so lenders take all of it.
      expect(q.badDebt).to.be.gt(0n);
      const [bad] = (await engine.queryFilter(engine.filters.BadDebtAbsorbed(), block, block)).map((e) => e.args);
      near(bad.amount, q.badDebt);
      expect([bad.fromReserves, bad.fromLenders]).to.deep.equal([0n, bad.amount]);
      const cut = (usdc("5") * bad.amount) / usdc("1000000");
      expect(await engine.supplyBalanceOf(carol.address)).to.be.closeTo(usdc("5") - cut, cut / 20n + 2n);
      await expect(engine.connect(liquidator).absorb(list)).to.be.revertedWithCustomError(engine, "NothingToAbsorb");
      await expect(engine.connect(liquidator).absorb([])).to.be.revertedWithCustomError(engine, "NothingToAbsorb");
      await assertSolvent(w);
    });

    it("a liquidator keeps credits from two accounts, withdraws them days later in two RELEASEs: the vault pays exactly once, totals consistent", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const a = spoke(w, "alpha");
      const [alice, dave, liquidator] = (["alice", "dave", "liquidator"] as const).map((x) => signer(w.hub.chain, x));
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);
      let taken = 0n;
      for (const who of [alice, dave]) {
        const tx = await engine.connect(liquidator).liquidateToAccount(who.address, ALPHA, asset_, MaxUint256, 0n);
        taken += (await liquidatedIn(engine, (await tx.wait())!.blockNumber))[0].seized;
      }
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(taken);
      await advanceAll(w, 3 * 86_400);
      await refreshFeeds(w);

      const before = await a.tokens.WETH.balanceOf(liquidator.address);
      const part = taken / 3n;
      const fee = await engine.quoteRelease(ALPHA);
      await send(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, part, liquidator.address, { value: fee }),
      );
      await send(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, taken - part, liquidator.address, { value: fee }),
      );
      const delivered = await w.relayer.flush();
      expect(delivered).to.have.length(2);
      await expect(delivered[0].receipt!).to.emit(a.deployment.vault, "Released");
      for (const d of delivered) await w.relayer.deliver(d.packet);
      for (const d of delivered) await w.relayer.deliver(d.packet);
      expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before).to.equal(taken);
      const released = await a.deployment.vault.queryFilter(a.deployment.vault.filters.Released());
      expect(released.filter((e) => e.args.recipient === liquidator.address)).to.have.length(2);

      // Per (chain, asset): what the vault locks is exactly what the hub credits, holder by holder.
      const credits = [alice, dave, liquidator].map((x) => engine.collateralOf(x.address, ALPHA, asset_));
      const sum = (await Promise.all(credits)).reduce((x, y) => x + y, 0n);
      expect(sum).to.equal(weth("15") - taken);
      expect((await engine.marketState(ALPHA, asset_)).totalCredits).to.equal(sum);
      expect(await a.deployment.vault.totalLocked(asset_)).to.equal(sum);
      await assertSolvent(w);
    });

    it("the liquidator borrows against credits it took with liquidateToAccount; the price falls; it is liquidated in turn", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const hub = await engine.getAddress();
      const [alice, carol, liquidator] = (["alice", "carol", "liquidator"] as const).map((x) => signer(w.hub.chain, x));
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);
      const tx = await engine.connect(liquidator).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n);
      const [ev] = await liquidatedIn(engine, (await tx.wait())!.blockNumber);
      // The seized credit counts toward the liquidator's borrowing power like any deposit.
      const headroom = (ev.seized * 2300n * 8000n) / 10_000n / 10n ** 12n; // base units at $2,300 and an 80% factor
      await send(engine.connect(liquidator).borrow((headroom * 95n) / 100n, liquidator.address));
      expect(await engine.isLiquidatable(liquidator.address)).to.equal(false);

      await send(w.feeds.WETH.updateAnswer(1_900n * 10n ** 8n));
      expect(await engine.isLiquidatable(liquidator.address)).to.equal(true);
      // carol liquidates it to her own account; what is left (if anything) is absorbed by anyone.
      const tx2 = await engine.connect(carol).liquidateToAccount(liquidator.address, ALPHA, asset_, MaxUint256, 0n);
      const [e2] = await liquidatedIn(engine, (await tx2.wait())!.blockNumber);
      expect(await engine.collateralOf(carol.address, ALPHA, asset_)).to.equal(e2.seized);
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(ev.seized - e2.seized);
      expect(await engine.healthFactor(liquidator.address)).to.be.gte(WAD);
      await send(w.feeds.WETH.updateAnswer(1_500n * 10n ** 8n));
      await expect(engine.connect(carol).absorb([liquidator.address]))
        .to.emit(engine, "CollateralAbsorbed")
        .withArgs(liquidator.address, ALPHA, asset_, ev.seized - e2.seized);
      expect(await engine.debtOf(liquidator.address)).to.equal(0n);
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(ev.seized - e2.seized);
      await assertSolvent(w);
    });

    it("lenders' exposure: absorb, then the inventory's price falls before anyone buys — reserves carry the loss, the supply index is not cut", async () => {
      const w = h.w;
      const { engine } = w.hub.deployment;
      const hub = await engine.getAddress();
      const [alice, carol, lender] = (["alice", "carol", "lender"] as const).map((x) => signer(w.hub.chain, x));
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);
      const reserves0 = await engine.reserves();
      const index0 = (await engine.poolState()).supplyIndex;
      const badDebt0 = await engine.totalBadDebt();
      const q = await engine.previewAbsorb(alice.address);
      // previewAbsorb: 10 WETH at $2,300 less the ramped bonus (health ≈ 0.978 → 2% + 3% × 0.22 ≈ 2.67%).
      const health = await engine.healthFactor(alice.address);
      const bonusBps = 200n + (300n * (WAD - health)) / (WAD - parseUnits("0.9", 18));
      near(q.collateralValue, (usdc("23000") * 10_000n) / (10_000n + bonusBps));
      expect(q.surplus).to.equal(q.collateralValue - q.debt);
      expect(q.badDebt).to.equal(0n);
      expect(q.reward).to.equal(usdc("5"));

      const tx = await engine.connect(carol).absorb([alice.address]);
      const [absorbed] = (await engine.queryFilter(engine.filters.Absorbed(), (await tx.wait())!.blockNumber)).map(
        (e) => e.args,
      );
      near(absorbed.collateralValue, q.collateralValue);
      // Reserves paid for the inventory at its absorbed value, and the reward: the debt left the borrows and the
      // surplus became alice's lending balance, with no base moving.
      const reserves1 = await engine.reserves();
      near(reserves0 - reserves1, absorbed.collateralValue + absorbed.reward);
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(weth("10"));

      // WETH falls 30% before anyone buys. Nobody's balance moves: the loss is the inventory's.
      await send(w.feeds.WETH.updateAnswer(1_610n * 10n ** 8n));
      const [amount, charge] = await engine.quoteBuyCollateral(ALPHA, asset_, usdc("10000000"));
      expect(amount).to.equal(weth("10"));
      near(charge, (usdc("16100") * 10_000n) / 10_250n); // $1,610 less half the 5% cap
      await send(engine.connect(carol).buyCollateral(ALPHA, asset_, amount, usdc("10000000"), carol.address));
      const reserves2 = await engine.reserves();
      const loss = absorbed.collateralValue - charge;
      // What reserves lost over the whole episode: the absorbed value less what the sale brought, and the reward.
      near(reserves0 - reserves2, loss + absorbed.reward);
      // Lenders are not written down (no BadDebtAbsorbed, supply index only grew with interest) ...
      expect(await engine.totalBadDebt()).to.equal(badDebt0);
      expect((await engine.poolState()).supplyIndex).to.be.gte(index0);
      // ... but with reserves smaller than the loss they are negative: lenders' claims exceed cash + borrows by that
      // much, a shortfall no event records (reported to the lead).
      const [supply, borrow] = await engine.poolTotals();
      const cash = await w.hub.base.balanceOf(hub);
      expect(reserves2).to.equal(BigInt(cash + borrow) - BigInt(supply));
      if (reserves0 < loss) expect(reserves2).to.be.lt(0n);
      expect(await engine.withdrawableReserves()).to.equal(0n);
      expect(await engine.supplyBalanceOf(lender.address)).to.be.gte(usdc("1000000"));
      await assertSolvent(w);
    });
  });

  describe("on k-of-n routes (LayerZero + CCIP + Local, k = 2) with a cursed lane", () => {
    const h = useWorld(setup, { routes: { bridges: ["layerzero", "ccip"], local: true, k: 2 } });

    /**
     * Curses the hub -> alpha lane: LayerZero's send library is paused and the hub's CCIP adapter has lost its alpha
     * remote, so only the LocalAdapter takes a send (1 of the 2 required). Returns the undo.
     */
    async function curse(w: World): Promise<() => Promise<void>> {
      const hubStacks = w.bridges!.chains.find((c) => c.chain.chainId === HUB_CHAIN_ID)!.stacks;
      const lz = hubStacks.layerzero!;
      const ccip = hubStacks.ccip!;
      if (lz.kind !== "layerzero" || ccip.kind !== "ccip") throw new Error("bridge stacks missing");
      const remote = await ccip.adapter.remote(ALPHA);
      await send(lz.lib.setPaused(true));
      await send(ccip.adapter.setRemote(ALPHA, remote.bridgeId, ZeroAddress, 0));
      return async () => {
        await send(lz.lib.setPaused(false));
        await send(ccip.adapter.setRemote(ALPHA, remote.bridgeId, remote.adapter, remote.gasLimit));
      };
    }

    it("liquidateToAccount needs no send; the credit's withdrawal is refused atomically while the lane is cursed, paid once after; liquidate (release) is recorded and pushed", async () => {
      const w = h.w;
      const { engine, messenger } = w.hub.deployment;
      const a = spoke(w, "alpha");
      const [alice, dave, carol, liquidator] = (["alice", "dave", "carol", "liquidator"] as const).map((x) =>
        signer(w.hub.chain, x),
      );
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);
      const lift = await curse(w);
      const sendsBefore = await hubSends(w);
      const tx = await engine.connect(liquidator).liquidateToAccount(alice.address, ALPHA, asset_, MaxUint256, 0n);
      const [ev] = await liquidatedIn(engine, (await tx.wait())!.blockNumber);
      expect(await hubSends(w)).to.equal(sendsBefore);
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(ev.seized);
      await assertSolvent(w);

      // A withdrawal needs k adapters: refused as a whole (nothing debited), not recorded.
      const fee = await engine.quoteRelease(ALPHA);
      await expect(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, ev.seized, liquidator.address, { value: fee }),
      )
        .to.be.revertedWithCustomError(messenger, "NotEnoughAdapters")
        .withArgs(ALPHA, 1n, 2n);
      expect(await engine.collateralOf(liquidator.address, ALPHA, asset_)).to.equal(ev.seized);
      // The release mode does not wait either: its RELEASE is recorded pending (only Local took it).
      const tx2 = await engine.connect(carol).liquidate(dave.address, ALPHA, asset_, MaxUint256, 0n, carol.address);
      const receipt2 = (await tx2.wait())!;
      const pending = (await messenger.queryFilter(messenger.filters.MessagePending(), receipt2.blockNumber))[0].args;
      expect(pending.adaptersTaken).to.equal(1n);
      const [e2] = await liquidatedIn(engine, receipt2.blockNumber);
      await flushAll(w); // Local's copy alone confirms nothing on alpha
      await assertSolvent(w);

      await lift();
      await send(messenger.connect(carol).pushPending(pending.envelope));
      await send(
        engine.connect(liquidator).withdrawCollateral(ALPHA, asset_, ev.seized, liquidator.address, {
          value: await engine.quoteRelease(ALPHA),
        }),
      );
      const before = [await a.tokens.WETH.balanceOf(liquidator.address), await a.tokens.WETH.balanceOf(carol.address)];
      await flushAll(w);
      await flushAll(w);
      expect((await a.tokens.WETH.balanceOf(liquidator.address)) - before[0]).to.equal(ev.seized);
      expect((await a.tokens.WETH.balanceOf(carol.address)) - before[1]).to.equal(e2.seized);
      const rows = await assertSolvent(w);
      const row = rows.find((r) => r.chainId === ALPHA && r.symbol === "WETH")!;
      expect(row.releasesInFlight).to.equal(0n);
      expect(row.locked).to.equal(row.credits);
    });

    it("absorb and buyCollateral need no send; the buyer withdraws once the lane is back, paid once", async () => {
      const w = h.w;
      const { engine, messenger } = w.hub.deployment;
      const a = spoke(w, "alpha");
      const hub = await engine.getAddress();
      const [alice, dave, carol] = (["alice", "dave", "carol"] as const).map((x) => signer(w.hub.chain, x));
      const asset_ = await asset(w, "alpha", "WETH");
      await fall(w);
      const lift = await curse(w);
      const sendsBefore = await hubSends(w);
      expect(await engine.connect(carol).absorb.staticCall([alice.address, dave.address])).to.equal(2n);
      await send(engine.connect(carol).absorb([alice.address, dave.address]));
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(weth("15"));
      const [amount, charge] = await engine.quoteBuyCollateral(ALPHA, asset_, usdc("20000"));
      expect(charge).to.equal(usdc("20000"));
      near(amount, (usdc("20000") * 10_250n * 10n ** 12n) / 10_000n / 2_300n); // $2,300 less 2.5%
      const balances = async () => [await w.hub.base.balanceOf(carol.address), await w.hub.base.balanceOf(hub)];
      const paidBefore = await balances();
      await send(engine.connect(carol).buyCollateral(ALPHA, asset_, amount, usdc("20000"), carol.address));
      const paidAfter = await balances();
      expect([paidBefore[0] - paidAfter[0], paidAfter[1] - paidBefore[1]]).to.deep.equal([charge, charge]);
      expect(await hubSends(w)).to.equal(sendsBefore);
      expect(await engine.collateralOf(carol.address, ALPHA, asset_)).to.equal(amount);
      expect(await engine.collateralOf(hub, ALPHA, asset_)).to.equal(weth("15") - amount);
      await assertSolvent(w);
      await expect(
        engine
          .connect(carol)
          .withdrawCollateral(ALPHA, asset_, amount, carol.address, { value: await engine.quoteRelease(ALPHA) }),
      ).to.be.revertedWithCustomError(messenger, "NotEnoughAdapters");

      await lift();
      const before = await a.tokens.WETH.balanceOf(carol.address);
      await send(
        engine
          .connect(carol)
          .withdrawCollateral(ALPHA, asset_, amount, carol.address, { value: await engine.quoteRelease(ALPHA) }),
      );
      await flushAll(w);
      await flushAll(w);
      expect((await a.tokens.WETH.balanceOf(carol.address)) - before).to.equal(amount);
      expect(await a.deployment.vault.totalLocked(asset_)).to.equal(weth("15") - amount);
      await assertSolvent(w);
    });
  });
});
