// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IMessenger} from "../interfaces/IMessenger.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {MessageCodec} from "../libraries/MessageCodec.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {Guarded} from "../access/Guarded.sol";

/// @title MarginEngine
/// @notice See {IMarginEngine}.
/// @dev Storage is laid out for the hot paths:
///      - `_pool` (indices, accrual time, reserve factor, pause) and `_totals` (principals) are one slot each;
///        accruing interest writes only `_pool`. Reserves are implicit: cash + borrows - supply.
///      - an account is one slot: its debt principal and the bitmap of listed markets it holds, so a health
///        check reads only the markets the account holds;
///      - `_markets[id]` is one slot with what the health loop needs (asset, chain, effective factors).
contract MarginEngine is IMarginEngine, Guarded, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using MathLib for uint256;
    using InterestRateLib for InterestRateLib.RateModel;

    /// @notice Markets are bits of a 128-bit mask per account.
    uint256 public constant MAX_MARKETS = 128;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant NO_TARGET = type(uint256).max;

    struct PoolState {
        uint96 supplyIndex;
        uint96 borrowIndex;
        uint40 lastAccrual;
        uint16 reserveFactorBps;
        bool borrowPaused;
    }

    struct PoolTotals {
        uint104 supplyPrincipal;
        uint104 borrowPrincipal;
    }

    /// @dev `positions`: bitmap of the listed markets whose credits count toward health. `credits`: how many
    ///      (chain, asset) credits the account holds, listed or not; bad debt is absorbed only once it is zero.
    struct Account {
        uint104 debtPrincipal;
        uint128 positions;
        uint24 credits;
    }

    /// @dev Per (chainId, asset), listed or not, in one slot: market id + 1 (0 = unlisted), the total credited,
    ///      and the credit cap (0 = none) above which deposits are quarantined.
    struct MarketState {
        uint8 idPlusOne;
        uint128 totalCredits;
        uint112 creditCap;
    }

    IERC20 public immutable baseToken;
    IMessenger public immutable messenger;
    uint64 public immutable hubChainId;

    /// @dev Read together by every priced operation: one slot.
    struct Config {
        IPriceOracle oracle;
        uint96 minDebt;
    }

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
    mapping(uint64 chainId => uint16) public latencyHaircutBps;
    /// @dev Deposits above the credit cap, held out of borrowing power until the owner reviews them.
    struct Quarantine {
        mapping(address account => mapping(uint64 chainId => mapping(address asset => uint256))) byAccount;
        mapping(uint64 chainId => mapping(address asset => uint256)) total;
        /// @dev How many (chain, asset) pairs hold a quarantined amount for the account.
        mapping(address account => uint256) entries;
    }
    Quarantine internal _quarantine;

    /// @param rateModel Kinked rate model, per-second rates.
    /// @param reserveFactorBps Share of interest kept as reserves.
    /// @param liquidation Liquidation rules.
    /// @param minDebt_ Smallest debt an account may hold after borrowing, in base units.
    constructor(
        IERC20 baseToken_,
        IMessenger messenger_,
        IPriceOracle oracle_,
        InterestRateLib.RateModel memory rateModel,
        uint16 reserveFactorBps,
        LiquidationParams memory liquidation,
        uint96 minDebt_,
        address owner_,
        address guardian_
    ) Guarded(owner_, guardian_) {
        if (address(baseToken_) == address(0) || address(messenger_) == address(0)) revert ZeroAddress();
        baseToken = baseToken_;
        messenger = messenger_;
        hubChainId = uint64(block.chainid);
        _pool = PoolState(uint96(WAD), uint96(WAD), uint40(block.timestamp), 0, false);
        _setOracle(oracle_);
        _setMinDebt(minDebt_);
        _setRateModel(rateModel);
        _setReserveFactor(reserveFactorBps);
        _setLiquidationParams(liquidation);
    }

    // ============================================================================================ INBOUND

    /// @notice Credits a DEPOSIT from a vault. Never needs a price; an unlisted or frozen asset is credited too
    ///         (it counts zero toward borrowing but stays withdrawable).
    /// @dev Only the messenger, which checked that `srcApp` is the registered vault of `srcChainId`.
    ///      Non-reentrant: a delivery arriving in the middle of another engine call (a permissionless bridge
    ///      executed from a refund callback) fails and is stored for retry instead of acting on half-done state.
    function onMessage(uint64 srcChainId, address, bytes32 messageId, bytes calldata payload) external nonReentrant {
        if (msg.sender != address(messenger)) revert OnlyMessenger(msg.sender);
        (address account, address asset, uint256 amount) = MessageCodec.decode(payload, MessageCodec.DEPOSIT);

        MarketState storage state = _marketStates[srcChainId][asset];
        MarketState memory m = state;
        // Above the cap a deposit is still recorded, but quarantined: a forged or runaway credit (a compromised
        // bridge) cannot become borrowing power beyond the cap.
        if (m.creditCap != 0 && m.totalCredits + amount > m.creditCap) {
            uint256 room = m.totalCredits < m.creditCap ? m.creditCap - m.totalCredits : 0;
            uint256 excess = amount - room;
            uint256 held = _quarantine.byAccount[account][srcChainId][asset];
            if (held == 0) ++_quarantine.entries[account];
            _quarantine.byAccount[account][srcChainId][asset] = held + excess;
            _quarantine.total[srcChainId][asset] += excess;
            emit CollateralQuarantined(account, srcChainId, asset, excess, messageId);
            amount = room;
            if (amount == 0) return;
        }
        uint256 totalCredits = m.totalCredits + amount;
        if (totalCredits > type(uint128).max) revert AmountTooLarge(amount);
        state.totalCredits = uint128(totalCredits);
        uint8 idPlusOne = m.idPlusOne;
        uint256 balance = _collateral[account][srcChainId][asset];
        _collateral[account][srcChainId][asset] = balance + amount;
        // A held credit is counted (and in the bitmap if listed) already: repeat deposits skip the account slot.
        if (balance == 0) _openCredit(account, idPlusOne);
        emit CollateralCredited(account, srcChainId, asset, amount, messageId);
    }

    // ============================================================================================ LENDERS

    /// @inheritdoc IMarginEngine
    function supplyBase(uint256 amount, address onBehalf) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (onBehalf == address(0)) revert ZeroAddress();
        PoolState memory pool = _accrue();
        uint256 principal = amount.mulDivDown(WAD, pool.supplyIndex);
        if (principal == 0) revert ZeroAmount();

        _supplyPrincipal[onBehalf] += principal;
        _totals.supplyPrincipal = _toUint104(_totals.supplyPrincipal + principal);

        baseToken.safeTransferFrom(msg.sender, address(this), amount);
        emit BaseSupplied(msg.sender, onBehalf, amount, principal);
    }

    /// @inheritdoc IMarginEngine
    function withdrawBase(uint256 amount, address to) external nonReentrant returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        PoolState memory pool = _accrue();
        uint256 balancePrincipal = _supplyPrincipal[msg.sender];
        uint256 principal;
        if (amount == type(uint256).max) {
            principal = balancePrincipal;
            amount = principal.wMulDown(pool.supplyIndex);
            if (amount == 0) revert ZeroAmount();
        } else {
            principal = amount.mulDivUp(WAD, pool.supplyIndex);
            if (principal > balancePrincipal) {
                revert InsufficientSupply(msg.sender, balancePrincipal.wMulDown(pool.supplyIndex), amount);
            }
        }
        uint256 cash = baseToken.balanceOf(address(this));
        if (amount > cash) revert InsufficientLiquidity(cash, amount);

        _supplyPrincipal[msg.sender] = balancePrincipal - principal;
        _totals.supplyPrincipal -= uint104(principal);

        baseToken.safeTransfer(to, amount);
        emit BaseWithdrawn(msg.sender, to, amount, principal);
        return amount;
    }

    // ============================================================================================ BORROWERS

    /// @inheritdoc IMarginEngine
    function borrow(uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        PoolState memory pool = _accrue();
        if (pool.borrowPaused) revert BorrowIsPaused();

        Account memory account = _accounts[msg.sender];
        uint256 principal = amount.mulDivUp(WAD, pool.borrowIndex);
        uint256 debtPrincipal = account.debtPrincipal + principal;
        account.debtPrincipal = _toUint104(debtPrincipal);
        uint256 debt = debtPrincipal.wMulUp(pool.borrowIndex);
        Config memory config = _config;
        if (debt < config.minDebt) revert DebtBelowMinimum(debt, config.minDebt);

        uint256 cash = baseToken.balanceOf(address(this));
        if (amount > cash) revert InsufficientLiquidity(cash, amount);
        _requireHealthy(config.oracle, msg.sender, account.positions, debt);

        _accounts[msg.sender] = account;
        _totals.borrowPrincipal = _toUint104(_totals.borrowPrincipal + principal);

        baseToken.safeTransfer(to, amount);
        emit Borrowed(msg.sender, to, amount, debtPrincipal);
    }

    /// @inheritdoc IMarginEngine
    function repay(uint256 amount, address onBehalf) external nonReentrant returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        PoolState memory pool = _accrue();
        Account storage account = _accounts[onBehalf];
        uint256 debtPrincipal = account.debtPrincipal;
        if (debtPrincipal == 0) revert NothingToRepay(onBehalf);

        (uint256 repaid, uint256 principal) = _repayAmounts(amount, debtPrincipal, pool.borrowIndex);
        if (principal != debtPrincipal) {
            // No dust debt: what is left must be worth liquidating.
            uint256 remaining = (debtPrincipal - principal).wMulUp(pool.borrowIndex);
            if (remaining < _config.minDebt) revert DebtBelowMinimum(remaining, _config.minDebt);
        }
        account.debtPrincipal = uint104(debtPrincipal - principal);
        _totals.borrowPrincipal -= uint104(principal);

        baseToken.safeTransferFrom(msg.sender, address(this), repaid);
        emit Repaid(msg.sender, onBehalf, repaid, debtPrincipal - principal);
        return repaid;
    }

    /// @inheritdoc IMarginEngine
    function withdrawCollateral(
        uint64 chainId,
        address asset,
        uint256 amount,
        address recipient
    ) external payable nonReentrant returns (bytes32 messageId) {
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();

        // Debit first: a withdrawal and a liquidation of the same credit can never both be paid.
        Account memory account = _debitCollateral(msg.sender, chainId, asset, amount);
        if (account.debtPrincipal != 0) {
            // Reading the debt does not need the accrual written: nothing here changes the pool.
            uint256 debt = uint256(account.debtPrincipal).wMulUp(_accruedPool().borrowIndex);
            _requireHealthy(_config.oracle, msg.sender, account.positions, debt);
        }

        messageId = messenger.sendWithRefund{value: msg.value}(
            chainId,
            MessageCodec.encodeRelease(recipient, asset, amount),
            msg.sender
        );
        emit CollateralWithdrawn(msg.sender, chainId, asset, amount, recipient, messageId);
    }

    /// @notice Makes the caller's credit on (`chainId`, `asset`) count toward its health. Only needed for a
    ///         credit received before the market was listed; every later first deposit does it automatically.
    function enterMarket(uint64 chainId, address asset) external {
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        uint256 balance = _collateral[msg.sender][chainId][asset];
        if (balance == 0) revert InsufficientCollateral(msg.sender, chainId, asset, 0, 1);
        _accounts[msg.sender].positions |= uint128(1 << (idPlusOne - 1));
    }

    // ============================================================================================ LIQUIDATION

    /// @inheritdoc IMarginEngine
    function liquidate(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized,
        address recipient
    ) external payable nonReentrant returns (uint256) {
        if (recipient == address(0)) revert ZeroAddress();
        if (account == msg.sender) revert SelfLiquidation(account);
        PoolState memory pool = _accrue();

        Account memory acc = _accounts[account];
        LiquidationQuote memory q = _quoteLiquidation(account, acc, pool, chainId, asset, repayAmount);
        if (q.seized < minSeized) revert SeizeBelowMinimum(q.seized, minSeized);

        // Effects, all of them before any call out: the collateral (a pending withdrawal of the same credit was
        // debited already), the debt, and the bad debt if the account has no credit left at all.
        (, uint256 principal) = _repayAmounts(q.repaid, acc.debtPrincipal, pool.borrowIndex);
        acc = _debitCollateral(account, chainId, asset, q.seized);
        acc.debtPrincipal -= uint104(principal);
        _accounts[account].debtPrincipal = acc.debtPrincipal;
        _totals.borrowPrincipal -= uint104(principal);
        // Collateral awaiting review in quarantine may still be credited: no bad debt while any is held.
        if (acc.credits == 0 && acc.debtPrincipal != 0 && _quarantine.entries[account] == 0) {
            // Nothing left to seize can ever repay this debt: absorb it now, visibly.
            _absorbBadDebt(account, acc.debtPrincipal, pool, q.repaid + q.protocolFee);
        }

        // The protocol's share of the bonus is paid in base on top of the repayment and stays as reserves.
        baseToken.safeTransferFrom(msg.sender, address(this), q.repaid + q.protocolFee);
        bytes32 messageId = messenger.sendOrRecord{value: msg.value}(
            chainId,
            MessageCodec.encodeRelease(recipient, asset, q.seized),
            msg.sender
        );
        emit Liquidated(account, msg.sender, chainId, asset, q.repaid, q.protocolFee, q.seized, recipient, messageId);
        return q.seized;
    }

    /// @inheritdoc IMarginEngine
    function previewLiquidation(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount
    ) external view returns (LiquidationQuote memory) {
        return _quoteLiquidation(account, _accounts[account], _accruedPool(), chainId, asset, repayAmount);
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
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        uint256 balance = _collateral[account][chainId][asset];
        if (balance == 0) revert InsufficientCollateral(account, chainId, asset, 0, 1);

        uint256 debt = uint256(acc.debtPrincipal).wMulUp(pool.borrowIndex);
        Config memory config = _config;
        Valuation memory v = _valuate(config.oracle, account, acc.positions, debt, true, idPlusOne - 1);
        uint256 health = _healthOf(v);
        if (health >= WAD) revert NotLiquidatable(account, health);
        // Credited before the market was listed, the position is not in the bitmap: price it here.
        if (v.targetPrice == 0) v.targetPrice = config.oracle.getPrice(chainId, asset);

        LiquidationParams memory params = _liquidation;
        // Close factor, waived deep under water and where a partial repay would leave dust.
        uint256 maxRepay = health < params.fullCloseHealth ? debt : debt.bpsDown(params.closeFactorBps);
        if (debt - maxRepay < config.minDebt) maxRepay = debt;
        q.repaid = repayAmount < maxRepay ? repayAmount : maxRepay;

        // seized = repaid * basePrice * (1 + bonus) / collateralPrice, rounded down: the protocol keeps dust.
        uint256 bonusBps = _marketConfigs[idPlusOne - 1].liquidationBonusBps;
        uint256 repayValuePerUnit = v.basePrice * (BPS + bonusBps);
        uint256 collateralValuePerUnit = v.targetPrice * BPS;
        q.seized = (q.repaid * repayValuePerUnit) / collateralValuePerUnit;
        if (q.seized > balance) {
            // Not enough of this collateral: seize all of it and repay only what it covers (rounded up).
            q.seized = balance;
            q.repaid = balance.mulDivUp(collateralValuePerUnit, repayValuePerUnit);
        } else if (debt != q.repaid && debt - q.repaid < config.minDebt) {
            revert LiquidationLeavesDust(debt - q.repaid, config.minDebt);
        }
        if (q.seized == 0) revert ZeroAmount();
        q.protocolFee = q.repaid.mulDivUp(bonusBps * params.protocolShareBps, BPS * BPS);
    }

    /// @dev Writes off `account`'s remaining debt: reserves absorb it first, lenders (lower supply index) the
    ///      rest. `incomingCash` is base this transaction will still pull in (the liquidator's payment).
    function _absorbBadDebt(
        address account,
        uint256 debtPrincipal,
        PoolState memory pool,
        uint256 incomingCash
    ) internal {
        uint256 badDebt = debtPrincipal.wMulUp(pool.borrowIndex);
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
            pool.supplyIndex = uint96(uint256(pool.supplyIndex).mulDivDown(remaining, totalSupply));
            _pool.supplyIndex = pool.supplyIndex;
        }
        _accounts[account].debtPrincipal = 0;
        _totals.borrowPrincipal = uint104(totals.borrowPrincipal - debtPrincipal);
        totalBadDebt += badDebt;
        emit BadDebtAbsorbed(account, badDebt, fromReserves, fromLenders);
    }

    // ============================================================================================ INTERNALS

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

    /// @dev Counts a new credit and, for a listed market, enters it.
    function _openCredit(address account, uint256 idPlusOne) internal {
        Account storage acc = _accounts[account];
        (uint128 positions, uint24 credits) = (acc.positions, acc.credits);
        if (idPlusOne != 0) positions |= uint128(1 << (idPlusOne - 1));
        (acc.positions, acc.credits) = (positions, credits + 1);
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

    /// @dev What a health check computed: weighted collateral and debt values (USD, 1e18), and the prices read.
    struct Valuation {
        uint256 weightedCollateral;
        uint256 debtValue;
        uint256 basePrice;
        uint256 targetPrice;
    }

    function _requireHealthy(IPriceOracle priceOracle, address account, uint128 positions, uint256 debt) internal view {
        uint256 health = _healthOf(_valuate(priceOracle, account, positions, debt, false, NO_TARGET));
        if (health < WAD) revert NotHealthy(account, health);
    }

    function _healthOf(Valuation memory v) internal pure returns (uint256) {
        return v.debtValue == 0 ? type(uint256).max : v.weightedCollateral.mulDivDown(WAD, v.debtValue);
    }

    /// @dev Values the account's listed positions, weighted by liquidation thresholds (`liquidation`) or borrow
    ///      factors, and its debt. Prices are read only for markets the account holds with a non-zero factor,
    ///      and for market `target` (whose price a liquidation needs). No debt: nothing is read.
    function _valuate(
        IPriceOracle priceOracle,
        address account,
        uint128 positions,
        uint256 debt,
        bool liquidation,
        uint256 target
    ) internal view returns (Valuation memory v) {
        if (debt == 0) return v;
        v.basePrice = priceOracle.getPrice(hubChainId, address(baseToken));
        v.debtValue = debt.wMulUp(v.basePrice);
        for (uint256 id; positions != 0; ++id) {
            if (positions & 1 != 0) {
                Market memory m = _markets[id];
                uint256 factor = liquidation ? m.liquidationThresholdBps : m.borrowFactorBps;
                if (factor != 0 || id == target) {
                    uint256 price = priceOracle.getPrice(m.chainId, m.asset);
                    if (id == target) v.targetPrice = price;
                    uint256 amount = _collateral[account][m.chainId][m.asset];
                    v.weightedCollateral += amount.wMulDown(price).bpsDown(factor);
                }
            }
            positions >>= 1;
        }
    }

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
        uint256 borrowRate = _rateModel.borrowRate(utilization);
        uint256 supplyRate = InterestRateLib.supplyRate(borrowRate, utilization, pool.reserveFactorBps);
        // Indices are 1e18-scaled in 96 bits: at the default model's top rate (79% a year) they last ~30 years.
        // Past that, accrual reverts instead of wrapping.
        pool.borrowIndex = SafeCast.toUint96(pool.borrowIndex + uint256(pool.borrowIndex).wMulUp(borrowRate * elapsed));
        pool.supplyIndex = SafeCast.toUint96(
            pool.supplyIndex + uint256(pool.supplyIndex).wMulDown(supplyRate * elapsed)
        );
        pool.lastAccrual = uint40(block.timestamp);
    }

    function _accrue() internal returns (PoolState memory pool) {
        pool = _accruedPool();
        if (pool.lastAccrual != _pool.lastAccrual) _pool = pool;
    }

    function _toUint104(uint256 x) internal pure returns (uint104) {
        if (x > type(uint104).max) revert AmountTooLarge(x);
        return uint104(x);
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc IMarginEngine
    function collateralOf(address account, uint64 chainId, address asset) external view returns (uint256) {
        return _collateral[account][chainId][asset];
    }

    /// @inheritdoc IMarginEngine
    function debtOf(address account) public view returns (uint256) {
        return uint256(_accounts[account].debtPrincipal).wMulUp(_accruedPool().borrowIndex);
    }

    /// @inheritdoc IMarginEngine
    function healthFactor(address account) public view returns (uint256) {
        Account memory acc = _accounts[account];
        return _healthOf(_valuate(_config.oracle, account, acc.positions, debtOf(account), true, NO_TARGET));
    }

    /// @inheritdoc IMarginEngine
    function isLiquidatable(address account) external view returns (bool) {
        return healthFactor(account) < WAD;
    }

    /// @notice Health under borrow factors (what borrowing and withdrawing need to keep ≥ 1e18).
    function borrowHealthFactor(address account) external view returns (uint256) {
        Account memory acc = _accounts[account];
        return _healthOf(_valuate(_config.oracle, account, acc.positions, debtOf(account), false, NO_TARGET));
    }

    /// @notice USD values (1e18) behind the health factor: collateral weighted by liquidation thresholds,
    ///         collateral weighted by borrow factors, and debt.
    function accountValues(
        address account
    ) external view returns (uint256 liquidationCollateral, uint256 borrowCollateral, uint256 debtValue) {
        Account memory acc = _accounts[account];
        uint256 debt = debtOf(account);
        if (debt == 0) return (0, 0, 0);
        Valuation memory v = _valuate(_config.oracle, account, acc.positions, debt, true, NO_TARGET);
        Valuation memory b = _valuate(_config.oracle, account, acc.positions, debt, false, NO_TARGET);
        return (v.weightedCollateral, b.weightedCollateral, v.debtValue);
    }

    /// @notice The price oracle.
    function oracle() external view returns (IPriceOracle) {
        return _config.oracle;
    }

    /// @notice Smallest debt an account may hold after borrowing, in base units.
    function minDebt() external view returns (uint256) {
        return _config.minDebt;
    }

    /// @inheritdoc IMarginEngine
    function quoteRelease(uint64 chainId) external view returns (uint256) {
        return messenger.quote(chainId, MessageCodec.encodeRelease(address(this), address(this), type(uint256).max));
    }

    /// @notice Lending balance of `lender` in base units, interest included (rounded down).
    function supplyBalanceOf(address lender) external view returns (uint256) {
        return _supplyPrincipal[lender].wMulDown(_accruedPool().supplyIndex);
    }

    /// @notice Total lent and total borrowed, in base units, interest included.
    function poolTotals() public view returns (uint256 totalSupply, uint256 totalBorrow) {
        PoolState memory pool = _accruedPool();
        PoolTotals memory t = _totals;
        return (
            uint256(t.supplyPrincipal).wMulDown(pool.supplyIndex),
            uint256(t.borrowPrincipal).wMulUp(pool.borrowIndex)
        );
    }

    /// @notice Reserves: cash + borrows - lenders' claims. Negative only transiently, never after bad debt.
    function reserves() public view returns (int256) {
        (uint256 totalSupply, uint256 totalBorrow) = poolTotals();
        return int256(baseToken.balanceOf(address(this)) + totalBorrow) - int256(totalSupply);
    }

    /// @notice Current borrow and supply rates per second (1e18-scaled) and utilisation.
    function rates() external view returns (uint256 borrowRate, uint256 supplyRate, uint256 utilization) {
        (uint256 totalSupply, uint256 totalBorrow) = poolTotals();
        utilization = totalSupply == 0 ? 0 : totalBorrow.mulDivDown(WAD, totalSupply);
        if (utilization > WAD) utilization = WAD;
        borrowRate = _rateModel.borrowRate(utilization);
        supplyRate = InterestRateLib.supplyRate(borrowRate, utilization, _pool.reserveFactorBps);
    }

    /// @notice Pool indices and accrual state as stored.
    function poolState() external view returns (PoolState memory) {
        return _pool;
    }

    /// @notice Listed markets the account holds, as a bitmap of market ids, and its debt principal.
    function accountState(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    /// @notice Market `id` as the health loop sees it, and its configuration.
    function market(uint256 id) external view returns (Market memory, MarketConfig memory) {
        return (_markets[id], _marketConfigs[id]);
    }

    /// @notice Market id + 1 of (`chainId`, `asset`) (0 = unlisted) and everything credited on it.
    function marketState(uint64 chainId, address asset) external view returns (MarketState memory) {
        return _marketStates[chainId][asset];
    }

    /// @notice `account`'s deposits on (`chainId`, `asset`) above the credit cap, awaiting review.
    function quarantined(address account, uint64 chainId, address asset) external view returns (uint256) {
        return _quarantine.byAccount[account][chainId][asset];
    }

    /// @notice Everything quarantined on (`chainId`, `asset`).
    function totalQuarantined(uint64 chainId, address asset) external view returns (uint256) {
        return _quarantine.total[chainId][asset];
    }

    /// @notice The rate model (per-second rates) and the liquidation rules.
    function parameters() external view returns (InterestRateLib.RateModel memory, LiquidationParams memory) {
        return (_rateModel, _liquidation);
    }

    // ============================================================================================ ADMIN

    /// @notice Lists (`chainId`, `asset`) as collateral. Only the owner. The oracle must price it already.
    function listMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps
    ) external onlyOwner {
        MarketState storage state = _marketStates[chainId][asset];
        if (state.idPlusOne != 0) revert MarketAlreadyListed(chainId, asset);
        uint256 id = marketCount;
        if (id == MAX_MARKETS) revert TooManyMarkets(MAX_MARKETS);
        _config.oracle.getPrice(chainId, asset); // reverts if there is no usable feed
        marketCount = id + 1;
        _markets[id] = Market(asset, chainId, 0, 0);
        state.idPlusOne = uint8(id + 1);
        emit MarketListed(uint8(id), chainId, asset);
        _configureMarket(id, MarketConfig(borrowFactorBps, liquidationThresholdBps, liquidationBonusBps, false));
    }

    /// @notice Updates the risk parameters of a listed market. Only the owner.
    /// @dev Accounts credited while the market was unlisted enter it with {enterMarket}.
    function configureMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps,
        bool frozen
    ) external onlyOwner {
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        _configureMarket(
            idPlusOne - 1,
            MarketConfig(borrowFactorBps, liquidationThresholdBps, liquidationBonusBps, frozen)
        );
    }

    /// @notice Sets the credit cap of (`chainId`, `asset`), listed or not: deposits beyond it are quarantined
    ///         (0: no cap). Only the owner. Existing credits are never touched.
    function setCreditCap(uint64 chainId, address asset, uint112 cap) external onlyOwner {
        _marketStates[chainId][asset].creditCap = cap;
        emit CreditCapSet(chainId, asset, cap);
    }

    /// @notice Ends the quarantine of `amount` of `account`'s deposits on (`chainId`, `asset`) after review: credits
    ///         it (`credit`, for a genuine deposit; the cap does not apply) or discards it (a forgery: no tokens
    ///         back it in the vault). Only the owner.
    function releaseQuarantine(
        address account,
        uint64 chainId,
        address asset,
        uint256 amount,
        bool credit
    ) external onlyOwner nonReentrant {
        uint256 held = _quarantine.byAccount[account][chainId][asset];
        if (amount == 0 || amount > held) revert InsufficientCollateral(account, chainId, asset, held, amount);
        _quarantine.byAccount[account][chainId][asset] = held - amount;
        if (held == amount) --_quarantine.entries[account];
        _quarantine.total[chainId][asset] -= amount;
        if (credit) {
            MarketState storage state = _marketStates[chainId][asset];
            uint256 totalCredits = state.totalCredits + amount;
            if (totalCredits > type(uint128).max) revert AmountTooLarge(amount);
            state.totalCredits = uint128(totalCredits);
            uint256 balance = _collateral[account][chainId][asset];
            _collateral[account][chainId][asset] = balance + amount;
            if (balance == 0) _openCredit(account, state.idPlusOne);
        }
        emit QuarantineReleased(account, chainId, asset, amount, credit);
    }

    /// @notice Sets the latency haircut of `chainId`: collateral there counts `haircutBps` less, in borrowing
    ///         and in liquidation, because its release is slower or riskier. Only the owner.
    function setLatencyHaircut(uint64 chainId, uint16 haircutBps) external onlyOwner {
        if (haircutBps >= BPS) revert InvalidHaircut(haircutBps);
        latencyHaircutBps[chainId] = haircutBps;
        emit LatencyHaircutSet(chainId, haircutBps);
        for (uint256 id; id < marketCount; ++id) {
            if (_markets[id].chainId == chainId) _configureMarket(id, _marketConfigs[id]);
        }
    }

    /// @notice Pauses or resumes new borrowing. The guardian may pause; only the owner resumes. Repay,
    ///         withdrawals and liquidations are never paused.
    function setBorrowPaused(bool paused) external {
        if (paused ? (msg.sender != guardian && msg.sender != owner()) : msg.sender != owner()) {
            revert NotGuardian(msg.sender);
        }
        _pool.borrowPaused = paused;
        emit BorrowPaused(paused);
    }

    /// @notice Sets the rate model (accrues first). Only the owner.
    function setRateModel(InterestRateLib.RateModel calldata model) external onlyOwner {
        _accrue();
        _setRateModel(model);
    }

    /// @notice Sets the share of interest kept as reserves (accrues first). Only the owner.
    function setReserveFactor(uint16 reserveFactorBps) external onlyOwner {
        _accrue();
        _setReserveFactor(reserveFactorBps);
    }

    /// @notice Sets the liquidation rules. Only the owner.
    function setLiquidationParams(LiquidationParams calldata params) external onlyOwner {
        _setLiquidationParams(params);
    }

    /// @notice Sets the price oracle. Only the owner.
    function setOracle(IPriceOracle newOracle) external onlyOwner {
        _setOracle(newOracle);
    }

    /// @notice Sets the smallest debt an account may hold after borrowing. Only the owner.
    function setMinDebt(uint96 newMinDebt) external onlyOwner {
        _setMinDebt(newMinDebt);
    }

    /// @notice Sends `amount` of reserves (cash the lenders do not own) to `to`. Only the owner.
    function withdrawReserves(uint256 amount, address to) external onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _accrue();
        int256 available = reserves();
        if (available < 0 || uint256(available) < amount) revert InsufficientReserves(available, amount);
        baseToken.safeTransfer(to, amount);
        emit ReservesWithdrawn(to, amount);
    }

    function _configureMarket(uint256 id, MarketConfig memory config) internal {
        if (
            config.borrowFactorBps > config.liquidationThresholdBps ||
            config.liquidationThresholdBps >= BPS ||
            uint256(config.liquidationThresholdBps) * (BPS + config.liquidationBonusBps) > BPS * BPS
        ) revert InvalidRiskParams(config.borrowFactorBps, config.liquidationThresholdBps, config.liquidationBonusBps);
        _marketConfigs[id] = config;
        Market storage m = _markets[id];
        uint256 keep = BPS - latencyHaircutBps[m.chainId];
        m.borrowFactorBps = config.frozen ? 0 : uint16((config.borrowFactorBps * keep) / BPS);
        m.liquidationThresholdBps = uint16((config.liquidationThresholdBps * keep) / BPS);
        emit MarketConfigured(
            m.chainId,
            m.asset,
            config.borrowFactorBps,
            config.liquidationThresholdBps,
            config.liquidationBonusBps,
            config.frozen
        );
    }

    function _setRateModel(InterestRateLib.RateModel memory model) internal {
        if (model.kink == 0 || model.kink > WAD) revert InterestRateLib.InvalidRateModel(model.kink);
        _rateModel = model;
        emit RateModelSet(model.baseRate, model.slope1, model.slope2, model.kink);
    }

    function _setReserveFactor(uint16 reserveFactorBps) internal {
        if (reserveFactorBps > BPS / 2) revert InvalidReserveFactor(reserveFactorBps);
        _pool.reserveFactorBps = reserveFactorBps;
        emit ReserveFactorSet(reserveFactorBps);
    }

    function _setLiquidationParams(LiquidationParams memory params) internal {
        if (
            params.closeFactorBps == 0 ||
            params.closeFactorBps > BPS ||
            params.protocolShareBps > BPS ||
            params.fullCloseHealth > WAD
        ) revert InvalidLiquidationParams(params.closeFactorBps, params.protocolShareBps, params.fullCloseHealth);
        _liquidation = params;
        emit LiquidationParamsSet(params.closeFactorBps, params.protocolShareBps, params.fullCloseHealth);
    }

    function _setOracle(IPriceOracle newOracle) internal {
        if (address(newOracle) == address(0)) revert ZeroAddress();
        _config.oracle = newOracle;
        emit OracleSet(address(newOracle));
    }

    function _setMinDebt(uint96 newMinDebt) internal {
        _config.minDebt = newMinDebt;
        emit MinDebtSet(newMinDebt);
    }
}
