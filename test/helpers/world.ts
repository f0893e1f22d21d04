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
  resetRelayer,
  signer,
  snapshotWorld,
  spoke,
} from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";

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
    await world.relayer.flush();
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
