/**
 * Mocha glue for multi-chain tests: one world (hub + source chains) per file, every chain reverted to the
 * same snapshot before each test, and the solvency invariant checked on every (chain, asset) after each test.
 */
import hre from "hardhat";
import { MaxUint256, parseUnits } from "ethers";
import {
  World,
  WorldOptions,
  assertSolvent,
  createWorld,
  flushAll,
  resetRelayer,
  signer,
  snapshotWorld,
  spoke,
} from "../../scripts/lib/world";
import { listCollateral, send } from "../../deploy/orchestrator";
import { deal, forkMode } from "../../scripts/lib/fork";
import { MockERC20__factory, MockPriceFeed__factory, type MockERC20 } from "../../typechain-types";
import type { Chain } from "../../scripts/lib/chain";

export interface WorldHandle {
  /** The world of the current test. */
  readonly w: World;
}

/**
 * Sets up a world for the enclosing `describe`. `setup` runs once, before the snapshot every test starts from.
 */
export function useWorld(setup?: (w: World) => Promise<void>, options: WorldOptions = {}): WorldHandle {
  let world: World | undefined;
  let revert: (() => Promise<void>) | undefined;
  const handle = {
    get w(): World {
      if (!world) throw new Error("world not ready");
      return world;
    },
  };
  before(async function () {
    this.timeout(120_000);
    world = await createWorld(hre, options);
    if (setup) await setup(world);
    await flushAll(world);
    revert = await snapshotWorld(world);
  });
  beforeEach(async function () {
    const skip = forkSkipReason(this.currentTest?.fullTitle() ?? "");
    if (skip) {
      this.currentTest!.title += ` (skipped on forks: ${skip})`;
      this.skip();
    }
    await revert!();
    revert = await snapshotWorld(world!);
    await resetRelayer(world!);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "passed") await assertSolvent(world!);
  });
  return handle;
}

/**
 * Gives `to` `amount` more of a world token on `chain`: minted in-process, written into the token's balance on forks
 * (where the token can be the network's real one, which mints to nobody).
 */
export async function give(chain: Chain, token: MockERC20, to: string, amount: bigint): Promise<void> {
  if (!forkMode()) return void (await send(token.mint(to, amount)));
  await deal(chain, await token.getAddress(), to, (await token.balanceOf(to)) + amount);
}

/** Lender supplies 1,000,000 USDC on the hub. */
export async function supplyLiquidity(w: World, amount = parseUnits("1000000", 6)): Promise<void> {
  const lender = signer(w.hub.chain, "lender");
  await send(w.hub.base.connect(lender).approve(await w.hub.deployment.engine.getAddress(), MaxUint256));
  await send(w.hub.deployment.engine.connect(lender).supplyBase(amount, lender.address));
}

export function asset(w: World, spokeName: string, symbol: string): Promise<string> {
  return spoke(w, spokeName).tokens[symbol].getAddress();
}

/**
 * Lists an extra token deployed on `spokeName` under `symbol` (vault allow-list, hub feed at `priceUsd`, market
 * with generic risk parameters), adds it to the world's tokens (so the solvency check covers it) and mints
 * 1,000,000 of it to alice and bob there. Any token with `mint(address,uint256)` and `balanceOf`.
 */
export async function listExtraToken(
  w: World,
  spokeName: string,
  symbol: string,
  address: string,
  decimals: number,
  priceUsd: bigint,
) {
  const s = spoke(w, spokeName);
  const hubDeployer = signer(w.hub.chain, "deployer");
  const feed = await new MockPriceFeed__factory(hubDeployer).deploy(8, priceUsd * 10n ** 8n, "extra / USD");
  await listCollateral(w.hub.deployment, {
    spoke: s.deployment,
    token: address,
    tokenDecimals: decimals,
    feed: await feed.getAddress(),
    heartbeat: 3600,
    borrowFactorBps: 7000,
    liquidationThresholdBps: 7500,
    liquidationBonusBps: 500,
  });
  const token = MockERC20__factory.connect(address, signer(s.chain, "deployer"));
  s.tokens[symbol] = token;
  for (const who of ["alice", "bob"] as const) {
    await send(token.mint(signer(s.chain, who).address, 1_000_000n * 10n ** BigInt(decimals)));
  }
}

