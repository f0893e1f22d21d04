/**
 * Invariant fuzzing over three in-process chains: random sequences of deposits, borrows, repays, withdrawals,
 * lender supply and withdrawal, price moves and crashes, time jumps, liquidations (released, or kept on the hub with
 * liquidateToAccount), the protocol taking accounts over (absorb) and selling them (buyCollateral), bad-debt write-offs
 * by anyone (absorbBadDebt) and relayer behaviour (deliver in any order, a subset, hold and release later, duplicate), with the
 * named invariants of checks.ts after every step and once more after delivering everything at the end of each
 * sequence.
 *
 *   FUZZ_RUNS (default 20)   sequences per run
 *   FUZZ_STEPS (default 25)  largest number of actions per sequence
 *   FUZZ_SEED                fast-check seed (default: random, printed)
 *   FUZZ_PATH                replay one shrunk counterexample directly (printed on failure, with the seed)
 *   FUZZ_ACTIONS             replay one sequence given as JSON (the printed shrunk sequence)
 *   FUZZ_VERBOSE=1           print every step
 *
 * `npm run fuzz` is the long run. A failure prints the seed, the command that reproduces it and the shrunk
 * sequence with what every step did.
 */
import hre from "hardhat";
import fc from "fast-check";
import { createWorld, flushAll, resetRelayer, snapshotWorld, type World } from "../../scripts/lib/world";
import {
  ActionFailure,
  type Action,
  actionArb,
  describeAction,
  isGuardianAction,
  newRunState,
  perform,
  prepare,
  settle,
} from "./actions";
import { FINAL_INVARIANTS, STEP_INVARIANTS, checkAll, tokenBalances } from "./checks";

const RUNS = envInt("FUZZ_RUNS", 20);
const STEPS = envInt("FUZZ_STEPS", 25);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const PATH = process.env.FUZZ_PATH;
const VERBOSE = process.env.FUZZ_VERBOSE === "1";

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** Thrown with the whole trace of the failing sequence, so the shrunk counterexample explains itself. */
class InvariantViolation extends Error {
  /** Number of actions of the sequence that ran (the rest never did). */
  constructor(
    message: string,
    readonly steps: number,
  ) {
    super(message);
  }
}

