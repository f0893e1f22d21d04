// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAdapter} from "../interfaces/IAdapter.sol";

/// @notice Test adapter whose send costs about as much as a real bridge's (a LayerZero endpoint or a Hyperlane mailbox
///         writes several slots): it writes `slots` fresh storage slots per send and emits the envelope.
contract GasHungryAdapter is IAdapter {
    event Sent(uint64 dstChainId, bytes envelope);

    address public immutable messenger;
    uint256 public immutable slots;
    uint256 internal _sends;
    mapping(uint256 => uint256) internal _scratch;

    constructor(address messenger_, uint256 slots_) {
        messenger = messenger_;
        slots = slots_;
    }

    function send(uint64 dstChainId, bytes calldata encodedEnvelope) external payable {
        if (msg.sender != messenger) revert OnlyMessenger(msg.sender);
        uint256 base = ++_sends * slots;
        for (uint256 i; i < slots; ++i) _scratch[base + i] = i + 1;
        emit Sent(dstChainId, encodedEnvelope);
    }

    function quote(uint64, bytes calldata) external pure returns (uint256) {
        return 0;
    }
}
