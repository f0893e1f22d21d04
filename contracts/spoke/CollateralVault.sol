// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMessenger} from "../interfaces/IMessenger.sol";
import {MessageCodec} from "../libraries/MessageCodec.sol";
import {Guarded} from "../access/Guarded.sol";

/// @title CollateralVault
/// @notice See {ICollateralVault}. One per source chain; its peer app is the hub's margin engine.
contract CollateralVault is ICollateralVault, Guarded, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    IMessenger public immutable messenger;
    /// @notice Chain id of the hub; RELEASE messages are accepted from there only.
    uint64 public immutable hubChainId;

    mapping(address asset => AssetState) internal _assets;
    mapping(address recipient => mapping(address asset => uint256)) public claimable;
    mapping(address asset => uint256) public totalClaimable;

    constructor(
        IMessenger messenger_,
        uint64 hubChainId_,
        address owner_,
        address guardian_
    ) Guarded(owner_, guardian_) {
        messenger = messenger_;
        hubChainId = hubChainId_;
    }

    // ============================================================================================ DEPOSIT

    /// @inheritdoc ICollateralVault
    function deposit(
        address asset,
        uint256 amount,
        address account
    ) external payable nonReentrant returns (bytes32 messageId) {
        if (amount == 0) revert ZeroAmount();
        if (account == address(0)) revert ZeroAddress();
        AssetState memory state = _assets[asset];
        if (!state.allowed) revert AssetNotAllowed(asset);
        if (state.depositsPaused) revert DepositsArePaused(asset);

        // Credit what arrived, not what was asked: fee-on-transfer tokens deliver less.
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
        if (received == 0) revert NothingReceived(asset);

        // `state` is still exact: a RELEASE cannot run inside the token call, since {onMessage} is non-reentrant.
        uint256 locked = state.locked + received;
        if (locked > type(uint128).max) revert LockedOverflow(asset, locked);
        _assets[asset].locked = uint128(locked);

        messageId = messenger.sendWithRefund{value: msg.value}(
            hubChainId,
            MessageCodec.encodeDeposit(account, asset, received),
            msg.sender
        );
        emit Deposited(account, asset, received, messageId);
    }

    /// @inheritdoc ICollateralVault
    function quoteDeposit(address asset, uint256 amount, address account) external view returns (uint256) {
        return messenger.quote(hubChainId, MessageCodec.encodeDeposit(account, asset, amount));
    }

    // ============================================================================================ RELEASE

    /// @notice Executes a RELEASE from the hub: pays the recipient, or records a claim if the token refuses.
    /// @dev Only the messenger, only from the hub's engine (the messenger checked the app pairing). Reverting
    ///      here (unknown kind, more than locked) leaves the envelope retryable in the messenger, never lost.
    ///      Non-reentrant: a release delivered from inside a deposit's token call fails and is retried later.
    function onMessage(
        uint64 srcChainId,
        address srcApp,
        bytes32 messageId,
        bytes calldata payload
    ) external nonReentrant {
        if (msg.sender != address(messenger)) revert OnlyMessenger(msg.sender);
        if (srcChainId != hubChainId) revert UnexpectedOrigin(srcChainId, srcApp);
        (address recipient, address asset, uint256 amount) = MessageCodec.decode(payload, MessageCodec.RELEASE);

        AssetState storage state = _assets[asset];
        uint256 locked = state.locked;
        if (amount > locked) revert ReleaseExceedsLocked(asset, amount, locked);
        state.locked = uint128(locked - amount);

        // A paused token or a blocklisted recipient must not block the message: keep it as a claim.
        if (IERC20(asset).trySafeTransfer(recipient, amount)) {
            emit Released(recipient, asset, amount, messageId);
        } else {
            claimable[recipient][asset] += amount;
            totalClaimable[asset] += amount;
            emit ReleaseDeferred(recipient, asset, amount, messageId);
        }
    }

    /// @inheritdoc ICollateralVault
    function claim(address asset, address to) external nonReentrant returns (uint256) {
        if (to == address(0)) revert ZeroAddress();
        return _payClaim(msg.sender, asset, to);
    }

    /// @inheritdoc ICollateralVault
    function pushClaim(address recipient, address asset) external nonReentrant returns (uint256) {
        return _payClaim(recipient, asset, recipient);
    }

    function _payClaim(address recipient, address asset, address to) internal returns (uint256 amount) {
        amount = claimable[recipient][asset];
        if (amount == 0) revert NothingToClaim(recipient, asset);
        claimable[recipient][asset] = 0;
        totalClaimable[asset] -= amount;
        IERC20(asset).safeTransfer(to, amount);
        emit Claimed(recipient, asset, to, amount);
    }

    // ============================================================================================ ADMIN

    /// @notice Allows or disallows deposits of `asset`. Only the owner.
    /// @dev Disallowing never affects what is locked: releases and claims of the asset keep working.
    function setAssetAllowed(address asset, bool allowed) external onlyOwner {
        if (asset == address(0)) revert ZeroAddress();
        _assets[asset].allowed = allowed;
        emit AssetAllowed(asset, allowed);
    }

    /// @notice Pauses deposits of `asset`. Guardian or owner. Releases and claims keep working.
    function pauseDeposits(address asset) external onlyGuardian {
        _assets[asset].depositsPaused = true;
        emit DepositsPaused(asset, true);
    }

    /// @notice Resumes deposits of `asset`. Only the owner.
    function unpauseDeposits(address asset) external onlyOwner {
        _assets[asset].depositsPaused = false;
        emit DepositsPaused(asset, false);
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc ICollateralVault
    function totalLocked(address asset) external view returns (uint256) {
        return _assets[asset].locked;
    }

    /// @inheritdoc ICollateralVault
    function assetState(address asset) external view returns (AssetState memory) {
        return _assets[asset];
    }
}
