// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title PriceLib
/// @notice Reads Chainlink-style feeds inside the engine, from a feed configuration packed in one slot
///         ({IPriceOracle.FeedConfig}): no call to a separate oracle contract, no ABI round trip per price.
///         Every check of {IPriceOracle} applies: a feed must be set, answers ≤ 0, at or beyond the bounds, stale
///         per the feed's heartbeat or from the future are refused; the sequencer check is {requireSequencerUp}.
library PriceLib {
    /// @notice Tokens and feeds with more decimals than this are refused at configuration.
    uint8 internal constant MAX_DECIMALS = 18;
    /// @notice Largest exponent of a packed bound: 65535 * 10^58 < 2^210 fits an int256 with room to spare.
    uint8 internal constant MAX_BOUND_EXPONENT = 58;

    /// @dev Normalised price (`value = amount * price / 1e18`, USD 1e18) of the feed configured in `config` for
    ///      (`chainId`, `asset`), which only name a missing feed in {IPriceOracle.NoFeed}.
    function read(
        IPriceOracle.FeedConfig memory config,
        uint64 chainId,
        address asset
    ) internal view returns (uint256) {
        if (address(config.feed) == address(0)) revert IPriceOracle.NoFeed(chainId, asset);
        (int256 answer, uint256 updatedAt) = latestAnswer(config.feed);
        if (answer <= 0) revert IPriceOracle.InvalidPrice(address(config.feed), answer);
        // An answer pinned at a bound is the aggregator's floor or ceiling, not the market's price.
        if (config.minAnswer != 0 || config.maxAnswer != 0) {
            int256 minAnswer = unpack(config.minAnswer);
            int256 maxAnswer = unpack(config.maxAnswer);
            if (answer <= minAnswer || (maxAnswer != 0 && answer >= maxAnswer)) {
                revert IPriceOracle.PriceOutOfBounds(address(config.feed), answer, minAnswer, maxAnswer);
            }
        }
        // updatedAt in the future is as untrustworthy as an old one.
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > config.heartbeat) {
            revert IPriceOracle.StalePrice(address(config.feed), updatedAt);
        }
        // scaleExponent ≤ 36 (set by {configure}): 10^36 cannot overflow; the product is checked.
        uint256 scale;
        uint256 exponent = config.scaleExponent;
        assembly ("memory-safe") {
            scale := exp(10, exponent)
        }
        return uint256(answer) * scale;
    }

    /// @dev `feed.latestRoundData()`'s answer and updatedAt, without decoding the fields nobody reads. A feed that
    ///      reverts bubbles its revert up; one that returns fewer than the five words (or has no code) reverts empty,
    ///      as a high-level call would.
    function latestAnswer(AggregatorV3Interface feed) internal view returns (int256 answer, uint256 updatedAt) {
        bytes4 selector = AggregatorV3Interface.latestRoundData.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(0, selector)
            let ok := staticcall(gas(), feed, 0, 4, ptr, 0xa0)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xa0) {
                revert(0, 0)
            }
            answer := mload(add(ptr, 0x20))
            updatedAt := mload(add(ptr, 0x60))
        }
    }

    /// @dev Reverts while the L2 sequencer is down or within `gracePeriod` after it came back.
    function requireSequencerUp(AggregatorV3Interface feed, uint256 gracePeriod) internal view {
        (, int256 status, uint256 startedAt, , ) = feed.latestRoundData();
        // 0 = up. Anything else is not known to be up, nor is a round that was never started (startedAt 0, as
        // Arbitrum's feed reports before its first round).
        if (status != 0 || startedAt == 0) revert IPriceOracle.SequencerDown();
        if (startedAt > block.timestamp || block.timestamp - startedAt < gracePeriod) {
            revert IPriceOracle.GracePeriodNotOver(startedAt);
        }
    }

    /// @dev The configuration of `feed` for a token with `tokenDecimals`, without bounds.
    function configure(
        AggregatorV3Interface feed,
        uint32 heartbeat,
        uint8 tokenDecimals
    ) internal view returns (IPriceOracle.FeedConfig memory) {
        uint8 feedDecimals = feed.decimals();
        if (feedDecimals > MAX_DECIMALS || tokenDecimals > MAX_DECIMALS) {
            revert IPriceOracle.InvalidDecimals(feedDecimals, tokenDecimals);
        }
        if (heartbeat == 0) revert IPriceOracle.InvalidHeartbeat(heartbeat);
        return IPriceOracle.FeedConfig(feed, heartbeat, 36 - feedDecimals - tokenDecimals, 0, 0);
    }

    /// @dev `bound` as (mantissa << 8 | exponent); false if negative or not representable.
    function pack(int256 bound) internal pure returns (uint24, bool) {
        if (bound < 0) return (0, false);
        uint256 mantissa = uint256(bound);
        uint256 exponent;
        while (mantissa != 0 && mantissa % 10 == 0) {
            mantissa /= 10;
            ++exponent;
        }
        if (mantissa > type(uint16).max || exponent > MAX_BOUND_EXPONENT) return (0, false);
        return (uint24((mantissa << 8) | exponent), true);
    }

    function unpack(uint24 packed) internal pure returns (int256) {
        return int256(uint256(packed >> 8) * 10 ** (packed & 0xff));
    }
}
