/**
 * Loading an environment for the command-line tools: its config (deploy/config/<env>.ts), the address book
 * (deploy/networks/), the validation, and a signer per network (RPC URL and deployer key from the environment or
 * Hardhat configuration variables, deploy/networks/secrets.ts).
 */
import fs from "fs";
import path from "path";
import { JsonRpcProvider, Wallet, type Signer } from "ethers";
import type { EnvironmentConfig, NetworkEntry } from "../../deploy/types";
import { DEPLOYER_KEY_VAR, configVariable, howToSet } from "../../deploy/networks/secrets";

export { DEPLOYER_KEY_VAR };

const ROOT = path.join(__dirname, "..", "..");

function firstExport<T>(mod: Record<string, unknown>, test: (v: unknown) => boolean, what: string): T {
  const value = mod.default && test(mod.default) ? mod.default : Object.values(mod).find(test);
  if (!value) throw new Error(`no ${what} exported`);
  return value as T;
}

export function loadConfig(env: string): EnvironmentConfig {
  const file = path.join(ROOT, "deploy", "config", `${env}.ts`);
  if (!fs.existsSync(file))
    throw new Error(`no environment ${env}: ${path.relative(process.cwd(), file)} does not exist`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, unknown>;
  return firstExport<EnvironmentConfig>(
    mod,
    (v) => !!v && typeof v === "object" && "hub" in v && "spokes" in v && "routes" in v,
    `environment config in ${file}`,
  );
}

export function loadBook(): Record<string, NetworkEntry> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, "deploy", "networks")) as Record<string, unknown>;
  if (mod.ADDRESS_BOOK) return mod.ADDRESS_BOOK as Record<string, NetworkEntry>;
  throw new Error("deploy/networks exports no ADDRESS_BOOK");
}

/** Problems of `config` against `book` (deploy/config/validate.ts), one line each. */
export function validate(config: EnvironmentConfig, book: Record<string, NetworkEntry>): string[] {
  const file = path.join(ROOT, "deploy", "config", "validate.ts");
  if (!fs.existsSync(file)) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as {
    validateEnvironment?: (c: EnvironmentConfig, b: Record<string, NetworkEntry>) => string[];
  };
  return mod.validateEnvironment ? mod.validateEnvironment(config, book) : [];
}

/** Keeps the environment to `only` (a subset of its networks; the hub is always kept, wiring needs it). */
export function restrict(config: EnvironmentConfig, only?: string[]): EnvironmentConfig {
  if (!only?.length) return config;
  for (const n of only) {
    if (n !== config.hub && !config.spokes.includes(n)) throw new Error(`--networks: ${n} is not in ${config.name}`);
  }
  const spokes = config.spokes.filter((s) => only.includes(s));
  return {
    ...config,
    spokes,
    routes: Object.fromEntries(spokes.map((s) => [s, config.routes[s]])),
    markets: config.markets.filter((m) => spokes.includes(m.network)),
  };
}

/** The RPC URL and deployer key of `net`, from the environment or Hardhat configuration variables. */
export function networkAccess(net: NetworkEntry): { url: string; key?: string } {
  const url = configVariable(net.rpcUrlVar);
  if (!url) throw new Error(`${net.name}: no RPC URL: ${howToSet(net.rpcUrlVar)}`);
  return { url, key: configVariable(DEPLOYER_KEY_VAR) };
}

/** A signer per network: the deployer key, or (dev nodes) the node's first unlocked account. */
export async function connectSigners(
  config: EnvironmentConfig,
  book: Record<string, NetworkEntry>,
  readOnly = false,
): Promise<Record<string, Signer>> {
  const out: Record<string, Signer> = {};
  for (const name of [config.hub, ...config.spokes]) {
    const net = book[name];
    if (!net) throw new Error(`${name}: not in the address book`);
    const { url, key } = networkAccess(net);
    const provider = new JsonRpcProvider(url, net.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 200,
    });
    if (key) {
      out[name] = new Wallet(key, provider);
    } else if (readOnly) {
      out[name] = new Wallet(Wallet.createRandom().privateKey, provider);
    } else {
      const accounts = (await provider.send("eth_accounts", [])) as string[];
      if (!accounts.length) throw new Error(`${name}: no deployer key: ${howToSet(DEPLOYER_KEY_VAR)}`);
      out[name] = await provider.getSigner(accounts[0]);
    }
  }
  return out;
}

export function destroySigners(signers: Record<string, Signer>): void {
  for (const s of Object.values(signers)) (s.provider as JsonRpcProvider | null)?.destroy?.();
}
