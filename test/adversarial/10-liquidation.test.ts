/**
 * Adversarial 10 — liquidation edge cases across chains. Must hold: the seizure (bonus included) never exceeds the
 * credit left, the repayment shrinking to match; of two liquidators racing for one account the second gets a
 * clear error or only what is left; a full price crash ends in bad debt that is recorded (BadDebtAbsorbed) and
 * absorbed by reserves first, then by lenders, never silently. Every seizure is released on its source chain.
 */
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { MaxUint256, parseUnits, type ContractTransactionReceipt } from "ethers";
import { worldChainId, deposit, signer, spoke, World } from "../../scripts/lib/world";
import { DEFAULT_LIQUIDATION_COST, liquidationCostUsd, send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset, give } from "../helpers/world";
import { eventArgs } from "../helpers/adversarial";
import { MockERC20__factory } from "../../typechain-types";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");
const usd = (x: bigint) => x * 10n ** 8n;

/** alice: 1 WETH on alpha and 1000 USDC.b on beta. Liquidator and carol hold USDC on the hub and approved. */
async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
  await deposit(w, "beta", "alice", "USDC.b", parseUnits("1000", 6));
  await w.relayer.flush();
  const engine = await w.hub.deployment.engine.getAddress();
  await give(w.hub.chain, w.hub.base, signer(w.hub.chain, "carol").address, parseUnits("1000000", 6));
  for (const who of ["liquidator", "carol", "alice"] as const) {
    await send(w.hub.base.connect(signer(w.hub.chain, who)).approve(engine, MaxUint256));
  }
}

