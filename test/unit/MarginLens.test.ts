import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { ALPHA, BETA, hubFixture, credit, usdc } from "../helpers/hub";

describe("MarginLens", () => {
  async function accounts() {
    const f = await hubFixture();
    const { engine } = f.hub;
    await engine.connect(f.lender).supplyBase(usdc("1000000"), f.lender.address);
    await credit(f, f.alice.address, "WETH", parseUnits("1", 18));
    await credit(f, f.alice.address, "USDC.b", usdc("100"));
    await engine.connect(f.alice).borrow(usdc("2400"), f.alice.address);
    await credit(f, f.bob.address, "WBTC", parseUnits("1", 8));
    await engine.connect(f.bob).borrow(usdc("1000"), f.bob.address);
    return f;
  }

  it("reports debt and health of many accounts in one call, and which are liquidatable", async () => {
    const f = await loadFixture(accounts);
    const { lens, engine } = f.hub;
    await f.assets.WETH.feed.updateAnswer(2700n * 10n ** 8n); // 2700 * 85% + 100 * 90% = 2385 < 2400
    const list = [f.alice.address, f.bob.address, f.other.address];
    const views = await lens.accounts(list);
    expect(views.map((v) => v.account)).to.deep.equal(list);
    expect(views[0].debt).to.equal(await engine.debtOf(f.alice.address));
    expect(views[0].health).to.equal(await engine.healthFactor(f.alice.address));
    expect(views[0].borrowHealth).to.equal(await engine.borrowHealthFactor(f.alice.address));
    expect(views[0].liquidatable).to.equal(true);
    expect(views[1].liquidatable).to.equal(false);
    expect(views[2].health).to.equal(MaxUint256);
    expect(await lens.liquidatable(list)).to.deep.equal([f.alice.address]);
  });

  it("flags an account whose price is stale instead of failing the batch", async () => {
    const f = await loadFixture(accounts);
    const { lens } = f.hub;
    await time.increase(3601);
    await f.assets.WBTC.feed.updateAnswer(60000n * 10n ** 8n);
    await f.baseFeed.updateAnswer(10n ** 8n);
    const [alice, bob] = await lens.accounts([f.alice.address, f.bob.address]);
    expect(alice.priceError).to.equal(true); // WETH feed is stale
    expect(alice.liquidatable).to.equal(false);
    expect(bob.priceError).to.equal(false);
  });

  it("lists an account's positions with their chains and amounts", async () => {
    const f = await loadFixture(accounts);
    const positions = await f.hub.lens.positions(f.alice.address);
    expect(positions.map((p) => [p.marketId, p.chainId, p.asset, p.amount])).to.deep.equal([
      [0n, ALPHA, f.assets.WETH.address, parseUnits("1", 18)],
      [2n, BETA, f.assets["USDC.b"].address, usdc("100")],
    ]);
    const [liq, borrow, debtValue] = await f.hub.engine.accountValues(f.alice.address);
    expect(liq).to.equal(parseUnits("2550", 18) + parseUnits("90", 18));
    expect(borrow).to.equal(parseUnits("2400", 18) + parseUnits("85", 18));
    expect(debtValue).to.be.closeTo(parseUnits("2400", 18), parseUnits("0.01", 18));
  });
});
