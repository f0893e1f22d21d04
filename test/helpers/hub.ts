/**
 * Hub-only fixture on Hardhat's default chain: the hub contracts with routes to two simulated source chains.
 * A source chain here is a set of addresses (its messenger, LocalAdapter, vault, assets): DEPOSIT envelopes are
 * crafted and delivered through the hub's LocalAdapter exactly as the relayer would, so unit tests exercise the
 * real inbound path without running the other chains.
 */
import hre from "hardhat";
import { MaxUint256, Wallet, parseUnits, type Signer } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DEFAULT_RATE_MODEL, HubDeployment, deployHub, send } from "../../deploy/orchestrator";
import {
  DEPOSIT,
  encodeEnvelope,
  encodeMessage,
  envelopeId,
  decodeEnvelope,
  decodeMessage,
} from "../../scripts/lib/codec";
import {
  FeeOnTransferERC20__factory,
  MockERC20,
  MockERC20__factory,
  MockPriceFeed,
  MockPriceFeed__factory,
} from "../../typechain-types";

export const HUB = 31337n;
export const ALPHA = 31338n;
export const BETA = 31339n;

/** A simulated source chain. `nonce` only grows, across fixture reverts too: every envelope gets a fresh one. */
export interface FakeSpoke {
  chainId: bigint;
  messenger: string;
  adapter: string;
  vault: string;
  nonce: bigint;
}

export interface Asset {
  chainId: bigint;
  address: string;
  decimals: number;
  feed: MockPriceFeed;
}

export interface HubFixture {
  hub: HubDeployment;
  base: MockERC20;
  baseFeed: MockPriceFeed;
  spokes: Record<string, FakeSpoke>;
  assets: Record<string, Asset>;
  owner: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  lender: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  other: HardhatEthersSigner;
}

/** Target health 1.05; full bonus at health 0.9 and below, 2% just under 1; buyers of absorbed collateral get half
 *  the bonus cap; $5 per absorbed account. */
export const DEFAULT_LIQUIDATION = {
  targetHealth: parseUnits("1.05", 18),
  maxBonusHealth: parseUnits("0.9", 18),
  minBonusBps: 200,
  protocolShareBps: 1000,
  storeFrontShareBps: 5000,
  absorbReward: parseUnits("5", 6),
};
export const MIN_DEBT = parseUnits("10", 6);

/** The bonus of DEFAULT_LIQUIDATION at `health`: the market's cap at 0.9 and below, 2% just below 1, linear between. */
export function rampBonus(health: bigint, capBps: bigint): bigint {
  const WAD = 10n ** 18n;
  const floor = capBps < 200n ? capBps : 200n;
  const full = DEFAULT_LIQUIDATION.maxBonusHealth;
  if (health <= full) return capBps;
  return floor + ((capBps - floor) * (WAD - health)) / (WAD - full);
}

function fakeAddress(): string {
  return Wallet.createRandom().address;
}

export async function deployFeed(deployer: Signer, answer: bigint, decimals = 8): Promise<MockPriceFeed> {
  const feed = await new MockPriceFeed__factory(deployer).deploy(decimals, answer, "feed");
  await feed.waitForDeployment();
  return feed;
}

/** Variants of the hub fixture's base asset (defaults: 6 decimals, no transfer fee). */
export interface HubFixtureOptions {
  baseDecimals?: number;
  /** Non-zero: the base token burns this share of every transfer ({FeeOnTransferERC20}). */
  baseFeeBps?: number;
}

