// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEvents} from "./IMarginEvents.sol";

/// @title IMarginLiquidations
/// @notice The hub's liquidation modes that need neither a live bridge nor base capital, and the liquidation
///         quotes: the protocol takes unhealthy accounts over ({absorb}) and sells what it took ({buyCollateral});
///         bad debt with nothing left to seize is written off ({absorbBadDebt}).
/// @dev Served at the engine's address by `MarginEngineLiq`, reached by `delegatecall` from the extension's fallback
///      (itself reached from the engine's): one storage, one address, the engine's `msg.sender`. The liquidation
///      that repays in base ({IMarginEngine-liquidate}, {IMarginEngine-liquidateToAccount}) stays in the engine.
interface IMarginLiquidations is IMarginEvents {
    /// @notice Takes over every unhealthy account of `accounts` for the protocol, in one transaction, with no
    ///         capital and no message (Compound III's `absorb`): its debt is cleared, its listed credits move to
    ///         the hub's inventory (sold by {buyCollateral}), valued at the feed price less the bonus its health
    ///         gives; any surplus over the debt is credited to the account's lending balance, any shortfall is bad
    ///         debt (reserves first, then lenders). The caller's lending balance is credited `absorbReward` per
    ///         account absorbed. Accounts that are not liquidatable are skipped, so racing callers do not revert
    ///         each other.
    /// @dev Until the inventory is sold, the protocol carries its price risk: reserves pay for it. Reverts with
    ///      {NothingToAbsorb} if no account of the list was liquidatable.
    /// @return absorbed How many accounts were taken over.
    function absorb(address[] calldata accounts) external returns (uint256 absorbed);

    /// @notice Buys up to `baseAmount` worth of the hub's inventory of (`chainId`, `asset`) at the feed price less
    ///         `storeFrontShareBps` of the market's bonus cap, credited to `recipient`'s account on the hub
    ///         (withdrawable with {IMarginEngine-withdrawCollateral}, or kept as collateral). Capped by the inventory:
    ///         then only what it covers is charged. The base paid goes to reserves.
    /// @dev Reverts with {NotForSale} without inventory and {BuyBelowMinimum} below `minAmount`.
    /// @return amount Collateral credited to `recipient`.
    function buyCollateral(
        uint64 chainId,
        address asset,
        uint256 minAmount,
        uint256 baseAmount,
        address recipient
    ) external returns (uint256 amount);

    /// @notice What {buyCollateral} would credit now for `baseAmount`, and the base it would charge.
    function quoteBuyCollateral(
        uint64 chainId,
        address asset,
        uint256 baseAmount
    ) external view returns (uint256 amount, uint256 baseCharged);

    /// @notice What {absorb} would do to `account` now (reverts with {NotLiquidatable} if it would skip it).
    function previewAbsorb(address account) external view returns (AbsorbQuote memory);

    /// @notice Writes off the debt of `account` as bad debt (reserves first, then lenders: {BadDebtAbsorbed}) when it
    ///         holds no credit a liquidator could seize: no credit at all, or only credits of unlisted assets (they
    ///         never counted toward borrowing and stay the account's) or awaiting review in quarantine. Anyone may
    ///         call it; it needs no price.
    /// @dev Reverts with {NothingToRepay} without debt and {SeizableCreditLeft} while a seizable credit is left
    ///      (liquidate it first, {IMarginEngine-liquidate}).
    /// @return badDebt The debt written off, in base units.
    function absorbBadDebt(address account) external returns (uint256 badDebt);

    /// @notice What {IMarginEngine-liquidate} and {IMarginEngine-liquidateToAccount} would do now with these arguments
    ///         (reverts as they would).
    function previewLiquidation(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount
    ) external view returns (LiquidationQuote memory);

    /// @notice Moves `amount` of `account`'s credit on (`chainId`, `asset`) into quarantine, out of its borrowing
    ///         power and out of reach of withdrawals: the containment of a credit that no tokens back any more
    ///         (its DEPOSIT was reorganised away on the source chain after delivery; a RELEASE reorganised away on
    ///         the hub after the vault paid it). {IMarginEngineAdmin-releaseQuarantine} then discards it, or credits it
    ///         back if the review finds it genuine. Only the owner. The account may become liquidatable: its
    ///         collateral was never there. Served by the liquidation part for room (the extension is full).
    function quarantineCredit(address account, uint64 chainId, address asset, uint256 amount) external;
}