describe("adversarial 10: liquidation edge cases", () => {
  const h = useWorld(setup);

  async function liquidate(w: World, who: "liquidator" | "carol", chainId: bigint, symbol: string, minSeized = 0n) {
    const s = spoke(w, chainId === ALPHA ? "alpha" : "beta");
    const liquidator = signer(w.hub.chain, who);
    const tx = await w.hub.deployment.engine
      .connect(liquidator)
      .liquidate(
        signer(w.hub.chain, "alice").address,
        chainId,
        await s.tokens[symbol].getAddress(),
        MaxUint256,
        minSeized,
        liquidator.address,
      );
    return (await tx.wait()) as ContractTransactionReceipt;
  }

  it("the bonus never exceeds the credit left: seizing all 1 WETH, the repayment shrinks to what it covers", async () => {
    // Setup: alice owes $3,000; WETH falls to $1,500 (health 0.725: full close). Action: liquidate WETH with
    // an unlimited repay. Must hold: seized = 1 WETH exactly (not 3000 * 1.05 / 1500 = 2.1), repaid =
    // ceil($1,500 / 1.05), the liquidator pays repaid + protocol fee, and receives 1 WETH on alpha.
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await asset(w, "alpha", "WETH");
    await send(engine.connect(alice).borrow(parseUnits("3000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(usd(1_500n)));
    const preview = await engine.previewLiquidation(alice.address, ALPHA, weth, MaxUint256);
    expect(preview.seized).to.equal(parseUnits("1", 18));
    const paidBefore = await w.hub.base.balanceOf(liquidator.address);
    const receipt = await liquidate(w, "liquidator", ALPHA, "WETH");
    const ev = eventArgs(receipt, engine, "Liquidated");
    expect(ev.seized).to.equal(parseUnits("1", 18));
    const covered = (parseUnits("1500", 6) * 10_000n + 10_499n) / 10_500n; // ceil(1500 / 1.05) in USDC units
    expect(ev.repaid).to.equal(covered);
    expect(paidBefore - (await w.hub.base.balanceOf(liquidator.address))).to.equal(ev.repaid + ev.protocolFee);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n);
    await w.relayer.flush();
    expect(await spoke(w, "alpha").tokens.WETH.balanceOf(liquidator.address)).to.equal(parseUnits("1", 18));
    // The rest of the debt is still backed by USDC.b: no bad debt while any credit is left.
    expect(await engine.totalBadDebt()).to.equal(0n);
    expect(await engine.debtOf(alice.address)).to.be.gt(0n);
  });

  it("two liquidators racing: the second gets NotLiquidatable, then only the remainder, then a clear error", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await asset(w, "alpha", "WETH");
    const usdcb = await asset(w, "beta", "USDC.b");
    // Close to the line: 1 WETH * 2000 * 85% + 1000 * 90% = 2600 vs $2,700 of debt (health 0.963 > 0.95).
    await send(engine.connect(alice).borrow(parseUnits("2700", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(usd(2_000n)));
    const first = eventArgs(await liquidate(w, "liquidator", ALPHA, "WETH"), engine, "Liquidated");
    // Repaid what brings the account back to the target health (1.05), not more.
    const health = await engine.healthFactor(alice.address);
    expect(health).to.be.closeTo(parseUnits("1.05", 18), parseUnits("0.0001", 18));
    expect(first.repaid).to.be.lt(parseUnits("2700", 6));
    // Carol's identical transaction lands second: the account is healthy again.
    await expect(liquidate(w, "carol", ALPHA, "WETH"))
      .to.be.revertedWithCustomError(engine, "NotLiquidatable")
      .withArgs(alice.address, health);

    // The price falls further: carol now gets only what is left of the WETH credit, bonus included.
    await send(w.feeds.WETH.updateAnswer(usd(800n)));
    const left = await engine.collateralOf(alice.address, ALPHA, weth);
    const second = eventArgs(await liquidate(w, "carol", ALPHA, "WETH"), engine, "Liquidated");
    expect(second.seized).to.equal(left);
    // The liquidator, too late, finds no WETH credit left to seize; a slippage guard refuses a smaller seizure.
    await expect(liquidate(w, "liquidator", ALPHA, "WETH"))
      .to.be.revertedWithCustomError(engine, "InsufficientCollateral")
      .withArgs(alice.address, ALPHA, weth, 0n, 1n);
    const preview = await engine.previewLiquidation(alice.address, BETA, usdcb, MaxUint256);
    await expect(liquidate(w, "liquidator", BETA, "USDC.b", preview.seized + 1n))
      .to.be.revertedWithCustomError(engine, "SeizeBelowMinimum")
      .withArgs(preview.seized, preview.seized + 1n);
    await w.relayer.flush();
    const token = spoke(w, "alpha").tokens.WETH;
    expect(await token.balanceOf(signer(w.hub.chain, "liquidator").address)).to.equal(first.seized);
    expect(await token.balanceOf(signer(w.hub.chain, "carol").address)).to.equal(
      parseUnits("1000000", 18) + second.seized,
    );
    expect(first.seized + second.seized).to.equal(parseUnits("1", 18));
  });

  for (const reserves of ["thin reserves: lenders take the rest", "deep reserves: lenders lose nothing"] as const) {
    it(`a full price crash leaves bad debt, recorded and absorbed — ${reserves}`, async () => {
      // Setup: alice owes $2,500 against 1 WETH + 1000 USDC.b. Action: WETH crashes to $10 and USDC.b to $0.01;
      // both credits are liquidated away. Must hold: BadDebtAbsorbed(alice, debt left, fromReserves,
      // fromLenders) with fromReserves + fromLenders = the debt left, reserves absorbing first; totalBadDebt
      // records it; alice owes nothing; the lender's balance drops by exactly fromLenders (within rounding).
      const w = h.w;
      const { engine } = w.hub.deployment;
      const alice = signer(w.hub.chain, "alice");
      const lender = signer(w.hub.chain, "lender");
      await send(engine.connect(alice).borrow(parseUnits("2500", 6), alice.address));
      if (reserves.startsWith("deep")) {
        await give(w.hub.chain, w.hub.base, await engine.getAddress(), parseUnits("10000", 6)); // e.g. accumulated fees
      }
      await send(w.feeds.WETH.updateAnswer(usd(10n)));
      await send(w.feeds["USDC.b"].updateAnswer(10n ** 6n)); // $0.01
      await liquidate(w, "liquidator", ALPHA, "WETH");
      const reservesBefore = await engine.reserves();
      const lenderBefore = await engine.supplyBalanceOf(lender.address);
      const receipt = await liquidate(w, "liquidator", BETA, "USDC.b");
      const bad = eventArgs(receipt, engine, "BadDebtAbsorbed");
      expect(bad.account).to.equal(alice.address);
      expect(bad.amount).to.be.gt(parseUnits("2400", 6));
      expect(bad.fromReserves + bad.fromLenders).to.equal(bad.amount);
      expect(await engine.totalBadDebt()).to.equal(bad.amount);
      expect(await engine.debtOf(alice.address)).to.equal(0n);
      const lenderLoss = lenderBefore - (await engine.supplyBalanceOf(lender.address));
      if (reserves.startsWith("deep")) {
        expect(bad.fromLenders).to.equal(0n);
        expect(lenderLoss).to.be.lte(0n);
        expect(bad.fromReserves).to.equal(bad.amount);
      } else {
        expect(bad.fromReserves).to.be.lte(reservesBefore > 0n ? reservesBefore + parseUnits("1", 6) : 0n);
        expect(bad.fromLenders).to.be.gt(0n);
        expect(lenderLoss).to.be.closeTo(bad.fromLenders, 2n);
      }
      expect(await engine.reserves()).to.be.gte(0n);
      await w.relayer.flush();
    });
  }

  // Review finding (issue 11, "1-unit deposit holds off write-off", dust-credit variant): anyone may deposit for any
  // account, and one raw unit of a token the vault accepts but the hub has not listed (e.g. between the two steps
  // of a listing) used to keep the account's debt on the books forever: no liquidation can take it
  // (MarketNotListed), and bad debt was absorbed only with no credit at all. Must hold now: anyone writes the debt
  // off with absorbBadDebt (an unlisted credit is not seizable and never counted toward borrowing), and the unit
  // stays the account's: once the debt is gone, alice withdraws it to beta.
  it("M dust-credit: a griefer's 1-unit credit of an unlisted asset does not hold off bad debt; the unit stays the account's", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const b = spoke(w, "beta");
    const alice = signer(w.hub.chain, "alice");
    const dust = await new MockERC20__factory(signer(b.chain, "deployer")).deploy("Dust", "DUST", 18);
    const dustAddress = await dust.getAddress();
    await send(b.deployment.vault.setAssetAllowed(dustAddress, true)); // allowed, not yet listed
    await send(dust.mint(signer(b.chain, "dave").address, 1n));
    await send(dust.connect(signer(b.chain, "dave")).approve(await b.deployment.vault.getAddress(), 1n));
    await send(b.deployment.vault.connect(signer(b.chain, "dave")).deposit(dustAddress, 1n, alice.address));
    await w.relayer.flush();
    await send(engine.connect(alice).borrow(parseUnits("2500", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(usd(10n)));
    await send(w.feeds["USDC.b"].updateAnswer(10n ** 6n));
    await liquidate(w, "liquidator", ALPHA, "WETH");
    await liquidate(w, "liquidator", BETA, "USDC.b");
    await w.relayer.flush();
    const liquidator = signer(w.hub.chain, "liquidator");
    await expect(
      engine.connect(liquidator).liquidate(alice.address, BETA, dustAddress, MaxUint256, 0, liquidator.address),
    )
      .to.be.revertedWithCustomError(engine, "MarketNotListed")
      .withArgs(BETA, dustAddress);
    const owed = await engine.debtOf(alice.address);
    expect(owed).to.be.gt(parseUnits("2400", 6));

    // Anyone (here: carol) writes the debt off; the lenders and reserves take it, visibly.
    const carol = signer(w.hub.chain, "carol");
    await expect(engine.connect(carol).absorbBadDebt(alice.address))
      .to.emit(engine, "BadDebtAbsorbed")
      .withArgs(alice.address, owed, anyValue, anyValue);
    expect(await engine.debtOf(alice.address)).to.equal(0n);
    expect(await engine.totalBadDebt()).to.equal(owed);

    // The unlisted unit stays alice's: she withdraws it on beta.
    expect(await engine.collateralOf(alice.address, BETA, dustAddress)).to.equal(1n);
    await send(engine.connect(alice).withdrawCollateral(BETA, dustAddress, 1n, alice.address));
    await w.relayer.flush();
    expect(await dust.balanceOf(alice.address)).to.equal(1n);
  });

  // Review finding (issue 11, minDebt): the old default of $10 paid a liquidator $0.45 of net bonus, less than the gas
  // of the hub transaction and the RELEASE fees. Must hold: on a position at the default minimum debt (closed whole),
  // the net bonus covers DEFAULT_LIQUIDATION_COST's margin times (measured hub gas at its gas price + k RELEASE fees).
  it("I minDebt: a minimal position is worth liquidating: net bonus covers gas and k RELEASE fees with a margin", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const m = DEFAULT_LIQUIDATION_COST;
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "alpha", "bob", "WETH", parseUnits("0.2", 18)); // $600
    await w.relayer.flush();
    const minDebt = await engine.minDebt();
    await send(engine.connect(bob).borrow(minDebt, bob.address));
    // WETH such that health = 0.2 WETH * price * 85% / minDebt = 0.97 (≈ $1997 at a $350 minimum debt).
    await send(w.feeds.WETH.updateAnswer((minDebt * 100n * 97n) / 17n));
    expect(await engine.isLiquidatable(bob.address)).to.equal(true);
    const debt = await engine.debtOf(bob.address);
    const liquidator = signer(w.hub.chain, "liquidator");
    const weth = await spoke(w, "alpha").tokens.WETH.getAddress();
    const receipt = await (
      await engine.connect(liquidator).liquidate(bob.address, ALPHA, weth, MaxUint256, 0, liquidator.address)
    ).wait();
    const liquidated = eventArgs(receipt!, engine, "Liquidated");
    expect(liquidated.repaid).to.equal(debt); // a minimal position is closed whole
    expect(Number(receipt!.gasUsed)).to.be.lte(m.hubLiquidateGas); // the model's gas figure holds
    const [market0, config0] = await engine.market(0);
    expect(market0.asset).to.equal(weth);
    const bonusBps = config0.liquidationBonusBps;
    const netBonusUsd =
      (Number(liquidated.repaid) / 1e6) * (Number(bonusBps) / 10_000) - Number(liquidated.protocolFee) / 1e6;
    const costUsd = Number(receipt!.gasUsed) * m.gasPriceGwei * 1e-9 * m.ethUsd + m.confirmations * m.releaseFeeUsd;
    expect(netBonusUsd).to.be.gte(m.margin * costUsd);
    // And the default sizes itself for the smallest bonus the model allows, not only this market's 5%.
    expect((Number(minDebt) / 1e6) * (m.minBonusBps / 10_000) * (1 - m.protocolShareBps / 10_000)).to.be.gte(
      m.margin * liquidationCostUsd(m),
    );
    await w.relayer.flush();
  });
});