/** Everything a user or the protocol could observe about balances, as plain strings, for comparing runs. */
export async function observableState(w: World): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  const actors = ["alice", "bob", "carol", "dave", "liquidator"] as const;
  const engine = w.hub.deployment.engine;
  for (const s of w.spokes) {
    const vault = await s.deployment.vault.getAddress();
    for (const [symbol, token] of Object.entries(s.tokens)) {
      const address = await token.getAddress();
      state[`${s.chain.name}.${symbol}.locked`] = (await s.deployment.vault.totalLocked(address)).toString();
      state[`${s.chain.name}.${symbol}.vaultBalance`] = (await token.balanceOf(vault)).toString();
      state[`hub.${s.chain.name}.${symbol}.credits`] = (
        await engine.marketState(s.chain.chainId, address)
      ).totalCredits.toString();
      for (const a of actors) {
        const who = signer(s.chain, a).address;
        state[`${s.chain.name}.${symbol}.${a}`] = (await token.balanceOf(who)).toString();
        state[`hub.${s.chain.name}.${symbol}.${a}`] = (
          await engine.collateralOf(who, s.chain.chainId, address)
        ).toString();
      }
    }
  }
  return state;
}

/** Why a test of the fork suites is skipped on forks, by a part of its full title (docs/testing.md, "Fork mode"). */
export const FORK_SKIPS: Record<string, string> = {
  "the hub sees the same asset address on two chains as two markets":
    "needs one token address on two chains (an in-process twin); on forks alpha's WETH is Arbitrum Sepolia's",
  "(1-of-1 routes) carries the whole loop":
    "asserts the harness's fee switch (FEE); the real bridges price their own fee",
  "(1-of-1 routes) the deposit fee is quoted per bridge":
    "asserts the harness's fee switch (FEE); the real bridges price their own fee",
  "(1-of-1 routes) an envelope its app rejects is delivered":
    "pays the harness's FEE to an app that cannot take the refund of a lower real fee",
  "(1-of-1 routes) rejects a message from a sender that is not the trusted peer":
    "delivers through the harness directly (mock library, router, mailbox)",
  "(1-of-1 routes) the new owner becomes the OApp's delegate": "reads the mock endpoint's delegates",
  "hyperlane adapter, over the bridge's own harness (1-of-1 routes) a delivery that runs out of gas":
    "the real relayer adds the real Mailbox's own 150k overhead to the gas override: 40k does not starve the app",
  "a liquidation whose RELEASE the lane cannot take": "switches the mock CCIP router's fee",
  "is re-sent over it, same id, delivered once": "resends without a fee: the harness charges none, the real bridges do",
  "a held envelope dropped by invalidation is re-issued":
    "re-issues without a fee: the harness charges none, the real bridges do",
  "finding 'reinstating a suspended adapter'": "forges through the mock CCIP router",
  "with LayerZero and CCIP unable to take the RELEASE":
    "pauses the mock LayerZero library and switches the mock router's fee",
  "with a cursed lane": "curses the lane by pausing the mock LayerZero library and removing the mock CCIP remote",
  "one compromised transport (CCIP executing a forgery": "forges through the mock CCIP router (a compromised OffRamp)",
  "two compromised transports reach k": "forges through the mock CCIP router (a compromised OffRamp)",
};

/** The reason `fullTitle` is skipped on forks, if it is. */
export function forkSkipReason(fullTitle: string): string | undefined {
  if (!forkMode()) return undefined;
  return Object.entries(FORK_SKIPS).find(([part]) => fullTitle.includes(part))?.[1];
}
