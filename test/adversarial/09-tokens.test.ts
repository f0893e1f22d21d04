/**
 * Adversarial 9 — tokens that do not behave like the textbook ERC-20, deposited on source chains and released by
 * the hub: fee-on-transfer, no return values (USDT), returns-false, pausable, blocklisting, 0/2/6/8/18 decimals
 * (more than 18 refused at listing), and a negative rebase of the vault's balance. Must hold: the hub credits what
 * the vault received; a release the token refuses becomes a claim (redirectable by its owner), never a revert
 * and never lost; the same USD gives the same value whatever the decimals; in a shortfall the vault pays nobody
 * with other holders' tokens (Shortfall, releases deferred as claims, claims refused with InShortfall) until the
 * balance is restored.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import { worldChainId, deposit, signer, spoke, World } from "../../scripts/lib/world";
import {
  FeeOnTransferERC20__factory,
  MockERC20__factory,
  NoReturnERC20__factory,
  RebasingERC20__factory,
  RestrictedERC20__factory,
  ReturnsFalseERC20__factory,
} from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset, listExtraToken } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const BETA = worldChainId("beta");

/**
 * Adds a 1% fee-on-transfer token and a returns-false token on alpha; a USDT-style token, a pausable blocklisting
 * token, 2- and 0-decimal tokens and a rebasing token on beta (all $1).
 */
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
  const rfalse = await new ReturnsFalseERC20__factory(alphaDeployer).deploy("Returns false", "RFALSE", 18);
  await listExtraToken(w, "alpha", "RFALSE", await rfalse.getAddress(), 18, 1n);
  for (const [symbol, decimals] of [
    ["TWO", 2],
    ["ZERO", 0],
  ] as const) {
    const token = await new MockERC20__factory(betaDeployer).deploy(symbol, symbol, decimals);
    await listExtraToken(w, "beta", symbol, await token.getAddress(), decimals, 1n);
  }
  const reb = await new RebasingERC20__factory(betaDeployer).deploy("Rebasing", "REB", 18);
  await listExtraToken(w, "beta", "REB", await reb.getAddress(), 18, 1n);
}

