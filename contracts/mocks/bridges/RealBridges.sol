// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// The bridges' real contracts, compiled here so that the deploy rehearsal can install them at the address book's
// addresses (scripts/lib/realBridges.ts). LayerZero's EndpointV2, ULN302 libraries, DVN, Executor, fee libraries and
// price feed are installed from the bytecode LayerZero publishes in its npm packages, so they are not listed here.
// - Chainlink CCIP: the 1.6 Router and RMNRemote (the curse check the router asks); the OnRamp is
//   {CCIPOnRampHarness} (the real 1.6 OnRamp needs a FeeQuoter, NonceManager and token registry with their price
//   reports). WETH9 is the router's wrapped native.
// - Hyperlane: the real Mailbox, InterchainGasPaymaster with a StorageGasOracle, MerkleTreeHook (the required
//   hook), and TestIsm (the default ISM the rehearsal's relayer delivers under; see docs/bridges-and-security.md).
/* solhint-disable no-unused-import */
import {Router} from "@chainlink/contracts-ccip/contracts/Router.sol";
import {RMNRemote} from "@chainlink/contracts-ccip/contracts/rmn/RMNRemote.sol";
import {WETH9} from "@chainlink/local/src/shared/WETH9.sol";
import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {InterchainGasPaymaster} from "@hyperlane-xyz/core/contracts/hooks/igp/InterchainGasPaymaster.sol";
import {StorageGasOracle} from "@hyperlane-xyz/core/contracts/hooks/igp/StorageGasOracle.sol";
import {MerkleTreeHook} from "@hyperlane-xyz/core/contracts/hooks/MerkleTreeHook.sol";
