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
