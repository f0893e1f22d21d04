// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IPriceOracle
/// @notice Prices of collateral assets per (chainId, asset) and of the base asset, from Chainlink-style feeds.
///         Every price is normalised so that `value = amount * price / 1e18` is the USD value, scaled by 1e18,
///         of `amount` raw token units, whatever the token's and the feed's decimals.
interface IPriceOracle {
    /// @notice One feed, one storage slot.
    /// @param feed The Chainlink-style aggregator (USD quote).
    /// @param heartbeat Most seconds since the feed's last update before its answer counts as stale.
    /// @param scaleExponent 36 - feedDecimals - tokenDecimals: the normalisation is answer * 10^scaleExponent.
    struct FeedConfig {
        AggregatorV3Interface feed;
        uint32 heartbeat;
        uint8 scaleExponent;
    }

    event FeedSet(
        uint64 indexed chainId,
        address indexed asset,
        address feed,
        uint32 heartbeat,
        uint8 feedDecimals,
        uint8 tokenDecimals
    );

    error NoFeed(uint64 chainId, address asset);
    error StalePrice(address feed, uint256 updatedAt);
    error InvalidPrice(address feed, int256 answer);
    error InvalidDecimals(uint8 feedDecimals, uint8 tokenDecimals);
    error InvalidHeartbeat(uint32 heartbeat);

    /// @notice Normalised price of `asset` on `chainId` (see the contract notice). Reverts on a missing, stale or
    ///         non-positive answer.
    function getPrice(uint64 chainId, address asset) external view returns (uint256 price);

    /// @notice The feed configured for `asset` on `chainId`.
    function feedOf(uint64 chainId, address asset) external view returns (FeedConfig memory);
}
