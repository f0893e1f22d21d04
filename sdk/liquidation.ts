/**
 * What a liquidator does on the hub: liquidate an unhealthy account with the seized collateral released on its chain
 * (`liquidate`) or kept as a credit in its own hub account (`liquidateToAccount`, no message), take unhealthy accounts
 * over for the protocol with no capital (`absorb`), and buy the hub's absorbed inventory (`buyCollateral`); and the
 * quotes of each. Amounts are raw integers (bigint) or token units as strings; every failure is an
 * {@link XMarginError} naming the action and the decoded contract error.
 */
import { MaxUint256 } from "ethers";
import { ensureAllowance, parseLog, sendTx, toRaw, withGasMargin, type Amount, type Sent } from "./actions";
import { XMarginError, explain } from "./errors";
import type { ChainClient, TokenInfo, XMargin } from "./connect";

const BPS = 10_000n;

/** What a liquidation of (`chain`, `token`) of `account` would do now (raw units). */
export interface LiquidationPreview {
  account: string;
  /** Source chain of the collateral (name). */
  source: string;
  chainId: bigint;
  token: TokenInfo;
  /** Debt repaid, base units. */
  repaid: bigint;
  /** Paid to reserves on top of `repaid`, base units. */
  protocolFee: bigint;
  /** Collateral seized, raw units of `token`. */
  seized: bigint;
  /** The bonus applied at the account's health. */
  bonusBps: bigint;
}

interface Target {
  account: string;
  /** Source chain of the collateral to seize (name or id). */
  chain: string;
  /** Collateral to seize (symbol or address). */
  token: string;
  /** Most base to repay, or `"max"`: what the hub allows (the repayment that restores its target health). */
  repay?: Amount | "max";
}

function target(xm: XMargin, params: Target): { chain: ChainClient; token: TokenInfo; repay: bigint } {
  const chain = xm.spoke(params.chain);
  const token = xm.token(chain, params.token);
  const repay = params.repay === undefined || params.repay === "max" ? MaxUint256 : toRaw(params.repay, xm.hub.base);
  return { chain, token, repay };
}

/** What {@link liquidate} and {@link liquidateToAccount} would repay, charge and seize now. */
export async function previewLiquidation(xm: XMargin, params: Target): Promise<LiquidationPreview> {
  const { chain, token, repay } = target(xm, params);
  const q = await explain(`preview the liquidation of ${params.account}`, () =>
    xm.hub.engine.previewLiquidation(params.account, chain.chainId, token.address, repay),
  );
  return {
    account: params.account,
    source: chain.name,
    chainId: chain.chainId,
    token,
    repaid: q.repaid,
    protocolFee: q.protocolFee,
    seized: q.seized,
    bonusBps: q.bonusBps,
  };
}

interface LiquidateParams extends Target {
  /** Least collateral to accept (raw or token units); default: the preview less `slippageBps`. */
  minSeized?: Amount;
  /** Accepted shortfall from the preview when `minSeized` is not given (basis points, default 50). */
  slippageBps?: number;
}

export interface LiquidationOutcome extends Sent, LiquidationPreview {
  recipient: string;
  /** Native fee paid for the RELEASE (0 when kept on the hub). */
  fee: bigint;
  /** Id of the RELEASE envelope (zero hash when kept on the hub). */
  messageId: string;
}

/**
 * Previews, approves the base (repaid + protocol fee) if needed and liquidates with a slippage guard; the repayment
 * sent is the previewed one, so interest accrued meanwhile cannot make it larger than approved.
 */
async function prepare(xm: XMargin, params: LiquidateParams) {
  const q = await previewLiquidation(xm, params);
  if (q.repaid === 0n) throw new XMarginError(`${params.account} has nothing to repay against ${q.token.symbol}`);
  const slippage = BigInt(params.slippageBps ?? 50);
  if (slippage < 0n || slippage > BPS) throw new XMarginError(`slippageBps ${params.slippageBps}: 0 to 10000`);
  const minSeized =
    params.minSeized === undefined ? (q.seized * (BPS - slippage)) / BPS : toRaw(params.minSeized, q.token);
  const engine = xm.hub.engine;
  await ensureAllowance(xm.hub, xm.signerOn(xm.hub), xm.hub.base, await engine.getAddress(), q.repaid + q.protocolFee);
  return { q, minSeized };
}

