// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts@4.8.3/token/ERC20/IERC20.sol";
import {IEVM2AnyOnRampClient} from "@chainlink/contracts-ccip/contracts/interfaces/IEVM2AnyOnRampClient.sol";
import {IPoolV1} from "@chainlink/contracts-ccip/contracts/interfaces/IPool.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {Internal} from "@chainlink/contracts-ccip/contracts/libraries/Internal.sol";

/// @title CCIPOnRampHarness
/// @notice Stands in for CCIP 1.6's OnRamp behind the real Router: one OnRamp for every destination (as in 1.6),
///         a flat fee in the fee token the router hands over (wrapped native), a sequence number per destination
///         and a nonce per (destination, sender), and the real `CCIPMessageSent(destChainSelector, sequenceNumber,
///         Internal.EVM2AnyRampMessage)` event with the message id hashed as 1.6 hashes it. Extra args are
///         normalised to `GenericExtraArgsV2` (as the FeeQuoter does). No token transfers.
contract CCIPOnRampHarness is IEVM2AnyOnRampClient {
    /// @notice The router that may forward messages.
    address public immutable router;
    /// @notice This chain's CCIP selector.
    uint64 public immutable sourceChainSelector;
    /// @notice Who may change the fee.
    address public immutable owner;
    /// @notice The fee in the fee token, per message.
    uint256 public fee;
    /// @notice The fee token accepted (the router's wrapped native).
    address public immutable feeToken;
    /// @notice Last sequence number per destination selector.
    mapping(uint64 destChainSelector => uint64) public sequenceNumber;
    /// @notice Last ordered-execution nonce per (destination, sender).
    mapping(uint64 destChainSelector => mapping(address sender => uint64)) public senderNonce;

    /// @notice Gas limit when a message gives no extra args (the FeeQuoter's default).
    uint32 public constant DEFAULT_GAS_LIMIT = 200_000;

    event CCIPMessageSent(
        uint64 indexed destChainSelector,
        uint64 indexed sequenceNumber,
        Internal.EVM2AnyRampMessage message
    );

    error MustBeCalledByRouter(address caller);
    error OnlyOwner(address caller);
    error FeeTokenNotSupported(address token);
    error UnsupportedToken(address token);
    error InvalidExtraArgsTag(bytes4 tag);

    constructor(address router_, uint64 sourceChainSelector_, address feeToken_, uint256 fee_) {
        router = router_;
        sourceChainSelector = sourceChainSelector_;
        feeToken = feeToken_;
        fee = fee_;
        owner = msg.sender;
    }

    /// @notice Sets the flat fee. Only the deployer.
    function setFee(uint256 fee_) external {
        if (msg.sender != owner) revert OnlyOwner(msg.sender);
        fee = fee_;
    }

    /// @inheritdoc IEVM2AnyOnRampClient
    function getFee(uint64, Client.EVM2AnyMessage calldata message) external view returns (uint256) {
        if (message.feeToken != feeToken) revert FeeTokenNotSupported(message.feeToken);
        if (message.tokenAmounts.length != 0) revert UnsupportedToken(message.tokenAmounts[0].token);
        return fee;
    }

    /// @inheritdoc IEVM2AnyOnRampClient
    function getPoolBySourceToken(uint64, IERC20) external pure returns (IPoolV1) {
        return IPoolV1(address(0));
    }

    /// @inheritdoc IEVM2AnyOnRampClient
    function getSupportedTokens(uint64) external pure returns (address[] memory tokens) {
        return tokens;
    }

    /// @inheritdoc IEVM2AnyOnRampClient
    function forwardFromRouter(
        uint64 destChainSelector,
        Client.EVM2AnyMessage calldata message,
        uint256 feeTokenAmount,
        address originalSender
    ) external returns (bytes32 messageId) {
        if (msg.sender != router) revert MustBeCalledByRouter(msg.sender);
        if (message.tokenAmounts.length != 0) revert UnsupportedToken(message.tokenAmounts[0].token);
        (uint256 gasLimit, bool outOfOrder) = _parseExtraArgs(message.extraArgs);
        uint64 seq = ++sequenceNumber[destChainSelector];
        Internal.EVM2AnyRampMessage memory ramp = Internal.EVM2AnyRampMessage({
            header: Internal.RampMessageHeader({
                messageId: "",
                sourceChainSelector: sourceChainSelector,
                destChainSelector: destChainSelector,
                sequenceNumber: seq,
                nonce: outOfOrder ? 0 : ++senderNonce[destChainSelector][originalSender]
            }),
            sender: originalSender,
            data: message.data,
            receiver: message.receiver,
            extraArgs: Client._argsToBytes(
                Client.GenericExtraArgsV2({gasLimit: gasLimit, allowOutOfOrderExecution: outOfOrder})
            ),
            feeToken: message.feeToken,
            feeTokenAmount: feeTokenAmount,
            feeValueJuels: 0,
            tokenAmounts: new Internal.EVM2AnyTokenTransfer[](0)
        });
        messageId = Internal._hash(
            ramp,
            keccak256(
                abi.encode(Internal.EVM_2_ANY_MESSAGE_HASH, sourceChainSelector, destChainSelector, address(this))
            )
        );
        ramp.header.messageId = messageId;
        emit CCIPMessageSent(destChainSelector, seq, ramp);
    }

    function _parseExtraArgs(bytes calldata extraArgs) internal pure returns (uint256 gasLimit, bool outOfOrder) {
        if (extraArgs.length == 0) return (DEFAULT_GAS_LIMIT, false);
        bytes4 tag = bytes4(extraArgs);
        if (tag == Client.GENERIC_EXTRA_ARGS_V2_TAG) return abi.decode(extraArgs[4:], (uint256, bool));
        if (tag == Client.EVM_EXTRA_ARGS_V1_TAG) return (abi.decode(extraArgs[4:], (uint256)), false);
        revert InvalidExtraArgsTag(tag);
    }
}
