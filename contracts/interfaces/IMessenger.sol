// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMessenger
/// @notice The only messaging surface apps talk to. Outbound it wraps an app payload in an envelope and fans
///         it out over the adapters of the route; inbound it authenticates, counts confirmations from distinct
///         adapters (k of n), de-duplicates and delivers each envelope to its app at most once. A delivery that
///         the app rejects is stored and can be retried by anyone; it never blocks later envelopes.
interface IMessenger {
    /// @notice Configuration of the route to one remote chain.
    /// @param remoteMessenger The messenger on the remote chain; the only sender accepted from that chain.
    /// @param nextNonce Nonce of the next envelope sent to that chain.
    /// @param requiredConfirmations How many distinct adapters of the route must confirm an inbound envelope.
    /// @param adapterCount How many adapters the route has.
    /// @param paused While set, inbound envelopes from that chain are held (stored for retry), not delivered.
    struct Route {
        address remoteMessenger;
        uint64 nextNonce;
        uint8 requiredConfirmations;
        uint8 adapterCount;
        bool paused;
    }

    // ----------------------------------------------------------------------------------------------- events

    /// @notice An envelope was sent: handed to the adapters of its route that took it (see {AdapterFailed} for
    ///         those that did not, and {MessagePending} if fewer than the required number took it).
    event MessageSent(bytes32 indexed id, uint64 indexed dstChainId, address sender, uint64 nonce);
    /// @notice An adapter confirmed an inbound envelope on a route that needs more than one confirmation.
    event MessageConfirmed(bytes32 indexed id, address indexed adapter, uint256 confirmations);
    /// @notice An inbound envelope reached its app and the app accepted it.
    event MessageDelivered(bytes32 indexed id, uint64 srcChainId, uint64 nonce);
    /// @notice An inbound envelope reached its app and the app reverted; it is stored for {retry}.
    event MessageFailed(bytes32 indexed id, uint64 indexed srcChainId, uint64 nonce, bytes reason);
    /// @notice An inbound envelope arrived while its route was paused; it is stored for {retry}.
    event MessageHeld(bytes32 indexed id, uint64 indexed srcChainId, uint64 nonce);
    /// @notice An adapter of the route could not quote or take an envelope; the others still carry it.
    event AdapterFailed(bytes32 indexed id, uint64 indexed dstChainId, address indexed adapter, bytes reason);
    /// @notice An envelope whose nonce was already delivered arrived again and was ignored.
    event MessageDuplicate(bytes32 indexed id, uint64 indexed srcChainId, uint64 nonce, address indexed adapter);
    /// @notice A route's remote messenger, adapters or confirmation count changed. Confirmations already given
    ///         by adapters that stay keep counting; those of removed adapters stop counting.
    event RouteConfigured(
        uint64 indexed chainId,
        address remoteMessenger,
        address[] adapters,
        uint8 requiredConfirmations
    );
    /// @notice A route's inbound delivery was paused or resumed.
    event RoutePaused(uint64 indexed chainId, bool paused);
    /// @notice Emergency on the route from `srcChainId`: `suspendedAdapters` no longer count or deliver, and
    ///         envelopes held or failed at or before `timestamp` are dropped.
    event InFlightInvalidated(uint64 indexed srcChainId, uint40 timestamp, address[] suspendedAdapters);
    /// @notice A sent envelope was handed again to `adapters` (see {resend}).
    event MessageResent(bytes32 indexed id, uint64 indexed dstChainId, uint64 nonce, address[] adapters);
    /// @notice The payload of envelope `oldId` was sent again as envelope `newId` (see {reissue}).
    event MessageReissued(bytes32 indexed oldId, bytes32 indexed newId);
    /// @notice Fewer than the route's required confirmations of adapters took envelope `id`, sent with
    ///         {sendOrRecord}: it is recorded, and anyone can hand it to the other adapters with {pushPending}.
    /// @param adaptersTaken How many adapters took it.
    /// @param envelope The envelope bytes, as {pushPending} needs them.
    event MessagePending(bytes32 indexed id, uint64 indexed dstChainId, uint256 adaptersTaken, bytes envelope);
    /// @notice A pending envelope was pushed to more adapters; `confirmations` of the route's current adapters now
    ///         carry it, and the record is cleared once that reaches `required`.
    event PendingPushed(bytes32 indexed id, uint64 indexed dstChainId, uint256 confirmations, uint256 required);
    /// @notice A local app was paired with the app it talks to on a remote chain.
    event PeerAppSet(address indexed app, uint64 indexed chainId, address remoteApp);

    // ----------------------------------------------------------------------------------------------- errors

