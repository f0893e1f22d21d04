/** Amounts in token units ("1.5") to raw integers and back, checked: a typo fails here, not in a transaction. */
import { formatUnits, parseUnits } from "ethers";
import { XMarginError } from "./errors";

const DECIMAL = /^(\d+)(\.(\d*))?$|^\.(\d+)$/;

/** Parses a positive amount in token units (`"1.5"`, `"1000"`, `"0.000001"`) into raw units of `decimals`. */
export function parseAmount(value: string, decimals: number, what = "amount"): bigint {
  const text = value.trim().replaceAll("_", "");
  if (!DECIMAL.test(text)) throw new XMarginError(`${what} "${value}" is not a decimal number of token units`);
  const fraction = text.includes(".") ? text.split(".")[1] : "";
  if (fraction.length > decimals) {
    throw new XMarginError(`${what} "${value}" has ${fraction.length} decimals; the token has ${decimals}`);
  }
  const raw = parseUnits(text.startsWith(".") ? `0${text}` : text, decimals);
  if (raw === 0n) throw new XMarginError(`${what} must be more than zero`);
  return raw;
}

/** Formats raw units of `decimals` in token units, without trailing zeros (`1500000` at 6 decimals → `"1.5"`). */
export function formatAmount(raw: bigint, decimals: number): string {
  const s = formatUnits(raw, decimals);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** A 1e18-scaled ratio as a short decimal (`1.2345`), or `∞` at `type(uint256).max`. */
export function formatWad(value: bigint, digits = 4): string {
  if (value === 2n ** 256n - 1n) return "∞";
  const s = formatUnits(value, 18);
  const [int, frac = ""] = s.split(".");
  const f = frac.slice(0, digits).replace(/0+$/, "");
  return f ? `${int}.${f}` : int;
}

/** A 1e18-scaled USD value as dollars with two decimals (`$1,234.56`). */
export function formatUsd(value: bigint): string {
  const cents = value / 10n ** 16n;
  const int = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `$${int}.${(cents % 100n).toString().padStart(2, "0")}`;
}
