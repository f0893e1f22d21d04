// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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

    /// @notice Supply rate per second: what borrowers pay, spread over suppliers, minus the reserve factor.
    function supplyRate(
        uint256 borrowRatePerSecond,
        uint256 utilization,
        uint256 reserveFactorBps
    ) internal pure returns (uint256) {
        return (borrowRatePerSecond * utilization * (10_000 - reserveFactorBps)) / (WAD * 10_000);
    }
}
