// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessenger} from "../interfaces/IMessenger.sol";
import {IMessageReceiver} from "../interfaces/IMessageReceiver.sol";

/// @notice A messenger app for tests: records what it receives, can be told to revert or burn gas, sends.
contract MockApp is IMessageReceiver {
    IMessenger public immutable messenger;
    bool public shouldRevert;
    uint256 public burnGas;
    uint256 public received;
    bytes32 public lastId;
    bytes public lastPayload;
    uint64 public lastSrcChainId;
    address public lastSrcApp;

    event Received(uint64 srcChainId, address srcApp, bytes32 id, bytes payload);

    error Refused();
    error NotMessenger();

    constructor(IMessenger messenger_) {
        messenger = messenger_;
    }

    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    function setBurnGas(uint256 value) external {
        burnGas = value;
    }

    function onMessage(uint64 srcChainId, address srcApp, bytes32 id, bytes calldata payload) external {
        if (msg.sender != address(messenger)) revert NotMessenger();
        if (shouldRevert) revert Refused();
        uint256 start = gasleft();
        while (start - gasleft() < burnGas) {}
        ++received;
        (lastId, lastPayload, lastSrcChainId, lastSrcApp) = (id, payload, srcChainId, srcApp);
        emit Received(srcChainId, srcApp, id, payload);
    }

    function send(uint64 dstChainId, bytes calldata payload) external payable returns (bytes32) {
        // IMessenger.send reverts on failure; it is not address.send.
        // solhint-disable-next-line check-send-result
        return messenger.send{value: msg.value}(dstChainId, payload);
    }
}
