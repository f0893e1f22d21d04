// SPDX-License-Identifier: MIT
// solhint-disable one-contract-per-file
pragma solidity 0.8.28;

import {Origin} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {ILayerZeroReceiver} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroReceiver.sol";
import {CCIPReceiver} from "@chainlink/contracts-ccip/contracts/applications/CCIPReceiver.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {IMessageRecipient} from "@hyperlane-xyz/core/contracts/interfaces/IMessageRecipient.sol";

// Receivers that accept any message and do nothing: the gas benchmark delivers the same bytes to them and to the
// adapters, so that the difference is what the adapter and the messenger cost on top of the bridge itself.

contract NoopLzReceiver is ILayerZeroReceiver {
    function allowInitializePath(Origin calldata) external pure returns (bool) {
        return true;
    }

    function nextNonce(uint32, bytes32) external pure returns (uint64) {
        return 0;
    }

    function lzReceive(Origin calldata, bytes32, bytes calldata, address, bytes calldata) external payable {}
}

contract NoopCcipReceiver is CCIPReceiver {
    constructor(address router) CCIPReceiver(router) {}

    function _ccipReceive(Client.Any2EVMMessage memory) internal override {}
}

contract NoopHyperlaneRecipient is IMessageRecipient {
    function handle(uint32, bytes32, bytes calldata) external payable {}
}
