import type { EnvironmentConfig, MarketConfigEntry, RouteConfig } from "../types";

/**
 * The public testnet environment: hub on Ethereum Sepolia, spokes on Arbitrum, Base and OP Sepolia.
 *
 * Why Sepolia is the hub: every CCIP testnet lane runs to and from Ethereum Sepolia (CCIP's testnet centre), so all
 * three bridges serve every hub <-> spoke pair, which is not known for L2 <-> L2 lanes; Chainlink publishes the most
 * testnet feeds there (ETH, BTC, LINK and USDC in USD), and the hub reads every price on its own chain; an L1 hub
 * needs no sequencer-uptime feed (none is published for the L2 testnets anyway). The cost is L1 gas for the hub's
 * transactions, paid in test ETH.
 */

/** Every route: LayerZero, CCIP and Hyperlane, any two of three confirm (the book has all three on every network). */
const ROUTE: RouteConfig = { adapters: ["layerzero", "ccip", "hyperlane"], k: 2 };

export const SPOKES = ["arbitrumSepolia", "baseSepolia", "optimismSepolia"] as const;

/** Per token: risk parameters and limits, the same on every spoke (token units). */
const MARKET_TEMPLATES: Omit<MarketConfigEntry, "network">[] = [
  {
    token: "WETH",
    feed: "ETH/USD",
    borrowFactorBps: 8000,
    liquidationThresholdBps: 8500,
    liquidationBonusBps: 500,
    creditCap: "100",
    depositCap: "50",
    outflowLimit: { capacity: "20", windowSeconds: 86_400 },
  },
  {
    token: "USDC",
    feed: "USDC/USD",
    borrowFactorBps: 8500,
    liquidationThresholdBps: 9000,
    liquidationBonusBps: 400,
    creditCap: "1000000",
    depositCap: "500000",
    outflowLimit: { capacity: "200000", windowSeconds: 86_400 },
  },
  {
    token: "LINK",
    feed: "LINK/USD",
    borrowFactorBps: 6500,
    liquidationThresholdBps: 7500,
    liquidationBonusBps: 800,
    creditCap: "100000",
    depositCap: "50000",
    outflowLimit: { capacity: "20000", windowSeconds: 86_400 },
  },
];

export const testnet: EnvironmentConfig = {
  name: "testnet",
  hub: "sepolia",
  spokes: [...SPOKES],
  routes: Object.fromEntries(SPOKES.map((s) => [s, { ...ROUTE, adapters: [...ROUTE.adapters] }])),
  // Circle's testnet USDC on Sepolia, priced by Chainlink's USDC/USD feed there.
  base: { token: "USDC", feed: "USDC/USD" },
  markets: SPOKES.flatMap((network) => MARKET_TEMPLATES.map((m) => ({ ...m, network }))),
  risk: {
    rateModel: { baseRatePerYear: "0", slope1PerYear: "0.04", slope2PerYear: "0.75", kink: "0.8" },
    reserveFactorBps: 1000,
    liquidation: { closeFactorBps: 5000, protocolShareBps: 1000, fullCloseHealth: "0.95" },
    minDebt: "10",
  },
  guardian: "deployer",
  // Ownership goes to a TimelockController per chain; one hour is long enough to exercise the governance path on a
  // testnet and short enough to iterate. The deployer proposes and executes (a multisig on a mainnet).
  governance: { timelock: true, minDelay: 3600, proposers: ["deployer"], executors: ["deployer"] },
  // Gas each destination gives one app delivery (LayerZero enforced option, CCIP gasLimit, Hyperlane IGP quote): the
  // costliest delivery in gas-snapshot.json is the k-th confirmation that also executes (k3n4.receive ~278k; k = 2
  // here: ~180k), so 400k (the bridge tests' default) leaves room for a cold account and a longer position list.
  deliveryGas: 400_000,
  // LayerZero: xmargin's own ULN config on every pathway, not the endpoint's defaults (which LayerZero may change):
  // the LayerZero Labs DVN of the book required, each source chain's book confirmations; the default executor.
  layerzero: { requiredDVNs: ["layerzeroLabs"] },
};
