/** Environment configs by name; `deployments/<name>.json` is the record of each. */
import type { EnvironmentConfig } from "../types";
import { testnet } from "./testnet";

export const ENVIRONMENTS: Record<string, EnvironmentConfig> = { testnet };

/** The config of environment `name`; throws naming the unknown environment and the known ones. */
export function loadEnvironment(name: string): EnvironmentConfig {
  const config = ENVIRONMENTS[name];
  if (config === undefined) {
    throw new Error(`unknown environment "${name}": known environments are ${Object.keys(ENVIRONMENTS).join(", ")}`);
  }
  return config;
}
