// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMessageReceiver} from "./IMessageReceiver.sol";

/// @title IMarginEngine
/// @notice The hub: the single source of truth for every margin account. It keeps collateral credits per
///         (account, chainId, asset), lends one base asset against their sum, and liquidates unhealthy accounts.
///         Collateral never moves between chains: the hub debits a credit first and then sends a RELEASE to the
///         vault that holds the tokens.
/// @dev Units: amounts are raw token units; values are USD scaled by 1e18; factors are basis points;
///      health is scaled by 1e18 and 1e18 is the liquidation line.
interface IMarginEngine is IMessageReceiver {
    // ----------------------------------------------------------------------------------------------- types

    /// @notice A listed collateral market as the health loop reads it (one slot). Factors are effective: the
    ///         chain's latency haircut is folded in, and a frozen market's borrow factor is zero.
    struct Market {
        address asset;
        uint64 chainId;
        uint16 borrowFactorBps;
        uint16 liquidationThresholdBps;
    }

    /// @notice Risk parameters of a market as configured (before haircut and freeze).
    struct MarketConfig {
        uint16 borrowFactorBps;
        uint16 liquidationThresholdBps;
        uint16 liquidationBonusBps;
        bool frozen;
    }

    /// @notice Liquidation rules.
    /// @param closeFactorBps Share of the debt one liquidation may repay while health ≥ `fullCloseHealth`.
    /// @param protocolShareBps Share of the liquidation bonus that goes to reserves: the liquidator pays it in
    ///        base on top of the repayment.
    /// @param fullCloseHealth Below this health the whole debt may be repaid at once.
    struct LiquidationParams {
        uint16 closeFactorBps;
        uint16 protocolShareBps;
        uint64 fullCloseHealth;
    }

    /// @notice Outcome of a liquidation.
    /// @param repaid Debt repaid, in base units.
    /// @param protocolFee Paid by the liquidator to reserves on top of `repaid`, in base units.
    /// @param seized Collateral debited from the account and released to the liquidator's recipient.
    struct LiquidationQuote {
        uint256 repaid;
        uint256 protocolFee;
        uint256 seized;
    }

    // ----------------------------------------------------------------------------------------------- events

    /// @notice A deposit (or its part) above the credit cap of (`chainId`, `asset`) was quarantined: recorded, not
    ///         usable, until the owner reviews it.
    event CollateralQuarantined(
        address indexed account,
        uint64 indexed chainId,
        address indexed asset,
        uint256 amount,
        bytes32 messageId
    );
    /// @notice The owner ended the quarantine of `amount`: credited to the account, or discarded as a forgery.
    event QuarantineReleased(
        address indexed account,
        uint64 indexed chainId,
        address indexed asset,
        uint256 amount,
        bool credited
    );
    event CreditCapSet(uint64 indexed chainId, address indexed asset, uint256 cap);
    event CollateralCredited(
        address indexed account,
        uint64 indexed chainId,
        address indexed asset,
        uint256 amount,
        bytes32 messageId
    );
    event CollateralWithdrawn(
        address indexed account,
        uint64 indexed chainId,
        address indexed asset,
        uint256 amount,
        address recipient,
        bytes32 messageId
    );
    event BaseSupplied(address indexed caller, address indexed onBehalf, uint256 amount, uint256 principal);
    event BaseWithdrawn(address indexed account, address indexed to, uint256 amount, uint256 principal);
    event Borrowed(address indexed account, address indexed to, uint256 amount, uint256 debtPrincipal);
    event Repaid(address indexed payer, address indexed onBehalf, uint256 amount, uint256 debtPrincipal);
    event Liquidated(
        address indexed account,
        address indexed liquidator,
        uint64 indexed chainId,
        address asset,
        uint256 repaid,
        uint256 protocolFee,
        uint256 seized,
        address recipient,
        bytes32 messageId
    );
    event BadDebtAbsorbed(address indexed account, uint256 amount, uint256 fromReserves, uint256 fromLenders);
    event MarketListed(uint8 indexed id, uint64 indexed chainId, address indexed asset);
    event MarketConfigured(
        uint64 indexed chainId,
        address indexed asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps,
        bool frozen
    );
    event LatencyHaircutSet(uint64 indexed chainId, uint16 haircutBps);
    event RateModelSet(uint64 baseRate, uint64 slope1, uint64 slope2, uint64 kink);
    event ReserveFactorSet(uint16 reserveFactorBps);
    event LiquidationParamsSet(uint16 closeFactorBps, uint16 protocolShareBps, uint64 fullCloseHealth);
    event MinDebtSet(uint256 minDebt);
    event OracleSet(address indexed oracle);
    event BorrowPaused(bool paused);
    event ReservesWithdrawn(address indexed to, uint256 amount);

    // ----------------------------------------------------------------------------------------------- errors

    error ZeroAmount();
    error OnlyMessenger(address caller);
    error NotHealthy(address account, uint256 health);
    error NotLiquidatable(address account, uint256 health);
    error InsufficientCollateral(address account, uint64 chainId, address asset, uint256 balance, uint256 requested);
    error InsufficientSupply(address account, uint256 balance, uint256 requested);
    error InsufficientLiquidity(uint256 available, uint256 requested);
    error InsufficientReserves(int256 reserves, uint256 requested);
    error NothingToRepay(address account);
    error BorrowIsPaused();
    error DebtBelowMinimum(uint256 debt, uint256 minDebt);
    error MarketNotListed(uint64 chainId, address asset);
    error MarketAlreadyListed(uint64 chainId, address asset);
    error TooManyMarkets(uint256 max);
    error InvalidRiskParams(uint16 borrowFactorBps, uint16 liquidationThresholdBps, uint16 liquidationBonusBps);
    error InvalidLiquidationParams(uint16 closeFactorBps, uint16 protocolShareBps, uint64 fullCloseHealth);
    error InvalidReserveFactor(uint16 reserveFactorBps);
    error InvalidHaircut(uint16 haircutBps);
    error SeizeBelowMinimum(uint256 seized, uint256 minSeized);
    error SelfLiquidation(address account);
    error LiquidationLeavesDust(uint256 remainingDebt, uint256 minDebt);
    error AmountTooLarge(uint256 amount);

    // ----------------------------------------------------------------------------------------------- lenders

    /// @notice Supplies `amount` of the base asset from the caller to `onBehalf`'s lending balance.
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
    ///      then lenders) in a {BadDebtAbsorbed} event.
    /// @return seized Collateral released to the liquidator's recipient.
    function liquidate(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized,
        address recipient
    ) external payable returns (uint256 seized);

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
