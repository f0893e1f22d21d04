// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarginEngine} from "./IMarginEngine.sol";
import {IMarginEngineAdmin} from "./IMarginEngineAdmin.sol";
import {IMarginLiquidations} from "./IMarginLiquidations.sol";
import {IMessenger} from "./IMessenger.sol";
import {IPriceOracle} from "./IPriceOracle.sol";

/// @title IMarginHub
/// @notice Everything callable at the margin engine's address: the engine's own functions ({IMarginEngine}),
///         those its extension serves through the engine's fallback ({IMarginEngineAdmin}, {IPriceOracle}) and
///         those its liquidation part serves through the extension's ({IMarginLiquidations}), the public getters of
///         the shared storage, ownership and the guardian, and every error any part can revert with. Tools and
///         tests use it as the one typed contract at the engine's address; `test/unit/codeSize.test.ts` checks that
///         it matches the three parts' ABIs exactly.
/// @dev Not inherited by the implementation: the ownership and library declarations below are repeated from
///      OpenZeppelin's `Ownable2Step`, `ReentrancyGuardTransient`, `SafeERC20`, `SafeCast`, the engine's `Guarded`,
///      `InterestRateLib` and `MessageCodec`, which declare them for the contracts.
interface IMarginHub is IMarginEngine, IMarginEngineAdmin, IMarginLiquidations, IPriceOracle {
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event GuardianSet(address indexed guardian);

    error OwnableUnauthorizedAccount(address account);
    error OwnableInvalidOwner(address owner);
    error NotGuardian(address caller);
    error ZeroAddress();
    error ReentrancyGuardReentrantCall();
    error SafeERC20FailedOperation(address token);
    error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value);
    error InvalidRateModel(uint256 kink);
    error MalformedMessage(uint256 length);
    error UnknownMessageKind(uint8 kind);

    /// @notice The base asset lent and borrowed.
    function baseToken() external view returns (IERC20);

    /// @notice The hub's messenger: the only caller of {onMessage}, and the sender of RELEASEs.
    function messenger() external view returns (IMessenger);

    /// @notice The hub's chain id: the base asset's feed is configured under it.
    function hubChainId() external view returns (uint64);

    /// @notice The extension that serves {IMarginEngineAdmin} and {IPriceOracle} at this address.
    function extension() external view returns (address);

    /// @notice The liquidation part that serves {IMarginLiquidations} at this address (through the extension).
    function liquidations() external view returns (address);

    /// @notice Markets are bits of a 128-bit mask per account.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_MARKETS() external view returns (uint256);

    /// @notice Below this supply index the lenders lost (nearly) everything to bad debt: new supply is refused
    ///         ({PoolWipedOut}).
    // solhint-disable-next-line func-name-mixedcase
    function MIN_SUPPLY_INDEX() external view returns (uint256);

    /// @notice Number of listed markets; ids are 0..marketCount-1.
    function marketCount() external view returns (uint256);

    /// @notice Bad debt absorbed so far, in base units.
    function totalBadDebt() external view returns (uint256);

    /// @notice Latency haircut of `chainId`, in basis points.
    function latencyHaircutBps(uint64 chainId) external view returns (uint16);

    /// @notice The owner (a timelock in production): configures everything.
    function owner() external view returns (address);

    /// @notice The owner proposed by {transferOwnership}, until it accepts.
    function pendingOwner() external view returns (address);

    /// @notice Proposes `newOwner`; it becomes the owner when it calls {acceptOwnership}. Only the owner.
    function transferOwnership(address newOwner) external;

    /// @notice The pending owner takes over.
    function acceptOwnership() external;

    /// @notice Leaves the hub without an owner for good. Only the owner.
    function renounceOwnership() external;

    /// @notice The account allowed to pause borrowing, besides the owner.
    function guardian() external view returns (address);

    /// @notice Sets the guardian; zero removes it. Only the owner.
    function setGuardian(address newGuardian) external;
}
