/**
 * The SDK against an in-process world: deposits and withdrawals with their fees, borrow / repay (all) / supply,
 * positions checked against the contracts, messages tracked from sending to delivery, errors decoded.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import {
  borrow,
  connect,
  decodeError,
  decodeErrorData,
  describeError,
  deposit,
  getPosition,
  parseAmount,
  quoteDeposit,
  quoteRelease,
  repay,
  supply,
  trackMessage,
  withdrawCollateral,
  withdrawSupply,
  XMarginError,
  type XMargin,
} from "../../sdk";
import { recordOf } from "../../scripts/lib/deployment";
import { ACTORS, advanceAll, refreshFeeds, signer, spoke, type ActorName, type World } from "../../scripts/lib/world";
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

describe("SDK", function () {
  this.timeout(120_000);
  const h = useWorld(supplyLiquidity);

  it("deposits with the quoted fee and follows the envelope from sending to delivery", async () => {
    const w = h.w;
    const xm = await as(w, "alice");
    const alice = signer(w.hub.chain, "alice").address;
    const q = await quoteDeposit(xm, { chain: "alpha", token: "WETH", amount: "2" });
    expect(q.amount).to.equal(parseUnits("2", 18));
    const r = await deposit(xm, { chain: "alpha", token: "weth", amount: "2" });
    expect(r.fee).to.equal(q.fee);
    expect(r.approved).to.equal(true);

    const [sent] = await trackMessage(xm, r.messageId);
    expect(sent.status).to.equal("sent");
    expect(sent.source.chain).to.equal("alpha");
    expect(sent.destination.chain).to.equal("hub");
    expect(sent.message).to.include({ kind: "DEPOSIT", who: alice, amount: parseUnits("2", 18) });
    expect(sent.message!.token!.symbol).to.equal("WETH");
    expect(sent.adapters.map((a) => [a.kind, a.took, a.confirmed])).to.deep.equal([["local", true, false]]);
    const byTx = await trackMessage(xm, r.hash);
    expect(byTx.map((t) => t.id)).to.deep.equal([r.messageId.toLowerCase()]);

    let position = await getPosition(xm);
    expect(position.pending.map((m) => [m.kind, m.from, m.to, m.amount, m.state])).to.deep.equal([
      ["DEPOSIT", "alpha", "hub", parseUnits("2", 18), "in flight"],
    ]);

    await w.relayer.flush();
    const [delivered] = await trackMessage(xm, r.messageId);
    expect(delivered.status).to.equal("delivered");
    expect([delivered.confirmations, delivered.required]).to.deep.equal([1, 1]);
    expect(delivered.adapters[0].confirmed).to.equal(true);
    expect(delivered.deliveredTx).to.be.a("string");
    position = await getPosition(xm);
    expect(position.pending).to.deep.equal([]);
    expect(position.credits.find((c) => c.token.symbol === "WETH")!.amount).to.equal(parseUnits("2", 18));
    xm.close();
  });

  it("reads positions across chains that match the contracts, and borrows up to the borrowing power", async () => {
    const w = h.w;
    const xm = await as(w, "alice");
    const alice = signer(w.hub.chain, "alice").address;
    const { engine, lens } = w.hub.deployment;
    await deposit(xm, { chain: "alpha", token: "WETH", amount: "1.5" });
    await deposit(xm, { chain: "beta", token: "WBTC", amount: "0.1" });
    await deposit(xm, { chain: "beta", token: "USDC.b", amount: "1000" });
    await w.relayer.flush();
    await borrow(xm, { amount: "2500" });

    const p = await getPosition(xm);
    expect(p.account).to.equal(alice);
    for (const c of p.credits) {
      expect(c.amount).to.equal(await engine.collateralOf(alice, c.chainId, c.token.address));
    }
    expect(p.credits.map((c) => `${c.chain} ${c.token.symbol}`)).to.deep.equal([
      "alpha WETH",
      "beta USDC.b",
      "beta WBTC",
    ]);
    expect(p.debt).to.equal(await engine.debtOf(alice));
    expect(p.health).to.equal(await engine.healthFactor(alice));
    expect(p.borrowHealth).to.equal(await engine.borrowHealthFactor(alice));
    expect(p.supplied).to.equal(0n);
    const [, borrowCollateral, debtValue] = await engine.accountValues(alice);
    expect(p.borrowCollateralValue).to.equal(borrowCollateral);
    expect(p.debtValue).to.equal(debtValue);
    expect((await lens.accountView(alice)).liquidatable).to.equal(p.liquidatable);
    // 1.5 WETH · 3000 · 80% + 0.1 WBTC · 60000 · 75% + 1000 · 85% = 8950 USD of borrowing capacity.
    expect(p.borrowCollateralValue).to.equal(parseUnits("8950", 18));
    expect(p.borrowingPower).to.be.closeTo(parseUnits("6450", 6), parseUnits("0.01", 6));

    const tooMuch = await rejection(borrow(xm, { amount: p.borrowingPower + parseUnits("1", 6) }));
    expect(tooMuch.decoded?.name).to.equal("NotHealthy");
    expect(tooMuch.decoded?.args[0]).to.equal(alice);
    expect(tooMuch.message).to.match(/borrow USDC on hub: reverted: NotHealthy\(account=0x/);
    await borrow(xm, { amount: p.borrowingPower - parseUnits("1", 6) });
    expect((await getPosition(xm)).borrowingPower).to.be.lessThan(parseUnits("2", 6));
    xm.close();
  });

  it("repays all of the debt, interest up to the block included, and supplies and withdraws all of a supply", async () => {
    const w = h.w;
    const xm = await as(w, "alice");
    const alice = signer(w.hub.chain, "alice").address;
    const { engine } = w.hub.deployment;
    // 70% utilisation: the debt grows by hundreds of raw units a second, so a repayment of the debt read a block
    // earlier would leave dust (DebtBelowMinimum); "all" must repay what is owed at the block it runs in.
    await deposit(xm, { chain: "alpha", token: "WETH", amount: "400" });
    await w.relayer.flush();
    await borrow(xm, { amount: "700000" });
    await send(w.hub.base.mint(alice, parseUnits("10000", 6)));
    await advanceAll(w, 30 * 86400);
    await refreshFeeds(w);
    const before = await engine.debtOf(alice);
    expect(before).to.be.greaterThan(parseUnits("701000", 6));
    const r = await repay(xm, { amount: "all" });
    expect(r.amount).to.be.greaterThanOrEqual(before);
    expect(await engine.debtOf(alice)).to.equal(0n);
    expect((await getPosition(xm)).debt).to.equal(0n);
    const nothing = await rejection(repay(xm, { amount: "all" }));
    expect(nothing.message).to.match(/no debt to repay/);

    const lender = await as(w, "lender");
    const lenderAddress = signer(w.hub.chain, "lender").address;
    const had = await engine.supplyBalanceOf(lenderAddress);
    await supply(lender, { amount: "1234.5" });
    expect(await engine.supplyBalanceOf(lenderAddress)).to.be.closeTo(had + parseUnits("1234.5", 6), 2n);
    const out = await withdrawSupply(lender, { amount: "all" });
    expect(out.amount).to.be.greaterThanOrEqual(had + parseUnits("1234.5", 6) - 2n);
    expect(await engine.supplyBalanceOf(lenderAddress)).to.equal(0n);
    xm.close();
    lender.close();
  });

  it("withdraws with the quoted release fee; a RELEASE held by a paused route shows as held, then delivered", async () => {
    const w = h.w;
    const xm = await as(w, "alice");
    const alice = signer(w.hub.chain, "alice").address;
    await deposit(xm, { chain: "alpha", token: "WETH", amount: "1" });
    await w.relayer.flush();
    const fee = await quoteRelease(xm, "alpha");
    const r = await withdrawCollateral(xm, { chain: "alpha", token: "WETH", amount: "0.25" });
    expect(r.fee).to.equal(fee);
    expect((await getPosition(xm)).pending.map((m) => [m.kind, m.from, m.to, m.amount])).to.deep.equal([
      ["RELEASE", "hub", "alpha", parseUnits("0.25", 18)],
    ]);
    const alpha = spoke(w, "alpha");
    await send(alpha.deployment.messenger.pauseRoute(w.hub.chain.chainId));
    await w.relayer.flush();
    const [held] = await trackMessage(xm, r.messageId);
    expect(held.status).to.equal("held");
    expect(held.retryableAt).to.be.greaterThan(0n);
    expect(held.message).to.include({ kind: "RELEASE", who: alice, amount: parseUnits("0.25", 18) });
    expect((await getPosition(xm)).pending.map((m) => m.state)).to.deep.equal(["stored"]);

    await send(alpha.deployment.messenger.unpauseRoute(w.hub.chain.chainId));
    const before = await alpha.tokens.WETH.balanceOf(alice);
    await send(alpha.deployment.messenger.retry(held.encoded!));
    const [done] = await trackMessage(xm, r.messageId);
    expect(done.status).to.equal("delivered");
    expect((await alpha.tokens.WETH.balanceOf(alice)) - before).to.equal(parseUnits("0.25", 18));
    xm.close();
  });

  it("decodes contract errors to their name and arguments and refuses malformed amounts", async () => {
    const w = h.w;
    const xm = await as(w, "bob");
    const bob = signer(w.hub.chain, "bob").address;
    const weth = await spoke(w, "alpha").tokens.WETH.getAddress();
    const e = await rejection(withdrawCollateral(xm, { chain: "alpha", token: "WETH", amount: "1" }));
    expect(e.decoded?.name).to.equal("InsufficientCollateral");
    expect(e.decoded?.args).to.deep.equal([bob, ALPHA, weth, 0n, parseUnits("1", 18)]);
    expect(e.decoded?.named.requested).to.equal(parseUnits("1", 18));

    const adapter = w.hub.deployment.adapter;
    const data = adapter.interface.encodeErrorResult("NotRelayer", [bob]);
    expect(data.slice(0, 10)).to.equal("0x366b2e5a");
    expect(decodeErrorData(data)?.text).to.equal(`NotRelayer(caller=${bob})`);
    expect(decodeErrorData("0x12345678")).to.equal(undefined);
    expect(decodeError({ error: { message: `execution reverted (data="${data}")` } })?.name).to.equal("NotRelayer");
    expect(describeError({ shortMessage: "could not coalesce error" })).to.equal("could not coalesce error");

    expect(parseAmount("1.5", 6)).to.equal(1_500_000n);
    expect(parseAmount(".5", 18)).to.equal(parseUnits("0.5", 18));
    expect(() => parseAmount("1.2.3", 6)).to.throw(/not a decimal number/);
    expect(() => parseAmount("-5", 6)).to.throw(/not a decimal number/);
    expect(() => parseAmount("0.0000001", 6)).to.throw(/7 decimals; the token has 6/);
    expect(() => parseAmount("0", 6)).to.throw(/more than zero/);
    const unknown = await rejection(deposit(xm, { chain: "alpha", token: "DOGE", amount: "1" }));
    expect(unknown.message).to.equal('no token "DOGE" on alpha (WETH)');
    xm.close();
  });
});