function outcome(
  xm: XMargin,
  q: LiquidationPreview,
  r: Awaited<ReturnType<typeof sendTx>>,
  fee: bigint,
): LiquidationOutcome {
  const ev = parseLog(xm.hub.engine.interface, r, "Liquidated").args;
  return {
    ...q,
    chain: xm.hub.name,
    hash: r.hash,
    blockNumber: r.blockNumber,
    repaid: ev.repaid as bigint,
    protocolFee: ev.protocolFee as bigint,
    seized: ev.seized as bigint,
    recipient: String(ev.recipient),
    messageId: String(ev.messageId),
    fee,
  };
}

/**
 * Liquidates `account`: repays its debt in base from the signer and seizes `token` on `chain`, released to
 * `recipient` there (default: the signer) over the bridges, paying the RELEASE fee.
 */
export async function liquidate(
  xm: XMargin,
  params: LiquidateParams & { recipient?: string },
): Promise<LiquidationOutcome> {
  const { q, minSeized } = await prepare(xm, params);
  const engine = xm.hub.engine;
  const recipient = params.recipient ?? (await xm.address(xm.spoke(params.chain)));
  const fee = await explain(`quote a release to ${q.source}`, () => engine.quoteRelease(q.chainId));
  const r = await sendTx(xm.hub, `liquidate ${params.account}`, async () => {
    const args = [params.account, q.chainId, q.token.address, q.repaid, minSeized, recipient] as const;
    const gasLimit = withGasMargin(await engine.liquidate.estimateGas(...args, { value: fee }));
    return engine.liquidate(...args, { value: fee, gasLimit });
  });
  return outcome(xm, q, r, fee);
}

/**
 * Liquidates `account` and keeps the seized collateral as a credit in the signer's own hub account: no message, no
 * fee, whatever the bridges do. Withdraw it later with `withdrawCollateral`, or keep it as collateral.
 */
export async function liquidateToAccount(xm: XMargin, params: LiquidateParams): Promise<LiquidationOutcome> {
  const { q, minSeized } = await prepare(xm, params);
  const engine = xm.hub.engine;
  const r = await sendTx(xm.hub, `liquidate ${params.account} to the hub account`, async () => {
    const args = [params.account, q.chainId, q.token.address, q.repaid, minSeized] as const;
    const gasLimit = withGasMargin(await engine.liquidateToAccount.estimateGas(...args));
    return engine.liquidateToAccount(...args, { gasLimit });
  });
  return outcome(xm, q, r, 0n);
}

/** What {@link absorb} would do to one account (base units). */
export interface AbsorbPreview {
  account: string;
  debt: bigint;
  collateralValue: bigint;
  surplus: bigint;
  badDebt: bigint;
  /** Credited to the absorber's lending balance. */
  reward: bigint;
}

/** What absorbing `account` would do now (rejects with `NotLiquidatable` if absorb would skip it). */
export async function previewAbsorb(xm: XMargin, account: string): Promise<AbsorbPreview> {
  const q = await explain(`preview the absorb of ${account}`, () => xm.hub.engine.previewAbsorb(account));
  return {
    account,
    debt: q.debt,
    collateralValue: q.collateralValue,
    surplus: q.surplus,
    badDebt: q.badDebt,
    reward: q.reward,
  };
}

export interface AbsorbOutcome extends Sent {
  /** One per account taken over (the others were not liquidatable and were skipped). */
  absorbed: AbsorbPreview[];
  /** The signer's total reward, credited to its lending balance. */
  reward: bigint;
}

