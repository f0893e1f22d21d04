// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What travels between messengers, shown as a struct for documentation; on the wire it is packed
///         (see {EnvelopeLib}). Its id is the keccak256 of the packed bytes, so every field is covered.
/// @param nonce Per (source messenger, destination chain) counter; unique on a route.
/// @param srcChainId EVM chain id of the origin.
/// @param dstChainId EVM chain id of the destination.
/// @param sender The app that sent it on the origin chain.
/// @param receiver The app it is for on the destination chain.
/// @param payload App-defined bytes.
struct Envelope {
    uint64 nonce;
    uint64 srcChainId;
    uint64 dstChainId;
    address sender;
    address receiver;
    bytes payload;
}

/// @title EnvelopeLib
/// @notice Packed envelope encoding: nonce (8) | srcChainId (8) | dstChainId (8) | sender (20) | receiver (20) |
///         payload. Packing keeps calldata and event data small on every hop; fields are read from calldata in
///         place, without copying the envelope to memory.
library EnvelopeLib {
    /// @notice Length of the fixed part before the payload.
    uint256 internal constant HEADER_LENGTH = 64;

    error MalformedEnvelope(uint256 length);

    function encode(
        uint64 nonce,
        uint64 srcChainId,
        uint64 dstChainId,
        address sender,
        address receiver,
        bytes memory appPayload
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(nonce, srcChainId, dstChainId, sender, receiver, appPayload);
    }

    /// @notice Reads the fixed fields of a packed envelope; reverts if it is too short to hold them.
    function header(
        bytes calldata encoded
    ) internal pure returns (uint64 nonce, uint64 srcChainId, uint64 dstChainId, address sender, address receiver) {
        if (encoded.length < HEADER_LENGTH) revert MalformedEnvelope(encoded.length);
        nonce = uint64(bytes8(encoded[0:8]));
        srcChainId = uint64(bytes8(encoded[8:16]));
        dstChainId = uint64(bytes8(encoded[16:24]));
        sender = address(bytes20(encoded[24:44]));
        receiver = address(bytes20(encoded[44:64]));
    }

    /// @notice The payload of a packed envelope (a calldata slice, not a copy).
    function payload(bytes calldata encoded) internal pure returns (bytes calldata) {
        return encoded[HEADER_LENGTH:];
    }
}
