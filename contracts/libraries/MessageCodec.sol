// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MessageCodec
/// @notice The two app payloads of xmargin, packed as kind (1) | who (20) | asset (20) | amount (32). Both are
///         commutative: a DEPOSIT is a credit on the hub, a RELEASE is a payout by a vault of an amount the hub
///         has already debited, so they may arrive in any order.
library MessageCodec {
    /// @notice Vault -> hub: `amount` of `asset` was locked for `account` (the amount actually received).
    uint8 internal constant DEPOSIT = 1;
    /// @notice Hub -> vault: pay `amount` of `asset` to `recipient` (the hub has debited it already).
    uint8 internal constant RELEASE = 2;
    uint256 internal constant LENGTH = 73;

    error UnknownMessageKind(uint8 kind);
    error MalformedMessage(uint256 length);

    function encodeDeposit(address account, address asset, uint256 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(DEPOSIT, account, asset, amount);
    }

    function encodeRelease(address recipient, address asset, uint256 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(RELEASE, recipient, asset, amount);
    }

    /// @notice Decodes a payload and checks it is of kind `expected`.
    /// @return who The account (DEPOSIT) or recipient (RELEASE).
    function decode(
        bytes calldata payload,
        uint8 expected
    ) internal pure returns (address who, address asset, uint256 amount) {
        if (payload.length != LENGTH) revert MalformedMessage(payload.length);
        uint8 kind;
        // The length is checked: read the three words straight from calldata (no slice bounds checks).
        assembly ("memory-safe") {
            let head := calldataload(payload.offset)
            kind := shr(248, head)
            who := shr(96, shl(8, head))
            asset := shr(96, calldataload(add(payload.offset, 21)))
            amount := calldataload(add(payload.offset, 41))
        }
        if (kind != expected) revert UnknownMessageKind(kind);
    }
}
