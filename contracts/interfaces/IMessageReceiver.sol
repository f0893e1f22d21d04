// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMessageReceiver
/// @notice Implemented by apps (vaults, margin engine) to receive authenticated messages from their messenger.
interface IMessageReceiver {
    /// @notice Called by the messenger once per envelope, after authentication and de-duplication.
    /// @dev A revert makes the messenger store the envelope for a later retry; it never blocks other envelopes.
    /// @param srcChainId Origin chain id.
    /// @param srcApp The peer app that sent the message on the origin chain.
    /// @param messageId The envelope id.
    /// @param payload The app payload.
    function onMessage(uint64 srcChainId, address srcApp, bytes32 messageId, bytes calldata payload) external;
}