/** Takes over every liquidatable account of `accounts` for the protocol in one transaction; needs no base. */
export async function absorb(xm: XMargin, params: { accounts: string[] }): Promise<AbsorbOutcome> {
  if (!params.accounts.length) throw new XMarginError("absorb: no account given");
  const engine = xm.hub.engine;
  const r = await sendTx(xm.hub, `absorb ${params.accounts.length} account(s)`, async () => {
    const gasLimit = withGasMargin(await engine.absorb.estimateGas(params.accounts));
    return engine.absorb(params.accounts, { gasLimit });
  });
  const absorbed: AbsorbPreview[] = [];
  for (const log of r.logs) {
    let ev: ReturnType<typeof engine.interface.parseLog> = null;
    try {
      ev = engine.interface.parseLog(log);
    } catch {
      ev = null;
    }
    if (ev?.name !== "Absorbed") continue;
    const a = ev.args;
    absorbed.push({
      account: String(a.account),
      debt: a.debt,
      collateralValue: a.collateralValue,
      surplus: a.surplus,
      badDebt: a.badDebt,
      reward: a.reward,
    });
  }
  return {
    chain: xm.hub.name,
    hash: r.hash,
    blockNumber: r.blockNumber,
    absorbed,
    reward: absorbed.reduce((s, x) => s + x.reward, 0n),
  };
}

export interface BuyQuote {
  /** Source chain of the collateral (name). */
  source: string;
  chainId: bigint;
  token: TokenInfo;
  /** Collateral credited, raw units of `token`. */
  amount: bigint;
  /** Base charged (at most what was offered: less when the inventory runs out). */
  baseCharged: bigint;
}

interface BuyParams {
  /** Source chain of the collateral (name or id). */
  chain: string;
  /** Collateral (symbol or address). */
  token: string;
  /** Most base to pay (raw or token units). */
  baseAmount: Amount;
}

/** What {@link buyCollateral} would credit now for `baseAmount` of base. */
export async function quoteBuyCollateral(xm: XMargin, params: BuyParams): Promise<BuyQuote> {
  const chain = xm.spoke(params.chain);
  const token = xm.token(chain, params.token);
  const baseAmount = toRaw(params.baseAmount, xm.hub.base);
  const [amount, baseCharged] = await explain(`quote buying ${token.symbol} of ${chain.name}`, () =>
    xm.hub.engine.quoteBuyCollateral(chain.chainId, token.address, baseAmount),
  );
  return { source: chain.name, chainId: chain.chainId, token, amount, baseCharged };
}

export interface BuyOutcome extends Sent, BuyQuote {
  recipient: string;
}

/**
 * Buys up to `baseAmount` worth of the hub's absorbed `token` of `chain` at its discount, credited to `recipient`'s
 * hub account (default: the signer); refuses less than `minAmount` (default: the quote less `slippageBps`, 50).
 */
export async function buyCollateral(
  xm: XMargin,
  params: BuyParams & { minAmount?: Amount; slippageBps?: number; recipient?: string },
): Promise<BuyOutcome> {
  const q = await quoteBuyCollateral(xm, params);
  const slippage = BigInt(params.slippageBps ?? 50);
  if (slippage < 0n || slippage > BPS) throw new XMarginError(`slippageBps ${params.slippageBps}: 0 to 10000`);
  const minAmount =
    params.minAmount === undefined ? (q.amount * (BPS - slippage)) / BPS : toRaw(params.minAmount, q.token);
  const recipient = params.recipient ?? (await xm.address());
  const engine = xm.hub.engine;
  await ensureAllowance(xm.hub, xm.signerOn(xm.hub), xm.hub.base, await engine.getAddress(), q.baseCharged);
  const r = await sendTx(xm.hub, `buy ${q.token.symbol} of ${q.source}`, async () => {
    const args = [q.chainId, q.token.address, minAmount, q.baseCharged, recipient] as const;
    const gasLimit = withGasMargin(await engine.buyCollateral.estimateGas(...args));
    return engine.buyCollateral(...args, { gasLimit });
  });
  const ev = parseLog(engine.interface, r, "CollateralBought").args;
  return {
    ...q,
    chain: xm.hub.name,
    hash: r.hash,
    blockNumber: r.blockNumber,
    amount: ev.amount as bigint,
    baseCharged: ev.baseAmount as bigint,
    recipient,
  };
}
