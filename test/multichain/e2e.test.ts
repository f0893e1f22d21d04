import { expect } from "chai";
import { parseUnits } from "ethers";
import { worldChainId, deposit, liquidateAll, signer, spoke } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");

describe("end to end across three chains", () => {
  const h = useWorld(supplyLiquidity);

  it("deposit on two chains -> one account on the hub -> borrow -> price falls -> liquidation -> release", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const [weth, wbtc] = [await asset(w, "alpha", "WETH"), await asset(w, "beta", "WBTC")];

    // Alice locks 10 WETH on alpha and 0.5 WBTC on beta.
    await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
    await deposit(w, "beta", "alice", "WBTC", parseUnits("0.5", 8));
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(0n); // nothing until relayed
    const delivered = await w.relayer.flush();
    expect(delivered.map((d) => d.error)).to.deep.equal([undefined, undefined]);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("10", 18));
    expect(await engine.collateralOf(alice.address, BETA, wbtc)).to.equal(parseUnits("0.5", 8));

    // One account, both chains: 10 * 3000 * 80% + 0.5 * 60000 * 75% = 46,500 of borrowing power.
    await expect(engine.connect(alice).borrow(parseUnits("46501", 6), alice.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
    await engine.connect(alice).borrow(parseUnits("40000", 6), alice.address);
    expect(await w.hub.base.balanceOf(alice.address)).to.equal(parseUnits("40000", 6));

    // BTC falls to 35,000: 10 * 3000 * 85% + 0.5 * 35000 * 80% = 39,500 < 40,000.
    await send(w.feeds.WBTC.updateAnswer(35_000n * 10n ** 8n));
    expect(await engine.isLiquidatable(alice.address)).to.equal(true);

    const liquidator = signer(w.hub.chain, "liquidator");
    const results = await liquidateAll(w);
    expect(results).to.have.length(1);
    const r = results[0];
    expect(r.error).to.equal(undefined);
    expect(r.chainId).to.equal(ALPHA); // the most valuable position: $30,000 of WETH
    expect(await engine.isLiquidatable(alice.address)).to.equal(false);
    expect(await engine.collateralOf(alice.address, ALPHA, weth)).to.equal(parseUnits("10", 18) - r.seized);

    // The seized WETH arrives on alpha once the RELEASE is relayed.
    const alphaWeth = spoke(w, "alpha").tokens.WETH;
    const before = await alphaWeth.balanceOf(liquidator.address);
    await w.relayer.flush();
    expect((await alphaWeth.balanceOf(liquidator.address)) - before).to.equal(r.seized);
  });

  it("another user deposits and withdraws to a different address on the source chain", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const bob = signer(w.hub.chain, "bob");
    const carolOnBeta = signer(spoke(w, "beta").chain, "carol");
    const usdc = await asset(w, "beta", "USDC.b");
    await deposit(w, "beta", "bob", "USDC.b", parseUnits("2500", 6));
    await w.relayer.flush();
    const fee = await engine.quoteRelease(BETA);
    await engine
      .connect(bob)
      .withdrawCollateral(BETA, usdc, parseUnits("1000", 6), carolOnBeta.address, { value: fee });
    expect(await engine.collateralOf(bob.address, BETA, usdc)).to.equal(parseUnits("1500", 6));
    const token = spoke(w, "beta").tokens["USDC.b"];
    const before = await token.balanceOf(carolOnBeta.address);
    await w.relayer.flush();
    expect((await token.balanceOf(carolOnBeta.address)) - before).to.equal(parseUnits("1000", 6));
    expect(await spoke(w, "beta").deployment.vault.totalLocked(usdc)).to.equal(parseUnits("1500", 6));
  });

  it("a deposit can credit another account, and the hub sees the same asset address on two chains as two markets", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const dave = signer(w.hub.chain, "dave");
    const weth = await asset(w, "alpha", "WETH");
    const wbtc = await asset(w, "beta", "WBTC");
    expect(weth).to.equal(wbtc); // same deployer nonce on both chains: same address, different tokens
    await deposit(w, "alpha", "carol", "WETH", parseUnits("1", 18), dave.address);
    await w.relayer.flush();
    expect(await engine.collateralOf(dave.address, ALPHA, weth)).to.equal(parseUnits("1", 18));
    expect(await engine.collateralOf(dave.address, BETA, weth)).to.equal(0n);
    await engine.connect(dave).borrow(parseUnits("2400", 6), dave.address); // priced as WETH, not WBTC
    await expect(engine.connect(dave).borrow(parseUnits("1", 6), dave.address)).to.be.revertedWithCustomError(
      engine,
      "NotHealthy",
    );
  });
});
