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
///      {IPriceOracle}) are served at the same address by `MarginEngineExt` through the engine's fallback, and the
///      liquidation modes that need no capital and their quotes ({IMarginLiquidations}) by `MarginEngineLiq` through
///      the extension's. {IMarginHub} is everything callable at the engine's address.
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

    /// @notice Repays up to `repayAmount` of the debt of an unhealthy `account` and seizes the equivalent value plus
    ///         the liquidation bonus from its credit on (`chainId`, `asset`), released to `recipient` on that chain.
    ///         The bonus grows as health falls, from `minBonusBps` just below 1 to the market's cap at
    ///         `maxBonusHealth`; the repayment is capped by what brings the account back to `targetHealth` (the whole
    ///         debt if this collateral cannot, or if the rest would be below the minimum debt) and by the collateral
    ///         available ({LiquidationParams}).
    /// @dev The caller pays `repaid + protocolFee` in base (see {IMarginLiquidations-previewLiquidation}); `msg.value`
    ///      pays the RELEASE messaging fee. The liquidation completes on the hub whatever the bridges do: with fewer
    ///      than k bridges accepting the send, the RELEASE is recorded and anyone pushes it later (`pushPending`).
    ///      Reverts with {SeizeBelowMinimum} if the liquidator would receive less than `minSeized`, and with
    ///      {LiquidationLeavesCollateralDust} if a partial repayment would leave a remainder of this collateral worth
    ///      less than the minimum debt. Debt left on an account with no credit at all is absorbed as bad debt (reserves
    ///      first, then lenders) in a {BadDebtAbsorbed} event, whatever is in quarantine; with only unlisted credits
    ///      left, anyone can absorb it with {IMarginLiquidations-absorbBadDebt}. When one indivisible unit of the
    ///      collateral is worth more than the repayment buys, one unit is seized for at most what it is worth after the
    ///      bonus ({RepayBelowOneUnit} below that).
    /// @return seized Collateral released to the liquidator's recipient.
    function liquidate(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized,
        address recipient
    ) external payable returns (uint256 seized);

    /// @notice {liquidate}, but the seized collateral is credited to the caller's own account on the hub instead of
    ///         released: no message, no fee, no bridge. The caller keeps it as collateral or withdraws it later
    ///         ({withdrawCollateral}). Moving a credit between hub accounts leaves every (chain, asset) total as it
    ///         was. Same amounts, bonus and reverts as {liquidate} ({IMarginLiquidations-previewLiquidation} quotes
    ///         both); the {Liquidated} event names the caller as recipient and a zero message id.
    /// @return seized Collateral credited to the caller's account.
    function liquidateToAccount(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized
    ) external returns (uint256 seized);

    // ----------------------------------------------------------------------------------------------- views

    /// @notice Credit of `account` on (`chainId`, `asset`), in raw token units.
    function collateralOf(address account, uint64 chainId, address asset) external view returns (uint256);

    /// @notice Debt of `account` in base units, including interest up to now (rounded up).
    function debtOf(address account) external view returns (uint256);

    /// @notice Liquidation-threshold-weighted collateral value over debt value, 1e18 = liquidation line;
    ///         `type(uint256).max` when there is no debt. Reverts on a bad price.
    function healthFactor(address account) external view returns (uint256);

    /// @notice Whether {liquidate}, {liquidateToAccount} and {IMarginLiquidations-absorb} may act on `account` now.
    function isLiquidatable(address account) external view returns (bool);

    /// @notice Native fee of the RELEASE message that withdrawals and liquidations to `chainId` send.
    function quoteRelease(uint64 chainId) external view returns (uint256 nativeFee);
}
