/**
 * One decoder for every contract error of the project, shared by the keepers (and meant for the tasks and the
 * SDK): built from the ABI of every typechain factory, it turns revert data such as `0x366b2e5a…` into
 * `NotRelayer(0x…)`, and any thrown value into one readable line.
 */
import { ErrorFragment, Interface, isHexString, type InterfaceAbi } from "ethers";
import * as typechain from "../../typechain-types";

let decoder: Interface | undefined;

/** Every custom error declared by any contract of the project (deduplicated by signature), plus Error/Panic. */
export function errorInterface(): Interface {
  if (decoder) return decoder;
  const seen = new Map<string, ErrorFragment>();
  for (const value of Object.values(typechain as Record<string, unknown>)) {
    const abi = (value as { abi?: InterfaceAbi } | undefined)?.abi;
    if (!Array.isArray(abi)) continue;
    for (const fragment of new Interface(abi).fragments) {
      if (fragment instanceof ErrorFragment) seen.set(fragment.format("sighash"), fragment);
    }
  }
  decoder = new Interface([...seen.values()]);
  return decoder;
}

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

/** `NotRelayer(0xabc…)` for revert data of a known error; undefined for unknown data. */
export function decodeRevert(data: string): string | undefined {
  if (data.length < 10) return undefined;
  try {
    const parsed = errorInterface().parseError(data);
    if (!parsed) return undefined;
    if (parsed.name === "Error") return `Error(${JSON.stringify(parsed.args[0])})`;
    if (parsed.name === "Panic") return `Panic(0x${BigInt(parsed.args[0]).toString(16)})`;
    return `${parsed.name}(${parsed.args.map((a: unknown) => formatArg(a)).join(", ")})`;
  } catch {
    return undefined;
  }
}

function formatArg(a: unknown): string {
  if (Array.isArray(a)) return `[${a.map(formatArg).join(", ")}]`;
  return String(a);
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
