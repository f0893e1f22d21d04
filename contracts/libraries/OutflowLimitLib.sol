// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title OutflowLimitLib
/// @notice A token bucket in one storage slot: up to `capacity` may leave per `window` seconds; what was used
///         refills linearly (`capacity / window` per second). `capacity == 0` means no limit.
/// @dev Not OpenZeppelin's `RateLimiter.RefillingBucket`: that one shares one capacity and window among all the
///      keys of a limiter (here every asset needs its own, decimals differ), takes two slots per asset (settings and
///      entry, the entry's first write is a zero-to-nonzero store) and treats an unconfigured limiter as empty. This
///      one keeps settings and state of an asset in one slot that is never zero once configured.
library OutflowLimitLib {
    /// @param capacity Most that may leave at once (a full bucket), in raw token units; 0 = no limit.
    /// @param used What left and has not refilled yet, as of `updatedAt`.
    /// @param window Seconds for an empty bucket to refill completely.
    /// @param updatedAt When `used` was last written.
    struct OutflowLimit {
        uint96 capacity;
        uint96 used;
        uint32 window;
        uint32 updatedAt;
    }

    /// @notice What is used at `nowTs` after the refill since the last update (saturating at 0).
    function usedAt(OutflowLimit memory limit, uint256 nowTs) internal pure returns (uint256) {
        // elapsed < 2^32 and capacity < 2^96: the product cannot overflow.
        uint256 refilled = ((nowTs - limit.updatedAt) * limit.capacity) / limit.window;
        return refilled >= limit.used ? 0 : limit.used - refilled;
    }

    /// @notice What may leave at `nowTs`; `type(uint256).max` when there is no limit.
    function availableAt(OutflowLimit memory limit, uint256 nowTs) internal pure returns (uint256) {
        if (limit.capacity == 0) return type(uint256).max;
        return limit.capacity - usedAt(limit, nowTs);
    }

    /// @notice When at least `amount` (at most the capacity) will be available, if nothing else leaves before.
    function availableFrom(OutflowLimit memory limit, uint256 amount, uint256 nowTs) internal pure returns (uint256) {
        uint256 available = availableAt(limit, nowTs);
        if (amount <= available) return nowTs;
        if (amount > limit.capacity) amount = limit.capacity;
        // Refill is linear: `missing` takes missing * window / capacity seconds, rounded up.
        uint256 missing = amount - available;
        return nowTs + (missing * limit.window + limit.capacity - 1) / limit.capacity;
    }

    /// @notice Takes `amount` out of the bucket in memory (the caller stores it). Assumes `amount <= available`
    ///         and a configured limit.
    function consume(OutflowLimit memory limit, uint256 amount, uint256 nowTs) internal pure {
        limit.used = uint96(usedAt(limit, nowTs) + amount);
        limit.updatedAt = uint32(nowTs);
    }
}
