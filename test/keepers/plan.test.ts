/**
 * The liquidator's decision without a chain: every branch of {@link planLiquidation} (mode, size, skip) and of
 * {@link planBuy}, on quotes shaped like the hub's. Prices are 1e18-normalised per raw unit as `getPrice` returns
 * them: base (6 decimals) at $1, WETH (18 decimals) at $2,000.
 */
import { expect } from "chai";
import {
  candidates,
  nativeToBase,
  planBuy,
  planLiquidation,
  repayWithin,
  toBase,
  type PlanInput,
  type PositionIn,
} from "../../scripts/lib/liquidation-plan";

const E18 = 10n ** 18n;
/** $1 per raw base unit of 6 decimals, normalised: 1e18 * 1e18 / 1e6. */
const BASE_PRICE = 10n ** 30n;
/** $2,000 per WETH (18 decimals): 2000 * 1e18 per 1e18 raw units. */
const WETH_PRICE = 2_000n * E18;
/** Raw base per ETH at $2,000. */
const NATIVE_PRICE = 2_000n * 10n ** 6n;
const ALPHA = 31338n;
const WETH = "0x00000000000000000000000000000000000000e1";
const ACCOUNT = "0x00000000000000000000000000000000000000a1";

/** Repays 1,000 base and seizes 0.5 WETH + bonus ($1,050 at 5%), protocol fee 5 base. */
function position(over: Partial<PositionIn> = {}): PositionIn {
  return {
    chainId: ALPHA,
    asset: WETH,
    price: WETH_PRICE,
    releaseFee: 10n ** 15n, // 0.001 ETH = 2 base
    quote: { repaid: 1_000n * 10n ** 6n, protocolFee: 5n * 10n ** 6n, seized: 525n * 10n ** 15n, bonusBps: 500n },
    ...over,
  };
}

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    account: ACCOUNT,
    mode: "auto",
    basePrice: BASE_PRICE,
    gasPrice: 10n ** 9n, // 1 gwei: 100k gas = 0.0001 ETH = 0.2 base
    nativePrice: NATIVE_PRICE,
    gas: { release: 200_000n, account: 100_000n, absorb: 150_000n },
    haircutBps: 0n,
    minProfit: 0n,
    available: 10_000n * 10n ** 6n,
    positions: [position()],
    absorb: { reward: 10n * 10n ** 6n },
    ...over,
  };
}