/** Deploys the hub with WETH (18) on alpha, WBTC (8) and USDC.b (6) on beta, all listed. */
export async function hubFixture(options: HubFixtureOptions = {}): Promise<HubFixture> {
  const [owner, guardian, relayer, lender, alice, bob, liquidator, other] = await hre.ethers.getSigners();
  const baseDecimals = options.baseDecimals ?? 6;
  const base: MockERC20 = options.baseFeeBps
    ? await new FeeOnTransferERC20__factory(owner).deploy("USD Coin", "USDC", baseDecimals, options.baseFeeBps)
    : await new MockERC20__factory(owner).deploy("USD Coin", "USDC", baseDecimals);
  const baseFeed = await deployFeed(owner, 10n ** 8n);
  const hub = await deployHub(owner, {
    baseToken: await base.getAddress(),
    guardian: guardian.address,
    rateModel: DEFAULT_RATE_MODEL,
    reserveFactorBps: 1000,
    liquidation: DEFAULT_LIQUIDATION,
    minDebt: parseUnits("10", baseDecimals),
  });
  await send(hub.engine.setFeed(HUB, await base.getAddress(), await baseFeed.getAddress(), 86400, baseDecimals));
  await send(hub.adapter.setRelayer(relayer.address, true));

  const spokes: Record<string, FakeSpoke> = {};
  for (const [name, chainId] of [
    ["alpha", ALPHA],
    ["beta", BETA],
  ] as const) {
    const spoke = { chainId, messenger: fakeAddress(), adapter: fakeAddress(), vault: fakeAddress(), nonce: 0n };
    await send(hub.adapter.setRemoteAdapter(chainId, spoke.adapter));
    await send(hub.messenger.setRoute(chainId, spoke.messenger, [await hub.adapter.getAddress()], 1));
    await send(hub.messenger.setPeerApp(await hub.engine.getAddress(), chainId, spoke.vault));
    spokes[name] = spoke;
  }

  const assets: Record<string, Asset> = {};
  const listings = [
    ["WETH", ALPHA, 18, 3000n, 8000, 8500, 500],
    ["WBTC", BETA, 8, 60000n, 7500, 8000, 700],
    ["USDC.b", BETA, 6, 1n, 8500, 9000, 400],
  ] as const;
  for (const [symbol, chainId, decimals, price, bf, lt, bonus] of listings) {
    const feed = await deployFeed(owner, price * 10n ** 8n);
    const address = fakeAddress();
    await send(hub.engine.setFeed(chainId, address, await feed.getAddress(), 3600, decimals));
    await send(hub.engine.listMarket(chainId, address, bf, lt, bonus));
    assets[symbol] = { chainId, address, decimals, feed };
  }

  await send(base.mint(lender.address, parseUnits("10000000", baseDecimals)));
  await send(base.mint(liquidator.address, parseUnits("10000000", baseDecimals)));
  await send(base.mint(alice.address, parseUnits("1000", baseDecimals)));
  await send(base.mint(bob.address, parseUnits("1000", baseDecimals)));
  const engine = await hub.engine.getAddress();
  for (const s of [lender, liquidator, alice, bob]) await send(base.connect(s).approve(engine, MaxUint256));
  return { hub, base, baseFeed, spokes, assets, owner, guardian, relayer, lender, alice, bob, liquidator, other };
}

/** Builds the next DEPOSIT envelope from `spoke` for `account`. */
export function depositEnvelope(
  f: HubFixture,
  spoke: FakeSpoke,
  account: string,
  asset: string,
  amount: bigint,
  engine: string,
) {
  const envelope = encodeEnvelope({
    nonce: spoke.nonce++,
    srcChainId: spoke.chainId,
    dstChainId: HUB,
    srcMessenger: spoke.messenger,
    sender: spoke.vault,
    receiver: engine,
    payload: encodeMessage({ kind: DEPOSIT, who: account, asset, amount }),
  });
  return { envelope, id: envelopeId(envelope) };
}

/** Delivers a DEPOSIT of `amount` of `symbol` for `account` through the hub's LocalAdapter, as the relayer would. */
export async function credit(f: HubFixture, account: string, symbol: string, amount: bigint) {
  const asset = f.assets[symbol];
  const spoke = Object.values(f.spokes).find((s) => s.chainId === asset.chainId)!;
  return creditRaw(f, spoke, account, asset.address, amount);
}

export async function creditRaw(f: HubFixture, spoke: FakeSpoke, account: string, asset: string, amount: bigint) {
  const nonce = spoke.nonce;
  const { envelope, id } = depositEnvelope(f, spoke, account, asset, amount, await f.hub.engine.getAddress());
  const tx = await f.hub.adapter.connect(f.relayer).deliver(spoke.chainId, spoke.adapter, spoke.messenger, envelope);
  return { tx, id, envelope, nonce };
}

/** RELEASE messages the hub has sent (from its LocalAdapter's events), decoded. */
export async function sentReleases(f: HubFixture) {
  const events = await f.hub.adapter.queryFilter(f.hub.adapter.filters.RelayRequested());
  return events.map((ev) => {
    const envelope = decodeEnvelope(ev.args.envelope);
    return { dstChainId: ev.args.dstChainId, envelope, message: decodeMessage(envelope.payload) };
  });
}

/** Whole tokens of an asset in raw units. */
export function units(asset: Asset, amount: string): bigint {
  return parseUnits(amount, asset.decimals);
}

export const usdc = (amount: string) => parseUnits(amount, 6);
