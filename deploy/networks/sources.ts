/**
 * Where the values that no bridge package publishes come from: the publishers' own pages.
 * Values that a package publishes (LayerZero eids and workers, CCIP routers, selectors and LINK, Hyperlane mailboxes,
 * IGPs and domains) are cross-checked against that package by `test/unit/addressBook.test.ts`.
 */

/** Chainlink's price-feed address pages, per network family (the testnet table is on the same page). */
export const CHAINLINK_FEEDS_PAGE = {
  ethereum:
    "https://docs.chain.link/data-feeds/price-feeds/addresses?network=ethereum&page=1&testnetPage=1#sepolia-testnet",
  arbitrum:
    "https://docs.chain.link/data-feeds/price-feeds/addresses?network=arbitrum&page=1&testnetPage=1#arbitrum-sepolia",
  base: "https://docs.chain.link/data-feeds/price-feeds/addresses?network=base&page=1&testnetPage=1#base-sepolia-testnet",
  optimism: "https://docs.chain.link/data-feeds/price-feeds/addresses?network=optimism&page=1&testnetPage=1#op-sepolia",
} as const;

/** Chainlink's L2 sequencer-uptime page: it lists mainnet feeds only (no testnet feed is published). */
export const CHAINLINK_SEQUENCER_PAGE = "https://docs.chain.link/data-feeds/l2-sequencer-feeds";

/** Circle's list of USDC addresses, testnets included. */
export const CIRCLE_USDC_PAGE = "https://developers.circle.com/stablecoins/usdc-contract-addresses";

/** Chainlink's CCIP directory page of a testnet (its fee tokens: LINK and the wrapped native token). */
export const ccipDirectoryPage = (chain: string): string =>
  `https://docs.chain.link/ccip/directory/testnet/chain/${chain}`;

/** LayerZero's deployed-contracts page (EndpointV2, libraries, executor, DVNs), also in `@layerzerolabs/lz-evm-sdk-v2`. */
export const LAYERZERO_DEPLOYMENTS_PAGE = "https://docs.layerzero.network/v2/deployments/deployed-contracts";

/** Hyperlane's registry (`@hyperlane-xyz/registry`, chains/<name>/addresses.yaml and metadata.yaml). */
export const hyperlaneRegistryPage = (chain: string): string =>
  `https://github.com/hyperlane-xyz/hyperlane-registry/tree/main/chains/${chain}`;

/** CCIP routers and selectors: `@chainlink/local` ships them in `src/ccip/Register.sol`. */
export const CCIP_REGISTER = "@chainlink/local/src/ccip/Register.sol";

/** Etherscan's v2 multichain API: one key for every chain, the chain picked by `chainid`. */
export const etherscanV2 = (chainId: number): string => `https://api.etherscan.io/v2/api?chainid=${chainId}`;

/**
 * Testnet feeds: Chainlink's tables give a heartbeat per feed, but the testnet rows are not in any package and could
 * not be read here; a day is the longest heartbeat Chainlink uses, so the oracle never refuses a live testnet feed as
 * stale. Set the listed heartbeat before using a book entry on a mainnet.
 */
export const TESTNET_FEED_HEARTBEAT = 86_400;