describe("keepers: the liquidator's decision (pure)", () => {
  it("values in base: collateral at the hub's prices, gas and fees through the native price", () => {
    expect(toBase(525n * 10n ** 15n, WETH_PRICE, BASE_PRICE)).to.equal(1_050n * 10n ** 6n);
    expect(nativeToBase(10n ** 15n, NATIVE_PRICE)).to.equal(2n * 10n ** 6n);
    expect(nativeToBase(10n ** 15n, undefined)).to.equal(0n);
  });

  it("auto: the liquidation kept on the hub beats the one released (same seize, no fee, less gas) and the absorb", () => {
    const plan = planLiquidation(input());
    expect(plan.chosen?.mode).to.equal("account");
    // 1,050 - 1,000 - 5 - 0.2 (100k gas at 1 gwei, $2,000/ETH)
    expect(plan.chosen?.profit).to.equal(44_800_000n);
    const release = plan.candidates.find((c) => c.mode === "release")!;
    // 1,050 - 1,005 - 0.4 gas - 2 fee
    expect(release.profit).to.equal(42_600_000n);
    expect(release.fee).to.equal(2_000_000n);
    expect(release.nativeFee).to.equal(10n ** 15n);
    const absorb = plan.candidates.find((c) => c.mode === "absorb")!;
    expect(absorb.profit).to.equal(10_000_000n - 300_000n);
    expect(plan.candidates.map((c) => c.mode)).to.deep.equal(["account", "release", "absorb"]);
  });

  it("--mode release, account, absorb: only that mode is evaluated", () => {
    expect(planLiquidation(input({ mode: "release" })).candidates.map((c) => c.mode)).to.deep.equal(["release"]);
    expect(planLiquidation(input({ mode: "account" })).candidates.map((c) => c.mode)).to.deep.equal(["account"]);
    const absorb = planLiquidation(input({ mode: "absorb" }));
    expect(absorb.candidates.map((c) => c.mode)).to.deep.equal(["absorb"]);
    expect(absorb.chosen?.mode).to.equal("absorb");
  });

  it("auto with no base: the liquidations are left out (named) and the absorb is chosen", () => {
    const plan = planLiquidation(input({ available: 0n }));
    expect(plan.chosen?.mode).to.equal("absorb");
    expect(plan.reason).to.match(/needs 1005000000 base, holds 0/);
  });

  it("auto: the absorb wins when its reward beats the liquidation's profit", () => {
    const plan = planLiquidation(input({ absorb: { reward: 100n * 10n ** 6n } }));
    expect(plan.chosen?.mode).to.equal("absorb");
  });

  it("picks the most profitable position of several", () => {
    const small = position({
      asset: "0x00000000000000000000000000000000000000e2",
      quote: { repaid: 100n * 10n ** 6n, protocolFee: 0n, seized: 52n * 10n ** 15n, bonusBps: 400n },
    });
    const plan = planLiquidation(input({ positions: [small, position()], absorb: undefined }));
    expect(plan.chosen?.asset).to.equal(WETH);
  });

  it("the haircut lowers the seized value: a thin bonus becomes unprofitable and is skipped", () => {
    const plan = planLiquidation(input({ haircutBps: 500n, absorb: undefined }));
    expect(plan.chosen).to.equal(undefined);
    expect(plan.reason).to.match(/unprofitable: best is account at -7700000 base/);
  });

  it("gas dearer than the bonus: skipped", () => {
    const plan = planLiquidation(input({ gasPrice: 10n ** 12n, absorb: undefined }));
    expect(plan.chosen).to.equal(undefined);
    expect(plan.reason).to.match(/^unprofitable/);
  });

  it("--min-profit: a profitable action below it is skipped", () => {
    expect(planLiquidation(input({ minProfit: 50n * 10n ** 6n, absorb: undefined })).chosen).to.equal(undefined);
    expect(planLiquidation(input({ minProfit: 40n * 10n ** 6n, absorb: undefined })).chosen?.mode).to.equal("account");
  });

  it("a preview that reverted, or one with nothing to repay, is named and left out", () => {
    const plan = planLiquidation(
      input({
        positions: [
          position({ quote: undefined, error: "NotLiquidatable(0xa1)" }),
          position({ quote: { repaid: 0n, protocolFee: 0n, seized: 0n, bonusBps: 0n } }),
        ],
        absorb: { error: "NotLiquidatable(0xa1)" },
      }),
    );
    expect(plan.chosen).to.equal(undefined);
    expect(plan.reason).to.match(/NotLiquidatable.*nothing to repay.*absorb: NotLiquidatable/);
  });

  it("an unknown native price counts gas and fees as zero (the keeper warns)", () => {
    const list = candidates(input({ nativePrice: undefined })).list;
    expect(list.every((c) => c.gasCost === 0n && c.fee === 0n)).to.equal(true);
  });

  it("size: the repayment is scaled down so that repaid + protocol fee fits the keeper's base", () => {
    expect(repayWithin(1_000n, { repaid: 500n, protocolFee: 5n })).to.equal(500n);
    expect(repayWithin(1_000n, { repaid: 1_000n, protocolFee: 10n })).to.equal(990n);
    expect(repayWithin(1_000n, { repaid: 0n, protocolFee: 0n })).to.equal(0n);
  });

  it("buy inventory only when the discount beats gas", () => {
    const ctx = {
      basePrice: BASE_PRICE,
      gasPrice: 10n ** 9n,
      nativePrice: NATIVE_PRICE,
      haircutBps: 0n,
      minProfit: 0n,
    };
    const q = { chainId: ALPHA, asset: WETH, amount: 10n ** 18n, baseCharged: 1_990n * 10n ** 6n, price: WETH_PRICE };
    const yes = planBuy(q, ctx);
    expect(yes.buy).to.equal(true);
    expect(yes.profit).to.equal(10n * 10n ** 6n - 200_000n);
    expect(planBuy(q, { ...ctx, gasPrice: 10n ** 11n }).buy).to.equal(false);
    expect(planBuy({ ...q, amount: 0n, baseCharged: 0n }, ctx).buy).to.equal(false);
  });
});
