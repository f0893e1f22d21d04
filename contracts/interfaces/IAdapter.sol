// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAdapter
/// @notice A bridge adapter: carries ABI-encoded envelopes between the messengers of two chains. On the sending
///         side only its messenger may call {send}; on the receiving side it authenticates the bridge's origin
///         and hands the envelope to its messenger's `receiveEnvelope`, nothing else.
interface IAdapter {
    error OnlyMessenger(address caller);
    error UnknownRemote(uint64 chainId);

    /// @notice Sends `encodedEnvelope` to the adapter's peer on `dstChainId`. Called by the messenger only,
    ///         with exactly the fee {quote} returned.
    function send(uint64 dstChainId, bytes calldata encodedEnvelope) external payable;

    /// @notice Native fee that {send} of `encodedEnvelope` to `dstChainId` costs.
    function quote(uint64 dstChainId, bytes calldata encodedEnvelope) external view returns (uint256 nativeFee);

    /// @notice The messenger this adapter serves.
    function messenger() external view returns (address);
}
