// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice A token with an issuer who can pause all transfers and blocklist accounts (like USDC and USDT).
contract RestrictedERC20 is MockERC20 {
    bool public paused;
    mapping(address => bool) public blocked;

    error TransfersPaused();
    error Blocklisted(address account);

    constructor(string memory n, string memory s, uint8 d) MockERC20(n, s, d) {}

    function setPaused(bool value) external {
        paused = value;
    }

    function setBlocked(address account, bool value) external {
        blocked[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert TransfersPaused();
        if (blocked[from]) revert Blocklisted(from);
        if (blocked[to]) revert Blocklisted(to);
        super._update(from, to, value);
    }
}
