/**
 * The asynchronous liquidation paradox, small (the full run is `npm run bench:liquidation`): the same accounts and
 * price fall liquidated (a) today's way, by a release liquidator with finite capital and 20-minute messages, and
 * (b) by absorb with no capital plus buyers of the inventory, with one source chain's bridge halted throughout.
 * What issue 12 expects: with the halt, (b) loses no more than (a) and needs no liquidator capital, while (a)'s
 * capital is stuck behind the halted bridge.
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
    const badA = a.badDebtWrittenOff + a.badDebtOpen;
    const badB = b.badDebtWrittenOff + b.badDebtOpen;
    expect(badB <= badA, `bad debt (b) ${badB} > (a) ${badA}`).to.equal(true);
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
