import { expect } from "chai";
import { parseUnits } from "ethers";
import { deposit, signer, spoke, World } from "../../scripts/lib/world";
import { FeeOnTransferERC20__factory, NoReturnERC20__factory, RestrictedERC20__factory } from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset, listExtraToken } from "../helpers/world";

const ALPHA = 31338n;
const BETA = 31339n;

/** Adds a 1% fee-on-transfer token on alpha, a USDT-style token and a pausable, blocklisting token on beta. */
async function setup(w: World) {
  await supplyLiquidity(w);
  const alphaDeployer = signer(spoke(w, "alpha").chain, "deployer");
  const betaDeployer = signer(spoke(w, "beta").chain, "deployer");
  const fot = await new FeeOnTransferERC20__factory(alphaDeployer).deploy("Fee token", "FEE", 18, 100);
  const usdt = await new NoReturnERC20__factory(betaDeployer).deploy("Tether", "USDT", 6);
  const rusd = await new RestrictedERC20__factory(betaDeployer).deploy("Restricted USD", "RUSD", 6);
  await listExtraToken(w, "alpha", "FEE", await fot.getAddress(), 18, 1n);
  await listExtraToken(w, "beta", "USDT", await usdt.getAddress(), 6, 1n);
  await listExtraToken(w, "beta", "RUSD", await rusd.getAddress(), 6, 1n);
}

describe("real token behaviours across chains", () => {
  const h = useWorld(setup);

  it("6, 8 and 18 decimals: the same dollars give the same value on the hub", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18)); // $30,000
    await deposit(w, "beta", "bob", "WBTC", parseUnits("0.5", 8)); // $30,000
    await deposit(w, "beta", "carol", "USDC.b", parseUnits("30000", 6)); // $30,000
    await w.relayer.flush();
    for (const [actor, lt] of [
      ["alice", 8500n],
      ["bob", 8000n],
      ["carol", 9000n],
    ] as const) {
      const who = signer(w.hub.chain, actor);
      await engine.connect(who).borrow(parseUnits("10", 6), who.address);
      const [liquidationCollateral] = await engine.accountValues(who.address);
      expect(liquidationCollateral).to.equal((parseUnits("30000", 18) * lt) / 10000n);
    }
  });

  it("a fee-on-transfer token: the hub credits what arrived; the vault never owes more than it holds", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const fee = await asset(w, "alpha", "FEE");
    const { engine } = w.hub.deployment;
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "alpha", "bob", "FEE", parseUnits("100", 18));
    await w.relayer.flush();
    expect(await engine.collateralOf(bob.address, ALPHA, fee)).to.equal(parseUnits("99", 18));
    expect(await a.deployment.vault.totalLocked(fee)).to.equal(parseUnits("99", 18));
    await engine.connect(bob).withdrawCollateral(ALPHA, fee, parseUnits("99", 18), bob.address);
    const before = await a.tokens.FEE.balanceOf(bob.address);
    await w.relayer.flush();
    // The vault pays 99; the token burns its 1% on the way.
    expect((await a.tokens.FEE.balanceOf(bob.address)) - before).to.equal(parseUnits("98.01", 18));
    expect(await a.tokens.FEE.balanceOf(await a.deployment.vault.getAddress())).to.equal(0n);
  });

  it("a token without return values (USDT) deposits and releases", async () => {
    const w = h.w;
    const usdt = await asset(w, "beta", "USDT");
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "beta", "bob", "USDT", parseUnits("500", 6));
    await w.relayer.flush();
    await w.hub.deployment.engine.connect(bob).withdrawCollateral(BETA, usdt, parseUnits("500", 6), bob.address);
    await w.relayer.flush();
    expect(await spoke(w, "beta").tokens.USDT.balanceOf(bob.address)).to.equal(parseUnits("1000000", 6));
  });

  it("a paused token or a blocklisted recipient turns the release into a claim that is paid later or redirected", async () => {
    const w = h.w;
    const b = spoke(w, "beta");
    const rusd = RestrictedERC20__factory.connect(await asset(w, "beta", "RUSD"), signer(b.chain, "deployer"));
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const aliceOnBeta = signer(b.chain, "alice");
    const carolOnBeta = signer(b.chain, "carol");
    await deposit(w, "beta", "alice", "RUSD", parseUnits("1000", 6));
    await w.relayer.flush();

    await send(rusd.setPaused(true));
    await engine
      .connect(alice)
      .withdrawCollateral(BETA, await rusd.getAddress(), parseUnits("300", 6), aliceOnBeta.address);
    const [paused] = await w.relayer.flush();
    expect(paused.error).to.equal(undefined);
    expect(await b.deployment.vault.claimable(aliceOnBeta.address, await rusd.getAddress())).to.equal(
      parseUnits("300", 6),
    );
    await send(rusd.setPaused(false));
    await send(b.deployment.vault.connect(carolOnBeta).pushClaim(aliceOnBeta.address, await rusd.getAddress()));
    expect(await rusd.balanceOf(aliceOnBeta.address)).to.equal(parseUnits("999300", 6));

    await send(rusd.setBlocked(aliceOnBeta.address, true));
    await engine
      .connect(alice)
      .withdrawCollateral(BETA, await rusd.getAddress(), parseUnits("700", 6), aliceOnBeta.address);
    await w.relayer.flush();
    await send(b.deployment.vault.connect(aliceOnBeta).claim(await rusd.getAddress(), carolOnBeta.address));
    expect(await rusd.balanceOf(carolOnBeta.address)).to.equal(parseUnits("700", 6));
    expect(await b.deployment.vault.totalLocked(await rusd.getAddress())).to.equal(0n);
    expect(await b.deployment.vault.totalClaimable(await rusd.getAddress())).to.equal(0n);
  });
});
