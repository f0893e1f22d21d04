// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MathLib
/// @notice Fixed-point helpers. The rounding direction is in the name; callers pick the one that favours the
///         protocol.
library MathLib {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y) / d;
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.ceilDiv(x * y, d);
    }

    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y) / WAD;
    }

    function wMulUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.ceilDiv(x * y, WAD);
    }

    function bpsDown(uint256 x, uint256 bps) internal pure returns (uint256) {
        return (x * bps) / BPS;
    }
}
