// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What travels between messengers, shown as a struct for documentation; on the wire it is packed
///         (see {EnvelopeLib}). Its id is the keccak256 of the packed bytes, so every field is covered.
/// @param nonce Per (source messenger, destination chain) counter; unique on a route.
/// @param srcChainId EVM chain id of the origin.
/// @param dstChainId EVM chain id of the destination.
/// @param srcMessenger The messenger that sent it on the origin chain. Part of the id, so that an identical envelope
///        from another messenger (e.g. one that replaced it) never shares confirmation or retry state with it.
/// @param sender The app that sent it on the origin chain.
/// @param receiver The app it is for on the destination chain.
/// @param payload App-defined bytes.
struct Envelope {
    uint64 nonce;
    uint64 srcChainId;
    uint64 dstChainId;
    address srcMessenger;
    address sender;
    address receiver;
    bytes payload;
}

/// @title EnvelopeLib
/// @notice Packed envelope encoding: nonce (8) | srcChainId (8) | dstChainId (8) | srcMessenger (20) | sender (20) |
///         receiver (20) | payload. Packing keeps calldata and event data small on every hop; fields are read from
///         calldata in place, without copying the envelope to memory.
library EnvelopeLib {
    /// @notice Length of the fixed part before the payload.
    uint256 internal constant HEADER_LENGTH = 84;

    error MalformedEnvelope(uint256 length);

    function encode(
        uint64 nonce,
        uint64 srcChainId,
        uint64 dstChainId,
        address srcMessenger,
        address sender,
        address receiver,
        bytes calldata appPayload
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(nonce, srcChainId, dstChainId, srcMessenger, sender, receiver, appPayload);
    }

    /// @notice Reads the fixed fields of a packed envelope; reverts if it is too short to hold them.
    function header(
        bytes calldata encoded
    ) internal pure returns (uint64 nonce, uint64 srcChainId, uint64 dstChainId, address sender, address receiver) {
        if (encoded.length < HEADER_LENGTH) revert MalformedEnvelope(encoded.length);
        // Three words read in place once the length is checked (slices would bounds-check every field again): the
        // first holds nonce | srcChainId | dstChainId, the others start at sender and at receiver.
        assembly ("memory-safe") {
            let first := calldataload(encoded.offset)
            nonce := shr(192, first)
            srcChainId := and(shr(128, first), 0xffffffffffffffff)
            dstChainId := and(shr(64, first), 0xffffffffffffffff)
            sender := shr(96, calldataload(add(encoded.offset, 44)))
            receiver := shr(96, calldataload(add(encoded.offset, 64)))
        }
    }

    /// @notice The messenger that sent a packed envelope; reverts if it is too short to hold the header.
    function sourceMessenger(bytes calldata encoded) internal pure returns (address) {
        if (encoded.length < HEADER_LENGTH) revert MalformedEnvelope(encoded.length);
        return address(bytes20(encoded[24:44]));
    }

    /// @notice The payload of a packed envelope (a calldata slice, not a copy).
    function payload(bytes calldata encoded) internal pure returns (bytes calldata) {
        return encoded[HEADER_LENGTH:];
    }
}
