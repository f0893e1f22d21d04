// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {OApp, Origin, MessagingFee, MessagingReceipt} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {OAppOptionsType3, EnforcedOptionParam} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OptionsBuilder.sol";
import {BridgeAdapter} from "./BridgeAdapter.sol";

/// @title LayerZeroAdapter
/// @notice Carries envelopes over LayerZero V2 as an OApp. The peer of each endpoint id is the trusted adapter
///         set with {setRemote}, which also sets the enforced options (the lzReceive gas of that destination).
/// @dev Trust: the DVNs configured for this OApp on the endpoint (the protocol's defaults unless the owner, as
///      the OApp's delegate, sets its own) and the endpoint's executor for liveness. A delivery that runs out of
///      gas reverts inside the endpoint and stays verified, so anyone can execute it again with more gas.
contract LayerZeroAdapter is BridgeAdapter, OApp, OAppOptionsType3 {
    using OptionsBuilder for bytes;

    /// @notice The LayerZero message type of an envelope, for enforced options.
    uint16 public constant MSG_TYPE_ENVELOPE = 1;

    /// @param messenger_ The messenger this adapter serves.
    /// @param endpoint The LayerZero EndpointV2 of this chain.
    /// @param owner_ Owner, and the OApp's delegate on the endpoint (sets DVN and executor configuration).
    constructor(
        address messenger_,
        address endpoint,
        address owner_
    ) BridgeAdapter(messenger_) OApp(endpoint, owner_) Ownable(owner_) {}

    function _bridgeSend(Remote memory peer, bytes memory message, uint256 fee) internal override returns (bytes32) {
        uint32 eid = uint32(peer.bridgeId);
        MessagingReceipt memory receipt = _lzSend(
            eid,
            message,
            enforcedOptions[eid][MSG_TYPE_ENVELOPE],
            MessagingFee(fee, 0),
            // The messenger pays the exact quote, so nothing is refunded; should the endpoint ever refund, the
            // owner gets it, since the messenger takes no native tokens.
            owner()
        );
        return receipt.guid;
    }

    function _bridgeQuote(Remote memory peer, bytes memory message) internal view override returns (uint256) {
        uint32 eid = uint32(peer.bridgeId);
        return _quote(eid, message, enforcedOptions[eid][MSG_TYPE_ENVELOPE], false).nativeFee;
    }

    /// @dev OApp has checked that the endpoint calls and that `origin.sender` is the peer of `origin.srcEid`. Value
    ///      passed along by an executor is refused (see {NativeValueRefused}): the packet stays verified and anyone
    ///      can execute it again without value.
    function _lzReceive(
        Origin calldata origin,
        bytes32,
        bytes calldata message,
        address,
        bytes calldata
    ) internal override {
        if (msg.value != 0) revert NativeValueRefused(msg.value);
        uint64 srcChainId = chainIdOf[origin.srcEid];
        if (srcChainId == 0) revert UnknownOrigin(origin.srcEid);
        _forward(srcChainId, message);
    }

    /// @dev The peer and the enforced lzReceive gas follow the remote, so they can never diverge from it; a peer
    ///      left behind by a change of eid is cleared.
    function _onRemoteSet(Remote memory previous, Remote memory next) internal override {
        if (previous.bridgeId != 0 && previous.bridgeId != next.bridgeId) _setPeer(uint32(previous.bridgeId), 0);
        uint32 eid = uint32(next.bridgeId);
        _setPeer(eid, bytes32(uint256(uint160(next.adapter))));
        // A removed remote keeps its last options: without a peer nothing can be sent or received anyway.
        if (next.adapter == address(0)) return;
        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](1);
        params[0] = EnforcedOptionParam(
            eid,
            MSG_TYPE_ENVELOPE,
            OptionsBuilder.newOptions().addExecutorLzReceiveOption(next.gasLimit, 0)
        );
        _setEnforcedOptions(params);
    }

    function _maxBridgeId() internal pure override returns (uint64) {
        return type(uint32).max;
    }

    /// @notice Accepts a two-step ownership transfer; the new owner also becomes the OApp's delegate on the
    ///         endpoint (who configures its libraries, DVNs and executor), so the old owner keeps no control.
    function acceptOwnership() public override {
        super.acceptOwnership();
        endpoint.setDelegate(owner());
    }

    /// @notice Starts a two-step ownership transfer (see {Ownable2Step}). Only the owner.
    function transferOwnership(address newOwner) public override(Ownable, Ownable2Step) onlyOwner {
        Ownable2Step.transferOwnership(newOwner);
    }

    function _transferOwnership(address newOwner) internal override(Ownable, Ownable2Step) {
        Ownable2Step._transferOwnership(newOwner);
    }

    /// @notice Disabled: peers are set through {setRemote}.
    function setPeer(uint32, bytes32) public pure override {
        revert UseSetRemote();
    }

    /// @notice Disabled: enforced options are set through {setRemote}.
    function setEnforcedOptions(EnforcedOptionParam[] calldata) public pure override {
        revert UseSetRemote();
    }
}
