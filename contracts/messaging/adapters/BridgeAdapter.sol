// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IAdapter} from "../../interfaces/IAdapter.sol";
import {IBridgeAdapter} from "../../interfaces/IBridgeAdapter.sol";
import {IMessenger} from "../../interfaces/IMessenger.sol";

/// @title BridgeAdapter
/// @notice What the LayerZero, CCIP and Hyperlane adapters share: the messenger they serve, the mapping between
///         EVM chain ids and the bridge's own ids, the trusted adapter on each remote chain with the gas its
///         delivery needs, and the one thing an inbound message can do: {IMessenger.receiveEnvelope}.
/// @dev The bridged message is `abi.encodePacked(sourceMessenger, envelope)`. The source messenger is named by
///      the sending adapter (its immutable `messenger`), so it is as trustworthy as the remote adapter itself;
///      the receiving messenger checks it against its route.
abstract contract BridgeAdapter is IBridgeAdapter, Ownable2Step {
    /// @inheritdoc IAdapter
    address public immutable messenger;

    mapping(uint64 chainId => Remote) internal _remotes;
    /// @inheritdoc IBridgeAdapter
    mapping(uint64 bridgeId => uint64 chainId) public chainIdOf;

    constructor(address messenger_) {
        if (messenger_ == address(0)) revert InvalidRemoteConfig();
        messenger = messenger_;
    }

    // ============================================================================================ OUTBOUND

    /// @inheritdoc IAdapter
    /// @dev The messenger pays exactly {quote}; the bridge's fee is paid in native tokens only.
    function send(uint64 dstChainId, bytes calldata encodedEnvelope) external payable {
        if (msg.sender != messenger) revert OnlyMessenger(msg.sender);
        Remote memory peer = _remoteOrRevert(dstChainId);
        bytes32 bridgeMessageId = _bridgeSend(peer, abi.encodePacked(messenger, encodedEnvelope), msg.value);
        emit EnvelopeBridged(dstChainId, bridgeMessageId, encodedEnvelope);
    }

    /// @inheritdoc IAdapter
    function quote(uint64 dstChainId, bytes calldata encodedEnvelope) external view returns (uint256) {
        return _bridgeQuote(_remoteOrRevert(dstChainId), abi.encodePacked(messenger, encodedEnvelope));
    }

    function _remoteOrRevert(uint64 chainId) internal view returns (Remote memory peer) {
        peer = _remotes[chainId];
        if (peer.adapter == address(0)) revert UnknownRemote(chainId);
    }

    /// @dev Hands `message` to the bridge for the adapter `peer.adapter`, paying `fee`. Returns the bridge's id.
    function _bridgeSend(Remote memory peer, bytes memory message, uint256 fee) internal virtual returns (bytes32);

    /// @dev The bridge's native fee for {_bridgeSend}.
    function _bridgeQuote(Remote memory peer, bytes memory message) internal view virtual returns (uint256);

    // ============================================================================================ INBOUND

    /// @dev Authenticates the bridge-level origin (`bridgeId`, `sender`) against the configured remote and hands
    ///      the envelope to the messenger. The caller has checked that the bridge itself is calling.
    function _receive(uint64 bridgeId, bytes32 sender, bytes calldata message) internal {
        uint64 srcChainId = chainIdOf[bridgeId];
        if (srcChainId == 0) revert UnknownOrigin(bridgeId);
        address trusted = _remotes[srcChainId].adapter;
        // Compare all 32 bytes: a sender with dirty high bytes is not the trusted address.
        if (trusted == address(0) || sender != bytes32(uint256(uint160(trusted)))) {
            revert UntrustedSender(srcChainId, sender);
        }
        _forward(srcChainId, message);
    }

    /// @dev Hands `abi.encodePacked(sourceMessenger, envelope)` from `srcChainId` to the messenger.
    function _forward(uint64 srcChainId, bytes calldata message) internal {
        if (message.length < 20) revert MalformedMessage();
        IMessenger(messenger).receiveEnvelope(srcChainId, address(bytes20(message[:20])), message[20:]);
    }

    // ============================================================================================ CONFIGURATION

    /// @inheritdoc IBridgeAdapter
    function setRemote(uint64 chainId, uint64 bridgeId, address adapter, uint32 gasLimit) external onlyOwner {
        if (chainId == 0 || bridgeId == 0 || bridgeId > _maxBridgeId()) revert InvalidRemoteConfig();
        uint64 mappedChain = chainIdOf[bridgeId];
        if (mappedChain != 0 && mappedChain != chainId) revert InvalidRemoteConfig();
        if (adapter != address(0) && gasLimit == 0) revert InvalidRemoteConfig();
        Remote memory old = _remotes[chainId];
        if (old.bridgeId != 0 && old.bridgeId != bridgeId) delete chainIdOf[old.bridgeId];

        Remote memory next = Remote(adapter, gasLimit, bridgeId);
        if (adapter == address(0)) {
            delete _remotes[chainId];
            delete chainIdOf[bridgeId];
        } else {
            _remotes[chainId] = next;
            chainIdOf[bridgeId] = chainId;
        }
        _onRemoteSet(old, next);
        emit RemoteSet(chainId, bridgeId, adapter, gasLimit);
    }

    /// @dev Hook for bridge-specific configuration that must follow the remote (LayerZero peers and options).
    function _onRemoteSet(Remote memory previous, Remote memory next) internal virtual {}

    /// @dev Largest id the bridge uses (LayerZero eids and Hyperlane domains are 32-bit).
    function _maxBridgeId() internal pure virtual returns (uint64) {
        return type(uint64).max;
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc IBridgeAdapter
    function remote(uint64 chainId) external view returns (Remote memory) {
        return _remotes[chainId];
    }
}
