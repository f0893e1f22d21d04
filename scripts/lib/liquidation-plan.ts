/**
 * The liquidator's decision, as a pure function of what the hub quoted: per liquidatable account, which mode
 * (`liquidate` with a RELEASE, `liquidateToAccount`, or `absorb`) and which position earn the most after gas and
 * the message fee, all in raw base units. No chain access here, so every branch is unit-tested without one; the
 * keeper (liquidator.ts) reads the quotes and executes the choice.
 *
 *   release: seized·price·(1 − haircut) − (repaid + protocolFee) − gas·gasPrice − RELEASE fee
 *   account: seized·price·(1 − haircut) − (repaid + protocolFee) − gas·gasPrice   (no message)
 *   absorb:  absorbReward − gas·gasPrice                                          (needs no base)
 *
 * Size: the hub caps a repayment at what brings the account back to its target health, and the seized value grows
 * with the repayment at a fixed bonus, so the most profitable size is the largest the hub allows within the
 * keeper's base: the quotes are made with `available` (see {@link repayWithin}).
 */

export type LiquidationMode = "release" | "account" | "absorb";
export type ModeFlag = LiquidationMode | "auto";

export const MODES: readonly ModeFlag[] = ["auto", "release", "account", "absorb"];

/**
 * Gas of each action for the decision (gas-snapshot.json, 1 position, rounded up: `hub.liquidate.1pos` 140k plus the
 * bridges' share of the RELEASE, `hub.liquidate.toAccount.first` 158k, `hub.absorb.1pos` 176k). The action chosen is
 * estimated again when sent.
 */
export const DEFAULT_GAS: Record<LiquidationMode, bigint> = {
  release: 180_000n,
  account: 160_000n,
  absorb: 180_000n,
};

const BPS = 10_000n;

/** What `previewLiquidation` returned (raw units: base for repaid and fee, collateral for seized). */
export interface LiquidationQuoteIn {
  repaid: bigint;
  protocolFee: bigint;
  seized: bigint;
  bonusBps: bigint;
}

/** One listed position of the account, with the hub's quote of liquidating it (or why it cannot be). */
export interface PositionIn {
  chainId: bigint;
  asset: string;
  /** Hub price of one raw unit, 1e18-normalised (`IPriceOracle.getPrice`). */
  price: bigint;
  quote?: LiquidationQuoteIn;
  /** Decoded revert of the preview, when it failed. */
  error?: string;
  /** Native fee of a RELEASE to `chainId` (`quoteRelease`). */
  releaseFee: bigint;
}

export interface PlanInput {
  account: string;
  mode: ModeFlag;
  /** Hub price of one raw base unit, 1e18-normalised. */
  basePrice: bigint;
  /** Wei per gas. */
  gasPrice: bigint;
  /** Raw base units per 1e18 wei (1 ETH), or undefined when unknown: then gas and fees count zero (logged). */
  nativePrice?: bigint;
  gas?: Partial<Record<LiquidationMode, bigint>>;
  /** What the keeper expects to lose realising seized collateral (basis points of its value). */
  haircutBps: bigint;
  /** Skip an action earning less than this (raw base units). */
  minProfit: bigint;
  /** The keeper's base (what repayments may use). */
  available: bigint;
  positions: PositionIn[];
  /** `previewAbsorb(account).reward`, or the preview's decoded revert. */
  absorb?: { reward: bigint } | { error: string };
}

/** One evaluated action, every figure in raw base units except `seized` (raw collateral units). */
export interface Candidate {
  account: string;
  mode: LiquidationMode;
  chainId?: bigint;
  asset?: string;
  repaid: bigint;
  protocolFee: bigint;
  seized: bigint;
  bonusBps: bigint;
  /** Seized collateral after the haircut, in base. */
  value: bigint;
  gas: bigint;
  gasCost: bigint;
  /** RELEASE fee in base (release mode only). */
  fee: bigint;
  /** Native RELEASE fee, paid as msg.value. */
  nativeFee: bigint;
  profit: bigint;
}

export interface Plan {
  account: string;
  /** The action to execute, or undefined: skip (see `reason`). */
  chosen?: Candidate;
  /** Every action evaluated, best first. */
  candidates: Candidate[];
  /** Why nothing was chosen, or what was left out. */
  reason?: string;
}

/** Raw `amount` of an asset priced `price` (1e18-normalised), in raw base units (rounded down). */
export function toBase(amount: bigint, price: bigint, basePrice: bigint): bigint {
  return basePrice === 0n ? 0n : (amount * price) / basePrice;
}

/** Wei in raw base units at `nativePrice` (raw base per 1e18 wei); zero when the price is unknown. */
export function nativeToBase(wei: bigint, nativePrice?: bigint): bigint {
  return nativePrice === undefined ? 0n : (wei * nativePrice) / 10n ** 18n;
}

/**
 * The repayment to ask the hub for when the keeper holds `available` base and a first quote at `available` asked
 * for `repaid + protocolFee`: the liquidator pays the fee on top of the repayment, so scale down to fit (the fee is
 * proportional to the repayment at a given bonus). Returns `available` when it already fits.
 */
export function repayWithin(available: bigint, quote: { repaid: bigint; protocolFee: bigint }): bigint {
  const cost = quote.repaid + quote.protocolFee;
  if (cost <= available || cost === 0n) return quote.repaid < available ? quote.repaid : available;
  return (available * quote.repaid) / cost;
}

