// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarginEngineAdmin} from "../interfaces/IMarginEngineAdmin.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {PriceLib} from "../libraries/PriceLib.sol";
import {Guarded} from "../access/Guarded.sol";
import {MarginStorage} from "./MarginStorage.sol";
import {MarginEngineLiq} from "./MarginEngineLiq.sol";

/// @title MarginEngineExt
/// @notice The margin engine's extension: configuration, the price feeds, quarantine review and the rarely used
///         views ({IMarginEngineAdmin}, {IPriceOracle}). It is reached only through the engine's fallback, by
///         `delegatecall`, so it acts on the engine's storage with the engine's caller. What it does not serve
///         itself it hands on, by `delegatecall` again, to the liquidation part ({MarginEngineLiq}).
/// @dev Called directly, every state-changing function reverts with {NotDelegated}, and its own storage is never
///      read by anyone (its owner is itself); its views answer about that empty storage. Its immutables (base
///      token, messenger, hub chain id) are the engine's: the engine reads them from it at construction.
contract MarginEngineExt is IMarginEngineAdmin, IPriceOracle, MarginStorage {
    using SafeERC20 for IERC20;
    using MathLib for uint256;
    using InterestRateLib for InterestRateLib.RateModel;

    /// @notice Markets are bits of a 128-bit mask per account.
    uint256 public constant MAX_MARKETS = 128;

    /// @notice The liquidation part that serves every function neither the engine nor this extension has.
    address public immutable liquidations;

    address private immutable _self;

    /// @dev Owned by itself: nobody can configure the extension's own storage (it matters to nobody anyway).
    /// @param liq The liquidation part, deployed first: its base token and messenger are the extension's.
    constructor(
        MarginEngineLiq liq
    ) MarginStorage(liq.baseToken(), liq.messenger()) Guarded(address(this), address(0)) {
        liquidations = address(liq);
        _self = address(this);
    }

    /// @dev Only in the engine's storage, through its fallback (or its constructor).
    modifier delegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    /// @notice The engine's initial configuration, run in the engine's storage by its constructor.
    /// @dev Only while the calling contract is being constructed (it has no code yet): never on the extension
    ///      itself, never on a deployed engine.
    function initialize(
        InterestRateLib.RateModel calldata rateModel,
        uint16 reserveFactorBps,
        LiquidationParams calldata liquidation,
        uint96 minDebt_
    ) external delegated {
        if (address(this).code.length != 0) revert NotDelegated();
        _setMinDebt(minDebt_);
        _setRateModel(rateModel);
        _setReserveFactor(reserveFactorBps);
        _setLiquidationParams(liquidation);
    }

    /// @notice Every function neither the engine nor this extension defines ({IMarginLiquidations}) runs in the
    ///         liquidation part, by `delegatecall` from here: still in the engine's storage, with its `msg.sender`.
    ///         Only through the engine: called on the extension itself it reverts with {NotDelegated}.
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        if (address(this) == _self) revert NotDelegated();
        address liq = liquidations;
        // Not memory-safe, and it need not be: as in the engine's fallback, this frame ends right after.
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), liq, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    // ============================================================================================ USERS

    /// @inheritdoc IMarginEngineAdmin
    function enterMarket(uint64 chainId, address asset) external delegated {
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        uint256 balance = _collateral[msg.sender][chainId][asset];
        if (balance == 0) revert InsufficientCollateral(msg.sender, chainId, asset, 0, 1);
        _accounts[msg.sender].positions |= uint128(1 << (idPlusOne - 1));
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc IMarginEngineAdmin
    function borrowHealthFactor(address account) external view returns (uint256) {
        Account memory acc = _accounts[account];
        return _healthOf(_valuate(account, acc.positions, _debtOf(account), false, NO_TARGET));
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountValues(
        address account
    ) external view returns (uint256 liquidationCollateral, uint256 borrowCollateral, uint256 debtValue) {
        Account memory acc = _accounts[account];
        uint256 debt = _debtOf(account);
        if (debt == 0) return (0, 0, 0);
        Valuation memory v = _valuate(account, acc.positions, debt, true, NO_TARGET);
        Valuation memory b = _valuate(account, acc.positions, debt, false, NO_TARGET);
        return (v.weightedCollateral, b.weightedCollateral, v.debtValue);
    }

    /// @inheritdoc IMarginEngineAdmin
    function minDebt() external view returns (uint256) {
        return _config.minDebt;
    }

    /// @inheritdoc IMarginEngineAdmin
    function supplyBalanceOf(address lender) external view returns (uint256) {
        return _supplyPrincipal[lender].wMulDown(_accruedPool().supplyIndex);
    }

    /// @inheritdoc IMarginEngineAdmin
    function poolTotals() public view returns (uint256 totalSupply, uint256 totalBorrow) {
        PoolState memory pool = _accruedPool();
        PoolTotals memory t = _totals;
        return (
            uint256(t.supplyPrincipal).wMulDown(pool.supplyIndex),
            uint256(t.borrowPrincipal).wMulUp(pool.borrowIndex)
        );
    }

    /// @inheritdoc IMarginEngineAdmin
    function reserves() public view returns (int256) {
        (uint256 totalSupply, uint256 totalBorrow) = poolTotals();
        return int256(baseToken.balanceOf(address(this)) + totalBorrow) - int256(totalSupply);
    }

    /// @inheritdoc IMarginEngineAdmin
    function withdrawableReserves() public view returns (uint256) {
        int256 total = reserves();
        if (total <= 0) return 0;
        PoolTotals memory t = _totals;
        // Rounded down as in {poolTotals}: each lender's balance is rounded down too, so their sum is never more.
        uint256 claims = uint256(t.supplyPrincipal).wMulDown(_accruedPool().supplyIndex);
        uint256 funded =
            baseToken.balanceOf(address(this)) + (uint256(t.borrowPrincipal) * t.nominalIndex) / NOMINAL_SCALE;
        uint256 earned = funded > claims ? funded - claims : 0;
        return earned < uint256(total) ? earned : uint256(total);
    }

    /// @inheritdoc IMarginEngineAdmin
    function rates() external view returns (uint256 borrowRate, uint256 supplyRate, uint256 utilization) {
        (uint256 totalSupply, uint256 totalBorrow) = poolTotals();
        utilization = totalSupply == 0 ? 0 : totalBorrow.mulDivDown(WAD, totalSupply);
        if (utilization > WAD) utilization = WAD;
        borrowRate = _rateModel.borrowRate(utilization);
        supplyRate = InterestRateLib.supplyRate(borrowRate, utilization, _pool.reserveFactorBps);
    }

    /// @inheritdoc IMarginEngineAdmin
    function poolState() external view returns (PoolState memory) {
        return _pool;
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountState(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    /// @inheritdoc IMarginEngineAdmin
    function market(uint256 id) external view returns (Market memory, MarketConfig memory) {
        return (_markets[id], _marketConfigs[id]);
    }

    /// @inheritdoc IMarginEngineAdmin
    function marketState(uint64 chainId, address asset) external view returns (MarketState memory) {
        return _marketStates[chainId][asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function quarantined(address account, uint64 chainId, address asset) external view returns (uint256) {
        return _quarantine.byAccount[account][chainId][asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function totalQuarantined(uint64 chainId, address asset) external view returns (uint256) {
        return _quarantine.total[chainId][asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function parameters() external view returns (InterestRateLib.RateModel memory, LiquidationParams memory) {
        return (_rateModel, _liquidation);
    }

    // ============================================================================================ ADMIN

    /// @inheritdoc IMarginEngineAdmin
    function listMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps
    ) external delegated onlyOwner {
        MarketState storage state = _marketStates[chainId][asset];
        if (state.idPlusOne != 0) revert MarketAlreadyListed(chainId, asset);
        uint256 id = marketCount;
        if (id == MAX_MARKETS) revert TooManyMarkets(MAX_MARKETS);
        _requireDivisible(_price(chainId, asset)); // reverts if there is no usable feed
        marketCount = id + 1;
        _markets[id] = Market(asset, chainId, 0, 0);
        state.idPlusOne = uint8(id + 1);
        emit MarketListed(uint8(id), chainId, asset);
        _configureMarket(id, MarketConfig(borrowFactorBps, liquidationThresholdBps, liquidationBonusBps, false));
    }

    /// @inheritdoc IMarginEngineAdmin
    function configureMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps,
        bool frozen
    ) external delegated onlyOwner {
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        _configureMarket(
            idPlusOne - 1,
            MarketConfig(borrowFactorBps, liquidationThresholdBps, liquidationBonusBps, frozen)
        );
    }

    /// @inheritdoc IMarginEngineAdmin
    function setCreditCap(uint64 chainId, address asset, uint112 cap) external delegated onlyOwner {
        _marketStates[chainId][asset].creditCap = cap;
        emit CreditCapSet(chainId, asset, cap);
    }

    /// @inheritdoc IMarginEngineAdmin
    function releaseQuarantine(
        address account,
        uint64 chainId,
        address asset,
        uint256 amount,
        bool credit
    ) external delegated onlyOwner nonReentrant {
        uint256 held = _quarantine.byAccount[account][chainId][asset];
        if (amount == 0 || amount > held) revert InsufficientCollateral(account, chainId, asset, held, amount);
        _quarantine.byAccount[account][chainId][asset] = held - amount;
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

    /// @inheritdoc IMarginEngineAdmin
    function setLatencyHaircut(uint64 chainId, uint16 haircutBps) external delegated onlyOwner {
        if (haircutBps >= BPS) revert InvalidHaircut(haircutBps);
        latencyHaircutBps[chainId] = haircutBps;
        emit LatencyHaircutSet(chainId, haircutBps);
        for (uint256 id; id < marketCount; ++id) {
            if (_markets[id].chainId == chainId) _configureMarket(id, _marketConfigs[id]);
        }
    }

    /// @inheritdoc IMarginEngineAdmin
    function setBorrowPaused(bool paused) external delegated {
        if (paused ? (msg.sender != guardian && msg.sender != owner()) : msg.sender != owner()) {
            revert NotGuardian(msg.sender);
        }
        _pool.borrowPaused = paused;
        emit BorrowPaused(paused);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setRateModel(InterestRateLib.RateModel calldata model) external delegated onlyOwner {
        _accrue();
        _setRateModel(model);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setReserveFactor(uint16 reserveFactorBps) external delegated onlyOwner {
        _accrue();
        _setReserveFactor(reserveFactorBps);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setLiquidationParams(LiquidationParams calldata params) external delegated onlyOwner {
        _setLiquidationParams(params);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setMinDebt(uint96 newMinDebt) external delegated onlyOwner {
        _setMinDebt(newMinDebt);
    }

    /// @inheritdoc IMarginEngineAdmin
    function withdrawReserves(uint256 amount, address to) external delegated onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _accrue();
        // Review finding (phantom reserves): only reserves earned in cash.
        uint256 available = withdrawableReserves();
        if (available < amount) revert InsufficientReserves(int256(available), amount);
        baseToken.safeTransfer(to, amount);
        emit ReservesWithdrawn(to, amount);
    }

    /// @dev Review finding (indivisible collateral): one raw unit of a new market, at `unitPrice`, must be worth no
    ///      more than the minimum debt, so a liquidation can always seize a part of a position worth liquidating.
    ///      A later price rise can still break this: a liquidation then seizes one whole unit (the engine's
    ///      `_oneUnitRepay`). Skipped when there is no minimum debt.
    function _requireDivisible(uint256 unitPrice) internal view {
        uint256 floor = _config.minDebt;
        if (floor == 0) return;
        uint256 unitValue = unitPrice / WAD;
        uint256 minDebtValue = floor.wMulDown(_price(hubChainId, address(baseToken)));
        if (unitValue > minDebtValue) revert UnitAboveMinDebt(unitValue, minDebtValue);
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

    /// @dev Bounds: a target health above the liquidation line and at most 2 (a liquidation never repays more than
    ///      what would double the account's margin over the line), a full bonus reached below health 1, and shares
    ///      and the minimum bonus at most 100%.
    function _setLiquidationParams(LiquidationParams memory params) internal {
        if (
            params.targetHealth <= WAD ||
            params.targetHealth > 2 * WAD ||
            params.maxBonusHealth >= WAD ||
            params.minBonusBps > BPS ||
            params.protocolShareBps > BPS ||
            params.storeFrontShareBps > BPS
        ) {
            revert InvalidLiquidationParams(
                params.targetHealth,
                params.maxBonusHealth,
                params.minBonusBps,
                params.protocolShareBps,
                params.storeFrontShareBps
            );
        }
        _liquidation = params;
        emit LiquidationParamsSet(
            params.targetHealth,
            params.maxBonusHealth,
            params.minBonusBps,
            params.protocolShareBps,
            params.storeFrontShareBps,
            params.absorbReward
        );
    }

    function _setMinDebt(uint96 newMinDebt) internal {
        _config.minDebt = newMinDebt;
        emit MinDebtSet(newMinDebt);
    }

    // ============================================================================================ PRICES

    /// @inheritdoc IPriceOracle
    function getPrice(uint64 chainId, address asset) external view returns (uint256) {
        return _price(chainId, asset);
    }

    /// @inheritdoc IPriceOracle
    function feedOf(uint64 chainId, address asset) external view returns (FeedConfig memory) {
        return _feeds[chainId][asset];
    }

    /// @inheritdoc IPriceOracle
    function boundsOf(uint64 chainId, address asset) external view returns (int256, int256) {
        FeedConfig memory config = _feeds[chainId][asset];
        return (PriceLib.unpack(config.minAnswer), PriceLib.unpack(config.maxAnswer));
    }

    /// @inheritdoc IPriceOracle
    function sequencerUptimeFeed() external view returns (SequencerConfig memory) {
        return SequencerConfig(_config.sequencerFeed, _sequencerGracePeriod);
    }

    // ============================================================================================ ADMIN

    /// @inheritdoc IPriceOracle
    function setFeed(
        uint64 chainId,
        address asset,
        AggregatorV3Interface feed,
        uint32 heartbeat,
        uint8 tokenDecimals
    ) external delegated onlyOwner {
        FeedConfig memory config = PriceLib.configure(feed, heartbeat, tokenDecimals);
        _feeds[chainId][asset] = config;
        emit FeedSet(
            chainId,
            asset,
            address(feed),
            heartbeat,
            36 - config.scaleExponent - tokenDecimals,
            tokenDecimals
        );
    }

    /// @inheritdoc IPriceOracle
    function setFeedBounds(
        uint64 chainId,
        address asset,
        int256 minAnswer,
        int256 maxAnswer
    ) external delegated onlyOwner {
        FeedConfig storage config = _feeds[chainId][asset];
        if (address(config.feed) == address(0)) revert NoFeed(chainId, asset);
        if (maxAnswer != 0 && minAnswer >= maxAnswer) revert InvalidBounds(minAnswer, maxAnswer);
        (uint24 packedMin, bool minOk) = PriceLib.pack(minAnswer);
        (uint24 packedMax, bool maxOk) = PriceLib.pack(maxAnswer);
        if (!minOk || !maxOk) revert InvalidBounds(minAnswer, maxAnswer);
        (config.minAnswer, config.maxAnswer) = (packedMin, packedMax);
        emit FeedBoundsSet(chainId, asset, minAnswer, maxAnswer);
    }

    /// @inheritdoc IPriceOracle
    function setSequencerUptimeFeed(AggregatorV3Interface feed, uint32 gracePeriod) external delegated onlyOwner {
        (_config.sequencerFeed, _sequencerGracePeriod) = (feed, gracePeriod);
        emit SequencerUptimeFeedSet(address(feed), gracePeriod);
    }
}
