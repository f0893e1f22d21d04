/**
 * Errors as the keepers report them. Contract errors are decoded by the SDK's one decoder (sdk/errors.ts: every
 * custom error of every typechain ABI, shared by the keepers, the tasks and the SDK), so `0x366b2e5a…` reads
 * `NotRelayer(caller=0x…)`; everything else becomes the shortest useful line (`connect ECONNREFUSED …`, a timeout).
 */
import { isHexString } from "ethers";
import { decodeErrorData, errorInterface } from "../../sdk/errors";

export { errorInterface };

/** Revert data found anywhere in a thrown value (ethers puts it in `data`, `info.error.data`, `error.data`...). */
export function revertData(e: unknown, depth = 0): string | undefined {
  if (depth > 6 || e === null || e === undefined) return undefined;
  if (typeof e === "string") {
    if (isHexString(e) && e.length >= 10) return e;
    const m = /data="?(0x[0-9a-fA-F]{8,})/.exec(e);
    return m?.[1];
  }
  if (typeof e !== "object") return undefined;
  const o = e as Record<string, unknown>;
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const found = revertData(o[key], depth + 1);
    if (found) return found;
  }
  return typeof o.message === "string" ? revertData(o.message, depth + 1) : undefined;
}

/** `NotRelayer(caller=0xabc…)` for revert data of a known error; undefined for unknown data. */
export function decodeRevert(data: string): string | undefined {
  return decodeErrorData(data)?.text;
}

/**
 * One readable line for anything thrown: a decoded custom error when there is revert data, else the shortest
 * useful message (`connect ECONNREFUSED 127.0.0.1:8546`, `no answer ... (timeout)`).
 */
export function describeError(e: unknown): string {
  const data = revertData(e);
  if (data) {
    const decoded = decodeRevert(data);
    if (decoded) return `reverted: ${decoded}`;
    if (data !== "0x") return `reverted with unknown data ${data.slice(0, 74)}${data.length > 74 ? "…" : ""}`;
  }
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    const cause = (e as { error?: { message?: string } }).error?.message;
    if (cause && /ECONNREFUSED|ECONNRESET|ENOTFOUND|socket hang up/.test(cause)) return cause;
    const short = e.message.split(" (")[0];
    if (code === "TIMEOUT") return `timeout: ${short}`;
    return short.length > 300 ? `${short.slice(0, 300)}…` : short;
  }
  return String(e);
}
