/**
 * xmargin SDK: connect to a deployment from its record, deposit and withdraw collateral across chains with the
 * messaging fees, borrow, repay, lend, read positions across chains, follow messages end to end, run owner
 * operations (directly or through a timelock), decode contract errors.
 *
 *   import { connect, deposit, getPosition } from "xmargin/sdk";
 *   const xm = await connect("deployments/sepolia.json", { privateKey, rpc: { sepolia: URL, ... } });
 */
export { connect, readDeployment, checkDeployment, XMargin } from "./connect";
export type { ConnectOptions, ChainClient, HubClient, TokenInfo, DeploymentRecord, PerChain } from "./connect";
export {
  quoteDeposit,
  deposit,
  quoteRelease,
  withdrawCollateral,
  borrow,
  repay,
  supply,
  withdrawSupply,
  ensureAllowance,
  toRaw,
  withGasMargin,
} from "./actions";
export type { Amount, Sent, DepositQuote, DepositResult, WithdrawResult, BaseResult } from "./actions";
export {
  previewLiquidation,
  liquidate,
  liquidateToAccount,
  previewAbsorb,
  absorb,
  quoteBuyCollateral,
  buyCollateral,
} from "./liquidation";
export type {
  LiquidationPreview,
  LiquidationOutcome,
  AbsorbPreview,
  AbsorbOutcome,
  BuyQuote,
  BuyOutcome,
} from "./liquidation";
export { getPosition } from "./position";
export type { Position, Credit } from "./position";
export { trackMessage, waitForMessage, pendingMessages } from "./messages";
export type { MessageTrack, MessageStatus, AdapterState, PendingMessage } from "./messages";
export {
  execute,
  executeAll,
  planMarket,
  planRoute,
  planCap,
  planPause,
  setMockPrice,
  assertDevnet,
  tokenContract,
  DEVNET_CHAIN_IDS,
} from "./admin";
export type { OwnerCall, AdminOutcome, PauseTarget } from "./admin";
export { parseAmount, formatAmount, formatWad, formatUsd } from "./amounts";
export {
  decodeError,
  decodeErrorData,
  describeError,
  errorInterface,
  revertDataOf,
  explain,
  XMarginError,
} from "./errors";
export type { DecodedError } from "./errors";
export { decodeEnvelope, decodeAppMessage, envelopeId } from "./codec";
export type { Envelope, AppMessage } from "./codec";
export * as contracts from "./contracts";
