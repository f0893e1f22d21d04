// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ISendLib, Packet} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ISendLib.sol";
import {IMessageLib, MessageLibType} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/IMessageLib.sol";
import {SetConfigParam} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/IMessageLibManager.sol";
import {
    ILayerZeroEndpointV2,
    MessagingFee,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {PacketV1Codec} from "@layerzerolabs/lz-evm-protocol-v2/contracts/messagelib/libs/PacketV1Codec.sol";

/// @title TestLzMessageLib
/// @notice Minimal send-and-receive message library for LayerZero's EndpointV2 port (test-devtools-evm-foundry):
///         `send` encodes the packet exactly as ULN302 does and charges a flat native fee; `verify` plays the DVN
///         role, committing a packet seen on the source chain to this chain's endpoint. Everything else (nonces,
///         lazy inbound ordering, payload hashes, clearing, peers, delegate checks) is the real endpoint's code.
contract TestLzMessageLib is ISendLib {
    using PacketV1Codec for bytes;

    ILayerZeroEndpointV2 public immutable endpoint;
    /// @dev Packed with `paused`, so that the pause switch adds no storage read to quotes and sends.
    uint128 public nativeFee;
    /// @notice While set, quoting and sending revert, as a send library paused by its operator would.
    bool public paused;

    error OnlyEndpoint();
    error SendLibPaused();
    error WrongDestination(uint32 dstEid);

    constructor(ILayerZeroEndpointV2 endpoint_, uint256 nativeFee_) {
        endpoint = endpoint_;
        nativeFee = uint128(nativeFee_);
    }

    receive() external payable {}

    function send(
        Packet calldata packet,
        bytes calldata,
        bool
    ) external returns (MessagingFee memory fee, bytes memory encodedPacket) {
        if (msg.sender != address(endpoint)) revert OnlyEndpoint();
        if (paused) revert SendLibPaused();
        return (MessagingFee(nativeFee, 0), PacketV1Codec.encode(packet));
    }

    function quote(Packet calldata, bytes calldata, bool) external view returns (MessagingFee memory) {
        if (paused) revert SendLibPaused();
        return MessagingFee(nativeFee, 0);
    }

    function setPaused(bool paused_) external {
        paused = paused_;
    }

    /// @notice The DVN step: verifies `encodedPacket` (as emitted in PacketSent on the source) on this endpoint.
    function verify(bytes calldata encodedPacket) external {
        if (encodedPacket.dstEid() != endpoint.eid()) revert WrongDestination(encodedPacket.dstEid());
        endpoint.verify(
            Origin(encodedPacket.srcEid(), encodedPacket.sender(), encodedPacket.nonce()),
            encodedPacket.receiverB20(),
            encodedPacket.payloadHash()
        );
    }

    function setNativeFee(uint256 fee) external {
        nativeFee = uint128(fee);
    }

    function setTreasury(address) external {}

    function withdrawFee(address, uint256) external {}

    function withdrawLzTokenFee(address, address, uint256) external {}

    function setConfig(address, SetConfigParam[] calldata) external {}

    function getConfig(uint32, address, uint32) external pure returns (bytes memory) {
        return "";
    }

    function isSupportedEid(uint32) external pure returns (bool) {
        return true;
    }

    function version() external pure returns (uint64 major, uint8 minor, uint8 endpointVersion) {
        return (3, 0, 2);
    }

    function messageLibType() external pure returns (MessageLibType) {
        return MessageLibType.SendAndReceive;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IMessageLib).interfaceId ||
            interfaceId == type(ISendLib).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }
}