function gasOf(input: PlanInput, mode: LiquidationMode): bigint {
  return input.gas?.[mode] ?? DEFAULT_GAS[mode];
}

/** Every action the mode flag allows on this account, with its profit. */
export function candidates(input: PlanInput): { list: Candidate[]; notes: string[] } {
  const list: Candidate[] = [];
  const notes: string[] = [];
  const want = (m: LiquidationMode) => input.mode === "auto" || input.mode === m;
  for (const p of input.positions) {
    if (!want("release") && !want("account")) break;
    if (p.error || !p.quote) {
      notes.push(`chain ${p.chainId} ${p.asset}: ${p.error ?? "no quote"}`);
      continue;
    }
    const q = p.quote;
    if (q.repaid === 0n || q.seized === 0n) {
      notes.push(`chain ${p.chainId} ${p.asset}: nothing to repay`);
      continue;
    }
    if (q.repaid + q.protocolFee > input.available) {
      notes.push(`chain ${p.chainId} ${p.asset}: needs ${q.repaid + q.protocolFee} base, holds ${input.available}`);
      continue;
    }
    const gross = toBase(q.seized, p.price, input.basePrice);
    const value = gross - (gross * input.haircutBps) / BPS;
    for (const mode of ["release", "account"] as const) {
      if (!want(mode)) continue;
      const gas = gasOf(input, mode);
      const gasCost = nativeToBase(gas * input.gasPrice, input.nativePrice);
      const nativeFee = mode === "release" ? p.releaseFee : 0n;
      const fee = nativeToBase(nativeFee, input.nativePrice);
      list.push({
        account: input.account,
        mode,
        chainId: p.chainId,
        asset: p.asset,
        repaid: q.repaid,
        protocolFee: q.protocolFee,
        seized: q.seized,
        bonusBps: q.bonusBps,
        value,
        gas,
        gasCost,
        fee,
        nativeFee,
        profit: value - q.repaid - q.protocolFee - gasCost - fee,
      });
    }
  }
  if (want("absorb") && input.absorb) {
    if ("error" in input.absorb) notes.push(`absorb: ${input.absorb.error}`);
    else {
      const gas = gasOf(input, "absorb");
      const gasCost = nativeToBase(gas * input.gasPrice, input.nativePrice);
      list.push({
        account: input.account,
        mode: "absorb",
        repaid: 0n,
        protocolFee: 0n,
        seized: 0n,
        bonusBps: 0n,
        value: input.absorb.reward,
        gas,
        gasCost,
        fee: 0n,
        nativeFee: 0n,
        profit: input.absorb.reward - gasCost,
      });
    }
  }
  return { list, notes };
}

/** Orders candidates: higher profit first; on a tie, no message beats a message and a liquidation beats absorb. */
function better(a: Candidate, b: Candidate): number {
  if (a.profit !== b.profit) return a.profit > b.profit ? -1 : 1;
  const rank: Record<LiquidationMode, number> = { account: 0, release: 1, absorb: 2 };
  return rank[a.mode] - rank[b.mode];
}

/** The most profitable action on `input.account`, or a skip with the reason (all candidates kept for the log). */
export function planLiquidation(input: PlanInput): Plan {
  const { list, notes } = candidates(input);
  list.sort(better);
  const best = list[0];
  const plan: Plan = { account: input.account, candidates: list };
  if (!best) {
    plan.reason = notes.length ? `no action: ${notes.join("; ")}` : `no action allowed by --mode ${input.mode}`;
    return plan;
  }
  if (best.profit <= 0n || best.profit < input.minProfit) {
    plan.reason = `unprofitable: best is ${best.mode} at ${best.profit} base (minimum ${input.minProfit}, above 0)`;
    return plan;
  }
  plan.chosen = best;
  if (notes.length) plan.reason = notes.join("; ");
  return plan;
}

/** What buying inventory would earn: its value after the haircut, less the base charged and the gas. */
export interface BuyIn {
  chainId: bigint;
  asset: string;
  /** `quoteBuyCollateral(chainId, asset, available)`. */
  amount: bigint;
  baseCharged: bigint;
  price: bigint;
}

export interface BuyPlan extends BuyIn {
  value: bigint;
  gasCost: bigint;
  profit: bigint;
  buy: boolean;
}

/** Gas of `buyCollateral` for the decision (`hub.buyCollateral` 93k, rounded up). */
export const DEFAULT_BUY_GAS = 100_000n;

/** Whether the inventory's discount beats gas (and the minimum profit). */
export function planBuy(
  q: BuyIn,
  ctx: {
    basePrice: bigint;
    gasPrice: bigint;
    nativePrice?: bigint;
    haircutBps: bigint;
    minProfit: bigint;
    gas?: bigint;
  },
): BuyPlan {
  const gross = toBase(q.amount, q.price, ctx.basePrice);
  const value = gross - (gross * ctx.haircutBps) / BPS;
  const gasCost = nativeToBase((ctx.gas ?? DEFAULT_BUY_GAS) * ctx.gasPrice, ctx.nativePrice);
  const profit = value - q.baseCharged - gasCost;
  return { ...q, value, gasCost, profit, buy: q.amount > 0n && profit >= ctx.minProfit && profit > 0n };
}
