/**
 * A small environment on in-process chains for the deploy tests: a hub and one spoke, the bridges' harnesses
 * installed where they land and written into an address book, mock tokens and feeds as the "existing" assets.
 */
import os from "os";
import path from "path";
import fs from "fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { createChain } from "../../scripts/lib/inprocess";
import type { Chain } from "../../scripts/lib/chain";
import { bridgeId, separateNonces } from "../../scripts/lib/bridges";
import { installAssets, installBridges, type InstalledBridges } from "../../scripts/lib/harness";
import type { EnvironmentConfig, NetworkEntry } from "../../deploy/types";
import { RecordStore } from "../../deploy/record";
import { runEnvironment } from "../../deploy/environment";
import type { RunOptions } from "../../deploy/runner";

export const HUB = "hubnet";
export const SPOKE = "spokenet";
const PLACEHOLDER = "0x00000000000000000000000000000000000000aa";

function entry(name: string, chainId: bigint): NetworkEntry {
  return {
    name,
    chainId: Number(chainId),
    testnet: true,
    rpcUrlVar: `${name.toUpperCase()}_RPC_URL`,
    confirmations: 1,
    layerzero: { eid: Number(bridgeId("layerzero", chainId)), endpointV2: PLACEHOLDER },
    ccip: { chainSelector: bridgeId("ccip", chainId).toString(), router: PLACEHOLDER },
    hyperlane: { domain: Number(chainId), mailbox: PLACEHOLDER, interchainGasPaymaster: PLACEHOLDER },
    feeds: {},
    tokens: {},
    explorer: { apiUrl: "", browserUrl: "" },
  };
}

export function testConfig(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: "deploytest",
    hub: HUB,
    spokes: [SPOKE],
    routes: { [SPOKE]: { adapters: ["layerzero", "ccip", "hyperlane"], k: 2 } },
    base: { token: "USDC", feed: "USDC/USD" },
    markets: [
      {
        network: SPOKE,
        token: "WETH",
        feed: "ETH/USD",
        borrowFactorBps: 8000,
        liquidationThresholdBps: 8500,
        liquidationBonusBps: 500,
        creditCap: "1000",
        depositCap: "1000",
        outflowLimit: { capacity: "100", windowSeconds: 3600 },
      },
    ],
    risk: {
      rateModel: { baseRatePerYear: "0", slope1PerYear: "0.04", slope2PerYear: "0.75", kink: "0.8" },
      reserveFactorBps: 1000,
      liquidation: { closeFactorBps: 5000, protocolShareBps: 1000, fullCloseHealth: "0.95" },
      minDebt: "10",
    },
    guardian: "deployer",
    governance: { timelock: false, minDelay: 0, proposers: [], executors: [] },
    deliveryGas: 400_000,
    ...overrides,
  };
}

export interface TestEnv {
  chains: Record<string, Chain>;
  book: Record<string, NetworkEntry>;
  installed: Record<string, InstalledBridges>;
  signers: Record<string, Chain["signers"][number]>;
  file: string;
  run(config: EnvironmentConfig, options: Omit<RunOptions, "store">): ReturnType<typeof runEnvironment>;
  store(config: EnvironmentConfig): RecordStore;
}

/** Fresh chains, harnesses and assets; `extraTokens` adds tokens to the spoke's book (e.g. one of 50 decimals). */
export async function testEnv(
  hre: HardhatRuntimeEnvironment,
  extraTokens: Record<string, number> = {},
): Promise<TestEnv> {
  const [hub, spoke] = await Promise.all([
    createChain(hre, HUB, 31337n, { accounts: 4 }),
    createChain(hre, SPOKE, 31338n, { accounts: 4 }),
  ]);
  const chains: Record<string, Chain> = { [HUB]: hub, [SPOKE]: spoke };
  const book: Record<string, NetworkEntry> = { [HUB]: entry(HUB, 31337n), [SPOKE]: entry(SPOKE, 31338n) };
  book[HUB].feeds = {
    "USDC/USD": {
      address: PLACEHOLDER,
      pair: "USDC / USD",
      decimals: 8,
      heartbeat: 86400,
      source: "test",
      mockAnswer: "100000000",
    },
    "ETH/USD": {
      address: PLACEHOLDER,
      pair: "ETH / USD",
      decimals: 8,
      heartbeat: 3600,
      source: "test",
      mockAnswer: "300000000000",
    },
  };
  book[HUB].tokens = { USDC: { address: PLACEHOLDER, symbol: "USDC", decimals: 6, source: "test" } };
  book[SPOKE].tokens = { WETH: { address: PLACEHOLDER, symbol: "WETH", decimals: 18, source: "test" } };
  for (const [symbol, decimals] of Object.entries(extraTokens)) {
    book[SPOKE].tokens[symbol] = { address: PLACEHOLDER, symbol, decimals, source: "test" };
  }
  const installed: Record<string, InstalledBridges> = {};
  for (const [index, name] of [HUB, SPOKE].entries()) {
    const chain = chains[name];
    const deployer = chain.signers[0];
    // In-process chains share accounts: separate nonce ranges keep addresses distinct across chains.
    await separateNonces(chain, deployer, index);
    const net = book[name];
    const remotes = [HUB, SPOKE].filter((n) => n !== name).map((n) => book[n]);
    const bridges = await installBridges(chain, deployer, net, remotes);
    installed[name] = bridges;
    net.layerzero!.endpointV2 = bridges.layerzero!.endpoint;
    net.ccip!.router = bridges.ccip!.router;
    net.hyperlane!.mailbox = bridges.hyperlane!.mailbox;
    net.hyperlane!.interchainGasPaymaster = bridges.hyperlane!.igp;
    const assets = await installAssets(chain, deployer, net, false);
    for (const [k, a] of Object.entries(assets.feeds)) net.feeds[k].address = a;
    for (const [k, a] of Object.entries(assets.tokens)) net.tokens[k].address = a;
    // The deployer's contracts start at a nonce of their own on each chain (see above).
    await separateNonces(chain, deployer, index + 2);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-deploy-")), "deploytest.json");
  const signers = { [HUB]: hub.signers[0], [SPOKE]: spoke.signers[0] };
  const env: TestEnv = {
    chains,
    book,
    installed,
    signers,
    file,
    store: (config) => RecordStore.open(config, file),
    run: (config, options) => runEnvironment({ config, book, signers }, { ...options, store: env.store(config) }),
  };
  return env;
}

/** Transactions sent so far by the deployer on every chain. */
export async function nonces(env: TestEnv): Promise<number[]> {
  return Promise.all(Object.values(env.chains).map((c) => c.provider.getTransactionCount(c.signers[0].address)));
}
