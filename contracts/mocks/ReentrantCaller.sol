// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A test double that makes arbitrary calls on purpose.
// solhint-disable avoid-low-level-calls, no-complex-fallback

/// @notice An account that acts through `execute` and, the next time it receives ETH (a refund), makes one
///         armed call: to test that a callback in the middle of a protocol call cannot act on half-done state.
contract ReentrantCaller {
    address public callee;
    bytes public data;
    bool public armed;
    bool public lastOk;
    bytes public lastResult;

    error CallFailed(bytes reason);

    function arm(address callee_, bytes calldata data_) external {
        (callee, data, armed) = (callee_, data_, true);
    }

    function execute(address to, uint256 value, bytes calldata callData) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = to.call{value: value}(callData);
        if (!ok) revert CallFailed(result);
        return result;
    }

    receive() external payable {
        if (!armed) return;
        armed = false;
        (lastOk, lastResult) = callee.call(data);
    }
}
