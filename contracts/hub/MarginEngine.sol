// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {MessageCodec} from "../libraries/MessageCodec.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {Guarded} from "../access/Guarded.sol";
import {MarginStorage} from "./MarginStorage.sol";
import {MarginEngineExt} from "./MarginEngineExt.sol";

/// @title MarginEngine
/// @notice See {IMarginEngine}. The hub's address for users, keepers and the messenger: it runs the hot paths
///         itself (deposit credit, lending, borrowing, withdrawals, liquidation and the views they share), and
///         every other function ({IMarginEngineAdmin}, {IPriceOracle}) by `delegatecall` to its extension
///         {MarginEngineExt}, in this contract's storage ({MarginStorage}). {IMarginHub} lists all of it.
/// @dev The split follows Compound III (`Comet` / `CometExt`): one storage, one address, one set of events and
///      errors (declared in the interfaces), and the engine's code stays well under the 24 KiB limit.
contract MarginEngine is IMarginEngine, MarginStorage {
    using SafeERC20 for IERC20;
    using MathLib for uint256;

    /// @notice Below this supply index the lenders lost (nearly) everything to bad debt: new supply is refused.
    uint256 public constant MIN_SUPPLY_INDEX = 1e12;

    /// @notice The extension that serves every function this contract does not have.
    address public immutable extension;

    /// @param ext The extension, deployed first with the same base token and messenger.
    /// @param rateModel Kinked rate model, per-second rates.
    /// @param reserveFactorBps Share of interest kept as reserves.
    /// @param liquidation Liquidation rules.
    /// @param minDebt_ Smallest debt an account may hold after borrowing, in base units.
    constructor(
        MarginEngineExt ext,
        InterestRateLib.RateModel memory rateModel,
        uint16 reserveFactorBps,
        LiquidationParams memory liquidation,
        uint96 minDebt_,
        address owner_,
        address guardian_
    ) MarginStorage(ext.baseToken(), ext.messenger()) Guarded(owner_, guardian_) {
        extension = address(ext);
        _pool = PoolState(uint96(WAD), uint96(WAD), uint40(block.timestamp), 0, false);
        // The setters and their checks live in the extension: run its initializer in this storage.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(ext).delegatecall(
            abi.encodeCall(MarginEngineExt.initialize, (rateModel, reserveFactorBps, liquidation, minDebt_))
        );
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }

    /// @notice Every function not defined here ({IMarginEngineAdmin}, {IPriceOracle}) runs in the extension, in
    ///         this contract's storage and with this contract's `msg.sender`. Not payable: no extension function is.
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        address ext = extension;
        // Not memory-safe, and it need not be: the call data and the return data overwrite memory from 0, and
        // this frame ends right after.
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
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
        // Review finding (zero-amount DEPOSIT): a credit of 0 would open a position that never closes. Refused: the
        // messenger stores the delivery as failed, nothing is credited or quarantined.
        if (amount == 0) revert ZeroAmount();

        MarketState storage state = _marketStates[srcChainId][asset];
        MarketState memory m = state;
        // Above the cap a deposit is still recorded, but quarantined: a forged or runaway credit (a compromised
        // bridge) cannot become borrowing power beyond the cap.
        if (m.creditCap != 0 && m.totalCredits + amount > m.creditCap) {
            uint256 room = m.totalCredits < m.creditCap ? m.creditCap - m.totalCredits : 0;
            uint256 excess = amount - room;
            _quarantine.byAccount[account][srcChainId][asset] += excess;
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
        // Review finding (supply index collapse): a pool whose lenders lost (nearly) everything takes no new money.
        if (pool.supplyIndex < MIN_SUPPLY_INDEX) revert PoolWipedOut(pool.supplyIndex);
        uint256 principal = amount.mulDivDown(WAD, pool.supplyIndex);
        if (principal == 0) revert ZeroAmount();

        _supplyPrincipal[onBehalf] += principal;
        _totals.supplyPrincipal = _toUint104(_totals.supplyPrincipal + principal);

        _pullBase(msg.sender, amount);
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
        uint256 floor = _config.minDebt;
        if (debt < floor) revert DebtBelowMinimum(debt, floor);

        uint256 cash = baseToken.balanceOf(address(this));
        if (amount > cash) revert InsufficientLiquidity(cash, amount);
        _requireHealthy(msg.sender, account.positions, debt);

        _accounts[msg.sender] = account;
        _recordBorrow(principal, amount);

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

        _pullBase(msg.sender, repaid);
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
            _requireHealthy(msg.sender, account.positions, debt);
        }

        messageId = messenger.sendWithRefund{value: msg.value}(
            chainId,
            MessageCodec.encodeRelease(recipient, asset, amount),
            msg.sender
        );
        emit CollateralWithdrawn(msg.sender, chainId, asset, amount, recipient, messageId);
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
        LiquidationQuote memory q = _liquidate(account, chainId, asset, repayAmount, minSeized, address(0));
        bytes32 messageId = messenger.sendOrRecord{value: msg.value}(
            chainId,
            MessageCodec.encodeRelease(recipient, asset, q.seized),
            msg.sender
        );
        emit Liquidated(account, msg.sender, chainId, asset, q.repaid, q.protocolFee, q.seized, recipient, messageId);
        return q.seized;
    }

    /// @inheritdoc IMarginEngine
    function liquidateToAccount(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized
    ) external nonReentrant returns (uint256) {
        LiquidationQuote memory q = _liquidate(account, chainId, asset, repayAmount, minSeized, msg.sender);
        emit Liquidated(account, msg.sender, chainId, asset, q.repaid, q.protocolFee, q.seized, msg.sender, 0);
        return q.seized;
    }

    /// @dev Quotes, seizes and repays: the collateral goes to `to`'s own credit on the hub, or (`to` zero) is debited
    ///      for the caller to release. Pulls the repayment and the protocol fee from the caller.
    function _liquidate(
        address account,
        uint64 chainId,
        address asset,
        uint256 repayAmount,
        uint256 minSeized,
        address to
    ) internal returns (LiquidationQuote memory q) {
        if (account == msg.sender) revert SelfLiquidation(account);
        PoolState memory pool = _accrue();

        Account memory acc = _accounts[account];
        q = _quoteLiquidation(account, acc, pool, chainId, asset, repayAmount);
        if (q.seized < minSeized) revert SeizeBelowMinimum(q.seized, minSeized);

        // Effects, all of them before any call out: the collateral (a pending withdrawal of the same credit was
        // debited already), the debt, and the bad debt if the account has no credit left at all.
        (, uint256 principal) = _repayAmounts(q.repaid, acc.debtPrincipal, pool.borrowIndex);
        // Kept on the hub, the credit only changes hands: the (chain, asset) total stays as it was.
        acc =
            to == address(0)
                ? _debitCollateral(account, chainId, asset, q.seized)
                : _moveCredit(account, to, chainId, asset, q.seized);
        acc.debtPrincipal -= uint104(principal);
        _accounts[account].debtPrincipal = acc.debtPrincipal;
        _totals.borrowPrincipal -= uint104(principal);
        // Review finding (1-unit deposit holds off write-off): quarantine does not hold it off. Quarantine never
        // counted toward borrowing; credited later, it is an ordinary credit of the (debt-free) account.
        if (acc.credits == 0 && acc.debtPrincipal != 0) {
            // Nothing left to seize can ever repay this debt: absorb it now, visibly.
            _absorbBadDebt(account, acc.debtPrincipal, pool, q.repaid + q.protocolFee);
        }

        // The protocol's share of the bonus is paid in base on top of the repayment and stays as reserves.
        _pullBase(msg.sender, q.repaid + q.protocolFee);
    }

    // ============================================================================================ INTERNALS

    /// @dev Adds `principal`, lent as `amount` of base, to the borrow total, and folds `amount` into the average index
    ///      at which the outstanding principal was lent (same slot, same write). Review finding (phantom reserves):
    ///      with it {IMarginEngineAdmin-withdrawableReserves} tells principal lent out from interest not yet paid.
    function _recordBorrow(uint256 principal, uint256 amount) internal {
        PoolTotals memory t = _totals;
        uint256 total = t.borrowPrincipal + principal;
        // Rounded down: the base lent out is never overstated, so reserves are never overstated either.
        uint256 lent = (uint256(t.borrowPrincipal) * t.nominalIndex) / NOMINAL_SCALE + amount;
        t.nominalIndex = SafeCast.toUint48((lent * NOMINAL_SCALE) / total);
        t.borrowPrincipal = _toUint104(total);
        _totals = t;
    }

    function _requireHealthy(address account, uint128 positions, uint256 debt) internal view {
        uint256 health = _healthOf(_valuate(account, positions, debt, false, NO_TARGET));
        if (health < WAD) revert NotHealthy(account, health);
    }

    // ============================================================================================ VIEWS

    /// @inheritdoc IMarginEngine
    function collateralOf(address account, uint64 chainId, address asset) external view returns (uint256) {
        return _collateral[account][chainId][asset];
    }

    /// @inheritdoc IMarginEngine
    function debtOf(address account) external view returns (uint256) {
        return _debtOf(account);
    }

    /// @inheritdoc IMarginEngine
    function healthFactor(address account) public view returns (uint256) {
        Account memory acc = _accounts[account];
        return _healthOf(_valuate(account, acc.positions, _debtOf(account), true, NO_TARGET));
    }

    /// @inheritdoc IMarginEngine
    function isLiquidatable(address account) external view returns (bool) {
        return healthFactor(account) < WAD;
    }

    /// @inheritdoc IMarginEngine
    function quoteRelease(uint64 chainId) external view returns (uint256) {
        return messenger.quote(chainId, MessageCodec.encodeRelease(address(this), address(this), type(uint256).max));
    }
}