describe("invariant fuzzing across three chains", function () {
  let world: World;
  let revert: () => Promise<void>;
  /** How often each action kind succeeded, was rejected (by error) or skipped: shows what the runs exercised. */
  const stats = new Map<string, number>();

  before(async function () {
    this.timeout(180_000);
    world = await createWorld(hre);
    await prepare(world);
    await flushAll(world);
    revert = await snapshotWorld(world);
  });

  /** Every sequence starts from the same snapshot, with a relayer that only sees what the sequence does. */
  async function fresh(): Promise<void> {
    await revert();
    revert = await snapshotWorld(world);
    await resetRelayer(world);
  }

  async function runSequence(actions: Action[]): Promise<void> {
    await fresh();
    const run = newRunState();
    const trace: string[] = [];
    const fail = (why: string): never => {
      throw new InvariantViolation(`${why}\n  trace:\n${trace.map((t) => `    ${t}`).join("\n")}`, ran);
    };
    let ran = 0;
    const step = async (n: number, action: Action): Promise<void> => {
      ran = Math.min(n, actions.length);
      let actedOn: string[] = [];
      let absorbed: string[] = [];
      let takenOver: string[] = [];
      const balancesBefore = isGuardianAction(action) ? await tokenBalances(world) : undefined;
      try {
        const out = await perform(world, run, action);
        actedOn = out.actedOn ?? [];
        absorbed = out.absorbed ?? [];
        takenOver = out.takenOver ?? [];
        trace.push(`${n}. ${describeAction(action)} -> ${out.status}${out.detail ? ` (${out.detail})` : ""}`);
        const key = `${action.kind} ${out.status}${out.status === "rejected" ? ` ${out.detail}` : ""}`;
        stats.set(key, (stats.get(key) ?? 0) + 1);
      } catch (e) {
        trace.push(`${n}. ${describeAction(action)} -> FAILED`);
        if (e instanceof ActionFailure) fail(e.message);
        throw e;
      }
      if (VERBOSE) console.log(`      ${trace[trace.length - 1]}`);
      const broken = await checkAll(world, { actedOn, absorbed, takenOver, balancesBefore }, STEP_INVARIANTS);
      if (broken.length) fail(`after step ${n}: ${broken.join("; ")}`);
    };
    for (const [i, action] of actions.entries()) await step(i + 1, action);
    // The liquidator keeper's last pass, then the relayer delivers everything.
    await step(actions.length + 1, { kind: "liquidateAll" });
    const engine = world.hub.deployment.engine;
    for (const [name, filter] of [
      ["event Liquidated", engine.filters.Liquidated()],
      ["event BadDebtAbsorbed", engine.filters.BadDebtAbsorbed()],
      ["event Absorbed", engine.filters.Absorbed()],
      ["event CollateralBought", engine.filters.CollateralBought()],
    ] as const) {
      const n = (await engine.queryFilter(filter)).length;
      if (n) stats.set(name, (stats.get(name) ?? 0) + n);
    }
    try {
      await settle(world, run);
    } catch (e) {
      trace.push(`settle -> FAILED`);
      if (e instanceof ActionFailure) fail(e.message);
      throw e;
    }
    trace.push("settle: pauses lifted, everything delivered and retried, claims paid, quarantine credited");
    const broken = await checkAll(world, { actedOn: [] }, FINAL_INVARIANTS);
    if (broken.length) fail(`after settling: ${broken.join("; ")}`);
  }

  if (process.env.FUZZ_ACTIONS) {
    it("replays the sequence in FUZZ_ACTIONS", async function () {
      this.timeout(0);
      await runSequence(JSON.parse(process.env.FUZZ_ACTIONS!) as Action[]);
    });
    return;
  }

  it(`keeps every invariant over ${RUNS} random sequences of up to ${STEPS} actions`, async function () {
    this.timeout(0);
    const repro = `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_STEPS=${STEPS} npm run fuzz`;
    console.log(`      fuzz seed ${SEED} (${RUNS} runs × ≤ ${STEPS} steps); reproduce: ${repro}`);
    const started = Date.now();
    let runs = 0;
    const property = fc.asyncProperty(
      fc.array(actionArb, { minLength: 1, maxLength: STEPS, size: "max" }),
      async (actions) => {
        runs++;
        await runSequence(actions);
      },
    );
    const details = await fc.check(property, { seed: SEED, numRuns: RUNS, path: PATH });
    console.log(
      `      ${runs} sequence(s) executed (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `      outcomes: ${[...stats.entries()]
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join(", ")}`,
    );
    if (details.failed) {
      const error = details.errorInstance;
      // Actions after the failing step never ran: leave them out of the printed sequence.
      const shrunk = (details.counterexample?.[0] ?? []).slice(
        0,
        error instanceof InvariantViolation ? error.steps : undefined,
      );
      const cause = error instanceof Error ? error.message : String(error);
      throw new Error(
        [
          `invariant broken (seed ${SEED}, run ${details.numRuns}, path ${details.counterexamplePath})`,
          `reproduce: ${repro}`,
          `replay the shrunk sequence only: FUZZ_SEED=${SEED} FUZZ_PATH=${details.counterexamplePath} FUZZ_STEPS=${STEPS} npx hardhat test test/fuzz/invariants.test.ts`,
          `shrunk sequence (${shrunk.length} actions): ${fc.stringify(shrunk)}`,
          `replay it: FUZZ_ACTIONS='${JSON.stringify(shrunk)}' npx hardhat test test/fuzz/invariants.test.ts`,
          cause,
        ].join("\n"),
      );
    }
  });
});
