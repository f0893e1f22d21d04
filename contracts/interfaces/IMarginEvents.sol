// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarginEvents
/// @notice Types, events and custom errors of the hub, declared once: the engine ({IMarginEngine}) and its
///         extension ({IMarginEngineAdmin}) share one storage and one address, and emit and revert with these.
/// @dev Units: amounts are raw token units; values are USD scaled by 1e18; factors are basis points;
///      health is scaled by 1e18 and 1e18 is the liquidation line.
interface IMarginEvents {
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

    /// @notice Pool indices (1e18-scaled, 96 bits), last accrual, reserve factor and borrow pause: one slot.
    struct PoolState {
        uint96 supplyIndex;
        uint96 borrowIndex;
        uint40 lastAccrual;
        uint16 reserveFactorBps;
        bool borrowPaused;
    }

    /// @notice Principals of all lenders and all borrowers: one slot.
    /// @param nominalIndex The average borrow index (scaled by 1e8, not 1e18) at which the outstanding borrow
    ///        principal was lent, so that `borrowPrincipal * nominalIndex / 1e8` is the base actually lent out and not
    ///        yet repaid; the rest of the borrows is interest not yet paid (see
    ///        {IMarginEngineAdmin-withdrawableReserves}). It changes only on borrow: repayments and write-offs remove
    ///        principal pro rata.
    struct PoolTotals {
        uint104 supplyPrincipal;
        uint104 borrowPrincipal;
        uint48 nominalIndex;
    }

    /// @notice An account in one slot. `positions`: bitmap of the listed markets whose credits count toward
    ///         health. `credits`: how many (chain, asset) credits the account holds, listed or not; bad debt is
    ///         absorbed only once it is zero.
    struct Account {
        uint104 debtPrincipal;
        uint128 positions;
        uint24 credits;
    }

    /// @notice Per (chainId, asset), listed or not, in one slot: market id + 1 (0 = unlisted), the total
    ///         credited, and the credit cap (0 = none) above which deposits are quarantined.
    struct MarketState {
        uint8 idPlusOne;
        uint128 totalCredits;
        uint112 creditCap;
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
    /// @notice The owner moved `amount` of `account`'s credit into quarantine, pending review (no backing found).
    event CreditQuarantined(address indexed account, uint64 indexed chainId, address indexed asset, uint256 amount);
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
    /// @notice {IMarginEngine-absorbBadDebt} on an account that still holds a credit a liquidator could seize
    ///         (the first one found).
    error SeizableCreditLeft(address account, uint64 chainId, address asset);
    /// @notice One raw unit of the collateral is worth more than `repayAmount` buys: seizing it needs `required`.
    error RepayBelowOneUnit(uint256 repayAmount, uint256 required);
    /// @notice One raw unit of the asset to list is worth more than the minimum debt (USD values, 1e18).
    error UnitAboveMinDebt(uint256 unitValue, uint256 minDebtValue);
    /// @notice Lenders lost (nearly) everything to bad debt: the pool takes no new supply.
    error PoolWipedOut(uint256 supplyIndex);
    /// @notice The base token delivered less than was sent (a transfer fee): such a base is not supported.
    error FeeOnTransferBase(uint256 sent, uint256 received);
}
