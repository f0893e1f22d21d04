/**
 * What a user does: deposit on a source chain, withdraw collateral to one, borrow, repay, supply and withdraw
 * supply on the hub. Amounts are raw integers (bigint) or token units as strings ("1.5"). Every failure is an
 * {@link XMarginError} naming the action and the decoded contract error.
 */
import { MaxUint256, type ContractTransactionReceipt, type ContractTransactionResponse, type Signer } from "ethers";
import { parseAmount } from "./amounts";
import { tokenAt } from "./contracts";
import { XMarginError, explain } from "./errors";
import type { ChainClient, TokenInfo, XMargin } from "./connect";

/** A raw amount, or token units as a decimal string. */
export type Amount = bigint | string;

/** A mined transaction. */
export interface Sent {
  chain: string;
  hash: string;
  blockNumber: number;
}

/**
 * A gas limit with a margin over `estimate`. An estimate is the least gas that succeeds in the state it was made in;
 * a transaction that sends a message must give every bridge adapter its gas (the messenger reverts a send that ran an
 * adapter out of gas rather than skip it), and interest accrued by the time it is mined costs a little more.
 */
export function withGasMargin(estimate: bigint): bigint {
  return (estimate * 12n) / 10n + 10_000n;
}

export function toRaw(amount: Amount, token: TokenInfo): bigint {
  if (typeof amount === "bigint") {
    if (amount <= 0n) throw new XMarginError(`amount must be more than zero`);
    return amount;
  }
  return parseAmount(amount, token.decimals, `amount of ${token.symbol}`);
}

/** Sends, waits for the receipt and checks it succeeded; failures become an XMarginError saying `what`. */
export async function sendTx(
  chain: ChainClient,
  what: string,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  return explain(`${what} on ${chain.name}`, async () => {
    const tx = await send();
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1)
      throw new XMarginError(`${what} on ${chain.name}: transaction ${tx.hash} failed`);
    return receipt;
  });
}

function sent(chain: ChainClient, r: ContractTransactionReceipt): Sent {
  return { chain: chain.name, hash: r.hash, blockNumber: r.blockNumber };
}

/** Approves `spender` for at least `amount` of `token` if the allowance is short; returns whether it approved. */
export async function ensureAllowance(
  chain: ChainClient,
  signer: Signer,
  token: TokenInfo,
  spender: string,
  amount: bigint,
): Promise<boolean> {
  const erc20 = tokenAt(token.address, signer);
  const owner = await signer.getAddress();
  const balance = await erc20.balanceOf(owner);
  if (balance < amount) {
    throw new XMarginError(
      `${owner} holds ${balance} raw ${token.symbol} on ${chain.name}, less than the ${amount} needed`,
    );
  }
  if ((await erc20.allowance(owner, spender)) >= amount) return false;
  await sendTx(chain, `approve ${token.symbol}`, () => erc20.approve(spender, amount));
  return true;
}

// ---------------------------------------------------------------------------------------------- deposits

export interface DepositQuote {
  chain: string;
  token: TokenInfo;
  amount: bigint;
  account: string;
  /** Native fee the vault's messenger charges (msg.value). */
  fee: bigint;
}

/** The fee of depositing `amount` of `token` on source chain `chain` for `account` (default: the signer). */
export async function quoteDeposit(
  xm: XMargin,
  params: { chain: string; token: string; amount: Amount; account?: string },
): Promise<DepositQuote> {
  const chain = xm.spoke(params.chain);
  const token = xm.token(chain, params.token);
  const amount = toRaw(params.amount, token);
  const account = params.account ?? (await xm.address(chain));
  const fee = await explain(`quote a deposit on ${chain.name}`, () =>
    chain.vault.quoteDeposit(token.address, amount, account),
  );
  return { chain: chain.name, token, amount, account, fee };
}

export interface DepositResult extends Sent, DepositQuote {
  /** Id of the DEPOSIT envelope to the hub. */
  messageId: string;
  approved: boolean;
}

