/**
 * Liquidation routine shared by the keeper script and the demo: finds liquidatable accounts with the lens,
 * picks each one's most valuable listed position, previews the liquidation and executes it with a slippage
 * guard, paying the RELEASE fee so the seized collateral is sent to the liquidator's recipient on its chain.
 */
import { MaxUint256, type Signer } from "ethers";
import type { IERC20, IMarginHub, MarginLens } from "../../typechain-types";
import type { Logger } from "./relayer";
import { queryRange } from "./events";

export interface LiquidatorConfig {
  /** Pays the repayments and fees, and signs. */
  signer: Signer;
  /** The engine's address: prices are read there too. */
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

const WAD = 10n ** 18n;

/** Accounts that ever borrowed, from the engine's Borrowed events. */
export async function discoverBorrowers(engine: IMarginHub, fromBlock = 0): Promise<string[]> {
  const events = await queryRange(
    engine.runner!.provider!,
    (from, to) => engine.queryFilter(engine.filters.Borrowed(), from, to),
    fromBlock,
  );
  return [...new Set(events.map((e) => e.args.account))];
}

/** One pass: liquidates every liquidatable account among `accounts` once. */
export async function liquidateOnce(cfg: LiquidatorConfig, accounts: string[]): Promise<LiquidationResult[]> {
  const log = cfg.log ?? (() => {});
  const engine = cfg.engine.connect(cfg.signer);
  const base = cfg.base.connect(cfg.signer);
  const owner = await cfg.signer.getAddress();
  const engineAddress = await engine.getAddress();
  const targets = await cfg.lens.liquidatable(accounts);
  log(`checked ${accounts.length} account(s): ${targets.length} liquidatable`);
  const results: LiquidationResult[] = [];
  for (const account of targets) {
    // Most valuable position first: it covers the largest repayment.
    let best: { chainId: bigint; asset: string; value: bigint } | undefined;
    for (const p of await cfg.lens.positions(account)) {
      const value = (p.amount * (await cfg.engine.getPrice(p.chainId, p.asset))) / WAD;
      if (!best || value > best.value) best = { chainId: p.chainId, asset: p.asset, value };
    }
    if (!best) continue;
    const quote = await engine.previewLiquidation(account, best.chainId, best.asset, MaxUint256);
    const result: LiquidationResult = {
      account,
      chainId: best.chainId,
      asset: best.asset,
      repaid: quote.repaid,
      protocolFee: quote.protocolFee,
      seized: quote.seized,
    };
    try {
      if ((await base.allowance(owner, engineAddress)) < quote.repaid + quote.protocolFee) {
        await (await base.approve(engineAddress, MaxUint256)).wait();
      }
      const minSeized = (quote.seized * BigInt(10_000 - (cfg.slippageBps ?? 50))) / 10_000n;
      const fee = await engine.quoteRelease(best.chainId);
      const tx = await engine.liquidate(
        account,
        best.chainId,
        best.asset,
        MaxUint256,
        minSeized,
        cfg.recipient(best.chainId),
        { value: fee },
      );
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
      log(
        `liquidated ${account}: repaid ${result.repaid} (+${result.protocolFee} fee), ` +
          `seized ${result.seized} of ${best.asset} on chain ${best.chainId}`,
      );
    } catch (e) {
      result.error = e instanceof Error ? e.message : String(e);
      log(`liquidation of ${account} failed: ${result.error}`);
    }
    results.push(result);
  }
  return results;
}
