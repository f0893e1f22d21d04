// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {CCIPReceiver} from "@chainlink/contracts-ccip/contracts/applications/CCIPReceiver.sol";
import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {BridgeAdapter} from "./BridgeAdapter.sol";

/// @title CCIPAdapter
/// @notice Carries envelopes over Chainlink CCIP. Remote chains are named by CCIP chain selector; fees are paid
///         in native tokens; messages allow out-of-order execution (the messenger needs no order).
/// @dev Trust: CCIP's committing and executing DONs plus its Risk Management Network. A delivery that reverts
///      (out of gas) is marked failed by the OffRamp and can be executed manually with more gas.
contract CCIPAdapter is BridgeAdapter, CCIPReceiver {
    /// @param messenger_ The messenger this adapter serves.
    /// @param router The CCIP router of this chain.
    /// @param owner_ Owner (configuration).
    constructor(
        address messenger_,
        address router,
        address owner_
    ) BridgeAdapter(messenger_) CCIPReceiver(router) Ownable(owner_) {}

    function _bridgeSend(Remote memory peer, bytes memory message, uint256 fee) internal override returns (bytes32) {
        return IRouterClient(i_ccipRouter).ccipSend{value: fee}(peer.bridgeId, _ccipMessage(peer, message));
    }

    function _bridgeQuote(Remote memory peer, bytes memory message) internal view override returns (uint256) {
        return IRouterClient(i_ccipRouter).getFee(peer.bridgeId, _ccipMessage(peer, message));
    }

    function _ccipMessage(
        Remote memory peer,
        bytes memory message
    ) internal pure returns (Client.EVM2AnyMessage memory) {
        return
            Client.EVM2AnyMessage({
                receiver: abi.encode(peer.adapter),
                data: message,
                tokenAmounts: new Client.EVMTokenAmount[](0),
                feeToken: address(0),
                extraArgs: Client._argsToBytes(
                    Client.GenericExtraArgsV2({gasLimit: peer.gasLimit, allowOutOfOrderExecution: true})
                )
            });
    }

    /// @notice Entry point of the CCIP router: authenticates the source selector and sender, then hands the
    ///         envelope to the messenger. Only the router.
    function ccipReceive(Client.Any2EVMMessage calldata message) external override onlyRouter {
        // An EVM sender is abi.encode(address): 32 bytes, compared in full by _receive.
        if (message.sender.length != 32) revert UntrustedSender(chainIdOf[message.sourceChainSelector], bytes32(0));
        _receive(message.sourceChainSelector, bytes32(message.sender), message.data);
    }

    /// @dev Unused: {ccipReceive} works on calldata.
    function _ccipReceive(Client.Any2EVMMessage memory) internal pure override {
        revert MalformedMessage();
    }
}
