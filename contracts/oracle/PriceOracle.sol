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
    /// @notice Largest exponent of a packed bound: 65535 * 10^58 < 2^210 fits an int256 with room to spare.
    uint8 public constant MAX_BOUND_EXPONENT = 58;

    mapping(uint64 chainId => mapping(address asset => FeedConfig)) internal _feeds;
    SequencerConfig internal _sequencer;

    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IPriceOracle
    function getPrice(uint64 chainId, address asset) external view returns (uint256) {
        SequencerConfig memory sequencer = _sequencer;
        if (address(sequencer.feed) != address(0)) _requireSequencerUp(sequencer);

        FeedConfig memory config = _feeds[chainId][asset];
        if (address(config.feed) == address(0)) revert NoFeed(chainId, asset);
        (, int256 answer, , uint256 updatedAt, ) = config.feed.latestRoundData();
        if (answer <= 0) revert InvalidPrice(address(config.feed), answer);
        // An answer pinned at a bound is the aggregator's floor or ceiling, not the market's price.
        if (config.minAnswer != 0 || config.maxAnswer != 0) {
            int256 minAnswer = _unpack(config.minAnswer);
            int256 maxAnswer = _unpack(config.maxAnswer);
            if (answer <= minAnswer || (maxAnswer != 0 && answer >= maxAnswer)) {
                revert PriceOutOfBounds(address(config.feed), answer, minAnswer, maxAnswer);
            }
        }
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

    /// @inheritdoc IPriceOracle
    function boundsOf(uint64 chainId, address asset) external view returns (int256, int256) {
        FeedConfig memory config = _feeds[chainId][asset];
        return (_unpack(config.minAnswer), _unpack(config.maxAnswer));
    }

    /// @inheritdoc IPriceOracle
    function sequencerUptimeFeed() external view returns (SequencerConfig memory) {
        return _sequencer;
    }

    // ============================================================================================ ADMIN

    /// @notice Sets the USD feed of `asset` on `chainId`, whose token has `tokenDecimals`. Only the owner.
    /// @dev Clears the feed's bounds (they are in the old feed's units): set them with {setFeedBounds} in the same
    ///      timelock batch.
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
        _feeds[chainId][asset] = FeedConfig(feed, heartbeat, 36 - feedDecimals - tokenDecimals, 0, 0);
        emit FeedSet(chainId, asset, address(feed), heartbeat, feedDecimals, tokenDecimals);
    }

    /// @notice Refuses answers of the feed of `asset` on `chainId` at or below `minAnswer` and, unless
    ///         `maxAnswer` is 0, at or above `maxAnswer`, in the feed's answer units. Only the owner.
    /// @dev Each bound must be `m * 10^e` with m ≤ 65535 and e ≤ {MAX_BOUND_EXPONENT} (e.g. 1e6, 12345e8), else
    ///      {InvalidBounds}: bounds are circuit breakers, a few significant digits are plenty.
    function setFeedBounds(uint64 chainId, address asset, int256 minAnswer, int256 maxAnswer) external onlyOwner {
        FeedConfig storage config = _feeds[chainId][asset];
        if (address(config.feed) == address(0)) revert NoFeed(chainId, asset);
        if (maxAnswer != 0 && minAnswer >= maxAnswer) revert InvalidBounds(minAnswer, maxAnswer);
        (uint24 packedMin, bool minOk) = _pack(minAnswer);
        (uint24 packedMax, bool maxOk) = _pack(maxAnswer);
        if (!minOk || !maxOk) revert InvalidBounds(minAnswer, maxAnswer);
        (config.minAnswer, config.maxAnswer) = (packedMin, packedMax);
        emit FeedBoundsSet(chainId, asset, minAnswer, maxAnswer);
    }

    /// @notice Sets the L2 sequencer-uptime feed (zero address: none, e.g. on an L1) and the grace period after the
    ///         sequencer comes back during which prices are still refused. Only the owner.
    function setSequencerUptimeFeed(AggregatorV3Interface feed, uint32 gracePeriod) external onlyOwner {
        _sequencer = SequencerConfig(feed, gracePeriod);
        emit SequencerUptimeFeedSet(address(feed), gracePeriod);
    }

    // ============================================================================================ INTERNAL

    function _requireSequencerUp(SequencerConfig memory sequencer) internal view {
        (, int256 status, uint256 startedAt, , ) = sequencer.feed.latestRoundData();
        // 0 = up. Anything else is not known to be up, nor is a round that was never started (startedAt 0, as
        // Arbitrum's feed reports before its first round).
        if (status != 0 || startedAt == 0) revert SequencerDown();
        if (startedAt > block.timestamp || block.timestamp - startedAt < sequencer.gracePeriod) {
            revert GracePeriodNotOver(startedAt);
        }
    }

    /// @dev `bound` as (mantissa << 8 | exponent); false if negative or not representable.
    function _pack(int256 bound) internal pure returns (uint24, bool) {
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

    function _unpack(uint24 packed) internal pure returns (int256) {
        return int256(uint256(packed >> 8) * 10 ** (packed & 0xff));
    }
}
