// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @title Guarded
/// @notice Two roles: an owner (meant to be a timelock) that configures, with two-step transfer, and a guardian
///         that can pause (and, on a messenger, suspend adapters of a route in an emergency). The guardian never
///         moves funds, configures or resumes anything; only the owner does.
abstract contract Guarded is Ownable2Step {
    /// @notice The account allowed to pause, besides the owner.
    address public guardian;

    event GuardianSet(address indexed guardian);

    error NotGuardian(address caller);
    error ZeroAddress();

    modifier onlyGuardian() {
        if (msg.sender != guardian && msg.sender != owner()) revert NotGuardian(msg.sender);
        _;
    }

    constructor(address initialOwner, address initialGuardian) Ownable(initialOwner) {
        guardian = initialGuardian;
        emit GuardianSet(initialGuardian);
    }

    /// @notice Sets the guardian; zero removes it.
    function setGuardian(address newGuardian) external onlyOwner {
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }
}
