// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A test double that makes arbitrary calls on purpose.
// solhint-disable avoid-low-level-calls, no-complex-fallback

import {MockERC20} from "./MockERC20.sol";

/// @notice A token with a transfer hook (like ERC-777 or ERC-1363 receivers): the next transfer makes one armed
///         call to `callee`, in the middle of whatever moved the tokens.
contract CallbackERC20 is MockERC20 {
    address public callee;
    bytes public data;
    bool public armed;
    bool public lastOk;

    constructor(string memory n, string memory s, uint8 d) MockERC20(n, s, d) {}

    function arm(address callee_, bytes calldata data_) external {
        (callee, data, armed) = (callee_, data_, true);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (!armed) return;
        armed = false;
        (lastOk, ) = callee.call(data);
    }
}
