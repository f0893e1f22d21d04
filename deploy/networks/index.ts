/**
 * The address book: what exists on each network before xmargin (bridges, feeds, tokens, explorer), one file per
 * network. Adding a network = one file here + one line in NETWORK_ENTRIES; `hardhat.config.ts` builds its networks
 * from this list.
 */
import type { NetworkEntry } from "../types";
import { arbitrumSepolia } from "./arbitrumSepolia";
import { baseSepolia } from "./baseSepolia";
import { optimismSepolia } from "./optimismSepolia";
import { sepolia } from "./sepolia";

/** Every network of the book, in a stable order. */
export const NETWORK_ENTRIES: readonly NetworkEntry[] = [sepolia, arbitrumSepolia, baseSepolia, optimismSepolia];

export const ADDRESS_BOOK: Record<string, NetworkEntry> = Object.fromEntries(NETWORK_ENTRIES.map((n) => [n.name, n]));

/** The book entry of a network by its Hardhat name; throws naming the unknown network and the known ones. */
export function networkByName(name: string, book: Record<string, NetworkEntry> = ADDRESS_BOOK): NetworkEntry {
  const entry = book[name];
  if (entry === undefined) {
    throw new Error(`unknown network "${name}": the address book has ${Object.keys(book).join(", ")}`);
  }
  return entry;
}

/** The book entry of a network by its chain id; throws naming the unknown chain id and the known ones. */
export function networkByChainId(chainId: number, book: Record<string, NetworkEntry> = ADDRESS_BOOK): NetworkEntry {
  const entry = Object.values(book).find((n) => n.chainId === chainId);
  if (entry === undefined) {
    const known = Object.values(book).map((n) => `${n.name} (${n.chainId})`);
    throw new Error(`unknown chain id ${chainId}: the address book has ${known.join(", ")}`);
  }
  return entry;
}

/**
 * The environment variables that point the fork suites at a network: `FORK_<NETWORK>_URL` and the optional
 * `FORK_<NETWORK>_BLOCK`, NETWORK being the book key in upper snake case (arbitrumSepolia -> ARBITRUM_SEPOLIA).
 */
export function forkVarsOf(name: string): { url: string; block: string } {
  const key = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  return { url: `FORK_${key}_URL`, block: `FORK_${key}_BLOCK` };
}