/** Approves if needed and deposits, paying the quoted fee; the hub credits it when the envelope arrives. */
export async function deposit(
  xm: XMargin,
  params: { chain: string; token: string; amount: Amount; account?: string },
): Promise<DepositResult> {
  const q = await quoteDeposit(xm, params);
  const chain = xm.spoke(params.chain);
  const signer = xm.signerOn(chain);
  const approved = await ensureAllowance(chain, signer, q.token, await chain.vault.getAddress(), q.amount);
  const r = await sendTx(chain, `deposit ${q.token.symbol}`, async () => {
    const args = [q.token.address, q.amount, q.account, { value: q.fee }] as const;
    const gasLimit = withGasMargin(await chain.vault.deposit.estimateGas(...args));
    return chain.vault.deposit(q.token.address, q.amount, q.account, { value: q.fee, gasLimit });
  });
  const ev = parseLog(chain.vault.interface, r, "Deposited");
  return { ...q, ...sent(chain, r), messageId: String(ev.args.messageId), approved };
}

// ---------------------------------------------------------------------------------------------- withdrawals

/** The native fee of a RELEASE to source chain `chain` (what `withdrawCollateral` must pay). */
export async function quoteRelease(xm: XMargin, chain: string): Promise<bigint> {
  const c = xm.spoke(chain);
  return explain(`quote a release to ${c.name}`, () => xm.hub.engine.quoteRelease(c.chainId));
}

export interface WithdrawResult extends Sent {
  token: TokenInfo;
  amount: bigint;
  recipient: string;
  fee: bigint;
  /** Id of the RELEASE envelope to the source chain. */
  messageId: string;
}

/** Debits the signer's credit on (`chain`, `token`) on the hub and sends a RELEASE to `recipient` there. */
export async function withdrawCollateral(
  xm: XMargin,
  params: { chain: string; token: string; amount: Amount; recipient?: string },
): Promise<WithdrawResult> {
  const chain = xm.spoke(params.chain);
  const token = xm.token(chain, params.token);
  const amount = toRaw(params.amount, token);
  const recipient = params.recipient ?? (await xm.address(chain));
  const fee = await quoteRelease(xm, chain.name);
  const r = await sendTx(xm.hub, `withdraw ${token.symbol} of ${chain.name}`, async () => {
    const engine = xm.hub.engine;
    const gas = await engine.withdrawCollateral.estimateGas(chain.chainId, token.address, amount, recipient, {
      value: fee,
    });
    return engine.withdrawCollateral(chain.chainId, token.address, amount, recipient, {
      value: fee,
      gasLimit: withGasMargin(gas),
    });
  });
  const ev = parseLog(xm.hub.engine.interface, r, "CollateralWithdrawn");
  return { ...sent(xm.hub, r), token, amount, recipient, fee, messageId: String(ev.args.messageId) };
}

// ---------------------------------------------------------------------------------------------- base asset

export interface BaseResult extends Sent {
  token: TokenInfo;
  /** What moved, in raw base units. */
  amount: bigint;
}

/** Borrows `amount` of the base asset to `to` (default: the signer). */
export async function borrow(xm: XMargin, params: { amount: Amount; to?: string }): Promise<BaseResult> {
  const base = xm.hub.base;
  const amount = toRaw(params.amount, base);
  const to = params.to ?? (await xm.address());
  const r = await sendTx(xm.hub, `borrow ${base.symbol}`, () => xm.hub.engine.borrow(amount, to));
  return { ...sent(xm.hub, r), token: base, amount };
}

/**
 * Repays `amount` of `onBehalf`'s debt (default: the signer), or all of it with `"all"`: the engine repays the
 * whole debt at the block with `type(uint256).max`, so the approval covers the debt now plus the interest of an
 * hour at the current borrow rate (and one unit), and nothing is left behind.
 */
