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

const FEEDS = CHAINLINK_FEEDS_PAGE.base;

/** Base Sepolia (OP Stack rollup on Sepolia). */
export const baseSepolia: NetworkEntry = {
  name: "baseSepolia",
  chainId: 84532,
  testnet: true,
  rpcUrlVar: "BASE_SEPOLIA_RPC_URL",
  // OP Stack: 2 s blocks from a single sequencer, unsafe-head reorgs are rare (Hyperlane waits 1 block here).
  // Three blocks (~6 s) leaves a margin over Hyperlane's own setting at little latency.
  confirmations: 3,
  layerzero: {
    eid: 40245, // EndpointId.BASESEP_V2_TESTNET
    endpointV2: "0x6EDCE65403992e310A62460808c4b910D972f10f",
    sendLib302: "0xC1868e054425D378095A003EcbA3823a5D0135C9",
    receiveLib302: "0x12523de19dc41c91F7d2093E0CFbB76b17012C8d",
    executor: "0x8A3D588D9f6AC041476b094f97FF94ec30169d3D",
    dvns: { layerzeroLabs: "0xe1a12515F9AB2764b887bF60B923Ca494EBbB2d6" },
    source: LAYERZERO_DEPLOYMENTS_PAGE,
  },
  ccip: {
    chainSelector: "10344971235874465080",
    router: "0xD3b06cEbF099CE7DA4AcCf578aaebFDBd6e88a93",
    linkToken: "0xE4aB69C077896252FAFBD49EFD26B5D171A32410",
    source: CCIP_REGISTER,
  },
  hyperlane: {
    domain: 84532,
    mailbox: "0x6966b0E55883d49BFB24539356a2f8A673E02039",
    interchainGasPaymaster: "0x28B02B97a850872C4D33C3E024fab6499ad96564",
    source: hyperlaneRegistryPage("basesepolia"),
  },
  feeds: {
    "ETH/USD": {
      address: "0x4aDC67696bA383F43DD60A9e78F2C97Fbbfc7cb1",
      pair: "ETH / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "BTC/USD": {
      address: "0x0FB99723Aee6f420beAD13e6bBB79b7E6F034298",
      pair: "BTC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "LINK/USD": {
      address: "0xb113F5A928BCfF189C998ab20d753a47F9dE5A61",
      pair: "LINK / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "USDC/USD": {
      address: "0xd30e2101a97dcbAeBCBC04F14C3f624E67A35165",
      pair: "USDC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
  },
  // Sequencer-uptime feed: none published for Base Sepolia (CHAINLINK_SEQUENCER_PAGE lists mainnets only).
  tokens: {
    WETH: {
      address: "0x4200000000000000000000000000000000000006",
      symbol: "WETH",
      decimals: 18,
      source: ccipDirectoryPage("ethereum-testnet-sepolia-base-1"),
    },
    USDC: {
      address: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
      symbol: "USDC",
      decimals: 6,
      source: CIRCLE_USDC_PAGE,
    },
    LINK: {
      address: "0xE4aB69C077896252FAFBD49EFD26B5D171A32410",
      symbol: "LINK",
      decimals: 18,
      source: CCIP_REGISTER,
    },
  },
  explorer: { apiUrl: etherscanV2(84532), browserUrl: "https://sepolia.basescan.org" },
};
