// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEvents} from "./IMarginEvents.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";

/// @title IMarginEngineAdmin
/// @notice Configuration and rarely used views of the hub, served at the margin engine's address by
///         `MarginEngineExt` (through the engine's fallback, in the engine's storage). Owner functions revert with
///         `OwnableUnauthorizedAccount(caller)` for anyone else.
interface IMarginEngineAdmin is IMarginEvents {
    // ----------------------------------------------------------------------------------------------- users

    /// @notice Makes the caller's credit on (`chainId`, `asset`) count toward its health. Only needed for a
    ///         credit received before the market was listed; every later first deposit does it automatically.
    function enterMarket(uint64 chainId, address asset) external;

    // ----------------------------------------------------------------------------------------------- views

    /// @notice Health under borrow factors (what borrowing and withdrawing need to keep ≥ 1e18).
    function borrowHealthFactor(address account) external view returns (uint256);

    /// @notice USD values (1e18) behind the health factor: collateral weighted by liquidation thresholds,
    ///         collateral weighted by borrow factors, and debt.
    function accountValues(
        address account
    ) external view returns (uint256 liquidationCollateral, uint256 borrowCollateral, uint256 debtValue);

    /// @notice Smallest debt an account may hold after borrowing, in base units.
    function minDebt() external view returns (uint256);

    /// @notice Lending balance of `lender` in base units, interest included (rounded down).
    function supplyBalanceOf(address lender) external view returns (uint256);

    /// @notice Total lent and total borrowed, in base units, interest included.
    function poolTotals() external view returns (uint256 totalSupply, uint256 totalBorrow);

    /// @notice Reserves: cash + borrows - lenders' claims. Negative only transiently, never after bad debt.
    function reserves() external view returns (int256);

    /// @notice Reserves the owner may withdraw now: {reserves}, but at most what the pool holds in cash beyond the
    ///         lenders' claims less the base actually lent out and not yet repaid. Interest not yet paid in cash (on
    ///         debt that may never be paid: phantom reserves) is never withdrawable; reserves are the first loss.
    function withdrawableReserves() external view returns (uint256);

    /// @notice Current borrow and supply rates per second (1e18-scaled) and utilisation.
    function rates() external view returns (uint256 borrowRate, uint256 supplyRate, uint256 utilization);

    /// @notice Pool indices and accrual state as stored.
    function poolState() external view returns (PoolState memory);

    /// @notice Listed markets the account holds, as a bitmap of market ids, and its debt principal.
    function accountState(address account) external view returns (Account memory);

    /// @notice Market `id` as the health loop sees it, and its configuration.
    function market(uint256 id) external view returns (Market memory, MarketConfig memory);

    /// @notice Market id + 1 of (`chainId`, `asset`) (0 = unlisted) and everything credited on it.
    function marketState(uint64 chainId, address asset) external view returns (MarketState memory);

    /// @notice `account`'s deposits on (`chainId`, `asset`) above the credit cap, awaiting review.
    function quarantined(address account, uint64 chainId, address asset) external view returns (uint256);

    /// @notice Everything quarantined on (`chainId`, `asset`).
    function totalQuarantined(uint64 chainId, address asset) external view returns (uint256);

    /// @notice The rate model (per-second rates) and the liquidation rules.
    function parameters() external view returns (InterestRateLib.RateModel memory, LiquidationParams memory);

    // ----------------------------------------------------------------------------------------------- admin

    /// @notice Lists (`chainId`, `asset`) as collateral. Only the owner. Its feed must be set ({setFeed}) and
    ///         give a usable price already.
    /// @dev Reverts with {UnitAboveMinDebt} when one raw unit of the asset is worth more than the minimum debt (a
    ///      liquidation could not seize a part of a minimal position).
    function listMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps
    ) external;

    /// @notice Updates the risk parameters of a listed market. Only the owner.
    /// @dev Accounts credited while the market was unlisted enter it with {enterMarket}.
    function configureMarket(
        uint64 chainId,
        address asset,
        uint16 borrowFactorBps,
        uint16 liquidationThresholdBps,
        uint16 liquidationBonusBps,
        bool frozen
    ) external;

    /// @notice Sets the credit cap of (`chainId`, `asset`), listed or not: deposits beyond it are quarantined
    ///         (0: no cap). Only the owner. Existing credits are never touched.
    function setCreditCap(uint64 chainId, address asset, uint112 cap) external;

    /// @notice Ends the quarantine of `amount` of `account`'s deposits on (`chainId`, `asset`) after review: credits
    ///         it (`credit`, for a genuine deposit; the cap does not apply) or discards it (a forgery: no tokens
    ///         back it in the vault). Only the owner.
    function releaseQuarantine(address account, uint64 chainId, address asset, uint256 amount, bool credit) external;

    /// @notice Sets the latency haircut of `chainId`: collateral there counts `haircutBps` less, in borrowing
    ///         and in liquidation, because its release is slower or riskier. Only the owner.
    function setLatencyHaircut(uint64 chainId, uint16 haircutBps) external;

    /// @notice Pauses or resumes new borrowing. The guardian may pause; only the owner resumes. Repay,
    ///         withdrawals and liquidations are never paused.
    function setBorrowPaused(bool paused) external;

    /// @notice Sets the rate model (accrues first). Only the owner.
    function setRateModel(InterestRateLib.RateModel calldata model) external;

    /// @notice Sets the share of interest kept as reserves (accrues first). Only the owner.
    function setReserveFactor(uint16 reserveFactorBps) external;

    /// @notice Sets the liquidation rules. Only the owner.
    function setLiquidationParams(LiquidationParams calldata params) external;

    /// @notice Sets the smallest debt an account may hold after borrowing. Only the owner.
    function setMinDebt(uint96 newMinDebt) external;

    /// @notice Sends `amount` of reserves (cash the lenders do not own) to `to`, at most {withdrawableReserves}.
    ///         Only the owner.
    function withdrawReserves(uint256 amount, address to) external;
}
