/**
 * The SDK's liquidation actions against an in-process world: liquidate with a RELEASE, liquidate to the hub account
 * (no message), absorb with no base, buy the absorbed inventory; each against its quote, and failures decoded.
 */
import { expect } from "chai";
import { ZeroHash, parseUnits } from "ethers";
import {
  absorb,
  buyCollateral,
  connect,
  liquidate,
  liquidateToAccount,
  previewAbsorb,
  previewLiquidation,
  quoteBuyCollateral,
  XMarginError,
  type XMargin,
} from "../../sdk";
import { recordOf } from "../../scripts/lib/deployment";
import { ACTORS, deposit, signer, type ActorName, type World } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { supplyLiquidity, useWorld } from "../helpers/world";

const ALPHA = 31338n;

async function as(w: World, actor: ActorName): Promise<XMargin> {
  return connect(recordOf(w, {}), {
    providers: Object.fromEntries(w.chains.map((c) => [c.name, c.provider])),
    account: ACTORS[actor],
  });
}

async function rejection(p: Promise<unknown>): Promise<XMarginError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(XMarginError);
    return e as XMarginError;
  }
  throw new Error("expected a rejection");
}

/** Alice: 10 WETH on alpha, 20,000 USDC borrowed, then WETH at 2,300: health 0.9775, liquidatable. */
async function unhealthyAlice(w: World): Promise<string> {
  const alice = signer(w.hub.chain, "alice");
  await deposit(w, "alpha", "alice", "WETH", parseUnits("10", 18));
  await w.relayer.flush();
  await send(w.hub.deployment.engine.connect(alice).borrow(parseUnits("20000", 6), alice.address));
  await send(w.feeds.WETH.updateAnswer(2_300n * 10n ** 8n));
  return alice.address;
}

describe("SDK: liquidation actions", function () {
  this.timeout(120_000);
  const h = useWorld(supplyLiquidity);

  it("previewLiquidation, then liquidateToAccount: the seized WETH becomes the liquidator's hub credit, no message", async () => {
    const w = h.w;
    const alice = await unhealthyAlice(w);
    const xm = await as(w, "liquidator");
    const me = signer(w.hub.chain, "liquidator").address;
    const q = await previewLiquidation(xm, { account: alice, chain: "alpha", token: "WETH" });
    expect(q.source).to.equal("alpha");
    expect(q.repaid > 0n && q.seized > 0n).to.equal(true);
    expect(q.bonusBps > 0n).to.equal(true);
    const r = await liquidateToAccount(xm, { account: alice, chain: "alpha", token: "weth" });
    expect(r.chain).to.equal("hub");
    expect(r.messageId).to.equal(ZeroHash);
    expect(r.fee).to.equal(0n);
    expect(r.recipient).to.equal(me);
    expect(r.repaid).to.equal(q.repaid);
    expect(r.seized >= (q.seized * 9950n) / 10_000n).to.equal(true);
    const weth = await w.spokes[0].tokens.WETH.getAddress();
    expect(await w.hub.deployment.engine.collateralOf(me, ALPHA, weth)).to.equal(r.seized);
    expect(await w.hub.deployment.engine.isLiquidatable(alice)).to.equal(false);
  });

  it("liquidate releases on the source chain and pays the fee; a minSeized above the quote is refused decoded", async () => {
    const w = h.w;
    const alice = await unhealthyAlice(w);
    const xm = await as(w, "liquidator");
    const q = await previewLiquidation(xm, { account: alice, chain: "alpha", token: "WETH", repay: "1000" });
    expect(q.repaid).to.equal(parseUnits("1000", 6));
    const tooMuch = await rejection(
      liquidate(xm, { account: alice, chain: "alpha", token: "WETH", repay: "1000", minSeized: q.seized + 1n }),
    );
    expect(tooMuch.message).to.match(/SeizeBelowMinimum/);
    const r = await liquidate(xm, { account: alice, chain: "alpha", token: "WETH", repay: "1000" });
    expect(r.messageId).to.not.equal(ZeroHash);
    expect(r.fee).to.equal(await w.hub.deployment.engine.quoteRelease(ALPHA));
    expect(r.repaid).to.equal(parseUnits("1000", 6));
    const weth = w.spokes[0].tokens.WETH;
    const before = await weth.balanceOf(r.recipient);
    await w.relayer.flush();
    expect(await weth.balanceOf(r.recipient)).to.equal(before + r.seized);
  });

  it("absorb with no base (reward to the caller's supply), then buyCollateral of the inventory at its quote", async () => {
    const w = h.w;
    const alice = await unhealthyAlice(w);
    const keeper = await as(w, "treasury"); // holds no base
    expect(await w.hub.base.balanceOf(signer(w.hub.chain, "treasury").address)).to.equal(0n);
    const p = await previewAbsorb(keeper, alice);
    expect(p.debt > 0n && p.reward > 0n).to.equal(true);
    const r = await absorb(keeper, { accounts: [alice, signer(w.hub.chain, "bob").address] });
    expect(r.absorbed.map((a) => a.account)).to.deep.equal([alice]); // bob has no debt: skipped
    expect(r.absorbed[0].debt).to.be.at.least(p.debt);
    expect(r.reward).to.equal(p.reward);
    expect(await w.hub.deployment.engine.debtOf(alice)).to.equal(0n);

    const buyer = await as(w, "liquidator");
    const q = await quoteBuyCollateral(buyer, { chain: "alpha", token: "WETH", baseAmount: "1000" });
    expect(q.baseCharged).to.equal(parseUnits("1000", 6));
    const b = await buyCollateral(buyer, { chain: "alpha", token: "WETH", baseAmount: "1000" });
    expect(b.amount).to.equal(q.amount);
    expect(b.baseCharged).to.equal(q.baseCharged);
    const weth = await w.spokes[0].tokens.WETH.getAddress();
    expect(await w.hub.deployment.engine.collateralOf(b.recipient, ALPHA, weth)).to.equal(b.amount);
  });

  it("failures decoded: absorbing a healthy account, buying what is not for sale, liquidating a healthy one", async () => {
    const w = h.w;
    const xm = await as(w, "liquidator");
    const bob = signer(w.hub.chain, "bob").address;
    expect((await rejection(absorb(xm, { accounts: [bob] }))).message).to.match(/NothingToAbsorb/);
    expect((await rejection(absorb(xm, { accounts: [] }))).message).to.match(/no account given/);
    expect((await rejection(buyCollateral(xm, { chain: "alpha", token: "WETH", baseAmount: "10" }))).message).to.match(
      /NotForSale/,
    );
    expect((await rejection(liquidateToAccount(xm, { account: bob, chain: "alpha", token: "WETH" }))).message).to.match(
      /NotLiquidatable|NothingToRepay|preview/,
    );
  });
});
