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

const FEEDS = CHAINLINK_FEEDS_PAGE.optimism;

/** OP Sepolia (OP Stack rollup on Sepolia). */
export const optimismSepolia: NetworkEntry = {
  name: "optimismSepolia",
  chainId: 11155420,
  testnet: true,
  rpcUrlVar: "OPTIMISM_SEPOLIA_RPC_URL",
  // OP Stack: 2 s blocks from a single sequencer, unsafe-head reorgs are rare (Hyperlane's reorgPeriod here is 0).
  // Three blocks (~6 s), as on Base Sepolia.
  confirmations: 3,
  layerzero: {
    eid: 40232, // EndpointId.OPTSEP_V2_TESTNET
    endpointV2: "0x6EDCE65403992e310A62460808c4b910D972f10f",
    sendLib302: "0xB31D2cb502E25B30C651842C7C3293c51Fe6d16f",
    receiveLib302: "0x9284fd59B95b9143AF0b9795CAC16eb3C723C9Ca",
    executor: "0xDc0D68899405673b932F0DB7f8A49191491A5bcB",
    dvns: { layerzeroLabs: "0xd680ec569f269aa7015F7979b4f1239b5aa4582C" },
    source: LAYERZERO_DEPLOYMENTS_PAGE,
  },
  ccip: {
    chainSelector: "5224473277236331295",
    router: "0x114A20A10b43D4115e5aeef7345a1A71d2a60C57",
    linkToken: "0xE4aB69C077896252FAFBD49EFD26B5D171A32410",
    source: CCIP_REGISTER,
  },
  hyperlane: {
    domain: 11155420,
    mailbox: "0x6966b0E55883d49BFB24539356a2f8A673E02039",
    interchainGasPaymaster: "0x28B02B97a850872C4D33C3E024fab6499ad96564",
    source: hyperlaneRegistryPage("optimismsepolia"),
  },
  feeds: {
    "ETH/USD": {
      address: "0x61Ec26aA57019C486B10502285c5A3D4A4750AD7",
      pair: "ETH / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "BTC/USD": {
      address: "0x3015aa11f5c2D4Bd0f891E708C8927961b38cE7D",
      pair: "BTC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "LINK/USD": {
      address: "0x53f91dA33120F44893CB896b12a83551DEDb31c6",
      pair: "LINK / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "USDC/USD": {
      address: "0x6e44e50E3cc14DD16e01C590DC1d7020cb36eD4C",
      pair: "USDC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
  },
  // Sequencer-uptime feed: none published for OP Sepolia (CHAINLINK_SEQUENCER_PAGE lists mainnets only).
  tokens: {
    WETH: {
      address: "0x4200000000000000000000000000000000000006",
      symbol: "WETH",
      decimals: 18,
      source: ccipDirectoryPage("ethereum-testnet-sepolia-optimism-1"),
    },
    USDC: {
      address: "0x5fd84259d66Cd46123540766Be93DFE6D43130D7",
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
  explorer: { apiUrl: etherscanV2(11155420), browserUrl: "https://sepolia-optimism.etherscan.io" },
};
