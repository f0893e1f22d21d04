// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAdapter} from "./IAdapter.sol";

/// @title IBridgeAdapter
/// @notice An {IAdapter} over a third-party bridge (LayerZero V2, Chainlink CCIP, Hyperlane). Each remote chain
///         has exactly one trusted peer adapter; inbound messages from any other origin are rejected, and the
///         only call an inbound message can cause is the messenger's `receiveEnvelope`.
interface IBridgeAdapter is IAdapter {
    /// @notice The peer adapter on a remote chain.
    /// @param adapter The adapter there: where envelopes are sent, and the only sender accepted from there.
    /// @param gasLimit Gas the destination's delivery gets (LayerZero lzReceive option, CCIP gas limit,
    ///        Hyperlane IGP gas).
    /// @param bridgeId The bridge's id of the remote chain (LayerZero eid, CCIP chain selector, Hyperlane
    ///        domain).
    struct Remote {
        address adapter;
        uint32 gasLimit;
        uint64 bridgeId;
    }

    /// @notice `chainId` is reached as `bridgeId` on the bridge, through `adapter` (zero: removed).
    event RemoteSet(uint64 indexed chainId, uint64 bridgeId, address adapter, uint32 gasLimit);
    /// @notice An envelope was handed to the bridge; `bridgeMessageId` is the bridge's own id (LayerZero guid,
    ///         CCIP message id, Hyperlane message id), to follow it on the bridge's explorer or to re-send it.
    event EnvelopeBridged(uint64 indexed dstChainId, bytes32 indexed bridgeMessageId, bytes envelope);

    /// @notice A call that only the bridge's endpoint, router or mailbox may make.
    error NotBridge(address caller);
    /// @notice An inbound message from a bridge id that is mapped to no chain.
    error UnknownOrigin(uint64 bridgeId);
    /// @notice An inbound message from a chain whose sender is not the trusted peer adapter.
    error UntrustedSender(uint64 srcChainId, bytes32 sender);
    error MalformedMessage();
    /// @notice Zero chain or bridge id, a bridge id already mapped to another chain, or a zero gas limit.
    error InvalidRemoteConfig();
    /// @notice Peers are configured through {setRemote} only, so that they never diverge from it.
    error UseSetRemote();
    /// @notice A delivery carried native value; nothing legitimate does (our LayerZero options ask the executor for
    ///         none, Hyperlane relayers pass none), and the adapter would have no use for it: refused, so that no
    ///         value is ever stuck here. The message stays deliverable without value.
    error NativeValueRefused(uint256 value);

    /// @notice Configures the remote chain `chainId`: its bridge id, its peer adapter (zero removes the remote)
    ///         and the gas its deliveries get. Only the owner.
    function setRemote(uint64 chainId, uint64 bridgeId, address adapter, uint32 gasLimit) external;

    /// @notice The remote configuration for `chainId`.
    function remote(uint64 chainId) external view returns (Remote memory);

    /// @notice The EVM chain id mapped to the bridge's id `bridgeId` (zero if none).
    function chainIdOf(uint64 bridgeId) external view returns (uint64);
}
