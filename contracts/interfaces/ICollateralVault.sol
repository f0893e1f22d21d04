// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessageReceiver} from "./IMessageReceiver.sol";

/// @title ICollateralVault
/// @notice Holds users' collateral on a source chain. Tokens come in through {deposit}, which credits the hub by
///         message; they go out only on an authenticated RELEASE from the hub (the hub has debited first) or as a
///         {claim} of a release that could not be paid when it arrived. There is no other way out.
interface ICollateralVault is IMessageReceiver {
    /// @notice Per-asset state, one storage slot.
    /// @param allowed Whether deposits of the asset are accepted.
    /// @param depositsPaused Whether the guardian paused deposits of the asset.
    /// @param locked Tokens backing hub credits and releases in flight (excludes claims).
    struct AssetState {
        bool allowed;
        bool depositsPaused;
        uint128 locked;
    }

    /// @notice `amount` (what the vault actually received) of `asset` was locked and credited to `account`.
    event Deposited(address indexed account, address indexed asset, uint256 amount, bytes32 messageId);
    /// @notice A hub RELEASE was paid to `recipient`.
    event Released(address indexed recipient, address indexed asset, uint256 amount, bytes32 indexed messageId);
    /// @notice A hub RELEASE could not be paid (token paused, recipient blocklisted, ...); it is now a claim.
    event ReleaseDeferred(address indexed recipient, address indexed asset, uint256 amount, bytes32 indexed messageId);
    /// @notice A claim of `recipient` was paid to `to`.
    event Claimed(address indexed recipient, address indexed asset, address to, uint256 amount);
    event AssetAllowed(address indexed asset, bool allowed);
    event DepositsPaused(address indexed asset, bool paused);

    error ZeroAmount();
    error AssetNotAllowed(address asset);
    error DepositsArePaused(address asset);
    error NothingReceived(address asset);
    error LockedOverflow(address asset, uint256 locked);
    error OnlyMessenger(address caller);
    error UnexpectedOrigin(uint64 srcChainId, address srcApp);
    error ReleaseExceedsLocked(address asset, uint256 amount, uint256 locked);
    error NothingToClaim(address recipient, address asset);

    /// @notice Locks `amount` of `asset` from the caller for `account`'s margin account on the hub and sends a
    ///         DEPOSIT message. The hub is credited with what the vault actually received (fee-on-transfer safe).
    /// @dev `msg.value` pays the messaging fee ({quoteDeposit}); any excess is refunded to the caller.
    /// @return messageId The id of the DEPOSIT envelope.
    function deposit(address asset, uint256 amount, address account) external payable returns (bytes32 messageId);

    /// @notice Native fee {deposit} needs for the DEPOSIT message.
    function quoteDeposit(address asset, uint256 amount, address account) external view returns (uint256 nativeFee);

    /// @notice Tokens of `asset` backing hub credits and releases in flight.
    function totalLocked(address asset) external view returns (uint256);

    /// @notice Released tokens of `asset` that `recipient` can {claim}.
    function claimable(address recipient, address asset) external view returns (uint256);

    /// @notice Tokens of `asset` owed as claims to all recipients.
    function totalClaimable(address asset) external view returns (uint256);

    /// @notice Pays the caller's claim on `asset` to `to` (a blocklisted recipient can redirect it).
    function claim(address asset, address to) external returns (uint256 amount);

    /// @notice Pays `recipient`'s claim on `asset` to `recipient`. Permissionless, for keepers.
    function pushClaim(address recipient, address asset) external returns (uint256 amount);

    /// @notice Per-asset state.
    function assetState(address asset) external view returns (AssetState memory);
}
