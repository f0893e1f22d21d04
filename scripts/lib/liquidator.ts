/**
 * Liquidation routine shared by the keeper script and the demo: finds liquidatable accounts with the lens,
 * picks each one's most valuable listed position, previews the liquidation and executes it with a slippage
 * guard, paying the RELEASE fee so the seized collateral is sent to the liquidator's recipient on its chain.
 */
import { MaxUint256, type Signer } from "ethers";
import { IERC20__factory, type IERC20, type IMarginHub, type MarginLens } from "../../typechain-types";
import { describeError } from "./errors";
import type { Logger } from "./relayer";
import { queryRange } from "./events";
import { withGasMargin } from "../../sdk/actions";
import {
  planBuy,
  planLiquidation,
  repayWithin,
  type BuyPlan,
  type Candidate,
  type LiquidationMode,
  type ModeFlag,
  type Plan,
  type PlanInput,
  type PositionIn,
} from "./liquidation-plan";

export interface LiquidatorConfig {
  /** Pays the repayments and fees, and signs. */
  signer: Signer;
  engine: IMarginHub;
  lens: MarginLens;
  base: IERC20;
  /** Where seized collateral should be released on `chainId`. */
  recipient: (chainId: bigint) => string;
  /** Accept up to this much less collateral than previewed (basis points). Default 50. */
  slippageBps?: number;
  log?: Logger;
}

export interface LiquidationResult {
  account: string;
  chainId: bigint;
  asset: string;
  repaid: bigint;
  protocolFee: bigint;
  seized: bigint;
  txHash?: string;
  error?: string;
}

/** Accounts that ever borrowed, from the engine's Borrowed events. */
export async function discoverBorrowers(engine: IMarginHub, fromBlock = 0): Promise<string[]> {
  const events = await queryRange(
    engine.runner!.provider!,
    (from, to) => engine.queryFilter(engine.filters.Borrowed(), from, to),
    fromBlock,
  );
  return [...new Set(events.map((e) => e.args.account))];
}

/** What {@link liquidateAccount} needs: the engine and lens connected to the signer who pays. */
export interface AccountLiquidation {
  signer: Signer;
  engine: IMarginHub;
  lens: MarginLens;
  recipient: (chainId: bigint) => string;
  slippageBps?: number;
}

/**
 * Liquidates `account`'s most valuable listed position (the one that covers the largest repayment) with a
 * slippage guard, paying the RELEASE fee. Values positions with the lens's own view of the engine's prices
 * (prices read from the engine, in one batch). Undefined when the account has no position. A revert is
 * returned decoded in `error`, never thrown.
 */
export async function liquidateAccount(
  cfg: AccountLiquidation,
  account: string,
): Promise<LiquidationResult | undefined> {
  const engine = cfg.engine.connect(cfg.signer);
  const positions = await cfg.lens.positions(account);
  if (!positions.length) return undefined;
  // Most valuable position first: it covers the largest repayment. Prices read all in flight.
  const prices = await Promise.all(positions.map((p) => cfg.engine.getPrice(p.chainId, p.asset).catch(() => 0n)));
  let best = 0;
  for (let i = 1; i < positions.length; i++) {
    if (positions[i].amount * prices[i] > positions[best].amount * prices[best]) best = i;
  }
  const p = positions[best];
  const quote = await engine.previewLiquidation(account, p.chainId, p.asset, MaxUint256);
  const result: LiquidationResult = {
    account,
    chainId: p.chainId,
    asset: p.asset,
    repaid: quote.repaid,
    protocolFee: quote.protocolFee,
    seized: quote.seized,
  };
  try {
    const owner = await cfg.signer.getAddress();
    const engineAddress = await engine.getAddress();
    const base = IERC20__factory.connect(await engine.baseToken(), cfg.signer);
    if ((await base.allowance(owner, engineAddress)) < quote.repaid + quote.protocolFee) {
      await (await base.approve(engineAddress, MaxUint256)).wait();
    }
    const minSeized = (quote.seized * BigInt(10_000 - (cfg.slippageBps ?? 50))) / 10_000n;
    const fee = await engine.quoteRelease(p.chainId);
    const call = [account, p.chainId, p.asset, MaxUint256, minSeized, cfg.recipient(p.chainId)] as const;
    // With a margin over the estimate: the RELEASE's adapters need their full gas (see withGasMargin).
    const gasLimit = withGasMargin(await engine.liquidate.estimateGas(...call, { value: fee }));
    const tx = await engine.liquidate(...call, { value: fee, gasLimit });
    const receipt = (await tx.wait())!;
    result.txHash = tx.hash;
    // Report what happened, not the preview: interest may have accrued in between.
    for (const l of receipt.logs) {
      const ev = engine.interface.parseLog(l);
      if (ev?.name !== "Liquidated") continue;
      result.repaid = ev.args.repaid;
      result.protocolFee = ev.args.protocolFee;
      result.seized = ev.args.seized;
    }
  } catch (e) {
    result.error = describeError(e);
  }
  return result;
}

