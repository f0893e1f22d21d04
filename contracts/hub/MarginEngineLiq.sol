// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarginLiquidations} from "../interfaces/IMarginLiquidations.sol";
import {IMessenger} from "../interfaces/IMessenger.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {PriceLib} from "../libraries/PriceLib.sol";
import {Guarded} from "../access/Guarded.sol";
import {MarginStorage} from "./MarginStorage.sol";

/// @title MarginEngineLiq
/// @notice The margin engine's liquidation part: the modes that need neither a live bridge nor base capital
///         ({absorb}, {buyCollateral}), the write-off of debt with nothing left to seize, and the quotes
///         ({IMarginLiquidations}). Reached only by `delegatecall` from the extension's fallback, itself reached
///         from the engine's: it acts on the engine's storage with the engine's caller.
/// @dev Called directly (or through the extension's own address), every state-changing function reverts with
///      {NotDelegated}. Like the extension, it declares no state: its layout is {MarginStorage}'s.
///      The hub's inventory of absorbed collateral is the credit of the engine's own address
///      (`_collateral[address(this)]`): an account like any other for the (chain, asset) totals, with no debt.
contract MarginEngineLiq is IMarginLiquidations, MarginStorage {
    using MathLib for uint256;

    address private immutable _self;

    /// @dev Owned by itself: nobody can configure this part's own storage (it matters to nobody anyway).
    constructor(
        IERC20 baseToken_,
        IMessenger messenger_
    ) MarginStorage(baseToken_, messenger_) Guarded(address(this), address(0)) {
        _self = address(this);
    }

    /// @dev Only in the engine's storage, through the extension's fallback.
    modifier delegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    // ============================================================================================ ABSORB

    /// @inheritdoc IMarginLiquidations
    /// @dev Listed credits outside the account's bitmap (credited before their market was listed and never entered)
    ///      did not count toward its health and stay the account's, as do unlisted credits.
    function absorb(address[] calldata accounts) external delegated nonReentrant returns (uint256 absorbed) {
        PoolState memory pool = _accrue();
        for (uint256 i; i < accounts.length; ++i) {
            address account = accounts[i];
            Account memory acc = _accounts[account];
            // Skipped, not refused: racing absorbers must not revert each other (a repeat in the list has no debt).
            if (acc.debtPrincipal == 0) continue;
            (AbsorbQuote memory q, uint256 health) = _quoteAbsorb(account, acc, pool);
            if (health >= WAD) continue;
            _takeOver(account, acc, pool, q);
            ++absorbed;
        }
        if (absorbed == 0) revert NothingToAbsorb();

        // The absorber's reward: lending balance paid by reserves (no base moves).
        uint256 reward = uint256(_liquidation.absorbReward) * absorbed;
        uint256 principal = reward.mulDivDown(WAD, pool.supplyIndex);
        if (principal != 0) {
            _supplyPrincipal[msg.sender] += principal;
            _totals.supplyPrincipal = _toUint104(_totals.supplyPrincipal + principal);
        }
    }

    /// @inheritdoc IMarginLiquidations
    function previewAbsorb(address account) external view returns (AbsorbQuote memory q) {
        Account memory acc = _accounts[account];
        if (acc.debtPrincipal == 0) revert NotLiquidatable(account, type(uint256).max);
        uint256 health;
        (q, health) = _quoteAbsorb(account, acc, _accruedPool());
        if (health >= WAD) revert NotLiquidatable(account, health);
    }

    /// @dev Values the account (with debt) as {absorb} would take it over, and its health. In one pass over its
    ///      bitmap: each listed credit's value (every one is priced: all of them move, whatever their threshold), and
    ///      the threshold-weighted sum (the same health as {IMarginEngine-healthFactor}). Then each value less the
    ///      bonus that health gives its market, summed and converted to base (rounded down: for the protocol).
    function _quoteAbsorb(
        address account,
        Account memory acc,
        PoolState memory pool
    ) internal view returns (AbsorbQuote memory q, uint256 health) {
        q.debt = uint256(acc.debtPrincipal).wMulUp(pool.borrowIndex);
        _requireSequencerUp();
        uint256 basePrice = PriceLib.read(_feeds[hubChainId][address(baseToken)], hubChainId, address(baseToken));
        (uint256 weighted, uint256[128] memory values) = _positionValues(account, acc.positions);
        health = weighted.mulDivDown(WAD, q.debt.wMulUp(basePrice));
        if (health >= WAD) return (q, health);

        LiquidationParams memory params = _liquidation;
        uint256 worth;
        uint128 positions = acc.positions;
        for (uint256 id; positions != 0; ++id) {
            if (positions & 1 != 0) {
                uint256 bonusBps = _bonusBps(health, _marketConfigs[id].liquidationBonusBps, params);
                worth += values[id].mulDivDown(BPS, BPS + bonusBps);
            }
            positions >>= 1;
        }
        q.collateralValue = worth.mulDivDown(WAD, basePrice);
        if (q.collateralValue > q.debt) q.surplus = q.collateralValue - q.debt;
        else q.badDebt = q.debt - q.collateralValue;
        q.reward = params.absorbReward;
    }

    /// @dev The value (USD, 1e18) of each listed credit of `positions`, by market id, and their threshold-weighted sum.
    function _positionValues(
        address account,
        uint128 positions
    ) internal view returns (uint256 weighted, uint256[128] memory values) {
        for (uint256 id; positions != 0; ++id) {
            if (positions & 1 != 0) {
                Market memory m = _markets[id];
                uint256 price = PriceLib.read(_feeds[m.chainId][m.asset], m.chainId, m.asset);
                uint256 value = _collateral[account][m.chainId][m.asset].wMulDown(price);
                weighted += value.bpsDown(m.liquidationThresholdBps);
                values[id] = value;
            }
            positions >>= 1;
        }
    }

    /// @dev Moves every listed credit of the account's bitmap to the inventory, clears its debt, credits the
    ///      surplus to its lending balance or writes the shortfall off.
    function _takeOver(address account, Account memory acc, PoolState memory pool, AbsorbQuote memory q) internal {
        uint128 positions = acc.positions;
        uint256 moved;
        for (uint256 id; positions != 0; ++id) {
            if (positions & 1 != 0) {
                Market memory m = _markets[id];
                uint256 amount = _collateral[account][m.chainId][m.asset];
                if (amount != 0) {
                    _collateral[account][m.chainId][m.asset] = 0;
                    uint256 held = _collateral[address(this)][m.chainId][m.asset];
                    _collateral[address(this)][m.chainId][m.asset] = held + amount;
                    if (held == 0) _openCredit(address(this), id + 1);
                    ++moved;
                    emit CollateralAbsorbed(account, m.chainId, m.asset, amount);
                }
            }
            positions >>= 1;
        }
        _accounts[account] = Account(0, 0, uint24(acc.credits - moved));

        // The whole principal leaves the borrows. The covered part is paid by the inventory (a reserve asset):
        // reserves are counted before it leaves, so they take the shortfall first.
        if (q.badDebt != 0) _writeOff(account, q.badDebt, acc.debtPrincipal, pool, 0);
        else _totals.borrowPrincipal -= acc.debtPrincipal;
        if (q.surplus != 0) {
            uint256 principal = q.surplus.mulDivDown(WAD, pool.supplyIndex);
            _supplyPrincipal[account] += principal;
            _totals.supplyPrincipal = _toUint104(_totals.supplyPrincipal + principal);
        }
        emit Absorbed(account, msg.sender, q.debt, q.collateralValue, q.surplus, q.badDebt, q.reward);
    }

    // ============================================================================================ STORE FRONT

    /// @inheritdoc IMarginLiquidations
    function buyCollateral(
        uint64 chainId,
        address asset,
        uint256 minAmount,
        uint256 baseAmount,
        address recipient
    ) external delegated nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert ZeroAddress();
        uint256 charge;
        (amount, charge) = _quoteBuy(chainId, asset, baseAmount);
        if (amount < minAmount) revert BuyBelowMinimum(amount, minAmount);
        if (amount == 0) revert ZeroAmount();
        _moveCredit(address(this), recipient, chainId, asset, amount);
        // The price paid is reserves: no lender's claim grows.
        _pullBase(msg.sender, charge);
        emit CollateralBought(msg.sender, recipient, chainId, asset, charge, amount);
    }

    /// @inheritdoc IMarginLiquidations
    function quoteBuyCollateral(
        uint64 chainId,
        address asset,
        uint256 baseAmount
    ) external view returns (uint256 amount, uint256 baseCharged) {
        return _quoteBuy(chainId, asset, baseAmount);
    }

    /// @dev amount = baseAmount * basePrice * (1 + discount) / price, rounded down; capped by the inventory, the charge
    ///      is what the inventory is worth at that discount, rounded up.
    function _quoteBuy(
        uint64 chainId,
        address asset,
        uint256 baseAmount
    ) internal view returns (uint256 amount, uint256 charge) {
        if (baseAmount == 0) revert ZeroAmount();
        uint256 inventory = _collateral[address(this)][chainId][asset];
        if (inventory == 0) revert NotForSale(chainId, asset);
        uint256 idPlusOne = _marketStates[chainId][asset].idPlusOne;
        if (idPlusOne == 0) revert MarketNotListed(chainId, asset);
        uint256 price = _price(chainId, asset);
        uint256 basePrice = PriceLib.read(_feeds[hubChainId][address(baseToken)], hubChainId, address(baseToken));
        uint256 discountBps = uint256(_marketConfigs[idPlusOne - 1].liquidationBonusBps).mulDivDown(
            _liquidation.storeFrontShareBps,
            BPS
        );
        uint256 basePerUnit = basePrice * (BPS + discountBps);
        uint256 collateralPerUnit = price * BPS;
        amount = baseAmount.mulDivDown(basePerUnit, collateralPerUnit);
        charge = baseAmount;
        if (amount > inventory) {
            amount = inventory;
            charge = inventory.mulDivUp(collateralPerUnit, basePerUnit);
        }
    }

    // ============================================================================================ BAD DEBT

    /// @inheritdoc IMarginLiquidations
    /// @dev Review finding (1-unit deposit holds off write-off): nobody can postpone a write-off with a deposit, as
    ///      only a credit a liquidator could seize stops it. Needs no price: debt with nothing to seize is bad at any
    ///      price.
    function absorbBadDebt(address account) external delegated nonReentrant returns (uint256) {
        PoolState memory pool = _accrue();
        Account memory acc = _accounts[account];
        if (acc.debtPrincipal == 0) revert NothingToRepay(account);
        uint256 idPlusOne = _seizableCredit(account, acc);
        if (idPlusOne != 0) {
            Market memory m = _markets[idPlusOne - 1];
            revert SeizableCreditLeft(account, m.chainId, m.asset);
        }
        return _absorbBadDebt(account, acc.debtPrincipal, pool, 0);
    }

    // ============================================================================================ QUOTES

    /// @inheritdoc IMarginLiquidations
    function previewLiquidation(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount
    ) external view returns (LiquidationQuote memory) {
        return _quoteLiquidation(account, _accounts[account], _accruedPool(), chainId, asset, repayAmount);
    }
}
