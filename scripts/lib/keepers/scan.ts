/** Incremental event reading for keepers: a cursor per chain, ranges bounded for public RPCs, reorg margin. */
import type { Log } from "ethers";
import type { KeeperChain } from "./context";
import { mapLimit } from "./rpc";

/** Largest block range of one eth_getLogs (public providers refuse more; 10,000 is the common limit). */
export const LOG_RANGE = 10_000;

/**
 * Reads the logs of `addresses` with any of `topics` (topic0) on `chain` from block `cursor` up to
 * head - confirmations, in ranges of `range` blocks (up to 4 in flight). Returns the logs in chain order and the
 * next cursor; `undefined` logs when nothing new is final enough. Throws on any RPC failure (the cursor is then
 * unchanged: the caller retries the same blocks, in ranges half as long).
 */
export async function scanLogs(
  chain: KeeperChain,
  cursor: number,
  addresses: string[],
  topics: string[],
  range = chain.logRange ?? LOG_RANGE,
  knownHead?: number,
): Promise<{ head: number; next: number; logs: Log[] }> {
  const head = knownHead ?? (await chain.provider.getBlockNumber());
  const to = head - chain.confirmations;
  if (to < cursor || !addresses.length) return { head, next: Math.max(cursor, to + 1), logs: [] };
  const ranges: [number, number][] = [];
  for (let a = cursor; a <= to; a += range) ranges.push([a, Math.min(to, a + range - 1)]);
  let parts: Log[][];
  try {
    parts = await mapLimit(ranges, 4, ([fromBlock, toBlock]) =>
      chain.provider.getLogs({ address: addresses, topics: [topics], fromBlock, toBlock }),
    );
  } catch (e) {
    // Too many logs for one answer (a timeout, a provider's result cap): the next try asks for half the range.
    if (range > 1) chain.logRange = Math.max(1, Math.floor(range / 2));
    throw e;
  }
  const logs = parts.flat().sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
  return { head, next: to + 1, logs };
}
