// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A test double that makes arbitrary calls on purpose.
// solhint-disable avoid-low-level-calls

/// @notice An account that acts through `execute` and refuses every ETH transfer to it (no receive, no
///         fallback): to test that a refund to it fails loudly instead of being lost.
contract EtherRejecter {
    error CallFailed(bytes reason);

    function execute(address to, uint256 value, bytes calldata callData) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = to.call{value: value}(callData);
        if (!ok) revert CallFailed(result);
        return result;
    }
}
