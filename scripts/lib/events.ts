/** Event queries in bounded block ranges: public RPC endpoints refuse eth_getLogs over too many blocks. */
import type { Provider } from "ethers";

/** Default largest block range per eth_getLogs request. */
export const MAX_BLOCK_RANGE = 5_000;

/**
 * Runs `query(from, to)` over [fromBlock, toBlock] in ranges of at most `step` blocks, in order, and
 * concatenates the results. `toBlock` defaults to the latest block of `provider`.
 */
export async function queryRange<T>(
  provider: Provider,
  query: (from: number, to: number) => Promise<T[]>,
  fromBlock = 0,
  toBlock?: number,
  step = MAX_BLOCK_RANGE,
): Promise<T[]> {
  const last = toBlock ?? (await provider.getBlockNumber());
  const out: T[] = [];
  for (let start = fromBlock; start <= last; start += step) {
    out.push(...(await query(start, Math.min(last, start + step - 1))));
  }
  return out;
}