    error UnknownRoute(uint64 chainId);
    error UnknownPeerApp(address app, uint64 chainId, address remoteApp);
    error UnauthorizedAdapter(uint64 chainId, address adapter);
    error UnknownRemoteMessenger(uint64 chainId, address remoteMessenger);
    error EnvelopeMisrouted(uint64 srcChainId, uint64 envelopeSrc, uint64 envelopeDst);
    error InsufficientFee(uint256 provided, uint256 required);
    error RefundFailed(address to, uint256 amount);
    error NotRetryable(bytes32 id);
    error RouteIsPaused(uint64 chainId);
    error InvalidRouteConfig(uint256 adapterCount, uint8 requiredConfirmations);
    error DuplicateAdapter(address adapter);
    error TooManyAdapters(uint256 max);
    error NotEnoughAdapters(uint64 chainId, uint256 sent, uint256 required);
    error NotSentHere(bytes32 id);
    /// @notice A held or failed envelope stored at `storedAt` was dropped by an emergency invalidation.
    error EnvelopeInvalidated(bytes32 id, uint40 storedAt);
    /// @notice The guardian suspended this adapter of the route (see `invalidateInFlight`).
    error AdapterSuspended(uint64 chainId, address adapter);
    /// @notice This adapter was suspended on the route once and can never rejoin it: deploy a new adapter.
    error AdapterRetired(uint64 chainId, address adapter);
    /// @notice The adapter says the envelope comes from `srcMessenger`, the envelope names `envelopeMessenger`.
    error EnvelopeMessengerMismatch(address srcMessenger, address envelopeMessenger);
    /// @notice Envelope `id` is not recorded as pending (never was, or enough adapters took it since).
    error NotPending(bytes32 id);
    /// @notice `adapter` ran out of the gas the transaction left it: the sender gave too little gas (a wallet's
    ///         estimate that would leave a bridge out is refused rather than sent with fewer bridges).
    error AdapterOutOfGas(address adapter);

    // ----------------------------------------------------------------------------------------------- outbound

    /// @notice Sends `payload` from the calling app to its peer app on `dstChainId`. Excess fee is refunded to
    ///         the caller.
    /// @param dstChainId EVM chain id of the destination.
    /// @param payload App-defined bytes, delivered unchanged.
    /// @return id Envelope id: keccak256 of the packed envelope.
    function send(uint64 dstChainId, bytes calldata payload) external payable returns (bytes32 id);

    /// @notice Same as {send}, refunding any excess native fee to `refundTo`.
    function sendWithRefund(
        uint64 dstChainId,
        bytes calldata payload,
        address refundTo
    ) external payable returns (bytes32 id);

    /// @notice Same as {sendWithRefund}, except that if fewer adapters than the route's required confirmations
    ///         take the envelope (bridges paused or cursed), it does not revert: the envelope is recorded
    ///         ({MessagePending}) for anyone to push to the remaining adapters later ({pushPending}), and the fees of
    ///         the adapters that did not take it are refunded. For sends whose caller's own effects must not
    ///         depend on bridges being up (the engine's liquidations).
    function sendOrRecord(
        uint64 dstChainId,
        bytes calldata payload,
        address refundTo
    ) external payable returns (bytes32 id);

    /// @notice Hands a pending envelope (see {sendOrRecord}) to the adapters of its route that have not taken it
    ///         yet: same bytes, same id. Permissionless; the caller pays the adapters' fees (see {quote}) and gets
    ///         the excess back. Adapters that fail are skipped; the record is cleared once the route's required
    ///         number of its current adapters took the envelope.
    /// @param encodedEnvelope The envelope, as emitted in {MessagePending}.
    /// @return confirmations How many of the route's current adapters have now taken it.
    function pushPending(bytes calldata encodedEnvelope) external payable returns (uint256 confirmations);

    /// @notice Total native fee that {send} of `payload` from the calling app to `dstChainId` costs over all
    ///         adapters of the route.
    function quote(uint64 dstChainId, bytes calldata payload) external view returns (uint256 nativeFee);

    // ----------------------------------------------------------------------------------------------- inbound

    /// @notice Entry point for adapters: one adapter's confirmation of an envelope from `srcChainId`.
    /// @dev Only adapters of the route to `srcChainId` may call it. The envelope is delivered when
    ///      `requiredConfirmations` distinct adapters have confirmed the same id; later copies are no-ops.
    /// @param srcChainId Origin chain, as authenticated by the adapter's bridge.
    /// @param srcMessenger Messenger that sent the envelope on the origin chain, as authenticated by the bridge.
    /// @param encodedEnvelope Packed {Envelope} (see {EnvelopeLib}).
    function receiveEnvelope(uint64 srcChainId, address srcMessenger, bytes calldata encodedEnvelope) external;

    /// @notice Delivers again an envelope whose delivery failed or was held. Permissionless; the app sees it once.
    /// @dev Reverts with the app's reason if the app still rejects it; the envelope then stays retryable.
    function retry(bytes calldata encodedEnvelope) external;

    // ----------------------------------------------------------------------------------------------- views

    /// @notice This chain's id as the messenger uses it.
    function chainId() external view returns (uint64);

    /// @notice Route configuration for `remoteChainId`.
    function route(uint64 remoteChainId) external view returns (Route memory);

    /// @notice Adapters of the route to `remoteChainId`, in fan-out order.
    function routeAdapters(uint64 remoteChainId) external view returns (address[] memory);

    /// @notice The app on `remoteChainId` that `app` exchanges messages with (zero if none).
    function peerApp(address app, uint64 remoteChainId) external view returns (address);

    /// @notice Whether the envelope with `nonce` from `srcMessenger` on `srcChainId` was consumed.
    function isDelivered(uint64 srcChainId, address srcMessenger, uint64 nonce) external view returns (bool);

    /// @notice Whether envelope `id` is stored for {retry}.
    function isRetryable(bytes32 id) external view returns (bool);

    /// @notice Whether envelope `id`, sent from here, waits for {pushPending}.
    function isPending(bytes32 id) external view returns (bool);
}
