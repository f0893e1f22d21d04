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
import { forkMode } from "../../scripts/lib/fork";
import { MockERC20__factory, MockPriceFeed__factory } from "../../typechain-types";

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
  beforeEach(async () => {
    await revert!();
    revert = await snapshotWorld(world!);
    await resetRelayer(world!);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "passed") await assertSolvent(world!);
  });
  return handle;
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

/**
 * Skips the current test when the worlds are forks (`npm run test:fork`): for tests that need something only the
 * in-process harness has. `reason` is printed and listed in docs/testing.md ("Fork mode").
 */
export function skipOnFork(ctx: Mocha.Context, reason: string): void {
  if (!forkMode()) return;
  if (ctx.test) ctx.test.title += ` (skipped on forks: ${reason})`;
  ctx.skip();
}
