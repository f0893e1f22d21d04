/**
 * The one module of the SDK that names typechain types and factories of the hub (engine, lens, price feeds),
 * the messengers, vaults, adapters and the timelock. Every other SDK module goes through the bindings below, so
 * a change of the contracts' shape (an engine split into engine + extension behind one interface, feeds
 * configured at the engine address) is adapted here only.
 */
import type { ContractRunner } from "ethers";
import {
  CollateralVault__factory,
  IBridgeAdapter__factory,
  IERC20Metadata__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  MarginLens__factory,
  Messenger__factory,
  MockPriceFeed__factory,
  TimelockController__factory,
  type CollateralVault,
  type IBridgeAdapter,
  type IERC20Metadata,
  type LocalAdapter,
  type IMarginHub,
  type MarginLens,
  type Messenger,
  type MockPriceFeed,
  type TimelockController,
} from "../typechain-types";
import type { ChainDeploymentRecord } from "../deploy/types";
import { HUB_ROLES } from "../deploy/hub";

export type Engine = IMarginHub;
export type Lens = MarginLens;
/** The address that holds the price feeds (`feedOf`, `setFeed`, ...): the engine itself (its extension serves them). */
export type Feeds = IMarginHub;
export type {
  CollateralVault as Vault,
  IBridgeAdapter as BridgeAdapter,
  IERC20Metadata as Token,
  LocalAdapter,
  Messenger,
  MockPriceFeed as PriceFeed,
  TimelockController as Timelock,
};

/** Record key of the contract holding the price feeds on the hub (deploy/hub.ts decides). */
export const FEEDS_ROLE: string = HUB_ROLES.feeds;

/** Contract bindings of the hub. */
export interface HubContracts {
  engine: IMarginHub;
  lens: MarginLens;
  feeds: IMarginHub;
  messenger: Messenger;
}

function addressOf(record: ChainDeploymentRecord, role: string): string {
  const c = record.contracts[role];
  if (!c) throw new Error(`${record.network}: the deployment record has no "${role}" contract`);
  return c.address;
}

export function hubContracts(record: ChainDeploymentRecord, runner: ContractRunner): HubContracts {
  return {
    engine: IMarginHub__factory.connect(addressOf(record, "engine"), runner),
    lens: MarginLens__factory.connect(addressOf(record, "lens"), runner),
    feeds: IMarginHub__factory.connect(addressOf(record, FEEDS_ROLE), runner),
    messenger: Messenger__factory.connect(addressOf(record, "messenger"), runner),
  };
}

export function messengerAt(record: ChainDeploymentRecord, runner: ContractRunner): Messenger {
  return Messenger__factory.connect(addressOf(record, "messenger"), runner);
}

export function vaultAt(record: ChainDeploymentRecord, runner: ContractRunner): CollateralVault {
  return CollateralVault__factory.connect(addressOf(record, "vault"), runner);
}

export function tokenAt(address: string, runner: ContractRunner): IERC20Metadata {
  return IERC20Metadata__factory.connect(address, runner);
}

export function localAdapterAt(address: string, runner: ContractRunner): LocalAdapter {
  return LocalAdapter__factory.connect(address, runner);
}

export function bridgeAdapterAt(address: string, runner: ContractRunner): IBridgeAdapter {
  return IBridgeAdapter__factory.connect(address, runner);
}

export function priceFeedAt(address: string, runner: ContractRunner): MockPriceFeed {
  return MockPriceFeed__factory.connect(address, runner);
}

export function timelockAt(address: string, runner: ContractRunner): TimelockController {
  return TimelockController__factory.connect(address, runner);
}
