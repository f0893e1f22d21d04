/** An account's position across chains: credits on every source chain, lending balance, debt, health, power. */
import { getAddress } from "ethers";
import { pendingMessages, type PendingMessage } from "./messages";
import type { TokenInfo, XMargin } from "./connect";

const WAD = 10n ** 18n;

export interface Credit {
  chain: string;
  chainId: bigint;
  token: TokenInfo;
  /** Credit on the hub, raw token units. */
  amount: bigint;
  /** Deposits above the credit cap awaiting the owner's review (not usable), raw units. */
  quarantined: bigint;
  /** Whether the credit counts toward health (listed market the account holds). */
  counted: boolean;
  /** Effective factors (latency haircut folded in, 0 borrow factor when frozen); 0 when unlisted. */
  borrowFactorBps: number;
  liquidationThresholdBps: number;
  /** USD value (1e18), undefined when the price is unavailable. */
  value?: bigint;
}

export interface Position {
  account: string;
  base: TokenInfo;
  credits: Credit[];
  /** Lending balance (base units, interest included). */
  supplied: bigint;
  /** Debt (base units, interest up to the latest block, rounded up). */
  debt: bigint;
  /** Liquidation health, 1e18 = line, max uint without debt; 0 when `priceError`. */
  health: bigint;
  /** Health under borrow factors (what borrowing and withdrawing must keep ≥ 1e18). */
  borrowHealth: bigint;
  liquidatable: boolean;
  /** A price the account depends on is missing, stale or out of bounds. */
  priceError: boolean;
  /** USD (1e18): collateral weighted by borrow factors, and the debt's value. */
  borrowCollateralValue: bigint;
  debtValue: bigint;
  /** How much more base the account could borrow now (base units), before the pool's liquidity. */
  borrowingPower: bigint;
  /** Deposits and withdrawals of the account not completed yet. */
  pending: PendingMessage[];
  blockNumber: number;
}

/** Reads `account`'s position (default: the signer) at the hub's latest block. */
export async function getPosition(
  xm: XMargin,
  account?: string,
  options: { pending?: boolean } = {},
): Promise<Position> {
  const who = getAddress(account ?? (await xm.address()));
  const { engine, lens, feeds, base } = xm.hub;
  const blockNumber = await xm.hub.provider.getBlockNumber();
  const at = { blockTag: blockNumber };
  const [view, supplied, held] = await Promise.all([
    lens.accountView(who, at),
    engine.supplyBalanceOf(who, at),
    lens.positions(who, at),
  ]);
  const heldIds = new Map(held.map((p) => [`${p.chainId}:${getAddress(p.asset)}`, Number(p.marketId)]));
  const priceOf = async (chainId: bigint, asset: string): Promise<bigint | undefined> => {
    try {
      return await feeds.getPrice(chainId, asset, at);
    } catch {
      return undefined;
    }
  };
  const credits: Credit[] = [];
  await Promise.all(
    xm.spokes.flatMap((chain) =>
      Object.values(chain.tokens).map(async (token) => {
        const [amount, quarantined, state] = await Promise.all([
          engine.collateralOf(who, chain.chainId, token.address, at),
          engine.quarantined(who, chain.chainId, token.address, at),
          engine.marketState(chain.chainId, token.address, at),
        ]);
        const id = heldIds.get(`${chain.chainId}:${token.address}`);
        let borrowFactorBps = 0;
        let liquidationThresholdBps = 0;
        if (state.idPlusOne !== 0n) {
          const [m] = await engine.market(state.idPlusOne - 1n, at);
          borrowFactorBps = Number(m.borrowFactorBps);
          liquidationThresholdBps = Number(m.liquidationThresholdBps);
        }
        const price = amount > 0n ? await priceOf(chain.chainId, token.address) : undefined;
        credits.push({
          chain: chain.name,
          chainId: chain.chainId,
          token,
          amount,
          quarantined,
          counted: id !== undefined,
          borrowFactorBps,
          liquidationThresholdBps,
          value: price === undefined ? undefined : (amount * price) / WAD,
        });
      }),
    ),
  );
  credits.sort((a, b) => a.chain.localeCompare(b.chain) || a.token.symbol.localeCompare(b.token.symbol));

  // Borrowing power, as the engine's borrow check computes it: Σ amount·price (down)·borrowFactor (down) − debt·price (up).
  const basePrice = await priceOf(xm.hub.chainId, base.address);
  let borrowCollateralValue = 0n;
  let priceError = view.priceError || basePrice === undefined;
  for (const c of credits) {
    if (!c.counted || c.borrowFactorBps === 0 || c.amount === 0n) continue;
    if (c.value === undefined) priceError = true;
    else borrowCollateralValue += (c.value * BigInt(c.borrowFactorBps)) / 10_000n;
  }
  const debtValue = basePrice === undefined ? 0n : (view.debt * basePrice + WAD - 1n) / WAD;
  const room = borrowCollateralValue > debtValue ? borrowCollateralValue - debtValue : 0n;
  const borrowingPower = priceError || basePrice === undefined ? 0n : (room * WAD) / basePrice;

  return {
    account: who,
    base,
    credits,
    supplied,
    debt: view.debt,
    health: view.health,
    borrowHealth: view.borrowHealth,
    liquidatable: view.liquidatable,
    priceError,
    borrowCollateralValue,
    debtValue,
    borrowingPower,
    pending: options.pending === false ? [] : await pendingMessages(xm, who),
    blockNumber,
  };
}