/** One pass: liquidates every liquidatable account among `accounts` once (the demo's and tests' use). */
export async function liquidateOnce(cfg: LiquidatorConfig, accounts: string[]): Promise<LiquidationResult[]> {
  const log = cfg.log ?? (() => {});
  const targets = accounts.length ? await cfg.lens.liquidatable(accounts) : [];
  log(`checked ${accounts.length} account(s): ${targets.length} liquidatable`);
  const results: LiquidationResult[] = [];
  for (const account of targets) {
    const r = await liquidateAccount(cfg, account);
    if (!r) continue;
    log(
      r.error
        ? `liquidation of ${account} failed: ${r.error}`
        : `liquidated ${account}: repaid ${r.repaid} (+${r.protocolFee} fee), seized ${r.seized} of ${r.asset} on chain ${r.chainId}`,
    );
    results.push(r);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- planned (keeper)

/** What the keeper reads once per pass to plan: prices, gas, its base. */
export interface PassPrices {
  basePrice: bigint;
  gasPrice: bigint;
  /** Raw base per ETH, from the hub's ETH feed or `--native-price`; undefined when neither is known. */
  nativePrice?: bigint;
  /** The keeper's base balance. */
  available: bigint;
}

/** Options of the planned liquidation (the keeper's flags). */
export interface PlanOptions {
  mode: ModeFlag;
  minProfit: bigint;
  haircutBps: bigint;
  slippageBps: number;
  gas?: Partial<Record<LiquidationMode, bigint>>;
}

/**
 * Reads the hub's quotes for `account` (its positions, each one's price, liquidation preview sized to the keeper's
 * base and RELEASE fee, and the absorb preview) and plans the most profitable action ({@link planLiquidation}).
 * `releaseFees` caches the fee per chain for the pass.
 */
export async function planAccount(
  engine: IMarginHub,
  lens: MarginLens,
  account: string,
  prices: PassPrices,
  opts: PlanOptions,
  releaseFees: Map<bigint, bigint>,
): Promise<Plan> {
  const wantLiquidation = opts.mode !== "absorb" && prices.available > 0n;
  const wantAbsorb = opts.mode === "auto" || opts.mode === "absorb";
  const positions = wantLiquidation ? await lens.positions(account) : [];
  const ins = await Promise.all(
    positions.map(async (p): Promise<PositionIn> => {
      const pin: PositionIn = { chainId: p.chainId, asset: p.asset, price: 0n, releaseFee: 0n };
      try {
        const [price, first] = await Promise.all([
          engine.getPrice(p.chainId, p.asset),
          engine.previewLiquidation(account, p.chainId, p.asset, prices.available),
        ]);
        pin.price = price;
        let q = first;
        const fit = repayWithin(prices.available, q);
        if (fit < q.repaid && fit > 0n) q = await engine.previewLiquidation(account, p.chainId, p.asset, fit);
        pin.quote = { repaid: q.repaid, protocolFee: q.protocolFee, seized: q.seized, bonusBps: q.bonusBps };
        if (opts.mode !== "account") {
          let fee = releaseFees.get(p.chainId);
          if (fee === undefined) {
            fee = await engine.quoteRelease(p.chainId);
            releaseFees.set(p.chainId, fee);
          }
          pin.releaseFee = fee;
        }
      } catch (e) {
        pin.error = describeError(e);
      }
      return pin;
    }),
  );
  let absorb: PlanInput["absorb"];
  if (wantAbsorb) {
    try {
      absorb = { reward: (await engine.previewAbsorb(account)).reward };
    } catch (e) {
      absorb = { error: describeError(e) };
    }
  }
  return planLiquidation({
    account,
    mode: opts.mode,
    basePrice: prices.basePrice,
    gasPrice: prices.gasPrice,
    nativePrice: prices.nativePrice,
    gas: opts.gas,
    haircutBps: opts.haircutBps,
    minProfit: opts.minProfit,
    available: prices.available,
    positions: ins,
    absorb,
  });
}

/** A planned liquidation's outcome: the plan's figures, then what the `Liquidated` / `Absorbed` events said. */
export interface PlannedResult extends LiquidationResult {
  mode: LiquidationMode;
  bonusBps: bigint;
  profit: bigint;
  gasCost: bigint;
  fee: bigint;
}

function plannedResult(c: Candidate): PlannedResult {
  return {
    account: c.account,
    chainId: c.chainId ?? 0n,
    asset: c.asset ?? "",
    repaid: c.repaid,
    protocolFee: c.protocolFee,
    seized: c.seized,
    mode: c.mode,
    bonusBps: c.bonusBps,
    profit: c.profit,
    gasCost: c.gasCost,
    fee: c.fee,
  };
}

/**
 * Executes a planned `release` or `account` liquidation with a slippage guard on the seized amount; approves the
 * base once. A revert is returned decoded in `error`, never thrown.
 */
export async function executeLiquidation(
  signer: Signer,
  engine: IMarginHub,
  c: Candidate,
  opts: { slippageBps: number; recipient: (chainId: bigint) => string },
): Promise<PlannedResult> {
  const result = plannedResult(c);
  try {
    const e = engine.connect(signer);
    const owner = await signer.getAddress();
    const engineAddress = await e.getAddress();
    const base = IERC20__factory.connect(await e.baseToken(), signer);
    if ((await base.allowance(owner, engineAddress)) < c.repaid + c.protocolFee) {
      await (await base.approve(engineAddress, MaxUint256)).wait();
    }
    const minSeized = (c.seized * BigInt(10_000 - opts.slippageBps)) / 10_000n;
    let tx;
    if (c.mode === "release") {
      const call = [c.account, c.chainId!, c.asset!, c.repaid, minSeized, opts.recipient(c.chainId!)] as const;
      const gasLimit = withGasMargin(await e.liquidate.estimateGas(...call, { value: c.nativeFee }));
      tx = await e.liquidate(...call, { value: c.nativeFee, gasLimit });
    } else {
      const call = [c.account, c.chainId!, c.asset!, c.repaid, minSeized] as const;
      const gasLimit = withGasMargin(await e.liquidateToAccount.estimateGas(...call));
      tx = await e.liquidateToAccount(...call, { gasLimit });
    }
    const receipt = (await tx.wait())!;
    result.txHash = tx.hash;
    for (const l of receipt.logs) {
      const ev = e.interface.parseLog(l);
      if (ev?.name !== "Liquidated") continue;
      result.repaid = ev.args.repaid;
      result.protocolFee = ev.args.protocolFee;
      result.seized = ev.args.seized;
    }
  } catch (err) {
    result.error = describeError(err);
  }
  return result;
}

/** Absorbs the planned accounts in one `absorb([...])` call; one result per account (skipped ones say so). */
export async function executeAbsorb(
  signer: Signer,
  engine: IMarginHub,
  planned: Candidate[],
): Promise<PlannedResult[]> {
  const results = new Map(planned.map((c) => [c.account.toLowerCase(), plannedResult(c)]));
  try {
    const e = engine.connect(signer);
    const accounts = planned.map((c) => c.account);
    const gasLimit = withGasMargin(await e.absorb.estimateGas(accounts));
    const tx = await e.absorb(accounts, { gasLimit });
    const receipt = (await tx.wait())!;
    const seen = new Set<string>();
    for (const l of receipt.logs) {
      const ev = e.interface.parseLog(l);
      if (ev?.name !== "Absorbed") continue;
      const r = results.get(String(ev.args.account).toLowerCase());
      if (!r) continue;
      seen.add(r.account.toLowerCase());
      r.repaid = ev.args.debt;
      r.txHash = tx.hash;
    }
    for (const [a, r] of results) if (!seen.has(a)) r.error = "skipped by absorb (no longer liquidatable)";
  } catch (err) {
    const error = describeError(err);
    for (const r of results.values()) r.error = error;
  }
  return [...results.values()];
}

/** One purchase of inventory (or the quote that was not worth it). */
export interface BuyResult extends BuyPlan {
  txHash?: string;
  error?: string;
}

/**
 * Buys every market's inventory whose discount beats gas ({@link planBuy}), with up to `available` base each,
 * credited to the signer's hub account. Markets without inventory (`NotForSale`) are skipped quietly.
 */
export async function buyInventory(
  signer: Signer,
  engine: IMarginHub,
  markets: { chainId: bigint; asset: string }[],
  prices: PassPrices,
  opts: { haircutBps: bigint; minProfit: bigint; slippageBps: number },
): Promise<BuyResult[]> {
  const out: BuyResult[] = [];
  const e = engine.connect(signer);
  for (const m of markets) {
    if (prices.available === 0n) break;
    let quote: { amount: bigint; baseCharged: bigint; price: bigint };
    try {
      const [[amount, baseCharged], price] = await Promise.all([
        e.quoteBuyCollateral(m.chainId, m.asset, prices.available),
        e.getPrice(m.chainId, m.asset),
      ]);
      quote = { amount, baseCharged, price };
    } catch {
      continue;
    }
    const plan: BuyResult = planBuy({ chainId: m.chainId, asset: m.asset, ...quote }, { ...prices, ...opts });
    out.push(plan);
    if (!plan.buy) continue;
    try {
      const owner = await signer.getAddress();
      const base = IERC20__factory.connect(await e.baseToken(), signer);
      const engineAddress = await e.getAddress();
      if ((await base.allowance(owner, engineAddress)) < plan.baseCharged) {
        await (await base.approve(engineAddress, MaxUint256)).wait();
      }
      const minAmount = (plan.amount * BigInt(10_000 - opts.slippageBps)) / 10_000n;
      const call = [m.chainId, m.asset, minAmount, plan.baseCharged, owner] as const;
      const gasLimit = withGasMargin(await e.buyCollateral.estimateGas(...call));
      const tx = await e.buyCollateral(...call, { gasLimit });
      await tx.wait();
      plan.txHash = tx.hash;
      prices.available -= plan.baseCharged;
    } catch (err) {
      plan.error = describeError(err);
    }
  }
  return out;
}
