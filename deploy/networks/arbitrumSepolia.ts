import type { NetworkEntry } from "../types";
import {
  CCIP_REGISTER,
  CHAINLINK_FEEDS_PAGE,
  CIRCLE_USDC_PAGE,
  LAYERZERO_DEPLOYMENTS_PAGE,
  TESTNET_FEED_HEARTBEAT,
  ccipDirectoryPage,
  etherscanV2,
  hyperlaneRegistryPage,
} from "./sources";

const FEEDS = CHAINLINK_FEEDS_PAGE.arbitrum;

/** Arbitrum Sepolia (Nitro rollup on Sepolia). */
export const arbitrumSepolia: NetworkEntry = {
  name: "arbitrumSepolia",
  chainId: 421614,
  testnet: true,
  rpcUrlVar: "ARBITRUM_SEPOLIA_RPC_URL",
  // The sequencer orders blocks once (~0.25 s each) and does not reorg them short of a sequencer fault; one block is
  // what Hyperlane's own relayer uses here (reorgPeriod 0). A second block costs under a second and covers an RPC
  // node that is briefly behind.
  confirmations: 2,
  layerzero: {
    eid: 40231, // EndpointId.ARBSEP_V2_TESTNET
    endpointV2: "0x6EDCE65403992e310A62460808c4b910D972f10f",
    sendLib302: "0x4f7cd4DA19ABB31b0eC98b9066B9e857B1bf9C0E",
    receiveLib302: "0x75Db67CDab2824970131D5aa9CECfC9F69c69636",
    executor: "0x5Df3a1cEbBD9c8BA7F8dF51Fd632A9aef8308897",
    dvns: { layerzeroLabs: "0x53f488E93b4f1b60E8E83aa374dBe1780A1EE8a8" },
    source: LAYERZERO_DEPLOYMENTS_PAGE,
  },
  ccip: {
    chainSelector: "3478487238524512106",
    router: "0x2a9C5afB0d0e4BAb2BCdaE109EC4b0c4Be15a165",
    linkToken: "0xb1D4538B4571d411F07960EF2838Ce337FE1E80E",
    source: CCIP_REGISTER,
  },
  hyperlane: {
    domain: 421614,
    mailbox: "0x598facE78a4302f11E3de0bee1894Da0b2Cb71F8",
    interchainGasPaymaster: "0xc756cFc1b7d0d4646589EDf10eD54b201237F5e8",
    source: hyperlaneRegistryPage("arbitrumsepolia"),
  },
  feeds: {
    "ETH/USD": {
      address: "0xd30e2101a97dcbAeBCBC04F14C3f624E67A35165",
      pair: "ETH / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "BTC/USD": {
      address: "0x56a43EB56Da12C0dc1D972ACb089c06a5dEF8e69",
      pair: "BTC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "LINK/USD": {
      address: "0x0FB99723Aee6f420beAD13e6bBB79b7E6F034298",
      pair: "LINK / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "USDC/USD": {
      address: "0x0153002d20B96532C639313c2d54c3dA09109309",
      pair: "USDC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
  },
  // Sequencer-uptime feed: none published for Arbitrum Sepolia (CHAINLINK_SEQUENCER_PAGE lists mainnets only).
  tokens: {
    // WETH: the CCIP directory's fee-token WETH. @chainlink/local 0.2.9's Register.sol names another wrapped native
    // (0xb13Cfa6f8B2Eed2C37fB00fF0c1A59807C585810), so this value is not cross-checked against it.
    WETH: {
      address: "0xE591bf0A0CF924A0674d7792db046B23CEbF5f34",
      symbol: "WETH",
      decimals: 18,
      source: ccipDirectoryPage("ethereum-testnet-sepolia-arbitrum-1"),
    },
    USDC: {
      address: "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d",
      symbol: "USDC",
      decimals: 6,
      source: CIRCLE_USDC_PAGE,
    },
    LINK: {
      address: "0xb1D4538B4571d411F07960EF2838Ce337FE1E80E",
      symbol: "LINK",
      decimals: 18,
      source: CCIP_REGISTER,
    },
  },
  explorer: { apiUrl: etherscanV2(421614), browserUrl: "https://sepolia.arbiscan.io" },
};
