// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessenger} from "../interfaces/IMessenger.sol";
import {IAdapter} from "../interfaces/IAdapter.sol";
import {IMessageReceiver} from "../interfaces/IMessageReceiver.sol";
import {EnvelopeLib} from "../libraries/EnvelopeLib.sol";
import {Guarded} from "../access/Guarded.sol";

/// @title Messenger
/// @notice One per chain. See {IMessenger}.
/// @dev Inbound security, in the order it is checked:
///      1. the caller is an adapter of the route to `srcChainId` (the adapter has authenticated its bridge's
///         origin and its trusted peer adapter there);
///      2. the sending messenger is the route's registered remote messenger;
///      3. the envelope names `srcChainId` as its origin and this chain as its destination;
///      4. the sending app is the registered peer of the receiving app for that chain;
///      5. its nonce was not consumed before (a bitmap per origin messenger: any order, at most once);
///      6. the adapter is not suspended, and on routes needing k > 1 confirmations, k distinct adapters of the
///         route's current set confirmed it.
///      A route gives each adapter joining it a bit, used once; a confirmation is that bit in the envelope's mask,
///      and only bits of the route's current, unsuspended adapters count. So changing a route keeps the
///      confirmations of the adapters that stay (nothing in flight is stranded), while a removed adapter's
///      confirmations stop counting for good: if it is added again it gets a new bit. An adapter the guardian
///      suspended is retired from the route for good: its bridge may still hold forgeries that nobody can delete
///      (a failed CCIP message stays manually executable, a LayerZero packet verified by bad DVNs stays
///      executable until burned), so it can never confirm anything on that route again; the owner deploys a new
///      adapter instead.
contract Messenger is IMessenger, Guarded {
    /// @notice Most adapters a route can have.
    uint256 public constant MAX_ADAPTERS = 8;
    /// @notice Most confirmation bits a route can hand out in its lifetime (one per adapter joining it).
    uint256 public constant MAX_ADAPTER_BITS = 255;

    uint64 public immutable chainId;

    /// @dev What sending and receiving read about a route, in one slot.
    struct RouteState {
        address firstAdapter;
        uint64 nextNonce;
        uint8 requiredConfirmations;
        uint8 adapterCount;
        bool paused;
    }

    /// @dev An adapter of a route: its confirmation bit (1-based; 0 = not in the route), the remote messenger
    ///      it relays for and whether the guardian suspended it, in one slot, so that inbound authentication
    ///      reads one slot.
    struct AdapterEntry {
        uint8 bit;
        address remoteMessenger;
        bool suspended;
    }

    mapping(uint64 remoteChainId => RouteState) internal _routes;
    /// @dev Adapters at positions 1.. of a route (position 0 is `RouteState.firstAdapter`).
    mapping(uint64 remoteChainId => mapping(uint256 index => address)) internal _routeAdapter;
    mapping(uint64 remoteChainId => mapping(address adapter => AdapterEntry)) internal _adapters;
    /// @notice The messenger on each remote chain.
    mapping(uint64 remoteChainId => address) public remoteMessenger;
    /// @dev Confirmation bits of each route's current adapters.
    mapping(uint64 remoteChainId => uint256) internal _routeMask;
    /// @notice Confirmation bits handed out on each route so far; each is used by one adapter, once.
    mapping(uint64 remoteChainId => uint8) public routeBits;

    mapping(address app => mapping(uint64 remoteChainId => address)) public peerApp;

    /// @dev Consumed nonces per origin messenger: bit (nonce % 256) of word (nonce / 256).
    mapping(uint64 srcChainId => mapping(address srcMessenger => mapping(uint256 word => uint256))) internal _consumed;
    /// @dev Bits of the adapters that confirmed an envelope, for k > 1 routes.
    mapping(bytes32 id => uint256) internal _confirmations;
    /// @dev When an envelope whose delivery failed or was held was stored for retry, by id (0: not stored).
    mapping(bytes32 id => uint40 storedAt) internal _retryable;
    /// @notice Envelopes from each chain held or failed at or before this time are dropped (see
    ///         {invalidateInFlight}).
    mapping(uint64 srcChainId => uint40) public invalidBefore;
    /// @notice Adapters suspended on a route: never accepted on it again (see {invalidateInFlight}).
    mapping(uint64 remoteChainId => mapping(address adapter => bool)) public isRetired;
    /// @dev Envelopes sent with {sendOrRecord} that fewer than the required number of adapters took: the bits of
    ///      the adapters that took them, plus `PENDING` (0: not pending).
    mapping(bytes32 id => uint256) internal _pending;

    /// @dev Flag of a pending record: confirmation bits use bits 0..254.
    uint256 private constant PENDING = 1 << 255;

    constructor(address owner_, address guardian_) Guarded(owner_, guardian_) {
        chainId = uint64(block.chainid);
    }

    // ============================================================================================ OUTBOUND

    /// @inheritdoc IMessenger
    function send(uint64 dstChainId, bytes calldata payload) external payable returns (bytes32) {
        return _send(msg.sender, dstChainId, payload, msg.sender, false);
    }

    /// @inheritdoc IMessenger
    function sendWithRefund(
        uint64 dstChainId,
        bytes calldata payload,
        address refundTo
    ) external payable returns (bytes32) {
        return _send(msg.sender, dstChainId, payload, refundTo, false);
    }

    /// @inheritdoc IMessenger
    function sendOrRecord(
        uint64 dstChainId,
        bytes calldata payload,
        address refundTo
    ) external payable returns (bytes32) {
        return _send(msg.sender, dstChainId, payload, refundTo, true);
    }

    /// @inheritdoc IMessenger
    function quote(uint64 dstChainId, bytes calldata payload) external view returns (uint256 nativeFee) {
        RouteState memory r = _routes[dstChainId];
        if (r.adapterCount == 0) revert UnknownRoute(dstChainId);
        address receiver = peerApp[msg.sender][dstChainId];
        bytes memory encoded = EnvelopeLib.encode(
            r.nextNonce,
            chainId,
            dstChainId,
            address(this),
            msg.sender,
            receiver,
            payload
        );
        for (uint256 i; i < r.adapterCount; ++i) {
            // An adapter that cannot quote will be skipped by send: leave it out of the total too.
            try _adapterAt(dstChainId, r, i).quote(dstChainId, encoded) returns (uint256 fee) {
                // Saturate: an absurd fee makes the total unpayable rather than the quote revert.
                nativeFee = fee > type(uint256).max - nativeFee ? type(uint256).max : nativeFee + fee;
            } catch {}
        }
    }

    function _send(
        address app,
        uint64 dstChainId,
        bytes calldata payload,
        address refundTo,
        bool record
    ) internal returns (bytes32 id) {
        RouteState memory r = _routes[dstChainId];
        if (r.adapterCount == 0) revert UnknownRoute(dstChainId);
        address receiver = peerApp[app][dstChainId];
        if (receiver == address(0)) revert UnknownPeerApp(app, dstChainId, address(0));
        _routes[dstChainId].nextNonce = r.nextNonce + 1;

        bytes memory encoded = EnvelopeLib.encode(
            r.nextNonce,
            chainId,
            dstChainId,
            address(this),
            app,
            receiver,
            payload
        );
        id = keccak256(encoded);

        (uint256 spent, uint256 taken, uint256 takenAt) = _fanOut(id, dstChainId, r, encoded, 0);
        if (taken < r.requiredConfirmations) {
            // The envelope could never be delivered as it stands: revert, or record it for anyone to push later.
            if (!record) revert NotEnoughAdapters(dstChainId, taken, r.requiredConfirmations);
            _pending[id] = PENDING | _bitsAt(dstChainId, r, takenAt);
            emit MessagePending(id, dstChainId, taken, encoded);
        }
        emit MessageSent(id, dstChainId, app, r.nextNonce);
        if (msg.value > spent) _refund(refundTo, msg.value - spent);
    }

    function _refund(address to, uint256 amount) internal {
        if (amount == 0) return;
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert RefundFailed(to, amount);
    }

    /// @dev Hands the envelope to every adapter of the route (but those at positions in `skip`), paying each its
    ///      quoted fee out of `msg.value`. An adapter that fails (bridge paused, lane cursed) is skipped and its
    ///      fee refunded: one broken bridge must not block sends, least of all the releases of liquidations.
    ///      Returns what was spent, how many adapters took it and their positions.
    function _fanOut(
        bytes32 id,
        uint64 dstChainId,
        RouteState memory r,
        bytes memory encoded,
        uint256 skip
    ) internal returns (uint256 spent, uint256 taken, uint256 takenAt) {
        for (uint256 i; i < r.adapterCount; ++i) {
            if (skip & (1 << i) != 0) continue;
            IAdapter adapter = _adapterAt(dstChainId, r, i);
            uint256 gasBefore = gasleft();
            try adapter.quote(dstChainId, encoded) returns (uint256 fee) {
                if (fee > msg.value - spent) {
                    // Its fee rose above what was paid for it (a bridge's fee spike must not block the others).
                    emit AdapterFailed(
                        id,
                        dstChainId,
                        address(adapter),
                        abi.encodeWithSelector(InsufficientFee.selector, msg.value - spent, fee)
                    );
                    continue;
                }
                gasBefore = gasleft();
                // IAdapter.send is a bridge call, not address.send.
                // solhint-disable-next-line check-send-result, multiple-sends
                try adapter.send{value: fee}(dstChainId, encoded) {
                    spent += fee;
                    ++taken;
                    takenAt |= 1 << i;
                } catch (bytes memory reason) {
                    _requireGasLeft(gasBefore, adapter);
                    emit AdapterFailed(id, dstChainId, address(adapter), reason);
                }
            } catch (bytes memory reason) {
                _requireGasLeft(gasBefore, adapter);
                emit AdapterFailed(id, dstChainId, address(adapter), reason);
            }
        }
    }

    /// @dev A failed adapter call that left under 1/64 of its gas (EIP-150's reserve) ran out of gas: the caller gave
    ///      too little, and a wallet's estimate (the least gas that succeeds) would silently drop the last bridge.
    function _requireGasLeft(uint256 gasBefore, IAdapter adapter) private view {
        if (gasleft() <= gasBefore / 64) revert AdapterOutOfGas(address(adapter));
    }

    /// @inheritdoc IMessenger
    function pushPending(bytes calldata encodedEnvelope) external payable returns (uint256 confirmations) {
        bytes32 id = keccak256(encodedEnvelope);
        uint256 bits = _pending[id];
        if (bits == 0) revert NotPending(id);
        (, , uint64 dst, , ) = EnvelopeLib.header(encodedEnvelope);
        RouteState memory r = _routes[dst];
        uint256 skip;
        for (uint256 i; i < r.adapterCount; ++i) {
            if (bits & _bitOf(dst, address(_adapterAt(dst, r, i))) != 0) skip |= 1 << i;
        }
        (uint256 spent, , uint256 takenAt) = _fanOut(id, dst, r, encodedEnvelope, skip);
        bits |= _bitsAt(dst, r, takenAt);
        // Only adapters of the route as it is now count, as on the destination.
        confirmations = _popCount(bits & _routeMask[dst]);
        if (confirmations >= r.requiredConfirmations) delete _pending[id];
        else _pending[id] = bits;
        emit PendingPushed(id, dst, confirmations, r.requiredConfirmations);
        _refund(msg.sender, msg.value - spent);
    }

    /// @dev The confirmation bits of the route's adapters at `positions` (a mask of positions).
    function _bitsAt(
        uint64 remoteChainId,
        RouteState memory r,
        uint256 positions
    ) internal view returns (uint256 bits) {
        for (uint256 i; i < r.adapterCount; ++i) {
            if (positions & (1 << i) != 0) bits |= _bitOf(remoteChainId, address(_adapterAt(remoteChainId, r, i)));
        }
    }

    /// @dev The confirmation bit of `adapter` on the route to `remoteChainId` as a mask (0: not in the route).
    function _bitOf(uint64 remoteChainId, address adapter) internal view returns (uint256) {
        uint8 bit = _adapters[remoteChainId][adapter].bit;
        return bit == 0 ? 0 : 1 << (bit - 1);
    }

    function _adapterAt(uint64 remoteChainId, RouteState memory r, uint256 i) internal view returns (IAdapter) {
        return IAdapter(i == 0 ? r.firstAdapter : _routeAdapter[remoteChainId][i]);
    }

    // ============================================================================================ INBOUND

    /// @inheritdoc IMessenger
    function receiveEnvelope(uint64 srcChainId, address srcMessenger, bytes calldata encodedEnvelope) external {
        RouteState memory r = _routes[srcChainId];
        if (r.adapterCount == 0) revert UnknownRoute(srcChainId);
        AdapterEntry memory entry = _adapters[srcChainId][msg.sender];
        if (entry.bit == 0) revert UnauthorizedAdapter(srcChainId, msg.sender);
        if (entry.suspended) revert AdapterSuspended(srcChainId, msg.sender);
        if (srcMessenger != entry.remoteMessenger) revert UnknownRemoteMessenger(srcChainId, srcMessenger);

        (uint64 nonce, , ) = _authenticate(srcChainId, encodedEnvelope);
        address envelopeMessenger = EnvelopeLib.sourceMessenger(encodedEnvelope);
        if (envelopeMessenger != srcMessenger) revert EnvelopeMessengerMismatch(srcMessenger, envelopeMessenger);
        bytes32 id = keccak256(encodedEnvelope);

        (uint256 word, uint256 bit) = _nonceBit(nonce);
        mapping(uint256 => uint256) storage consumed = _consumed[srcChainId][srcMessenger];
        uint256 bits = consumed[word];
        if (bits & bit != 0) {
            // Late confirmations and duplicates are expected on multi-bridge routes: ignore, never revert.
            emit MessageDuplicate(id, srcChainId, nonce, msg.sender);
            return;
        }
        if (r.requiredConfirmations > 1 && !_confirm(srcChainId, id, nonce, entry.bit, r.requiredConfirmations)) {
            return;
        }

        // Consume the nonce before calling out: a re-entrant or later copy is a duplicate.
        consumed[word] = bits | bit;

        if (r.paused) {
            _retryable[id] = uint40(block.timestamp);
            emit MessageHeld(id, srcChainId, nonce);
            return;
        }
        _deliver(srcChainId, id, encodedEnvelope);
    }

    /// @inheritdoc IMessenger
    function retry(bytes calldata encodedEnvelope) external {
        bytes32 id = keccak256(encodedEnvelope);
        uint40 storedAt = _retryable[id];
        if (storedAt == 0) revert NotRetryable(id);
        (, uint64 srcChainId, , , ) = EnvelopeLib.header(encodedEnvelope);
        if (_routes[srcChainId].paused) revert RouteIsPaused(srcChainId);
        if (storedAt <= invalidBefore[srcChainId]) revert EnvelopeInvalidated(id, storedAt);
        // The pairing may have been revoked since: check it again.
        (uint64 nonce, address sender, address receiver) = _authenticate(srcChainId, encodedEnvelope);

        delete _retryable[id];
        // No try/catch: if the app still reverts, so does this call, and the envelope stays retryable.
        IMessageReceiver(receiver).onMessage(srcChainId, sender, id, EnvelopeLib.payload(encodedEnvelope));
        emit MessageDelivered(id, srcChainId, nonce);
    }

    /// @dev Checks the envelope is from `srcChainId` to this chain, between registered peer apps.
    function _authenticate(
        uint64 srcChainId,
        bytes calldata encodedEnvelope
    ) internal view returns (uint64 nonce, address sender, address receiver) {
        uint64 envelopeSrc;
        uint64 envelopeDst;
        (nonce, envelopeSrc, envelopeDst, sender, receiver) = EnvelopeLib.header(encodedEnvelope);
        if (envelopeSrc != srcChainId || envelopeDst != chainId) {
            revert EnvelopeMisrouted(srcChainId, envelopeSrc, envelopeDst);
        }
        if (sender == address(0) || peerApp[receiver][srcChainId] != sender) {
            revert UnknownPeerApp(receiver, srcChainId, sender);
        }
    }

    /// @dev Calls the receiving app; a revert stores the envelope for {retry} instead of failing the delivery.
    function _deliver(uint64 srcChainId, bytes32 id, bytes calldata encodedEnvelope) internal {
        (uint64 nonce, , , address sender, address receiver) = EnvelopeLib.header(encodedEnvelope);
        try IMessageReceiver(receiver).onMessage(srcChainId, sender, id, EnvelopeLib.payload(encodedEnvelope)) {
            emit MessageDelivered(id, srcChainId, nonce);
        } catch (bytes memory reason) {
            _retryable[id] = uint40(block.timestamp);
            emit MessageFailed(id, srcChainId, nonce, reason);
        }
    }

    /// @dev Records the confirmation of the adapter with `bit`; true once `required` adapters of the route's
    ///      current, unsuspended set have confirmed `id`.
    function _confirm(uint64 srcChainId, bytes32 id, uint64 nonce, uint8 bit, uint8 required) internal returns (bool) {
        uint256 mask = _confirmations[id];
        uint256 mine = 1 << (bit - 1);
        if (mask & mine != 0) {
            emit MessageDuplicate(id, srcChainId, nonce, msg.sender);
            return false;
        }
        mask |= mine;
        uint256 count = _popCount(mask & _routeMask[srcChainId]);
        emit MessageConfirmed(id, msg.sender, count);
        if (count < required) {
            _confirmations[id] = mask;
            return false;
        }
        delete _confirmations[id];
        return true;
    }

    // ============================================================================================ CONFIGURATION

    /// @notice Configures the route to `remoteChainId`: its remote messenger, its adapters (fan-out order) and
    ///         how many of them must confirm an inbound envelope. An adapter the guardian suspended on this route
    ///         is refused ({AdapterRetired}): replace it with a newly deployed adapter.
    /// @dev Only the owner. Keeps the outbound nonce, the paused flag and the confirmations that adapters staying
    ///      in the route gave to envelopes in flight.
    function setRoute(
        uint64 remoteChainId,
        address remoteMessenger_,
        address[] calldata adapters,
        uint8 requiredConfirmations
    ) external onlyOwner {
        if (remoteMessenger_ == address(0)) revert ZeroAddress();
        if (
            adapters.length == 0 ||
            adapters.length > MAX_ADAPTERS ||
            requiredConfirmations == 0 ||
            requiredConfirmations > adapters.length
        ) revert InvalidRouteConfig(adapters.length, requiredConfirmations);

        (address[] memory kept, uint8[] memory keptBits) = _clearRoute(remoteChainId);
        uint256 mask;
        uint8 issued = routeBits[remoteChainId];
        for (uint256 i; i < adapters.length; ++i) {
            address adapter = adapters[i];
            if (adapter == address(0)) revert ZeroAddress();
            if (isRetired[remoteChainId][adapter]) revert AdapterRetired(remoteChainId, adapter);
            if (_adapters[remoteChainId][adapter].bit != 0) revert DuplicateAdapter(adapter);
            uint8 bit = _keptBit(kept, keptBits, adapter);
            if (bit == 0) {
                // New to the route, or back after a removal: a fresh bit, so that nothing it confirmed before
                // can count again.
                if (issued == MAX_ADAPTER_BITS) revert TooManyAdapters(MAX_ADAPTER_BITS);
                bit = ++issued;
            }
            mask |= 1 << (bit - 1);
            _adapters[remoteChainId][adapter] = AdapterEntry(bit, remoteMessenger_, false);
            if (i != 0) _routeAdapter[remoteChainId][i] = adapter;
        }
        routeBits[remoteChainId] = issued;
        RouteState storage r = _routes[remoteChainId];
        r.firstAdapter = adapters[0];
        r.requiredConfirmations = requiredConfirmations;
        r.adapterCount = uint8(adapters.length);
        _routeMask[remoteChainId] = mask;
        remoteMessenger[remoteChainId] = remoteMessenger_;
        emit RouteConfigured(remoteChainId, remoteMessenger_, adapters, requiredConfirmations);
    }

    /// @dev Removes the route's adapters; returns them with the bits they keep if they stay (0 if suspended).
    function _clearRoute(uint64 remoteChainId) internal returns (address[] memory kept, uint8[] memory keptBits) {
        RouteState memory old = _routes[remoteChainId];
        kept = new address[](old.adapterCount);
        keptBits = new uint8[](old.adapterCount);
        for (uint256 i; i < old.adapterCount; ++i) {
            address adapter = address(_adapterAt(remoteChainId, old, i));
            AdapterEntry memory entry = _adapters[remoteChainId][adapter];
            (kept[i], keptBits[i]) = (adapter, entry.suspended ? 0 : entry.bit);
            delete _adapters[remoteChainId][adapter];
            delete _routeAdapter[remoteChainId][i];
        }
    }

    function _keptBit(address[] memory kept, uint8[] memory keptBits, address adapter) private pure returns (uint8) {
        for (uint256 i; i < kept.length; ++i) if (kept[i] == adapter) return keptBits[i];
        return 0;
    }

    /// @notice Pairs local `app` with `remoteApp` on `remoteChainId`; zero removes the pairing.
    /// @dev Only the owner. Both directions use it: `app` may send to `remoteApp` and receive from it only.
    function setPeerApp(address app, uint64 remoteChainId, address remoteApp) external onlyOwner {
        if (app == address(0)) revert ZeroAddress();
        peerApp[app][remoteChainId] = remoteApp;
        emit PeerAppSet(app, remoteChainId, remoteApp);
    }

    /// @notice Holds inbound envelopes from `remoteChainId` instead of delivering them. Guardian or owner.
    /// @dev Held envelopes are retryable once the owner resumes the route. Sending is never paused: the hub must
    ///      always be able to send the releases of liquidations.
    function pauseRoute(uint64 remoteChainId) external onlyGuardian {
        _routes[remoteChainId].paused = true;
        emit RoutePaused(remoteChainId, true);
    }

    /// @notice Resumes inbound delivery from `remoteChainId`. Only the owner.
    function unpauseRoute(uint64 remoteChainId) external onlyOwner {
        _routes[remoteChainId].paused = false;
        emit RoutePaused(remoteChainId, false);
    }

    // ============================================================================================ RECOVERY

    /// @notice Hands an envelope this messenger sent to some of its route's adapters again: for an envelope
    ///         stuck on a halted bridge, or skipped by an adapter that failed at send time. Same bytes, same id:
    ///         the destination counts each adapter's confirmation once and delivers the envelope at most once.
    /// @dev Only the owner: the messenger keeps no record of what it sent (that would cost every send a new
    ///      storage slot), so it can only check that the envelope is from here and its nonce was issued; the
    ///      `MessageSent` event proves the rest off-chain. Each adapter must take it; excess fee is refunded.
    /// @param encodedEnvelope The envelope, as emitted by the adapters ({LocalAdapter.RelayRequested},
    ///        {IBridgeAdapter.EnvelopeBridged}) or the bridge.
    /// @param adapters Adapters of the route to re-send through.
    function resend(bytes calldata encodedEnvelope, address[] calldata adapters) external payable onlyOwner {
        (uint64 nonce, uint64 src, uint64 dst, , ) = EnvelopeLib.header(encodedEnvelope);
        bytes32 id = keccak256(encodedEnvelope);
        if (!_sentHere(encodedEnvelope, src, dst, nonce)) revert NotSentHere(id);
        uint256 spent;
        for (uint256 i; i < adapters.length; ++i) {
            spent += _resendVia(dst, adapters[i], encodedEnvelope, msg.value - spent);
        }
        emit MessageResent(id, dst, nonce, adapters);
        _refund(msg.sender, msg.value - spent);
    }

    /// @dev Whether this messenger issued an envelope with this header (the id then proves the rest off-chain).
    function _sentHere(
        bytes calldata encodedEnvelope,
        uint64 src,
        uint64 dst,
        uint64 nonce
    ) internal view returns (bool) {
        return
            src == chainId &&
            EnvelopeLib.sourceMessenger(encodedEnvelope) == address(this) &&
            nonce < _routes[dst].nextNonce;
    }

    function _resendVia(
        uint64 dst,
        address adapter,
        bytes calldata encodedEnvelope,
        uint256 available
    ) internal returns (uint256 fee) {
        if (_adapters[dst][adapter].bit == 0) revert UnauthorizedAdapter(dst, adapter);
        fee = IAdapter(adapter).quote(dst, encodedEnvelope);
        if (fee > available) revert InsufficientFee(available, fee);
        // IAdapter.send is a bridge call, not address.send.
        // solhint-disable-next-line check-send-result
        IAdapter(adapter).send{value: fee}(dst, encodedEnvelope);
    }

    /// @notice Sends the payload of an envelope this messenger sent again, as a new envelope (next nonce, new
    ///         id) over the whole route: the way to recover a legitimate envelope that the destination held or
    ///         failed and then dropped in an emergency invalidation. Excess fee is refunded.
    /// @dev Only the owner, who must first check on the destination that the old envelope can never be delivered:
    ///      its nonce is consumed there (`isDelivered`) and it was stored for retry (`retryableAt`) at or before
    ///      `invalidBefore` of this chain, or the payload would arrive twice. An envelope only partly confirmed
    ///      can still complete: use {resend}.
    /// @return newId The id of the new envelope.
    function reissue(bytes calldata encodedEnvelope) external payable onlyOwner returns (bytes32 newId) {
        (uint64 nonce, uint64 src, uint64 dst, address app, ) = EnvelopeLib.header(encodedEnvelope);
        bytes32 id = keccak256(encodedEnvelope);
        if (!_sentHere(encodedEnvelope, src, dst, nonce)) revert NotSentHere(id);
        newId = _send(app, dst, EnvelopeLib.payload(encodedEnvelope), msg.sender, false);
        emit MessageReissued(id, newId);
    }

    /// @notice Emergency, when bridges of the route from `srcChainId` are compromised: suspends `adapters` (their
    ///         confirmations, given or to come, stop counting, and they can deliver nothing) and drops every
    ///         envelope from there held or failed until now. Guardian or owner. A suspended adapter is retired
    ///         from the route for good: the owner replaces it with a newly deployed one ({setRoute}).
    /// @dev A forgery partly confirmed by a suspended adapter can no longer complete, while legitimate envelopes
    ///      keep the confirmations the other adapters gave them and complete as those adapters deliver. A held
    ///      or failed envelope dropped here is sent again by its source as a new envelope ({reissue}); one held
    ///      or failed in the same block as the invalidation is dropped too. Suspending adapters until fewer
    ///      than `requiredConfirmations` remain stalls the route like a pause.
    function invalidateInFlight(uint64 srcChainId, address[] calldata adapters) external onlyGuardian {
        uint256 routeMask = _routeMask[srcChainId];
        for (uint256 i; i < adapters.length; ++i) {
            AdapterEntry storage entry = _adapters[srcChainId][adapters[i]];
            uint8 bit = entry.bit;
            if (bit == 0) revert UnauthorizedAdapter(srcChainId, adapters[i]);
            entry.suspended = true;
            isRetired[srcChainId][adapters[i]] = true;
            routeMask &= ~(uint256(1) << (bit - 1));
        }
        _routeMask[srcChainId] = routeMask;
        uint40 now_ = uint40(block.timestamp);
        invalidBefore[srcChainId] = now_;
        emit InFlightInvalidated(srcChainId, now_, adapters);
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc IMessenger
    function route(uint64 remoteChainId) external view returns (Route memory) {
        RouteState memory r = _routes[remoteChainId];
        return Route(remoteMessenger[remoteChainId], r.nextNonce, r.requiredConfirmations, r.adapterCount, r.paused);
    }

    /// @inheritdoc IMessenger
    function routeAdapters(uint64 remoteChainId) external view returns (address[] memory adapters) {
        RouteState memory r = _routes[remoteChainId];
        adapters = new address[](r.adapterCount);
        for (uint256 i; i < adapters.length; ++i) adapters[i] = address(_adapterAt(remoteChainId, r, i));
    }

    /// @inheritdoc IMessenger
    function isDelivered(uint64 srcChainId, address srcMessenger, uint64 nonce) external view returns (bool) {
        (uint256 word, uint256 bit) = _nonceBit(nonce);
        return _consumed[srcChainId][srcMessenger][word] & bit != 0;
    }

    /// @inheritdoc IMessenger
    function isRetryable(bytes32 id) external view returns (bool) {
        return _retryable[id] != 0;
    }

    /// @inheritdoc IMessenger
    function isPending(bytes32 id) external view returns (bool) {
        return _pending[id] != 0;
    }

    /// @notice When envelope `id` was stored for {retry} (0: it is not); at or before `invalidBefore` of its
    ///         source chain it can no longer be retried.
    function retryableAt(bytes32 id) external view returns (uint40) {
        return _retryable[id];
    }

    function _nonceBit(uint64 nonce) private pure returns (uint256 word, uint256 bit) {
        return (nonce >> 8, 1 << (nonce & 0xff));
    }

    function _popCount(uint256 x) private pure returns (uint256 count) {
        for (; x != 0; ++count) x &= x - 1;
    }
}
