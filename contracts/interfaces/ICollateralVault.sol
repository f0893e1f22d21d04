// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessageReceiver} from "./IMessageReceiver.sol";
import {OutflowLimitLib} from "../libraries/OutflowLimitLib.sol";

/// @title ICollateralVault
/// @notice Holds users' collateral on a source chain. Tokens come in through {deposit}, which credits the hub by
///         message; they go out only on an authenticated RELEASE from the hub (the hub has debited first) or as a
///         {claim} of a release that could not be paid when it arrived. There is no other way out.
///
///         Risk controls, per asset:
///         - Deposit cap: {deposit} reverts if `locked` would exceed it. 0 = no cap.
///         - Outflow limit: a token bucket of `capacity` refilling over `window` seconds. Releases and claims both
///           draw from it. A RELEASE beyond what is available is never reverted: all of it becomes a claim
///           ({ReleaseRateLimited}). Claims are paid in order of arrival: each claim takes a place in a queue per
///           asset, and what refills goes to the head of the queue first (whoever calls), so no claimant can take
///           the refills of one who arrived earlier. A RELEASE arriving while claims wait queues behind them.
///         - Claims of releases the token refused (paused, blocklisted recipient) queue the same way; without an
///           outflow limit the whole queue is payable at once.
///         - Shortfall: if the vault holds less than `locked + totalClaimable` (a token rebased its balance down),
///           nothing of the asset leaves: a RELEASE becomes a claim and {Shortfall} is emitted, claims revert with
///           {InShortfall}. Paying anyone in full from a short balance would pay them with others' tokens. Outflows
///           resume once the balance covers what is owed again (a top-up: anyone can transfer tokens in).
interface ICollateralVault is IMessageReceiver {
    /// @notice The claims of one asset, one storage slot.
    /// @param total Everything owed as claims (Σ `claimable`).
    /// @param backlog The part of `total` still waiting in the queue for outflow capacity.
    struct ClaimQueue {
        uint128 total;
        uint128 backlog;
    }

    /// @notice Per-asset state, one storage slot.
    /// @param allowed Whether deposits of the asset are accepted.
    /// @param depositsPaused Whether the guardian paused deposits of the asset.
    /// @param locked Tokens backing hub credits and releases in flight (excludes claims).
    /// @param depositCap Most `locked` a deposit may reach; 0 = no cap.
    struct AssetState {
        bool allowed;
        bool depositsPaused;
        uint128 locked;
        uint112 depositCap;
    }

    /// @notice `amount` (what the vault actually received) of `asset` was locked and credited to `account`.
    event Deposited(address indexed account, address indexed asset, uint256 amount, bytes32 messageId);
    /// @notice A hub RELEASE was paid to `recipient`.
    event Released(address indexed recipient, address indexed asset, uint256 amount, bytes32 indexed messageId);
    /// @notice A hub RELEASE could not be paid (token paused, recipient blocklisted, ...); it is now a claim.
    event ReleaseDeferred(address indexed recipient, address indexed asset, uint256 amount, bytes32 indexed messageId);
    /// @notice A claim of `recipient` was paid to `to`.
    event Claimed(address indexed recipient, address indexed asset, address to, uint256 amount);
    /// @notice A hub RELEASE found the outflow limit of `asset` exhausted (`available` < `amount`); it is now a
    ///         claim, payable as capacity refills.
    event ReleaseRateLimited(
        address indexed recipient,
        address indexed asset,
        uint256 amount,
        bytes32 indexed messageId,
        uint256 available
    );
    /// @notice `amount` of the claims queued on `asset` became payable (outflow capacity reached them), in order of
    ///         arrival; `allocatedTotal` is how far the queue has been served since the vault was deployed.
    event ClaimsAllocated(address indexed asset, uint256 amount, uint256 allocatedTotal);
    /// @notice The vault holds `balance` of `asset` but owes `owed` (locked + claims): a RELEASE was kept as a claim
    ///         ({ReleaseDeferred} follows) and no claim of the asset can be paid until the balance is restored.
    event Shortfall(address indexed asset, uint256 balance, uint256 owed);
    event AssetAllowed(address indexed asset, bool allowed);
    event DepositsPaused(address indexed asset, bool paused);
    /// @notice The deposit cap of `asset` is now `cap` (0 = no cap).
    event DepositCapSet(address indexed asset, uint256 cap);
    /// @notice The outflow limit of `asset` is now `capacity` per `window` seconds (capacity 0 = no limit).
    event OutflowLimitSet(address indexed asset, uint256 capacity, uint256 window);

    error ZeroAmount();
    error AssetNotAllowed(address asset);
    error DepositsArePaused(address asset);
    error NothingReceived(address asset);
    error LockedOverflow(address asset, uint256 locked);
    error OnlyMessenger(address caller);
    error UnexpectedOrigin(uint64 srcChainId, address srcApp);
    error ReleaseExceedsLocked(address asset, uint256 amount, uint256 locked);
    error NothingToClaim(address recipient, address asset);
    /// @notice A deposit would take `locked` of `asset` to `wouldBeLocked`, above its `cap`.
    error DepositCapExceeded(address asset, uint256 cap, uint256 wouldBeLocked);
    /// @notice A deposit cap above 2^112 - 1 (use 0 for no cap).
    error InvalidDepositCap(address asset, uint256 cap);
    /// @notice A capacity above 2^96 - 1 (use 0 for no limit), or a zero window for a nonzero capacity.
    error InvalidOutflowLimit(address asset, uint256 capacity, uint256 window);
    /// @notice Nothing of the caller's claim of `requested` on `asset` is payable yet: the claims ahead of its first
    ///         part and that part (up to the capacity) are covered from `availableAt`, if nothing else is queued.
    error OutflowLimitReached(address asset, uint256 requested, uint256 availableAt);
    /// @notice The vault holds `balance` of `asset` but owes `owed`: nothing leaves until the balance is restored.
    error InShortfall(address asset, uint256 balance, uint256 owed);

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

    /// @notice Pays the caller's claim on `asset` to `to` (a blocklisted recipient can redirect it). First hands the
    ///         capacity available now to the queue, in order of arrival; then pays the part of the caller's claim
    ///         that capacity reached, up to the whole claim; the rest stays claimable.
    /// @dev Reverts with {OutflowLimitReached} if nothing moved (no capacity reached the queue and nothing of the
    ///      caller's is payable), {InShortfall} in a shortfall. Returns 0 without reverting if capacity was handed
    ///      to claims ahead of the caller's.
    /// @return amount What was paid.
    function claim(address asset, address to) external returns (uint256 amount);

    /// @notice Pays `recipient`'s claim on `asset` to `recipient`, as {claim} does. Permissionless, for keepers.
    /// @return amount What was paid.
    function pushClaim(address recipient, address asset) external returns (uint256 amount);

    /// @notice What {claim} would pay `recipient` on `asset` now.
    function claimableNow(address recipient, address asset) external view returns (uint256);

    /// @notice The claims of `asset`: everything owed and what still waits for capacity.
    function claimQueue(address asset) external view returns (ClaimQueue memory);

    /// @notice Per-asset state.
    function assetState(address asset) external view returns (AssetState memory);

    /// @notice The outflow limit of `asset` as last stored (`used` as of `updatedAt`, before refill).
    function outflowLimit(address asset) external view returns (OutflowLimitLib.OutflowLimit memory);

    /// @notice What of `asset` may leave now (`type(uint256).max` without a limit).
    function outflowAvailable(address asset) external view returns (uint256);
}
