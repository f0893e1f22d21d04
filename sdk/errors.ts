/**
 * One decoder for contract errors: the custom errors of every ABI typechain generated (xmargin's contracts, the
 * bridges' and OpenZeppelin's), plus Solidity's `Error(string)` and `Panic(uint256)`. Turns `0x366b2e5a…` into
 * `NotRelayer(0xabc…)`.
 */
import { ErrorFragment, Interface, isHexString, type InterfaceAbi, type Result } from "ethers";
import * as typechain from "../typechain-types";

/** A decoded contract error. */
export interface DecodedError {
  /** Custom error name (`NotHealthy`), or `Error` / `Panic` for Solidity's built-in ones. */
  name: string;
  /** Full signature (`NotHealthy(address,uint256)`). */
  signature: string;
  selector: string;
  /** Arguments by position, as decoded (bigints, addresses, ...). */
  args: unknown[];
  /** Arguments by parameter name, where the ABI names them. */
  named: Record<string, unknown>;
  /** Human-readable: `NotHealthy(account=0x…, health=9e17)`. */
  text: string;
}

let shared: Interface | undefined;

/** Every error fragment of every typechain ABI, one per selector. */
export function errorInterface(): Interface {
  if (shared) return shared;
  const bySelector = new Map<string, ErrorFragment>();
  for (const value of Object.values(typechain as Record<string, unknown>)) {
    const abi = (value as { abi?: InterfaceAbi } | undefined)?.abi;
    if (!Array.isArray(abi)) continue;
    for (const item of abi as { type?: string }[]) {
      if (item.type !== "error") continue;
      const fragment = ErrorFragment.from(item);
      if (!bySelector.has(fragment.selector)) bySelector.set(fragment.selector, fragment);
    }
  }
  shared = new Interface([...bySelector.values()]);
  return shared;
}

/** Decodes revert data (`0x` + selector + arguments). Undefined when the selector is unknown or data is empty. */
export function decodeErrorData(data: string): DecodedError | undefined {
  if (!isHexString(data) || data.length < 10) return undefined;
  let parsed: { name: string; signature: string; selector: string; args: Result; fragment: ErrorFragment } | null;
  try {
    parsed = errorInterface().parseError(data);
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const args = [...parsed.args].map(plain);
  const named: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    if (input.name) named[input.name] = args[i];
  });
  const shown = parsed.fragment.inputs.map((input, i) => (input.name ? `${input.name}=` : "") + show(args[i]));
  return {
    name: parsed.name,
    signature: parsed.signature,
    selector: parsed.selector,
    args,
    named,
    text: `${parsed.name}(${shown.join(", ")})`,
  };
}

function plain(value: unknown): unknown {
  if (value && typeof value === "object" && "toArray" in value) {
    return (value as Result).toArray().map(plain);
  }
  return value;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}

/** Finds revert data in an error thrown by ethers or a Hardhat provider (it may be nested several levels). */
export function revertDataOf(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const d = e[key];
    if (typeof d === "string" && isHexString(d) && d.length >= 10) return d;
    if (d && typeof d === "object") {
      const inner = revertDataOf(d, depth + 1);
      if (inner) return inner;
    }
  }
  for (const key of ["error", "info", "cause", "receipt"]) {
    const inner = revertDataOf(e[key], depth + 1);
    if (inner) return inner;
  }
  // Some providers only put it in the message: `... data="0x366b2e5a..."`.
  const m = typeof e.message === "string" ? /data="?(0x[0-9a-fA-F]{8,})/.exec(e.message) : null;
  return m?.[1];
}

/** The decoded contract error inside `error`, if it carries revert data with a known selector. */
export function decodeError(error: unknown): DecodedError | undefined {
  const data = revertDataOf(error);
  return data ? decodeErrorData(data) : undefined;
}

/** An SDK error: a message a person can act on, with the decoded contract error when there is one. */
export class XMarginError extends Error {
  readonly decoded?: DecodedError;
  constructor(message: string, options: { cause?: unknown; decoded?: DecodedError } = {}) {
    super(message, { cause: options.cause });
    this.name = "XMarginError";
    this.decoded = options.decoded;
  }
}

/** One line describing `error`: the decoded custom error if any, else the error's own short message. */
export function describeError(error: unknown): string {
  if (error instanceof XMarginError) return error.message;
  const decoded = decodeError(error);
  if (decoded) return `reverted: ${decoded.text}`;
  if (error && typeof error === "object") {
    const e = error as { shortMessage?: unknown; message?: unknown };
    if (typeof e.shortMessage === "string") return e.shortMessage;
    if (typeof e.message === "string") return e.message.split("\n")[0];
  }
  return String(error);
}

/** Runs `action`; rethrows any failure as an {@link XMarginError} saying `what` failed and why (decoded). */
export async function explain<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof XMarginError) throw error;
    throw new XMarginError(`${what}: ${describeError(error)}`, { cause: error, decoded: decodeError(error) });
  }
}
