// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice A rebasing token (like stETH or AMPL): holders own shares, balances are shares times an index that
///         anyone can move (a negative rebase shrinks every balance). Transfers move the shares worth `value`,
///         rounded up against the sender.
contract RebasingERC20 is IERC20 {
    uint256 internal constant ONE = 1e18;

    string public name;
    string public symbol;
    uint8 public immutable decimals;
    /// @notice Balance per share, scaled by 1e18.
    uint256 public index = ONE;
    uint256 internal _totalShares;
    mapping(address => uint256) public sharesOf;
    mapping(address => mapping(address => uint256)) public allowance;

    error InsufficientBalance(address from, uint256 shares, uint256 needed);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    /// @notice Sets the index: every balance becomes shares * newIndex / 1e18 (below 1e18 = a negative rebase).
    function rebase(uint256 newIndex) external {
        index = newIndex;
    }

    function mint(address to, uint256 value) external {
        uint256 shares = _toShares(value);
        sharesOf[to] += shares;
        _totalShares += shares;
        emit Transfer(address(0), to, value);
    }

    function totalSupply() external view returns (uint256) {
        return (_totalShares * index) / ONE;
    }

    function balanceOf(address account) public view returns (uint256) {
        return (sharesOf[account] * index) / ONE;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) internal {
        uint256 shares = _toShares(value);
        uint256 have = sharesOf[from];
        if (have < shares) revert InsufficientBalance(from, have, shares);
        sharesOf[from] = have - shares;
        sharesOf[to] += shares;
        emit Transfer(from, to, value);
    }

    function _toShares(uint256 value) internal view returns (uint256) {
        return (value * ONE + index - 1) / index;
    }
}
