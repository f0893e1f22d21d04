/**
 * The asynchronous liquidation paradox, small (the full run is `npm run bench:liquidation`): the same accounts and
 * price fall liquidated (a) today's way, by a release liquidator with finite capital and 20-minute messages, and
 * (b) by absorb with no capital plus buyers of the inventory, with one source chain's bridge halted throughout.
 * What issue 12 expects: with the halt, (b) loses no more than (a) and needs no liquidator capital, while (a)'s
 * capital is stuck behind the halted bridge and accounts stay open.
 */
import { expect } from "chai";
import hre from "hardhat";
import { DEFAULT_PARADOX, RUNS, runParadox, type RunResult } from "../../scripts/lib/paradox";

describe("the liquidation paradox (small bench:liquidation)", function () {
  this.timeout(600_000);
  let results: RunResult[];

  before(async () => {
    ({ results } = await runParadox(
      hre,
      { ...DEFAULT_PARADOX, accounts: 10, steps: 3, fall: 0.45, ticksPerHour: 3 },
      RUNS.filter((r) => r.halted),
    ));
  });

  it("with one bridge halted, absorbing needs no liquidator capital and loses no more than releasing", () => {
    const [a, b] = results;
    expect(a.mode).to.equal("a");
    expect(b.mode).to.equal("b");
    expect(a.unhealthy).to.be.greaterThan(0);
    expect(b.peakCapital).to.equal(0n);
    expect(b.absorbed).to.be.greaterThan(0);
    // Bad debt as the lending side's whole loss (absorb's write-off keeps the collateral, so it is not comparable
    // with a liquidation's): lenders + reserves − inventory at final prices + what open accounts still owe.
    expect(b.netLoss <= a.netLoss, `net loss (b) ${b.netLoss} > (a) ${a.netLoss}`).to.equal(true);
    expect(b.badDebtOpen).to.equal(0n);
    expect(a.closed).to.be.lessThan(a.unhealthy); // (a) ran out of capital behind the halted bridge
    // (b) closes every account that became unhealthy, on the hub, in the tick it was seen.
    expect(b.closed).to.equal(b.unhealthy);
    expect(b.maxCloseMin).to.equal(0);
  });

  it("(a) releases over the halted bridge never come back: the liquidator's capital is stuck there", () => {
    const [a] = results;
    expect(a.liquidations).to.be.greaterThan(0);
    expect(a.capitalStuck > 0n).to.equal(true);
    expect(a.peakCapital > 0n).to.equal(true);
  });
});
