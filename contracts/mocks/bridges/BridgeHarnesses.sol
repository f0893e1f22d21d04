// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// The bridges' own local harnesses, compiled here so that tests can deploy them:
// - LayerZero: the EndpointV2 port from test-devtools-evm-foundry (real verification, nonce and replay rules,
//   receiver reverts visible), driven by {TestLzMessageLib}.
// - Chainlink CCIP: MockCCIPRouter (`routeMessage` executes a message as the OffRamp would).
// - Hyperlane: MockMailbox (a real Mailbox with a test ISM and hook) and TestIsm.
/* solhint-disable no-unused-import */
import {EndpointV2Mock} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/EndpointV2Mock.sol";
import {MockCCIPRouter} from "@chainlink/contracts-ccip/contracts/test/mocks/MockRouter.sol";
import {MockMailbox} from "@hyperlane-xyz/core/contracts/mock/MockMailbox.sol";
import {TestIsm} from "@hyperlane-xyz/core/contracts/test/TestIsm.sol";
import {TestPostDispatchHook} from "@hyperlane-xyz/core/contracts/test/TestPostDispatchHook.sol";
