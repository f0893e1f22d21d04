// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";
import {IMessageRecipient} from "@hyperlane-xyz/core/contracts/interfaces/IMessageRecipient.sol";
import {
    IInterchainSecurityModule,
    ISpecifiesInterchainSecurityModule
} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {StandardHookMetadata} from "@hyperlane-xyz/core/contracts/hooks/libs/StandardHookMetadata.sol";
import {BridgeAdapter} from "./BridgeAdapter.sol";

/// @title HyperlaneAdapter
/// @notice Carries envelopes over Hyperlane. Remote chains are named by Hyperlane domain; the destination gas
///         is passed to the interchain gas paymaster in the standard hook metadata.
/// @dev Trust: the interchain security module that verifies inbound messages: the mailbox's default, or the one
///      the owner sets here ({setInterchainSecurityModule}), e.g. a multisig ISM of validators you choose.
contract HyperlaneAdapter is BridgeAdapter, IMessageRecipient, ISpecifiesInterchainSecurityModule {
    /// @notice The Hyperlane mailbox of this chain.
    IMailbox public immutable mailbox;
    /// @notice The ISM verifying inbound messages; zero means the mailbox's default ISM.
    IInterchainSecurityModule public interchainSecurityModule;

    event InterchainSecurityModuleSet(address indexed module);

    /// @param messenger_ The messenger this adapter serves.
    /// @param mailbox_ The Hyperlane mailbox of this chain.
    /// @param owner_ Owner (configuration).
    constructor(address messenger_, IMailbox mailbox_, address owner_) BridgeAdapter(messenger_) Ownable(owner_) {
        if (address(mailbox_) == address(0)) revert InvalidRemoteConfig();
        mailbox = mailbox_;
    }

    function _bridgeSend(Remote memory peer, bytes memory message, uint256 fee) internal override returns (bytes32) {
        return
            mailbox.dispatch{value: fee}(
                uint32(peer.bridgeId),
                bytes32(uint256(uint160(peer.adapter))),
                message,
                _hookMetadata(peer)
            );
    }

    function _bridgeQuote(Remote memory peer, bytes memory message) internal view override returns (uint256) {
        return
            mailbox.quoteDispatch(
                uint32(peer.bridgeId),
                bytes32(uint256(uint160(peer.adapter))),
                message,
                _hookMetadata(peer)
            );
    }

    function _hookMetadata(Remote memory peer) internal view returns (bytes memory) {
        return StandardHookMetadata.formatMetadata(0, peer.gasLimit, owner(), "");
    }

    function _maxBridgeId() internal pure override returns (uint64) {
        return type(uint32).max;
    }

    /// @notice Entry point of the mailbox, after its ISM verified the message: authenticates the origin domain
    ///         and sender, then hands the envelope to the messenger. Only the mailbox.
    /// @dev Payable in Hyperlane's interface, but value is refused ({NativeValueRefused}): the mailbox then reverts
    ///      the whole `process`, so the message is not marked delivered and can be processed again without value.
    function handle(uint32 origin, bytes32 sender, bytes calldata message) external payable {
        if (msg.sender != address(mailbox)) revert NotBridge(msg.sender);
        if (msg.value != 0) revert NativeValueRefused(msg.value);
        _receive(origin, sender, message);
    }

    /// @notice Sets the ISM verifying inbound messages (zero: the mailbox's default). Only the owner.
    function setInterchainSecurityModule(IInterchainSecurityModule module) external onlyOwner {
        interchainSecurityModule = module;
        emit InterchainSecurityModuleSet(address(module));
    }
}
