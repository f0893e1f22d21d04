/**
 * The asynchronous liquidation paradox, measured: the same accounts and price fall liquidated today's way (release
 * over a bridge, liquidator holding base) and the new ways (absorb with no capital, buyers of inventory), with every
 * bridge up and with one halted. The model is in scripts/lib/paradox.ts and is printed with the table.
 *
 *   npm run bench:liquidation [-- --seed 1 --accounts 50 --capital-share 0.1 --json]
 */
import { parseArgs } from "util";
import hre from "hardhat";
import { DEFAULT_PARADOX, RUNS, describeModel, runParadox, type ParadoxOptions, type RunResult } from "./lib/paradox";

const HELP = `usage: npm run bench:liquidation [-- options]

Liquidates the same accounts through the same price fall four times on in-process chains with the real contracts:
(a) today's liquidate + RELEASE by a liquidator with finite base capital, (b) absorb by a keeper with no capital
and buyers of the hub's inventory; each with every bridge up and with one source chain's bridge halted. Prints the
model and one row per run. The same seed gives the same table.

  --seed <n>             PRNG seed of the accounts (default ${DEFAULT_PARADOX.seed})
  --accounts <n>         borrowing accounts (default ${DEFAULT_PARADOX.accounts})
  --steps <n>            hourly price steps (default ${DEFAULT_PARADOX.steps})
  --fall <x>             total fall of WETH and WBTC, 0-1 (default ${DEFAULT_PARADOX.fall})
  --latency <minutes>    bridge latency of every message (default ${DEFAULT_PARADOX.latencyMin})
  --ticks <n>            actor ticks per hour (default ${DEFAULT_PARADOX.ticksPerHour})
  --capital-share <x>    (a) liquidator's base capital as a share of what was borrowed (default ${DEFAULT_PARADOX.capitalShare})
  --capital <units>      (a) liquidator's base capital in whole base units (overrides --capital-share)
  --gas-gwei <x>         gas price the actors pay (default ${DEFAULT_PARADOX.gasGwei})
  --halted <chain>       the source chain halted in the halt runs: alpha or beta (default ${DEFAULT_PARADOX.haltedChain})
  --modes <list>         run only these modes: a, b or a,b (default a,b)
  --buyers-avoid-halted  (b) buyers leave the halted chain's inventory to the protocol (its price risk)
  --json                 print the model and results as JSON instead of a table
  -v, --verbose          log every skipped action
  -h, --help             this help`;

/** A bad flag: printed with the help, without a stack. */
class FlagError extends Error {}

function num(name: string, v: string | undefined, min: number, max: number, integer = false): number {
  const x = Number(v);
  if (v === undefined || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    throw new FlagError(`--${name} ${v}: must be ${integer ? "an integer " : ""}between ${min} and ${max}`);
  }
  return x;
}

/** `1,234,567` from raw base units of 6 decimals. */
export function units(raw: bigint): string {
  return (Number(raw) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 0 });
}

export function table(results: RunResult[]): string {
  const cols: [string, (r: RunResult) => string][] = [
    ["run", (r) => r.run],
    ["unhealthy", (r) => String(r.unhealthy)],
    ["closed", (r) => String(r.closed)],
    ["close mean/max min", (r) => `${r.meanCloseMin.toFixed(1)} / ${r.maxCloseMin.toFixed(0)}`],
    ["liq/absorb/buys", (r) => `${r.liquidations}/${r.absorbed}/${r.purchases}`],
    ["peak capital", (r) => units(r.peakCapital)],
    ["capital stuck", (r) => units(r.capitalStuck)],
    ["short of capital", (r) => String(r.capitalShort)],
    ["buyers paid (on halted)", (r) => `${units(r.buyersPaid)} (${units(r.buyersOnHalted)})`],
    ["bad debt off+open", (r) => `${units(r.badDebtWrittenOff)} + ${units(r.badDebtOpen)}`],
    ["bad debt %", (r) => `${r.badDebtPct.toFixed(2)}%`],
    ["lenders lost", (r) => units(r.lendersLost)],
    ["inventory / reserves", (r) => `${units(r.inventoryValue)} / ${units(r.reserves)}`],
    ["inventory uncovered", (r) => units(r.inventoryUncovered)],
    ["net loss", (r) => units(r.netLoss)],
  ];
  const rows = [cols.map((c) => c[0]), ...results.map((r) => cols.map((c) => c[1](r)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: "boolean", short: "h", default: false },
      json: { type: "boolean", default: false },
      verbose: { type: "boolean", short: "v", default: false },
      seed: { type: "string" },
      accounts: { type: "string" },
      steps: { type: "string" },
      fall: { type: "string" },
      latency: { type: "string" },
      ticks: { type: "string" },
      "capital-share": { type: "string" },
      capital: { type: "string" },
      "gas-gwei": { type: "string" },
      halted: { type: "string" },
      modes: { type: "string" },
      "buyers-avoid-halted": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const d = DEFAULT_PARADOX;
  const pick = (name: string, v: string | undefined, dflt: number, min: number, max: number, integer = false) =>
    v === undefined ? dflt : num(name, v, min, max, integer);
  const o: ParadoxOptions = {
    seed: pick("seed", values.seed, d.seed, 0, 2 ** 32 - 1, true),
    accounts: pick("accounts", values.accounts, d.accounts, 1, 200, true),
    steps: pick("steps", values.steps, d.steps, 1, 48, true),
    fall: pick("fall", values.fall, d.fall, 0, 0.99),
    latencyMin: pick("latency", values.latency, d.latencyMin, 0, 24 * 60),
    ticksPerHour: pick("ticks", values.ticks, d.ticksPerHour, 1, 60, true),
    capitalShare: pick("capital-share", values["capital-share"], d.capitalShare, 0, 10),
    capital:
      values.capital === undefined ? undefined : BigInt(Math.round(num("capital", values.capital, 0, 1e12) * 1e6)),
    gasGwei: pick("gas-gwei", values["gas-gwei"], d.gasGwei, 0, 1e6),
    haltedChain: values.halted ?? d.haltedChain,
    buyersAvoidHalted: values["buyers-avoid-halted"],
    log: values.verbose ? (l) => console.error(l) : undefined,
  };
  if (!["alpha", "beta"].includes(o.haltedChain))
    throw new FlagError(`--halted ${o.haltedChain}: must be alpha or beta`);
  if (!values.json)
    console.error(`running the scenarios on in-process chains (seed ${o.seed}, ${o.accounts} accounts)...`);
  const started = Date.now();
  const modes = (values.modes ?? "a,b").split(",");
  if (modes.some((m) => m !== "a" && m !== "b")) throw new FlagError(`--modes ${values.modes}: a, b or a,b`);
  const { setup, results } = await runParadox(
    hre,
    o,
    RUNS.filter((r) => modes.includes(r.mode)),
  );
  const model = describeModel(o, setup);
  if (values.json) {
    const plain = JSON.stringify(
      { options: { ...o, log: undefined }, model, borrowed: setup.borrowed, capital: setup.capital, results },
      (_, v) => (typeof v === "bigint" ? v.toString() : v),
      2,
    );
    console.log(plain);
    return;
  }
  console.log(model.join("\n"));
  console.log("\nbase amounts in whole USDC; times from unhealthy to closed in minutes\n");
  console.log(table(results));
  console.error(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((e) => {
  const argError =
    e instanceof FlagError || (e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"));
  console.error(argError ? `${e.message}\n\n${HELP}` : e);
  process.exitCode = 1;
});
