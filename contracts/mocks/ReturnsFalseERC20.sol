// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice A token that signals failure by returning `false` instead of reverting (like ZRX or old BAT), whenever
///         its issuer sets `failing`: nothing moves and the call succeeds with `false`.
contract ReturnsFalseERC20 is MockERC20 {
    bool public failing;

    constructor(string memory n, string memory s, uint8 d) MockERC20(n, s, d) {}

    function setFailing(bool value) external {
        failing = value;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transferFrom(from, to, value);
    }
}
