// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarginEvents} from "../interfaces/IMarginEvents.sol";
import {IMessenger} from "../interfaces/IMessenger.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {PriceLib} from "../libraries/PriceLib.sol";
import {Guarded} from "../access/Guarded.sol";

/// @title MarginStorage
/// @notice The hub's one storage layout, and the internals both of its parts use. `MarginEngine` (hot paths) and
///         `MarginEngineExt` (configuration and rare views, run by `delegatecall` from the engine's fallback) both
///         inherit it and declare no state of their own, so their layouts are identical by construction.
/// @dev Storage is laid out for the hot paths:
///      - `_pool` (indices, accrual time, reserve factor, pause) and `_totals` (principals) are one slot each;
///        accruing interest writes only `_pool`. Reserves are implicit: cash + borrows - supply.
///      - an account is one slot: its debt principal and the bitmap of listed markets it holds, so a health
///        check reads only the markets the account holds;
///      - `_markets[id]` is one slot with what the health loop needs (asset, chain, effective factors), and the
///        feed of (chain, asset) one more slot (feed, heartbeat, scaling, bounds), read in the engine by
///        {PriceLib} with no call to an oracle contract;
///      - `_config` holds the minimum debt and the sequencer-uptime feed, read together by every priced operation.
// The hub's whole state lives here, once, for both parts: more than 15 declarations by design.
// solhint-disable-next-line max-states-count
abstract contract MarginStorage is IMarginEvents, Guarded, ReentrancyGuardTransient {
    using MathLib for uint256;
    using InterestRateLib for InterestRateLib.RateModel;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant NO_TARGET = type(uint256).max;
    /// @dev Scale of {PoolTotals-nominalIndex}: the average borrow index at which the outstanding principal was lent.
    uint256 internal constant NOMINAL_SCALE = 1e8;

    /// @dev Read together by every priced operation: one slot. The grace period is read only with a feed set.
    struct Config {
        AggregatorV3Interface sequencerFeed;
        uint96 minDebt;
    }

    /// @dev Deposits above the credit cap, held out of borrowing power until the owner reviews them.
    struct Quarantine {
        mapping(address account => mapping(uint64 chainId => mapping(address asset => uint256))) byAccount;
        mapping(uint64 chainId => mapping(address asset => uint256)) total;
    }

    /// @notice The base asset lent and borrowed.
    IERC20 public immutable baseToken;
    /// @notice The hub's messenger: the only caller of {IMarginEngine-onMessage}, and the sender of RELEASEs.
    IMessenger public immutable messenger;
    /// @notice The hub's chain id: the base asset's feed is configured under it.
    uint64 public immutable hubChainId;

    /// @notice Bad debt absorbed so far, in base units.
    uint256 public totalBadDebt;

    PoolState internal _pool;
    PoolTotals internal _totals;
    InterestRateLib.RateModel internal _rateModel;
    Config internal _config;
    LiquidationParams internal _liquidation;

    mapping(address account => Account) internal _accounts;
    mapping(address lender => uint256) internal _supplyPrincipal;
    mapping(address account => mapping(uint64 chainId => mapping(address asset => uint256))) internal _collateral;

    /// @notice Number of listed markets; ids are 0..marketCount-1.
    uint256 public marketCount;
    mapping(uint256 id => Market) internal _markets;
    mapping(uint256 id => MarketConfig) internal _marketConfigs;
    mapping(uint64 chainId => mapping(address asset => MarketState)) internal _marketStates;
    /// @notice Latency haircut of a chain, in basis points.
    mapping(uint64 chainId => uint16) public latencyHaircutBps;
    Quarantine internal _quarantine;

    /// @dev Feed of (chainId, asset), listed or not; the base asset's is under (hubChainId, baseToken).
    mapping(uint64 chainId => mapping(address asset => IPriceOracle.FeedConfig)) internal _feeds;
    uint32 internal _sequencerGracePeriod;

    constructor(IERC20 baseToken_, IMessenger messenger_) {
        if (address(baseToken_) == address(0) || address(messenger_) == address(0)) revert ZeroAddress();
        baseToken = baseToken_;
        messenger = messenger_;
        hubChainId = uint64(block.chainid);
    }

    // ============================================================================================ ACCOUNTS

    /// @dev Counts a new credit and, for a listed market, enters it.
    function _openCredit(address account, uint256 idPlusOne) internal {
        Account storage acc = _accounts[account];
        (uint128 positions, uint24 credits) = (acc.positions, acc.credits);
        if (idPlusOne != 0) positions |= uint128(1 << (idPlusOne - 1));
        (acc.positions, acc.credits) = (positions, credits + 1);
    }

    function _debtOf(address account) internal view returns (uint256) {
        return uint256(_accounts[account].debtPrincipal).wMulUp(_accruedPool().borrowIndex);
    }

    // ============================================================================================ HEALTH

    /// @dev What a health check computed: weighted collateral and debt values (USD, 1e18), and the prices read.
    struct Valuation {
        uint256 weightedCollateral;
        uint256 debtValue;
        uint256 basePrice;
        uint256 targetPrice;
    }

    function _healthOf(Valuation memory v) internal pure returns (uint256) {
        return v.debtValue == 0 ? type(uint256).max : v.weightedCollateral.mulDivDown(WAD, v.debtValue);
    }

    /// @dev Values the account's listed positions, weighted by liquidation thresholds (`liquidation`) or borrow
    ///      factors, and its debt. Prices are read only for markets the account holds with a non-zero factor,
    ///      and for market `target` (whose price a liquidation needs). No debt: nothing is read.
    function _valuate(
        address account,
        uint128 positions,
        uint256 debt,
        bool liquidation,
        uint256 target
    ) internal view returns (Valuation memory v) {
        if (debt == 0) return v;
        _requireSequencerUp();
        v.basePrice = PriceLib.read(_feeds[hubChainId][address(baseToken)], hubChainId, address(baseToken));
        v.debtValue = debt.wMulUp(v.basePrice);
        for (uint256 id; positions != 0; ++id) {
            if (positions & 1 != 0) {
                Market memory m = _markets[id];
                uint256 factor = liquidation ? m.liquidationThresholdBps : m.borrowFactorBps;
                if (factor != 0 || id == target) {
                    uint256 price = PriceLib.read(_feeds[m.chainId][m.asset], m.chainId, m.asset);
                    if (id == target) v.targetPrice = price;
                    uint256 amount = _collateral[account][m.chainId][m.asset];
                    v.weightedCollateral += amount.wMulDown(price).bpsDown(factor);
                }
            }
            positions >>= 1;
        }
    }

    // ============================================================================================ PRICES

    /// @dev Every price is refused while the L2 sequencer is down or in its grace period (no feed set: an L1).
    function _requireSequencerUp() internal view {
        AggregatorV3Interface feed = _config.sequencerFeed;
        if (address(feed) != address(0)) PriceLib.requireSequencerUp(feed, _sequencerGracePeriod);
    }

    /// @dev Normalised price of `asset` on `chainId`, with every check.
    function _price(uint64 chainId, address asset) internal view returns (uint256) {
        _requireSequencerUp();
        return PriceLib.read(_feeds[chainId][asset], chainId, asset);
    }

    // ============================================================================================ POOL

    /// @dev Pool state with interest accrued up to now, in memory only.
    function _accruedPool() internal view returns (PoolState memory pool) {
        pool = _pool;
        uint256 elapsed = block.timestamp - pool.lastAccrual;
        if (elapsed == 0) return pool;
        PoolTotals memory totals = _totals;
        uint256 totalSupply = uint256(totals.supplyPrincipal).wMulDown(pool.supplyIndex);
        uint256 totalBorrow = uint256(totals.borrowPrincipal).wMulUp(pool.borrowIndex);
        uint256 utilization = totalSupply == 0 ? 0 : totalBorrow.mulDivDown(WAD, totalSupply);
        if (utilization > WAD) utilization = WAD;
        // Review finding (simple interest within a step): interest compounds within the step. Lenders get their share
        // of that same interest: growth * utilisation * (1 - reserve factor).
        uint256 borrowGrowth = InterestRateLib.compounded(_rateModel.borrowRate(utilization), elapsed);
        uint256 supplyGrowth = InterestRateLib.supplyRate(borrowGrowth, utilization, pool.reserveFactorBps);
        // Indices are 1e18-scaled in 96 bits: at the default model's top rate (18.2% a year) they last ~138 years.
        // Past that, accrual reverts instead of wrapping.
        pool.borrowIndex = SafeCast.toUint96(pool.borrowIndex + uint256(pool.borrowIndex).wMulUp(borrowGrowth));
        pool.supplyIndex = SafeCast.toUint96(pool.supplyIndex + uint256(pool.supplyIndex).wMulDown(supplyGrowth));
        pool.lastAccrual = uint40(block.timestamp);
    }

    function _accrue() internal returns (PoolState memory pool) {
        pool = _accruedPool();
        if (pool.lastAccrual != _pool.lastAccrual) _pool = pool;
    }

    // ============================================================================================ BAD DEBT

    /// @dev Writes off `account`'s remaining debt: reserves absorb it first, lenders (lower supply index) the
    ///      rest. `incomingCash` is base this transaction will still pull in (the liquidator's payment).
    function _absorbBadDebt(
        address account,
        uint256 debtPrincipal,
        PoolState memory pool,
        uint256 incomingCash
    ) internal returns (uint256 badDebt) {
        badDebt = debtPrincipal.wMulUp(pool.borrowIndex);
        _accounts[account].debtPrincipal = 0;
        _writeOff(account, badDebt, debtPrincipal, pool, incomingCash);
    }

    /// @dev Removes `principalRemoved` from the borrows and writes off `badDebt` of it (at most all of it): reserves
    ///      first, then lenders by a lower supply index. Reserves are counted before the principal leaves the
    ///      borrows: the part of it not written off is covered by something the protocol holds (a repayment being
    ///      pulled in, or absorbed collateral, a reserve asset). The account's own debt is the caller's to clear.
    function _writeOff(
        address account,
        uint256 badDebt,
        uint256 principalRemoved,
        PoolState memory pool,
        uint256 incomingCash
    ) internal {
        PoolTotals memory totals = _totals;
        uint256 totalSupply = uint256(totals.supplyPrincipal).wMulDown(pool.supplyIndex);
        uint256 totalBorrow = uint256(totals.borrowPrincipal).wMulUp(pool.borrowIndex);
        uint256 cash = baseToken.balanceOf(address(this)) + incomingCash;
        int256 reservesBefore = int256(cash + totalBorrow) - int256(totalSupply);

        uint256 fromReserves =
            reservesBefore <= 0
                ? 0
                : uint256(reservesBefore) < badDebt
                    ? uint256(reservesBefore)
                    : badDebt;
        uint256 fromLenders = badDebt - fromReserves;
        if (fromLenders != 0) {
            // Lenders take the rest pro rata: lower the supply index.
            uint256 remaining = totalSupply > fromLenders ? totalSupply - fromLenders : 0;
            pool.supplyIndex = _writtenDownIndex(pool.supplyIndex, remaining, totalSupply);
            _pool.supplyIndex = pool.supplyIndex;
        }
        _totals.borrowPrincipal = uint104(totals.borrowPrincipal - principalRemoved);
        totalBadDebt += badDebt;
        emit BadDebtAbsorbed(account, badDebt, fromReserves, fromLenders);
    }

    /// @dev Review finding (supply index collapse): `supplyIndex * remaining / totalSupply` rounds to 0 on a near-total
    ///      write-off of an 18-decimal pool, and every later supply would divide by zero. The index is floored at 1
    ///      (what lenders are then owed is at most their principal / 1e18: dust) and a pool below
    ///      `MIN_SUPPLY_INDEX` refuses new supply ({PoolWipedOut}), so new lenders never pay old lenders' rounding.
    function _writtenDownIndex(
        uint256 supplyIndex,
        uint256 remaining,
        uint256 totalSupply
    ) internal pure returns (uint96) {
        uint256 index = supplyIndex.mulDivDown(remaining, totalSupply);
        return index == 0 ? 1 : uint96(index);
    }

    /// @dev The first credit of `account` that a liquidation could seize, as its market id + 1 (0: none). Seizable:
    ///      a credit on a listed market, in the bitmap or credited before the listing. Unlisted credits are not (no
    ///      price, zero borrowing power: lenders never lent against them), so they never keep bad debt on the books
    ///      and stay the account's, withdrawable once its debt is written off. The loop over markets runs only when
    ///      the account has credits outside its bitmap (rare; this is the permissionless path, not a hot one).
    function _seizableCredit(address account, Account memory acc) internal view returns (uint256) {
        uint128 positions = acc.positions;
        if (positions != 0) {
            uint256 id;
            while (positions & 1 == 0) {
                positions >>= 1;
                ++id;
            }
            return id + 1;
        }
        if (acc.credits == 0) return 0;
        uint256 count = marketCount;
        for (uint256 id; id < count; ++id) {
            Market memory m = _markets[id];
            if (_collateral[account][m.chainId][m.asset] != 0) return id + 1;
        }
        return 0;
    }

    // ============================================================================================ LIQUIDATION

    /// @dev Bonus at `health` (< 1e18) for a market whose cap is `capBps`: the cap at or below `maxBonusHealth`, then
    ///      falling linearly to `minBonusBps` (never above the cap) at health 1. Rounded down.
    function _bonusBps(
        uint256 health,
        uint256 capBps,
        LiquidationParams memory params
    ) internal pure returns (uint256) {
        uint256 floorBps = params.minBonusBps < capBps ? params.minBonusBps : capBps;
        uint256 maxBonusHealth = params.maxBonusHealth;
        if (health <= maxBonusHealth) return capBps;
        return floorBps + (capBps - floorBps).mulDivDown(WAD - health, WAD - maxBonusHealth);
    }

    function _quoteLiquidation(
        address account,
        Account memory acc,
        PoolState memory pool,
        uint64 chainId,
        address asset,
        uint256 repayAmount
    ) internal view returns (LiquidationQuote memory q) {
        if (repayAmount == 0) revert ZeroAmount();
        uint256 id = _marketStates[chainId][asset].idPlusOne;
        if (id == 0) revert MarketNotListed(chainId, asset);
        --id;
        uint256 balance = _collateral[account][chainId][asset];
        if (balance == 0) revert InsufficientCollateral(account, chainId, asset, 0, 1);

        uint256 debt = uint256(acc.debtPrincipal).wMulUp(pool.borrowIndex);
        Valuation memory v = _valuate(account, acc.positions, debt, true, id);
        {
            uint256 health = _healthOf(v);
            if (health >= WAD) revert NotLiquidatable(account, health);
            // Credited before the market was listed, the position is not in the bitmap: price it here, and seizing
            // it does not lower the collateral the health counts (threshold 0).
            // (The sequencer was checked by the valuation: there is debt, or health would not be below 1.)
            uint256 threshold;
            if (v.targetPrice == 0) v.targetPrice = PriceLib.read(_feeds[chainId][asset], chainId, asset);
            else threshold = _markets[id].liquidationThresholdBps;

            LiquidationParams memory params = _liquidation;
            q.bonusBps = _bonusBps(health, _marketConfigs[id].liquidationBonusBps, params);
            uint256 maxRepay = _maxRepay(v, debt, threshold, q.bonusBps, params.targetHealth);
            if (debt - maxRepay < _config.minDebt) maxRepay = debt;
            q.repaid = repayAmount < maxRepay ? repayAmount : maxRepay;
        }

        // seized = repaid * basePrice * (1 + bonus) / collateralPrice, rounded down: the protocol keeps dust.
        uint256 repayValuePerUnit = v.basePrice * (BPS + q.bonusBps);
        uint256 collateralValuePerUnit = v.targetPrice * BPS;
        q.seized = (q.repaid * repayValuePerUnit) / collateralValuePerUnit;
        if (q.seized == 0) {
            q.repaid = _oneUnitRepay(debt, repayAmount, repayValuePerUnit, collateralValuePerUnit);
            q.seized = 1;
        } else if (q.seized > balance) {
            // Not enough of this collateral: seize all of it and repay only what it covers (rounded up).
            q.seized = balance;
            q.repaid = balance.mulDivUp(collateralValuePerUnit, repayValuePerUnit);
        } else if (debt != q.repaid) {
            uint256 minDebt_ = _config.minDebt;
            if (debt - q.repaid < minDebt_) revert LiquidationLeavesDust(debt - q.repaid, minDebt_);
            _noCollateralDust(q, balance, debt, repayAmount, v);
        }
        q.protocolFee = q.repaid.mulDivUp(q.bonusBps * _liquidation.protocolShareBps, BPS * BPS);
    }

    /// @dev A partial liquidation must not leave a remainder of the seized credit worth less than the minimum debt
    ///      (not worth liquidating). Then it takes it all if the liquidator offered enough (the target-health cap is
    ///      raised to cover it, up to the whole debt), or reverts with {LiquidationLeavesCollateralDust}.
    function _noCollateralDust(
        LiquidationQuote memory q,
        uint256 balance,
        uint256 debt,
        uint256 repayAmount,
        Valuation memory v
    ) internal view {
        uint256 remaining = balance - q.seized;
        uint256 remainingValue = remaining.wMulDown(v.targetPrice);
        uint256 minDebt_ = _config.minDebt;
        if (remaining == 0 || remainingValue >= minDebt_.wMulDown(v.basePrice)) return;
        uint256 repayValuePerUnit = v.basePrice * (BPS + q.bonusBps);
        uint256 collateralValuePerUnit = v.targetPrice * BPS;
        uint256 cover = balance.mulDivUp(collateralValuePerUnit, repayValuePerUnit);
        if (cover > debt) cover = debt;
        if (repayAmount < cover) revert LiquidationLeavesCollateralDust(remaining, remainingValue);
        if (debt != cover && debt - cover < minDebt_) revert LiquidationLeavesDust(debt - cover, minDebt_);
        q.repaid = cover;
        q.seized = cover == debt ? (cover * repayValuePerUnit) / collateralValuePerUnit : balance;
    }

    /// @dev Most a liquidation of a market of liquidation threshold `threshold` may repay (base units, rounded up):
    ///      what brings health to `targetHealth`, (T * D - WC) / (T - (1 + b) * LT) in value, or the whole debt when
    ///      seizing this collateral cannot get there (T <= (1 + b) * LT). Note: with the extension's checks (a target
    ///      above 1, a threshold times one plus the bonus cap at most 100%) that branch is never taken; it guards the
    ///      division, and a denominator close to zero gives a cap above the debt anyway (then the whole debt).
    function _maxRepay(
        Valuation memory v,
        uint256 debt,
        uint256 threshold,
        uint256 bonusBps,
        uint256 targetHealth
    ) internal pure returns (uint256) {
        // (1 + b) * LT, 1e18-scaled: WAD / BPS^2 = 1e10.
        uint256 seizedWeight = (BPS + bonusBps) * threshold * 1e10;
        if (targetHealth <= seizedWeight) return debt;
        uint256 targetValue = v.debtValue.wMulUp(targetHealth);
        uint256 gap = targetValue > v.weightedCollateral ? targetValue - v.weightedCollateral : 0;
        uint256 maxRepay = gap.mulDivUp(WAD, targetHealth - seizedWeight).mulDivUp(WAD, v.basePrice);
        return maxRepay < debt ? maxRepay : debt;
    }

    /// @dev Review finding (indivisible collateral): the repayment buys less than one raw unit, so the seizure rounds
    ///      to zero. Seize one unit, for the most a liquidator may repay (the whole debt: the target-health cap is
    ///      waived because a unit cannot be split) but never more than the unit is worth after the bonus, rounded up
    ///      as for a seizure capped at the credit. A smaller `repayAmount` would buy the unit below that: refused.
    function _oneUnitRepay(
        uint256 debt,
        uint256 repayAmount,
        uint256 repayValuePerUnit,
        uint256 collateralValuePerUnit
    ) internal pure returns (uint256 repaid) {
        uint256 unitWorth = MathLib.mulDivUp(1, collateralValuePerUnit, repayValuePerUnit);
        repaid = unitWorth < debt ? unitWorth : debt;
        if (repayAmount < repaid) revert RepayBelowOneUnit(repayAmount, repaid);
    }

    // ============================================================================================ CREDITS AND BASE

    function _debitCollateral(
        address account,
        uint64 chainId,
        address asset,
        uint256 amount
    ) internal returns (Account memory acc) {
        uint256 balance = _collateral[account][chainId][asset];
        if (amount > balance) revert InsufficientCollateral(account, chainId, asset, balance, amount);
        _collateral[account][chainId][asset] = balance - amount;
        MarketState storage state = _marketStates[chainId][asset];
        state.totalCredits -= uint128(amount);
        acc = _accounts[account];
        if (balance == amount) {
            // The credit is closed: uncount it and leave its market.
            acc.credits -= 1;
            uint256 idPlusOne = state.idPlusOne;
            if (idPlusOne != 0) acc.positions &= ~uint128(1 << (idPlusOne - 1));
            _accounts[account] = acc;
        }
    }

    /// @dev Moves `amount` of `from`'s credit on (`chainId`, `asset`) to `to`'s, on the hub: no message, and the
    ///      (chain, asset) total is unchanged. Opens `to`'s credit (entering its market) if it had none, closes
    ///      `from`'s if emptied. Returns `from`'s account as it now is.
    function _moveCredit(
        address from,
        address to,
        uint64 chainId,
        address asset,
        uint256 amount
    ) internal returns (Account memory acc) {
        uint256 balance = _collateral[from][chainId][asset];
        if (amount > balance) revert InsufficientCollateral(from, chainId, asset, balance, amount);
        _collateral[from][chainId][asset] = balance - amount;
        uint256 held = _collateral[to][chainId][asset];
        _collateral[to][chainId][asset] = held + amount;
        uint256 idPlusOne = balance == amount || held == 0 ? _marketStates[chainId][asset].idPlusOne : 0;
        acc = _accounts[from];
        if (balance == amount) {
            acc.credits -= 1;
            if (idPlusOne != 0) acc.positions &= ~uint128(1 << (idPlusOne - 1));
            _accounts[from] = acc;
        }
        if (held == 0) _openCredit(to, idPlusOne);
    }

    /// @dev Converts a repay request into (base taken, principal burned); never more than the debt.
    function _repayAmounts(
        uint256 amount,
        uint256 debtPrincipal,
        uint256 borrowIndex
    ) internal pure returns (uint256 repaid, uint256 principal) {
        uint256 debt = debtPrincipal.wMulUp(borrowIndex);
        if (amount >= debt) return (debt, debtPrincipal);
        // Burn principal rounded down: a partial repay never clears more debt than it paid.
        principal = amount.mulDivDown(WAD, borrowIndex);
        return (amount, principal);
    }

    /// @dev Pulls `amount` of base from `from` and checks it all arrived. Review finding (fee-on-transfer base): a
    ///      token that keeps a fee would credit lenders and repayments more than the pool received. The fee can be
    ///      switched on after deployment (USDT has such a switch), so it is checked on every pull, not at construction.
    function _pullBase(address from, uint256 amount) internal {
        uint256 before = _cash();
        SafeERC20.safeTransferFrom(baseToken, from, address(this), amount);
        uint256 received = _cash() - before;
        if (received < amount) revert FeeOnTransferBase(amount, received);
    }

    /// @dev The engine's base balance, read without ABI overhead (twice per pull: see {_pullBase}).
    function _cash() internal view returns (uint256 cash) {
        address token = address(baseToken);
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                revert(0, 0)
            }
            cash := mload(0x00)
        }
    }

    function _toUint104(uint256 x) internal pure returns (uint104) {
        if (x > type(uint104).max) revert AmountTooLarge(x);
        return uint104(x);
    }
}