export async function repay(
  xm: XMargin,
  params: { amount: Amount | "all"; onBehalf?: string },
): Promise<BaseResult & { all: boolean }> {
  const { engine, base } = xm.hub;
  const signer = xm.signerOn(xm.hub);
  const onBehalf = params.onBehalf ?? (await xm.address());
  const all = params.amount === "all";
  let request: bigint;
  let allowance: bigint;
  let needed: bigint;
  if (all) {
    const debt = await engine.debtOf(onBehalf);
    if (debt === 0n) throw new XMarginError(`${onBehalf} has no debt to repay`);
    const [borrowRate] = await engine.rates();
    allowance = debt + (debt * borrowRate * 3600n) / 10n ** 18n + 1n;
    request = MaxUint256;
    needed = debt;
  } else {
    request = toRaw(params.amount as Amount, base);
    allowance = request;
    needed = request;
  }
  const engineAddress = await engine.getAddress();
  const owner = await signer.getAddress();
  const erc20 = tokenAt(base.address, signer);
  const balance = await erc20.balanceOf(owner);
  if (balance < needed) {
    throw new XMarginError(`${owner} holds ${balance} raw ${base.symbol}, less than the ${needed} to repay`);
  }
  if ((await erc20.allowance(owner, engineAddress)) < allowance) {
    const approveFor = balance < allowance ? balance : allowance;
    await sendTx(xm.hub, `approve ${base.symbol}`, () => erc20.approve(engineAddress, approveFor));
  }
  const r = await sendTx(xm.hub, `repay ${base.symbol}`, () => engine.repay(request, onBehalf));
  const ev = parseLog(engine.interface, r, "Repaid");
  return { ...sent(xm.hub, r), token: base, amount: BigInt(String(ev.args.amount)), all };
}

/** Supplies `amount` of the base asset to the lending pool for `onBehalf` (default: the signer). */
export async function supply(xm: XMargin, params: { amount: Amount; onBehalf?: string }): Promise<BaseResult> {
  const { engine, base } = xm.hub;
  const amount = toRaw(params.amount, base);
  const onBehalf = params.onBehalf ?? (await xm.address());
  await ensureAllowance(xm.hub, xm.signerOn(xm.hub), base, await engine.getAddress(), amount);
  const r = await sendTx(xm.hub, `supply ${base.symbol}`, () => engine.supplyBase(amount, onBehalf));
  return { ...sent(xm.hub, r), token: base, amount };
}

/** Withdraws `amount` (or `"all"`) of the signer's lending balance to `to` (default: the signer). */
export async function withdrawSupply(
  xm: XMargin,
  params: { amount: Amount | "all"; to?: string },
): Promise<BaseResult> {
  const { engine, base } = xm.hub;
  const amount = params.amount === "all" ? MaxUint256 : toRaw(params.amount, base);
  const to = params.to ?? (await xm.address());
  const r = await sendTx(xm.hub, `withdraw supplied ${base.symbol}`, () => engine.withdrawBase(amount, to));
  const ev = parseLog(engine.interface, r, "BaseWithdrawn");
  return { ...sent(xm.hub, r), token: base, amount: BigInt(String(ev.args.amount)) };
}

interface ParsingInterface {
  parseLog(log: { topics: readonly string[]; data: string }): { name: string; args: Record<string, unknown> } | null;
}

/** The first `name` event of `receipt` that `iface` parses. */
export function parseLog(
  iface: ParsingInterface,
  receipt: ContractTransactionReceipt,
  name: string,
): { name: string; args: Record<string, unknown> } {
  for (const log of receipt.logs) {
    let parsed: { name: string; args: Record<string, unknown> } | null = null;
    try {
      parsed = iface.parseLog(log);
    } catch {
      parsed = null;
    }
    if (parsed?.name === name) return parsed;
  }
  throw new XMarginError(`transaction ${receipt.hash} has no ${name} event`);
}
