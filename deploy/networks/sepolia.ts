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

const FEEDS = CHAINLINK_FEEDS_PAGE.ethereum;

/** Ethereum Sepolia: the L1 testnet every CCIP testnet lane connects to. */
export const sepolia: NetworkEntry = {
  name: "sepolia",
  chainId: 11155111,
  testnet: true,
  rpcUrlVar: "SEPOLIA_RPC_URL",
  // Proof-of-stake L1 with 12 s slots: 1-2 block reorgs still happen on Sepolia, finality (2 epochs, ~13 min) is too
  // slow for a testnet relayer. Three blocks (~36 s) is past every reorg seen in practice; use finality on a mainnet.
  confirmations: 3,
  layerzero: {
    eid: 40161, // EndpointId.SEPOLIA_V2_TESTNET
    endpointV2: "0x6EDCE65403992e310A62460808c4b910D972f10f",
    sendLib302: "0xcc1ae8Cf5D3904Cef3360A9532B477529b177cCE",
    receiveLib302: "0xdAf00F5eE2158dD58E0d3857851c432E34A3A851",
    executor: "0x718B92b5CB0a5552039B593faF724D182A881eDA",
    dvns: { layerzeroLabs: "0x8eebf8b423B73bFCa51a1Db4B7354AA0bFCA9193" },
    source: LAYERZERO_DEPLOYMENTS_PAGE,
  },
  ccip: {
    chainSelector: "16015286601757825753",
    router: "0x0BF3dE8c5D3e8A2B34D2BEeB17ABfCeBaf363A59",
    linkToken: "0x779877A7B0D9E8603169DdbD7836e478b4624789",
    source: CCIP_REGISTER,
  },
  hyperlane: {
    domain: 11155111,
    mailbox: "0xfFAEF09B3cd11D9b20d1a19bECca54EEC2884766",
    interchainGasPaymaster: "0x6f2756380FD49228ae25Aa7F2817993cB74Ecc56",
    source: hyperlaneRegistryPage("sepolia"),
  },
  feeds: {
    "ETH/USD": {
      address: "0x694AA1769357215DE4FAC081bf1f309aDC325306",
      pair: "ETH / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "BTC/USD": {
      address: "0x1b44F3514812d835EB1BDB0acB33d3fA3351Ee43",
      pair: "BTC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "LINK/USD": {
      address: "0xc59E3633BAAC79493d908e63626716e204A45EdF",
      pair: "LINK / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
    "USDC/USD": {
      address: "0xA2F78ab2355fe2f984D808B5CeE7FD0A93D5270E",
      pair: "USDC / USD",
      decimals: 8,
      heartbeat: TESTNET_FEED_HEARTBEAT,
      source: FEEDS,
    },
  },
  // An L1 has no sequencer: no uptime feed.
  tokens: {
    // WETH: the CCIP directory's fee-token WETH. @chainlink/local 0.2.9's Register.sol names another wrapped native
    // (0xc4bF5CbDaBE595361438F8c6a187bDc330539c60), so this value is not cross-checked against it.
    WETH: {
      address: "0x097D90c9d3E0B50Ca60e1ae45F6A81010f9FB534",
      symbol: "WETH",
      decimals: 18,
      source: ccipDirectoryPage("ethereum-testnet-sepolia"),
    },
    USDC: {
      address: "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238",
      symbol: "USDC",
      decimals: 6,
      source: CIRCLE_USDC_PAGE,
    },
    LINK: {
      address: "0x779877A7B0D9E8603169DdbD7836e478b4624789",
      symbol: "LINK",
      decimals: 18,
      source: CCIP_REGISTER,
    },
  },
  explorer: { apiUrl: etherscanV2(11155111), browserUrl: "https://sepolia.etherscan.io" },
};
