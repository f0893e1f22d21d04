/**
 * Secrets and per-user settings: RPC URLs, the deployer key, the explorer key. They come from the environment or from
 * Hardhat configuration variables (`npx hardhat vars set NAME`), never from a committed file. A missing value only
 * fails the command that needs it, with a message naming the variable.
 */
import { vars } from "hardhat/config";
import type { NetworkEntry } from "../types";

/** The deployer's private key (0x-prefixed hex), for every network of the book. */
export const DEPLOYER_KEY_VAR = "DEPLOYER_KEY";
/** One Etherscan key: the Etherscan v2 API serves every chain of the book with it. */
export const EXPLORER_KEY_VAR = "ETHERSCAN_API_KEY";

/**
 * The value of `name`: the environment first (CI, one-off overrides), then Hardhat's configuration variables.
 * Undefined when neither has it. Outside a Hardhat process (a plain ts-node script) only the environment is read.
 */
export function configVariable(name: string): string | undefined {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  try {
    return vars.has(name) ? vars.get(name) : undefined;
  } catch {
    return undefined; // no Hardhat context: only the environment counts
  }
}

/** How to set a missing variable, for error messages. */
export function howToSet(name: string): string {
  return `set ${name}: \`npx hardhat vars set ${name}\` or export ${name}=... (see .env.example)`;
}

/** The RPC URL of a book network; throws naming the variable to set. */
export function rpcUrl(entry: NetworkEntry): string {
  const url = configVariable(entry.rpcUrlVar);
  if (url === undefined) throw new Error(`no RPC URL for ${entry.name}: ${howToSet(entry.rpcUrlVar)}`);
  return url;
}

/** The deployer key; throws naming the variable to set. */
export function deployerKey(): string {
  const key = configVariable(DEPLOYER_KEY_VAR);
  if (key === undefined) throw new Error(`no deployer key: ${howToSet(DEPLOYER_KEY_VAR)}`);
  return key;
}

/** The explorer key, or undefined (verification is then skipped). */
export function explorerKey(): string | undefined {
  return configVariable(EXPLORER_KEY_VAR);
}
