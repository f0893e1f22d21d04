// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginHub} from "../interfaces/IMarginHub.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";

/// @title MarginLens
/// @notice Batched read-only views over the margin engine for keepers and UIs: many accounts per call. A bad
///         price never makes a whole batch revert; the affected account is flagged instead.
contract MarginLens {
    /// @notice One account's state.
    /// @param health Liquidation health (1e18 = line; max when no debt); 0 if `priceError`.
    /// @param borrowHealth Health under borrow factors; 0 if `priceError`.
    /// @param liquidatable Health below 1e18 (false if `priceError`).
    /// @param priceError A price the account depends on is missing, stale or invalid.
    struct AccountView {
        address account;
        uint256 debt;
        uint256 health;
        uint256 borrowHealth;
        bool liquidatable;
        bool priceError;
    }

    /// @notice One collateral position.
    struct Position {
        uint8 marketId;
        uint64 chainId;
        address asset;
        uint256 amount;
    }

    IMarginHub public immutable engine;

    constructor(IMarginHub engine_) {
        engine = engine_;
    }

    /// @notice Debt and health of each of `accounts`.
    function accounts(address[] calldata accountList) external view returns (AccountView[] memory views) {
        views = new AccountView[](accountList.length);
        for (uint256 i; i < accountList.length; ++i) views[i] = accountView(accountList[i]);
    }

    /// @notice The accounts among `accountList` that can be liquidated now.
    function liquidatable(address[] calldata accountList) external view returns (address[] memory found) {
        found = new address[](accountList.length);
        uint256 n;
        for (uint256 i; i < accountList.length; ++i) {
            if (accountView(accountList[i]).liquidatable) found[n++] = accountList[i];
        }
        assembly ("memory-safe") {
            mstore(found, n)
        }
    }

    /// @notice Debt and health of `account`.
    function accountView(address account) public view returns (AccountView memory v) {
        v.account = account;
        v.debt = engine.debtOf(account);
        try engine.healthFactor(account) returns (uint256 health) {
            v.health = health;
            v.liquidatable = health < 1e18;
            v.borrowHealth = engine.borrowHealthFactor(account);
        } catch {
            v.priceError = true;
        }
    }

    /// @notice Listed collateral positions of `account` (the markets of its bitmap).
    function positions(address account) external view returns (Position[] memory list) {
        uint128 mask = engine.accountState(account).positions;
        list = new Position[](_popCount(mask));
        uint256 n;
        for (uint256 id; mask != 0; ++id) {
            if (mask & 1 != 0) {
                (IMarginEngine.Market memory m, ) = engine.market(id);
                list[n++] = Position(uint8(id), m.chainId, m.asset, engine.collateralOf(account, m.chainId, m.asset));
            }
            mask >>= 1;
        }
    }

    function _popCount(uint256 x) private pure returns (uint256 count) {
        for (; x != 0; ++count) x &= x - 1;
    }
}
