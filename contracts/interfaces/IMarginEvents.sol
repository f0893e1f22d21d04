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

    /// @notice Liquidation rules (one slot). Health is 1e18-scaled; 1e18 is the liquidation line.
    /// @param targetHealth A liquidation repays at most what brings the account back to this health (> 1e18), or the
    ///        whole debt when seizing this collateral cannot get there or what is left would be dust.
    /// @param maxBonusHealth At or below this health (< 1e18) the bonus is the market's `liquidationBonusBps` (its
    ///        cap).
    /// @param minBonusBps Bonus just below health 1 (never above the market's cap). Between `maxBonusHealth` and 1 the
    ///        bonus falls linearly from the cap to this minimum: the worse the account, the larger the incentive.
    /// @param protocolShareBps Share of the liquidation bonus that goes to reserves: the liquidator pays it in base on
    ///        top of the repayment.
    /// @param storeFrontShareBps Share of a market's bonus cap given as a discount to buyers of absorbed collateral
    ///        ({IMarginLiquidations-buyCollateral}); the rest of the bonus stays with the protocol.
    /// @param absorbReward Base units credited to the caller's lending balance per account it absorbs
    ///        ({IMarginLiquidations-absorb}), paid by reserves: the incentive of a liquidator who holds no capital.
    struct LiquidationParams {
        uint64 targetHealth;
        uint64 maxBonusHealth;
        uint16 minBonusBps;
        uint16 protocolShareBps;
        uint16 storeFrontShareBps;
        uint80 absorbReward;
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
    /// @param seized Collateral debited from the account: released to the liquidator's recipient, or credited to the
    ///        liquidator's own account ({IMarginEngine-liquidateToAccount}).
    /// @param bonusBps The bonus applied, following the account's health (see {LiquidationParams}).
    struct LiquidationQuote {
        uint256 repaid;
        uint256 protocolFee;
        uint256 seized;
        uint256 bonusBps;
    }

    /// @notice What {IMarginLiquidations-absorb} would do to one account now (all amounts in base units).
    /// @param debt The debt the protocol takes over and clears.
    /// @param collateralValue What the account's listed credits are worth to the protocol: their value at the feed
    ///        price less the bonus its health gives (the same penalty as a liquidation).
    /// @param surplus `collateralValue - debt` when positive: credited to the account's lending balance.
    /// @param badDebt `debt - collateralValue` when positive: written off (reserves first, then lenders).
    /// @param reward Credited to the absorber's lending balance.
    struct AbsorbQuote {
        uint256 debt;
        uint256 collateralValue;
        uint256 surplus;
        uint256 badDebt;
        uint256 reward;
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
    /// @notice The protocol took over `account`: its debt is cleared, its listed credits moved to the hub's inventory
    ///         (one {CollateralAbsorbed} each), `surplus` credited to its lending balance, `badDebt` written off, and
    ///         `reward` credited to `absorber`'s lending balance. Amounts in base units.
    event Absorbed(
        address indexed account,
        address indexed absorber,
        uint256 debt,
        uint256 collateralValue,
        uint256 surplus,
        uint256 badDebt,
        uint256 reward
    );
    /// @notice `amount` of `account`'s credit on (`chainId`, `asset`) moved to the hub's inventory by an absorb.
    event CollateralAbsorbed(address indexed account, uint64 indexed chainId, address indexed asset, uint256 amount);
    /// @notice `buyer` paid `baseAmount` for `amount` of the inventory's credit on (`chainId`, `asset`), credited to
    ///         `recipient`'s account on the hub.
    event CollateralBought(
        address indexed buyer,
        address indexed recipient,
        uint64 indexed chainId,
        address asset,
        uint256 baseAmount,
        uint256 amount
    );
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
    event LiquidationParamsSet(
        uint64 targetHealth,
        uint64 maxBonusHealth,
        uint16 minBonusBps,
        uint16 protocolShareBps,
        uint16 storeFrontShareBps,
        uint80 absorbReward
    );
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
    error InvalidLiquidationParams(
        uint64 targetHealth,
        uint64 maxBonusHealth,
        uint16 minBonusBps,
        uint16 protocolShareBps,
        uint16 storeFrontShareBps
    );
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
    /// @notice A partial liquidation would leave `remaining` of the seized collateral, worth less than the minimum
    ///         debt (`remainingValue`, USD 1e18): repay enough to seize all of it.
    error LiquidationLeavesCollateralDust(uint256 remaining, uint256 remainingValue);
    /// @notice A function of the extension or the liquidation part was called on that part itself, not through the
    ///         engine.
    error NotDelegated();
    /// @notice None of the accounts given to {IMarginLiquidations-absorb} was liquidatable.
    error NothingToAbsorb();
    /// @notice The hub holds no absorbed credit of (`chainId`, `asset`) to sell.
    error NotForSale(uint64 chainId, address asset);
    /// @notice {IMarginLiquidations-buyCollateral} would credit `amount`, less than `minAmount`.
    error BuyBelowMinimum(uint256 amount, uint256 minAmount);
}
