// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IPriceOracle
/// @notice The hub's price configuration and reads, served at the margin engine's address (no separate oracle
///         contract: the engine reads feeds itself, see `PriceLib`). Prices of collateral assets per
///         (chainId, asset) and of the base asset, from Chainlink-style feeds.
///         Every price is normalised so that `value = amount * price / 1e18` is the USD value, scaled by 1e18,
///         of `amount` raw token units, whatever the token's and the feed's decimals.
///
///         Refused answers: none configured, stale per the feed's heartbeat or from the future, ≤ 0, at or beyond
///         the feed's min/max bounds (Chainlink aggregators pin their answer at minAnswer/maxAnswer when the market
///         leaves that range: such an answer is not a price). On an L2, with a sequencer-uptime feed set: while
///         the sequencer is down, and for a grace period after it came back (users could not act while it was
///         down), every price is refused. The margin engine prices only borrow, withdraw (with debt) and
///         liquidate; repay and deposit credit never need a price, so they keep working.
interface IPriceOracle {
    /// @notice One feed, one storage slot.
    /// @param feed The Chainlink-style aggregator (USD quote).
    /// @param heartbeat Most seconds since the feed's last update before its answer counts as stale.
    /// @param scaleExponent 36 - feedDecimals - tokenDecimals: the normalisation is answer * 10^scaleExponent.
    /// @param minAnswer Lower bound, packed as a decimal float (see {boundsOf}); 0 = none beyond answer > 0.
    /// @param maxAnswer Upper bound, packed the same way; 0 = none.
    struct FeedConfig {
        AggregatorV3Interface feed;
        uint32 heartbeat;
        uint8 scaleExponent;
        uint24 minAnswer;
        uint24 maxAnswer;
    }

    /// @notice The L2 sequencer-uptime feed (answer 0 = up, 1 = down, startedAt = when that status began).
    /// @param feed Zero on an L1: no check.
    /// @param gracePeriod Seconds after the sequencer came back during which prices are still refused.
    struct SequencerConfig {
        AggregatorV3Interface feed;
        uint32 gracePeriod;
    }

    event FeedSet(
        uint64 indexed chainId,
        address indexed asset,
        address feed,
        uint32 heartbeat,
        uint8 feedDecimals,
        uint8 tokenDecimals
    );
    /// @notice Answers of the feed of (`chainId`, `asset`) at or below `minAnswer` or at or above `maxAnswer`
    ///         (when nonzero) are refused.
    event FeedBoundsSet(uint64 indexed chainId, address indexed asset, int256 minAnswer, int256 maxAnswer);
    /// @notice The sequencer-uptime feed is now `feed` (zero = none) with `gracePeriod` seconds.
    event SequencerUptimeFeedSet(address indexed feed, uint32 gracePeriod);

    error NoFeed(uint64 chainId, address asset);
    error StalePrice(address feed, uint256 updatedAt);
    error InvalidPrice(address feed, int256 answer);
    error InvalidDecimals(uint8 feedDecimals, uint8 tokenDecimals);
    error InvalidHeartbeat(uint32 heartbeat);
    /// @notice `answer` of `feed` is at or beyond its bounds (a bound of 0 is not set).
    error PriceOutOfBounds(address feed, int256 answer, int256 minAnswer, int256 maxAnswer);
    /// @notice Bounds that are negative, not below one another, or not representable (see {boundsOf}).
    error InvalidBounds(int256 minAnswer, int256 maxAnswer);
    /// @notice The L2 sequencer is down (or its status round is not initialised).
    error SequencerDown();
    /// @notice The sequencer is up since `upSince`, less than the grace period ago.
    error GracePeriodNotOver(uint256 upSince);

    /// @notice Normalised price of `asset` on `chainId` (see the contract notice). Reverts on a missing, stale,
    ///         non-positive or out-of-bounds answer, and while the sequencer is down or in its grace period.
    function getPrice(uint64 chainId, address asset) external view returns (uint256 price);

    /// @notice The feed configured for `asset` on `chainId`.
    function feedOf(uint64 chainId, address asset) external view returns (FeedConfig memory);

    /// @notice The bounds of the feed of `asset` on `chainId`, in the feed's answer units (0 = not set). They are
    ///         stored as `mantissa * 10^exponent` with a 16-bit mantissa (at most 65535) and an exponent up to 58,
    ///         so that the feed's configuration stays one storage slot and a bounds check costs no storage read.
    function boundsOf(uint64 chainId, address asset) external view returns (int256 minAnswer, int256 maxAnswer);

    /// @notice The sequencer-uptime feed and its grace period.
    function sequencerUptimeFeed() external view returns (SequencerConfig memory);

    /// @notice Sets the USD feed of `asset` on `chainId`, whose token has `tokenDecimals`. Only the owner.
    /// @dev Clears the feed's bounds (they are in the old feed's units): set them with {setFeedBounds} in the same
    ///      timelock batch. Feed and token decimals above 18 are refused ({InvalidDecimals}).
    /// @param heartbeat The feed's own heartbeat plus a margin: older answers are refused.
    function setFeed(
        uint64 chainId,
        address asset,
        AggregatorV3Interface feed,
        uint32 heartbeat,
        uint8 tokenDecimals
    ) external;

    /// @notice Refuses answers of the feed of `asset` on `chainId` at or below `minAnswer` and, unless
    ///         `maxAnswer` is 0, at or above `maxAnswer`, in the feed's answer units. Only the owner.
    /// @dev Each bound must be `m * 10^e` with m ≤ 65535 and e ≤ 58, else {InvalidBounds}: bounds are circuit
    ///      breakers, a few significant digits are plenty.
    function setFeedBounds(uint64 chainId, address asset, int256 minAnswer, int256 maxAnswer) external;

    /// @notice Sets the L2 sequencer-uptime feed (zero address: none, e.g. on an L1) and the grace period after the
    ///         sequencer comes back during which prices are still refused. Only the owner.
    function setSequencerUptimeFeed(AggregatorV3Interface feed, uint32 gracePeriod) external;
}