describe("adversarial 9: real token behaviours across chains", () => {
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
      await engine.connect(who).borrow(parseUnits("400", 6), who.address); // at least the minimum debt
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

  it("2- and 0-decimal tokens: $30,000 counts exactly as $30,000; 1 raw unit is worth exactly $0.01 and $1", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const bob = signer(w.hub.chain, "bob");
    await deposit(w, "beta", "alice", "TWO", parseUnits("30000", 2));
    await deposit(w, "beta", "bob", "ZERO", 30000n);
    await w.relayer.flush();
    for (const who of [alice, bob]) {
      await send(engine.connect(who).borrow(parseUnits("400", 6), who.address)); // at least the minimum debt
      const [liquidationCollateral] = await engine.accountValues(who.address);
      expect(liquidationCollateral).to.equal((parseUnits("30000", 18) * 7500n) / 10000n);
    }
    // Prices are USD (1e18) per raw unit, scaled by 1e18.
    const unitValue = async (symbol: string) =>
      (await engine.getPrice(BETA, await asset(w, "beta", symbol))) / 10n ** 18n;
    expect(await unitValue("TWO")).to.equal(parseUnits("0.01", 18));
    expect(await unitValue("ZERO")).to.equal(parseUnits("1", 18));
  });

  it("more than 18 decimals is refused at listing with InvalidDecimals(feedDecimals, tokenDecimals)", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const huge = await new MockERC20__factory(signer(spoke(w, "beta").chain, "deployer")).deploy("Huge", "HUGE", 24);
    await expect(engine.setFeed(BETA, await huge.getAddress(), await w.feeds.USDC.getAddress(), 3600, 24))
      .to.be.revertedWithCustomError(engine, "InvalidDecimals")
      .withArgs(8, 24);
    await expect(engine.listMarket(BETA, await huge.getAddress(), 5000, 6000, 500))
      .to.be.revertedWithCustomError(engine, "NoFeed")
      .withArgs(BETA, await huge.getAddress());
  });

  it("a token that returns false: a refused deposit reverts whole; a refused release becomes a claim paid once it works", async () => {
    const w = h.w;
    const a = spoke(w, "alpha");
    const vault = a.deployment.vault;
    const token = ReturnsFalseERC20__factory.connect(await asset(w, "alpha", "RFALSE"), signer(a.chain, "deployer"));
    const { engine } = w.hub.deployment;
    const bob = signer(w.hub.chain, "bob");
    const amount = parseUnits("100", 18);
    await send(token.setFailing(true));
    await expect(deposit(w, "alpha", "bob", "RFALSE", amount))
      .to.be.revertedWithCustomError(vault, "SafeERC20FailedOperation")
      .withArgs(await token.getAddress());
    expect(await vault.totalLocked(await token.getAddress())).to.equal(0n);
    await send(token.setFailing(false));
    await deposit(w, "alpha", "bob", "RFALSE", amount);
    await w.relayer.flush();
    await send(token.setFailing(true));
    await send(engine.connect(bob).withdrawCollateral(ALPHA, await token.getAddress(), amount, bob.address));
    const [release] = await w.relayer.flush();
    expect(release.error).to.equal(undefined);
    await expect(release.receipt!)
      .to.emit(vault, "ReleaseDeferred")
      .withArgs(bob.address, await token.getAddress(), amount, release.packet.id);
    const bobOnAlpha = vault.connect(signer(a.chain, "bob"));
    await expect(bobOnAlpha.claim(await token.getAddress(), bob.address))
      .to.be.revertedWithCustomError(vault, "SafeERC20FailedOperation")
      .withArgs(await token.getAddress());
    expect(await vault.claimable(bob.address, await token.getAddress())).to.equal(amount);
    await send(token.setFailing(false));
    await send(bobOnAlpha.claim(await token.getAddress(), bob.address));
    expect(await token.balanceOf(bob.address)).to.equal(parseUnits("1000000", 18));
    expect(await vault.totalClaimable(await token.getAddress())).to.equal(0n);
  });

  it("a negative rebase of the vault's balance: Shortfall, releases deferred as claims, claims refused until restored", async () => {
    // Setup: alice and bob lock 1000 REB each on beta. Action: REB rebases -10% (vault holds 1800, owes 2000);
    // both withdraw on the hub; then the issuer restores the index. Must hold: nobody is paid while the vault is
    // short (Shortfall(asset, 1800, 2000) + ReleaseDeferred; claim -> InShortfall(asset, 1800, 2000)); the vault
    // balance does not move; after the restore both claims pay in full.
    const w = h.w;
    const b = spoke(w, "beta");
    const vault = b.deployment.vault;
    const reb = RebasingERC20__factory.connect(await asset(w, "beta", "REB"), signer(b.chain, "deployer"));
    const rebAddress = await reb.getAddress();
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const bob = signer(w.hub.chain, "bob");
    const k = (x: string) => parseUnits(x, 18);
    await deposit(w, "beta", "alice", "REB", k("1000"));
    await deposit(w, "beta", "bob", "REB", k("1000"));
    await w.relayer.flush();
    await send(reb.rebase(k("0.9")));
    expect(await reb.balanceOf(await vault.getAddress())).to.equal(k("1800"));

    await send(engine.connect(alice).withdrawCollateral(BETA, rebAddress, k("500"), alice.address));
    const [first] = await w.relayer.flush();
    await expect(first.receipt!).to.emit(vault, "Shortfall").withArgs(rebAddress, k("1800"), k("2000"));
    await expect(first.receipt!)
      .to.emit(vault, "ReleaseDeferred")
      .withArgs(alice.address, rebAddress, k("500"), first.packet.id);
    await expect(first.receipt!).not.to.emit(vault, "Released");
    await send(engine.connect(bob).withdrawCollateral(BETA, rebAddress, k("1000"), bob.address));
    await w.relayer.flush();
    expect(await vault.claimable(bob.address, rebAddress)).to.equal(k("1000"));
    await expect(vault.connect(signer(b.chain, "alice")).claim(rebAddress, alice.address))
      .to.be.revertedWithCustomError(vault, "InShortfall")
      .withArgs(rebAddress, k("1800"), k("2000"));
    expect(await reb.balanceOf(await vault.getAddress())).to.equal(k("1800")); // nobody was over-paid

    await send(reb.rebase(k("1")));
    await send(vault.connect(signer(b.chain, "alice")).claim(rebAddress, alice.address));
    await send(vault.connect(signer(b.chain, "carol")).pushClaim(bob.address, rebAddress));
    expect(await reb.balanceOf(alice.address)).to.equal(k("999500"));
    expect(await reb.balanceOf(bob.address)).to.equal(k("1000000"));
    expect(await vault.totalClaimable(rebAddress)).to.equal(0n);
    expect(await vault.totalLocked(rebAddress)).to.equal(k("500"));
  });
});
