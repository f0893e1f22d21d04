// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMessenger} from "../interfaces/IMessenger.sol";
import {MessageCodec} from "../libraries/MessageCodec.sol";
import {OutflowLimitLib} from "../libraries/OutflowLimitLib.sol";
import {Guarded} from "../access/Guarded.sol";

/// @title CollateralVault
/// @notice See {ICollateralVault}. One per source chain; its peer app is the hub's margin engine.
contract CollateralVault is ICollateralVault, Guarded, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using OutflowLimitLib for OutflowLimitLib.OutflowLimit;

    IMessenger public immutable messenger;
    /// @notice Chain id of the hub; RELEASE messages are accepted from there only.
    uint64 public immutable hubChainId;

    /// @dev One claim in the queue of its asset: it covers the queue positions `[end - amount, end)`, and is payable
    ///      as far as the asset's queue has been served past `end - amount`.
    struct Ticket {
        uint128 end;
        uint128 amount;
    }

    /// @dev A recipient's claims on one asset, in order of arrival (positions `head` to `tail - 1`).
    struct Tickets {
        uint128 head;
        uint128 tail;
        mapping(uint256 index => Ticket) at;
    }

    /// @dev Most claims of one recipient that one {claim} settles (the rest, next time).
    uint256 internal constant MAX_TICKETS_PER_CLAIM = 32;

    mapping(address asset => AssetState) internal _assets;
    mapping(address recipient => mapping(address asset => uint256)) public claimable;
    mapping(address asset => ClaimQueue) internal _claims;
    /// @dev Everything ever queued as claims of each asset: the position of the queue's tail. The queue has been
    ///      served up to `_queued - backlog`.
    mapping(address asset => uint256) internal _queued;
    mapping(address recipient => mapping(address asset => Tickets)) internal _tickets;
    mapping(address asset => OutflowLimitLib.OutflowLimit) internal _outflow;

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
        AssetState storage slot = _assets[asset];
        AssetState memory state = slot;
        if (!state.allowed) revert AssetNotAllowed(asset);
        if (state.depositsPaused) revert DepositsArePaused(asset);

        // Credit what arrived, not what was asked: fee-on-transfer tokens deliver less.
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
        if (received == 0) revert NothingReceived(asset);

        // `state` is still exact: a RELEASE cannot run inside the token call, since {onMessage} is non-reentrant.
        // The cap shares the slot with `locked` (no extra storage read); without a cap, `locked` is bounded by its
        // type. One comparison on the path that succeeds.
        uint256 locked = state.locked + received;
        uint256 cap = state.depositCap;
        if (locked > (cap == 0 ? type(uint128).max : cap)) {
            if (cap == 0) revert LockedOverflow(asset, locked);
            revert DepositCapExceeded(asset, cap, locked);
        }
        slot.locked = uint128(locked);

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

    /// @notice Executes a RELEASE from the hub: pays the recipient, or records a claim if the vault is in a shortfall,
    ///         the outflow limit is reached or the token refuses.
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

        // A negative rebase left less than is owed (`locked` still counts this release): paying in full would pay
        // with other holders' tokens. Keep it as a claim and tell the guardian.
        ClaimQueue memory claims = _claims[asset];
        uint256 owed = locked + claims.total;
        uint256 balance = IERC20(asset).balanceOf(address(this));
        if (balance < owed) {
            _addClaim(recipient, asset, amount);
            emit Shortfall(asset, balance, owed);
            emit ReleaseDeferred(recipient, asset, amount, messageId);
            return;
        }
        _release(recipient, asset, amount, messageId, claims);
    }

    /// @dev Pays a RELEASE within the outflow limit, or queues it as a claim.
    function _release(
        address recipient,
        address asset,
        uint256 amount,
        bytes32 messageId,
        ClaimQueue memory claims
    ) internal {
        OutflowLimitLib.OutflowLimit memory limit = _outflow[asset];
        bool limited = limit.capacity != 0;
        (uint96 usedBefore, uint32 updatedBefore) = (limit.used, limit.updatedAt);
        if (limited) {
            if (claims.backlog != 0) {
                // Claims that arrived earlier are served first, and this release waits behind any still queued.
                _allocate(asset, claims);
                limit = _outflow[asset];
                (usedBefore, updatedBefore) = (limit.used, limit.updatedAt);
            }
            uint256 available = limit.availableAt(block.timestamp);
            // Never revert the delivery: all of it waits as a claim, paid as capacity refills.
            if (claims.backlog != 0 || amount > available) {
                _addClaim(recipient, asset, amount);
                emit ReleaseRateLimited(recipient, asset, amount, messageId, available);
                return;
            }
            limit.consume(amount, block.timestamp);
            _outflow[asset] = limit;
        }

        // A paused token or a blocklisted recipient must not block the message: keep it as a claim.
        if (IERC20(asset).trySafeTransfer(recipient, amount)) {
            emit Released(recipient, asset, amount, messageId);
        } else {
            // Nothing left the vault: give the capacity back, the claim draws on it when paid.
            if (limited) (_outflow[asset].used, _outflow[asset].updatedAt) = (usedBefore, updatedBefore);
            _addClaim(recipient, asset, amount);
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

    /// @dev Queues a claim of `amount` for `recipient` at the tail of `asset`'s queue.
    function _addClaim(address recipient, address asset, uint256 amount) internal {
        ClaimQueue storage claims = _claims[asset];
        (claims.total, claims.backlog) = (
            SafeCast.toUint128(claims.total + amount),
            SafeCast.toUint128(claims.backlog + amount)
        );
        uint256 end = _queued[asset] + amount;
        _queued[asset] = end;
        claimable[recipient][asset] += amount;
        Tickets storage tickets = _tickets[recipient][asset];
        uint128 tail = tickets.tail;
        tickets.at[tail] = Ticket(SafeCast.toUint128(end), uint128(amount));
        tickets.tail = tail + 1;
    }

    /// @dev Hands the outflow capacity available now to the head of `asset`'s queue (all of the queue without a
    ///      limit); updates `claims.backlog` in memory and storage. Returns what it handed out.
    function _allocate(address asset, ClaimQueue memory claims) internal returns (uint256 amount) {
        amount = claims.backlog;
        if (amount == 0) return 0;
        OutflowLimitLib.OutflowLimit memory limit = _outflow[asset];
        if (limit.capacity != 0) {
            uint256 available = limit.availableAt(block.timestamp);
            if (amount > available) amount = available;
            if (amount == 0) return 0;
            limit.consume(amount, block.timestamp);
            _outflow[asset] = limit;
        }
        claims.backlog -= uint128(amount);
        _claims[asset].backlog = claims.backlog;
        emit ClaimsAllocated(asset, amount, _queued[asset] - claims.backlog);
    }

    function _payClaim(address recipient, address asset, address to) internal returns (uint256 amount) {
        uint256 owedHere = claimable[recipient][asset];
        if (owedHere == 0) revert NothingToClaim(recipient, asset);
        ClaimQueue memory claims = _claims[asset];
        _requireCovered(asset, claims.total);

        uint256 moved = _allocate(asset, claims);
        uint256 served = _queued[asset] - claims.backlog;
        uint256 missing;
        (amount, missing) = _settleTickets(_tickets[recipient][asset], served);
        if (amount == 0) {
            // Capacity went to claims ahead of the caller's: keep that (it is their turn), pay nothing.
            if (moved != 0) return 0;
            revert OutflowLimitReached(asset, owedHere, _outflow[asset].availableFrom(missing, block.timestamp));
        }

        claimable[recipient][asset] = owedHere - amount;
        _claims[asset].total = claims.total - uint128(amount);
        IERC20(asset).safeTransfer(to, amount);
        emit Claimed(recipient, asset, to, amount);
    }

    /// @dev Reverts if the vault holds less of `asset` than it owes (locked + `totalClaims`).
    function _requireCovered(address asset, uint256 totalClaims) internal view {
        uint256 owed = _assets[asset].locked + totalClaims;
        uint256 balance = IERC20(asset).balanceOf(address(this));
        if (balance < owed) revert InShortfall(asset, balance, owed);
    }

    /// @dev Takes the payable part of a recipient's claims, the queue being served up to `served`; returns it and
    ///      what the queue still needs to serve to reach the end of the claim it stopped at.
    function _settleTickets(Tickets storage tickets, uint256 served) internal returns (uint256 paid, uint256 missing) {
        uint256 end;
        (uint256 head, uint256 tail) = (tickets.head, tickets.tail);
        uint256 stop = tail - head > MAX_TICKETS_PER_CLAIM ? head + MAX_TICKETS_PER_CLAIM : tail;
        uint256 first = head;
        for (; head < stop; ++head) {
            Ticket memory ticket = tickets.at[head];
            end = ticket.end;
            uint256 start = end - ticket.amount;
            if (served <= start) break;
            if (served < end) {
                // Partly payable: pay that part, the rest keeps its place.
                paid += served - start;
                tickets.at[head].amount = uint128(end - served);
                break;
            }
            paid += ticket.amount;
            delete tickets.at[head];
        }
        if (head != first) tickets.head = uint128(head);
        if (end > served) missing = end - served;
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

    /// @notice Caps what deposits of `asset` may lock, in raw token units; 0 removes the cap. Only the owner.
    /// @dev A cap below what is locked blocks further deposits and moves nothing.
    function setDepositCap(address asset, uint256 cap) external onlyOwner {
        if (asset == address(0)) revert ZeroAddress();
        if (cap > type(uint112).max) revert InvalidDepositCap(asset, cap);
        _assets[asset].depositCap = uint112(cap);
        emit DepositCapSet(asset, cap);
    }

    /// @notice Limits outflows (releases and claims) of `asset` to `capacity` raw units, refilling linearly over
    ///         `window` seconds; capacity 0 removes the limit. Only the owner.
    /// @dev What left recently still counts under the new settings (capped at the new capacity); a new limit starts
    ///      full.
    function setOutflowLimit(address asset, uint256 capacity, uint256 window) external onlyOwner {
        if (asset == address(0)) revert ZeroAddress();
        if (capacity > type(uint96).max || (capacity != 0 && (window == 0 || window > type(uint32).max))) {
            revert InvalidOutflowLimit(asset, capacity, window);
        }
        if (capacity == 0) window = 0;
        OutflowLimitLib.OutflowLimit memory limit = _outflow[asset];
        uint256 used = limit.capacity == 0 ? 0 : limit.usedAt(block.timestamp);
        if (used > capacity) used = capacity;
        _outflow[asset] = OutflowLimitLib.OutflowLimit(
            uint96(capacity),
            uint96(used),
            uint32(window),
            uint32(block.timestamp)
        );
        emit OutflowLimitSet(asset, capacity, window);
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc ICollateralVault
    function totalLocked(address asset) external view returns (uint256) {
        return _assets[asset].locked;
    }

    /// @inheritdoc ICollateralVault
    function totalClaimable(address asset) external view returns (uint256) {
        return _claims[asset].total;
    }

    /// @inheritdoc ICollateralVault
    function claimQueue(address asset) external view returns (ClaimQueue memory) {
        return _claims[asset];
    }

    /// @inheritdoc ICollateralVault
    function claimableNow(address recipient, address asset) external view returns (uint256 amount) {
        uint256 backlog = _claims[asset].backlog;
        uint256 available = _outflow[asset].availableAt(block.timestamp);
        uint256 served = _queued[asset] - backlog + (backlog < available ? backlog : available);
        Tickets storage tickets = _tickets[recipient][asset];
        uint256 stop =
            tickets.tail - tickets.head > MAX_TICKETS_PER_CLAIM ? tickets.head + MAX_TICKETS_PER_CLAIM : tickets.tail;
        for (uint256 i = tickets.head; i < stop; ++i) {
            Ticket memory ticket = tickets.at[i];
            uint256 start = ticket.end - ticket.amount;
            if (served <= start) break;
            amount += (served < ticket.end ? served : ticket.end) - start;
        }
    }

    /// @inheritdoc ICollateralVault
    function assetState(address asset) external view returns (AssetState memory) {
        return _assets[asset];
    }

    /// @inheritdoc ICollateralVault
    function outflowLimit(address asset) external view returns (OutflowLimitLib.OutflowLimit memory) {
        return _outflow[asset];
    }

    /// @inheritdoc ICollateralVault
    function outflowAvailable(address asset) external view returns (uint256) {
        return _outflow[asset].availableAt(block.timestamp);
    }
}
