// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IAdapter} from "../../interfaces/IAdapter.sol";
import {IMessenger} from "../../interfaces/IMessenger.sol";

/// @title LocalAdapter
/// @notice Transport for devnets and tests: the outbound side emits {RelayRequested}; authorised relayers (the
///         `relayer` keeper) carry it to the destination chain and call {deliver} on the peer adapter there.
/// @dev The trust model is the relayer's key: an authorised relayer can forge deliveries. Use it alone only on
///      devnets, or as one adapter of a k-of-n route next to real bridges.
contract LocalAdapter is IAdapter, Ownable2Step {
    /// @inheritdoc IAdapter
    address public immutable messenger;
    /// @notice Native fee charged per envelope, kept here for the owner to pay relayers with.
    uint256 public immutable fee;

    /// @notice Accounts allowed to call {deliver}.
    mapping(address relayer => bool) public isRelayer;
    /// @notice The LocalAdapter on each remote chain: the only source accepted from it, and where envelopes for
    ///         it are delivered.
    mapping(uint64 chainId => address) public remoteAdapter;

    /// @notice An envelope to carry to `dstChainId`: deliver it to `remoteAdapter(dstChainId)` there, naming
    ///         this adapter and `messenger()` as its source. Its id is keccak256(envelope).
    event RelayRequested(uint64 dstChainId, bytes envelope);
    event RelayerSet(address indexed relayer, bool allowed);
    event RemoteAdapterSet(uint64 indexed chainId, address adapter);
    event FeesWithdrawn(address indexed to, uint256 amount);

    error NotRelayer(address caller);
    error UntrustedRemote(uint64 chainId, address adapter);
    error WrongFee(uint256 provided, uint256 required);
    error WithdrawFailed(address to, uint256 amount);

    constructor(address messenger_, address owner_, uint256 fee_) Ownable(owner_) {
        messenger = messenger_;
        fee = fee_;
    }

    /// @inheritdoc IAdapter
    /// @dev A destination without a configured remote adapter is not an error here: the event stays on chain and
    ///      the relayer delivers it once the owner configures the remote.
    function send(uint64 dstChainId, bytes calldata encodedEnvelope) external payable {
        if (msg.sender != messenger) revert OnlyMessenger(msg.sender);
        if (msg.value != fee) revert WrongFee(msg.value, fee);
        emit RelayRequested(dstChainId, encodedEnvelope);
    }

    /// @inheritdoc IAdapter
    function quote(uint64, bytes calldata) external view returns (uint256) {
        return fee;
    }

    /// @notice Delivers an envelope that the adapter `srcAdapter` on `srcChainId` emitted. Relayers only.
    /// @param srcChainId Chain the envelope was sent from.
    /// @param srcAdapter The LocalAdapter that emitted {RelayRequested} there; must be the trusted remote.
    /// @param srcMessenger That adapter's messenger.
    /// @param encodedEnvelope The envelope bytes from the event.
    function deliver(
        uint64 srcChainId,
        address srcAdapter,
        address srcMessenger,
        bytes calldata encodedEnvelope
    ) external {
        if (!isRelayer[msg.sender]) revert NotRelayer(msg.sender);
        if (srcAdapter == address(0) || remoteAdapter[srcChainId] != srcAdapter) {
            revert UntrustedRemote(srcChainId, srcAdapter);
        }
        IMessenger(messenger).receiveEnvelope(srcChainId, srcMessenger, encodedEnvelope);
    }

    /// @notice Allows or disallows `relayer` to deliver. Only the owner.
    function setRelayer(address relayer, bool allowed) external onlyOwner {
        isRelayer[relayer] = allowed;
        emit RelayerSet(relayer, allowed);
    }

    /// @notice Sets the peer LocalAdapter on `chainId` (zero removes it). Only the owner.
    function setRemoteAdapter(uint64 chainId, address adapter) external onlyOwner {
        remoteAdapter[chainId] = adapter;
        emit RemoteAdapterSet(chainId, adapter);
    }

    /// @notice Sends the collected fees to `to`. Only the owner.
    function withdrawFees(address to) external onlyOwner {
        uint256 amount = address(this).balance;
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to, amount);
        emit FeesWithdrawn(to, amount);
    }
}
