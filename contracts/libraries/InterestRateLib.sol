// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title InterestRateLib
/// @notice Utilisation-based kinked borrow rate: `base + slope1 * u` up to the kink, then `slope2` on the excess.
///         All rates are per second, scaled by 1e18; utilisation is scaled by 1e18.
library InterestRateLib {
    uint256 internal constant WAD = 1e18;

    /// @param baseRate Borrow rate at zero utilisation, per second.
    /// @param slope1 Added per unit of utilisation up to the kink, per second.
    /// @param slope2 Added per unit of utilisation above the kink, per second.
    /// @param kink Utilisation where the second slope starts (≤ 1e18).
    struct RateModel {
        uint64 baseRate;
        uint64 slope1;
        uint64 slope2;
        uint64 kink;
    }

    error InvalidRateModel(uint256 kink);

    /// @notice Borrow rate per second at `utilization`.
    function borrowRate(RateModel memory model, uint256 utilization) internal pure returns (uint256) {
        if (utilization <= model.kink) return model.baseRate + (model.slope1 * utilization) / WAD;
        return
            model.baseRate +
            (model.slope1 * uint256(model.kink)) / WAD +
            (model.slope2 * (utilization - model.kink)) / WAD;
    }

    /// @notice Growth of an index over `elapsed` seconds at `ratePerSecond`, compounded: e^(rate * elapsed) - 1 by
    ///         its first three Taylor terms, as Morpho Blue's `wTaylorCompounded`; 1e18-scaled. Error against
    ///         e^x - 1: under 0.05% for a year at 18.2%; a 10-year step at that rate gives 5.48x (yearly steps: 6.2x,
    ///         simple interest: 2.82x).
    function compounded(uint256 ratePerSecond, uint256 elapsed) internal pure returns (uint256) {
        // Unchecked (checked, this cost ~700 gas per accrual). A rate is below 2^66 per second (three uint64 terms)
        // and `elapsed` below 2^40, so `first` < 2^106; beyond 2^96 the growth would overflow a 96-bit index anyway,
        // so it is refused here, and then first^2 < 2^192 and second * first < 2^232: nothing below can overflow.
        unchecked {
            uint256 first = ratePerSecond * elapsed;
            if (first > type(uint96).max) revert SafeCast.SafeCastOverflowedUintDowncast(96, first);
            uint256 second = (first * first) / (2 * WAD);
            uint256 third = (second * first) / (3 * WAD);
            return first + second + third;
        }
    }

    /// @notice Supply rate per second: what borrowers pay, spread over suppliers, minus the reserve factor. Linear in
    ///         its first argument, so it also turns a borrow index growth into the supply index growth.
    function supplyRate(
        uint256 borrowRatePerSecond,
        uint256 utilization,
        uint256 reserveFactorBps
    ) internal pure returns (uint256) {
        return (borrowRatePerSecond * utilization * (10_000 - reserveFactorBps)) / (WAD * 10_000);
    }
}
