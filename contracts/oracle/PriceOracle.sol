// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title PriceOracle
/// @notice See {IPriceOracle}. The same asset on two chains may share one feed.
contract PriceOracle is IPriceOracle, Ownable2Step {
    /// @notice Tokens and feeds with more decimals than this are refused at configuration.
    uint8 public constant MAX_DECIMALS = 18;

    mapping(uint64 chainId => mapping(address asset => FeedConfig)) internal _feeds;

    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IPriceOracle
    function getPrice(uint64 chainId, address asset) external view returns (uint256) {
        FeedConfig memory config = _feeds[chainId][asset];
        if (address(config.feed) == address(0)) revert NoFeed(chainId, asset);
        (, int256 answer, , uint256 updatedAt, ) = config.feed.latestRoundData();
        if (answer <= 0) revert InvalidPrice(address(config.feed), answer);
        // updatedAt in the future is as untrustworthy as an old one.
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > config.heartbeat) {
            revert StalePrice(address(config.feed), updatedAt);
        }
        return uint256(answer) * 10 ** config.scaleExponent;
    }

    /// @inheritdoc IPriceOracle
    function feedOf(uint64 chainId, address asset) external view returns (FeedConfig memory) {
        return _feeds[chainId][asset];
    }

    /// @notice Sets the USD feed of `asset` on `chainId`, whose token has `tokenDecimals`. Only the owner.
    /// @param heartbeat The feed's own heartbeat plus a margin: older answers are refused.
    function setFeed(
        uint64 chainId,
        address asset,
        AggregatorV3Interface feed,
        uint32 heartbeat,
        uint8 tokenDecimals
    ) external onlyOwner {
        uint8 feedDecimals = feed.decimals();
        if (feedDecimals > MAX_DECIMALS || tokenDecimals > MAX_DECIMALS) {
            revert InvalidDecimals(feedDecimals, tokenDecimals);
        }
        if (heartbeat == 0) revert InvalidHeartbeat(heartbeat);
        _feeds[chainId][asset] = FeedConfig(feed, heartbeat, 36 - feedDecimals - tokenDecimals);
        emit FeedSet(chainId, asset, address(feed), heartbeat, feedDecimals, tokenDecimals);
    }
}
