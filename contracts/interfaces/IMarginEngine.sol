// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessageReceiver} from "./IMessageReceiver.sol";
import {IMarginEvents} from "./IMarginEvents.sol";

/// @title IMarginEngine
/// @notice The hub: the single source of truth for every margin account. It keeps collateral credits per
///         (account, chainId, asset), lends one base asset against their sum, and liquidates unhealthy accounts.
///         Collateral never moves between chains: the hub debits a credit first and then sends a RELEASE to the
///         vault that holds the tokens.
/// @dev The hot paths live in `MarginEngine`; configuration and rarely used views ({IMarginEngineAdmin},
///      {IPriceOracle}) are served at the same address by `MarginEngineExt` through the engine's fallback.
///      {IMarginHub} is everything callable at the engine's address.
interface IMarginEngine is IMessageReceiver, IMarginEvents {
    // ----------------------------------------------------------------------------------------------- lenders

    /// @notice Supplies `amount` of the base asset from the caller to `onBehalf`'s lending balance.
    /// @dev Reverts with {PoolWipedOut} once bad debt took (nearly) everything from the lenders. Every pull of base
    ///      (here, {repay}, {liquidate}) reverts with {FeeOnTransferBase} if less than was sent arrives.
    function supplyBase(uint256 amount, address onBehalf) external;

    /// @notice Withdraws `amount` of the caller's lending balance to `to`; `type(uint256).max` withdraws all.
    function withdrawBase(uint256 amount, address to) external returns (uint256 withdrawn);

    // ----------------------------------------------------------------------------------------------- borrowers

    /// @notice Borrows `amount` of the base asset against the caller's collateral on all chains, paid to `to`.
    /// @dev Needs fresh prices; reverts with {NotHealthy} if borrow-factor-weighted collateral would not cover
    ///      the debt.
    function borrow(uint256 amount, address to) external;

    /// @notice Repays up to `amount` of `onBehalf`'s debt from the caller; `type(uint256).max` repays all.
    /// @dev Never needs a price. A partial repayment must leave at least the minimum debt ({DebtBelowMinimum}).
    /// @return repaid What was actually taken from the caller.
    function repay(uint256 amount, address onBehalf) external returns (uint256 repaid);

    /// @notice Debits `amount` of the caller's credit on (`chainId`, `asset`) and sends a RELEASE of it to
    ///         `recipient` on `chainId`. The account must stay healthy under borrow factors after the debit.
    /// @dev `msg.value` pays the messaging fee ({quoteRelease}); any excess is refunded to the caller.
    /// @return messageId Id of the RELEASE envelope.
    function withdrawCollateral(
        uint64 chainId,
        address asset,
        uint256 amount,
        address recipient
    ) external payable returns (bytes32 messageId);

    // ----------------------------------------------------------------------------------------------- liquidation

    /// @notice Repays up to `repayAmount` of the debt of an unhealthy `account` and seizes the equivalent value
    ///         plus the liquidation bonus from its credit on (`chainId`, `asset`), released to `recipient` on
    ///         that chain. The repayment is capped by the close factor and by the collateral available.
    /// @dev The caller pays `repaid + protocolFee` in base (see {previewLiquidation}); `msg.value` pays the
    ///      RELEASE messaging fee. Reverts with {SeizeBelowMinimum} if the liquidator would receive less than
    ///      `minSeized`. Debt left on an account with no credit at all is absorbed as bad debt (reserves first,
    ///      then lenders) in a {BadDebtAbsorbed} event, whatever is in quarantine; with only unlisted credits left,
    ///      anyone can absorb it with {absorbBadDebt}. When one indivisible unit of the collateral is worth more
    ///      than the repayment buys, one unit is seized for at most what it is worth after the bonus
    ///      ({RepayBelowOneUnit} below that).
    /// @return seized Collateral released to the liquidator's recipient.
    function liquidate(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized,
        address recipient
    ) external payable returns (uint256 seized);

    /// @notice Writes off the debt of `account` as bad debt (reserves first, then lenders: {BadDebtAbsorbed}) when it
    ///         holds no credit a liquidator could seize: no credit at all, or only credits of unlisted assets (they
    ///         never counted toward borrowing and stay the account's) or awaiting review in quarantine. Anyone may
    ///         call it; it needs no price.
    /// @dev Reverts with {NothingToRepay} without debt and {SeizableCreditLeft} while a seizable credit is left
    ///      (liquidate it first).
    /// @return badDebt The debt written off, in base units.
    function absorbBadDebt(address account) external returns (uint256 badDebt);

    /// @notice What {liquidate} would do now with these arguments (reverts as it would).
    function previewLiquidation(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount
    ) external view returns (LiquidationQuote memory);

    // ----------------------------------------------------------------------------------------------- views

    /// @notice Credit of `account` on (`chainId`, `asset`), in raw token units.
    function collateralOf(address account, uint64 chainId, address asset) external view returns (uint256);

    /// @notice Debt of `account` in base units, including interest up to now (rounded up).
    function debtOf(address account) external view returns (uint256);

    /// @notice Liquidation-threshold-weighted collateral value over debt value, 1e18 = liquidation line;
    ///         `type(uint256).max` when there is no debt. Reverts on a bad price.
    function healthFactor(address account) external view returns (uint256);

    /// @notice Whether {liquidate} may be called on `account` now.
    function isLiquidatable(address account) external view returns (bool);

    /// @notice Native fee of the RELEASE message that withdrawals and liquidations to `chainId` send.
    function quoteRelease(uint64 chainId) external view returns (uint256 nativeFee);
}
