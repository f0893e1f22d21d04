/**
 * Coverage gate: reads the istanbul json-summary written by `hardhat coverage` and fails unless the product
 * contracts (everything under contracts/ except contracts/mocks/) reach the line and branch thresholds together.
 * Prints every file, and lists the files below a threshold so that the next test to write is obvious.
 *
 *   npm run coverage                                  coverage, then this check
 *   ts-node scripts/coverage-check.ts [--summary coverage/coverage-summary.json] [--lines 95] [--branches 85]
 */
import fs from "fs";
import path from "path";
import { parseArgs } from "util";

const ROOT = path.join(__dirname, "..");

interface Metric {
  total: number;
  covered: number;
  pct: number | "Unknown";
}

interface FileSummary {
  lines: Metric;
  statements: Metric;
  functions: Metric;
  branches: Metric;
}

export interface Row {
  file: string;
  lines: { covered: number; total: number };
  branches: { covered: number; total: number };
}

export interface Verdict {
  rows: Row[];
  total: Row;
  linesPct: number;
  branchesPct: number;
  ok: boolean;
  /** Files under either threshold (informative: the gate is on the total). */
  below: Row[];
}

/** Percentage of `covered` in `total`; nothing to cover counts as fully covered. */
export function pct(m: { covered: number; total: number }): number {
  return m.total === 0 ? 100 : (100 * m.covered) / m.total;
}

/** Keeps the product contracts of an istanbul summary (keys are absolute or relative paths, plus "total"). */
export function productRows(summary: Record<string, FileSummary>, root = ROOT): Row[] {
  const rows: Row[] = [];
  for (const [key, s] of Object.entries(summary)) {
    if (key === "total") continue;
    const file = path.relative(root, path.resolve(root, key)).split(path.sep).join("/");
    if (!file.startsWith("contracts/") || file.startsWith("contracts/mocks/")) continue;
    rows.push({
      file,
      lines: { covered: s.lines.covered, total: s.lines.total },
      branches: { covered: s.branches.covered, total: s.branches.total },
    });
  }
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

export function judge(rows: Row[], minLines: number, minBranches: number): Verdict {
  const total: Row = {
    file: "total (contracts/, without mocks)",
    lines: { covered: 0, total: 0 },
    branches: { covered: 0, total: 0 },
  };
  for (const r of rows) {
    total.lines.covered += r.lines.covered;
    total.lines.total += r.lines.total;
    total.branches.covered += r.branches.covered;
    total.branches.total += r.branches.total;
  }
  const linesPct = pct(total.lines);
  const branchesPct = pct(total.branches);
  const below = rows.filter((r) => pct(r.lines) < minLines || pct(r.branches) < minBranches);
  return {
    rows,
    total,
    linesPct,
    branchesPct,
    ok: total.lines.total > 0 && linesPct >= minLines && branchesPct >= minBranches,
    below,
  };
}

function cell(m: { covered: number; total: number }, min: number): string {
  const mark = pct(m) < min ? " <" : "  ";
  return `${pct(m).toFixed(2).padStart(6)}% ${`${m.covered}/${m.total}`.padStart(9)}${mark}`;
}

export function table(rows: Row[], minLines: number, minBranches: number): string {
  const width = Math.max(40, ...rows.map((r) => r.file.length));
  const head = `${"file".padEnd(width)}  ${"lines".padEnd(19)}  branches`;
  const out = [head, "-".repeat(head.length + 12)];
  for (const r of rows) {
    out.push(`${r.file.padEnd(width)}  ${cell(r.lines, minLines)}  ${cell(r.branches, minBranches)}`);
  }
  return out.join("\n");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      summary: { type: "string", default: path.join(ROOT, "coverage", "coverage-summary.json") },
      lines: { type: "string", default: "95" },
      branches: { type: "string", default: "85" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "usage: coverage-check [--summary coverage/coverage-summary.json] [--lines 95] [--branches 85]\n" +
        "Fails unless contracts/ (without mocks) reach both thresholds over all files together.",
    );
    return;
  }
  const minLines = Number(values.lines);
  const minBranches = Number(values.branches);
  if (!fs.existsSync(values.summary!)) {
    console.error(`coverage-check: ${values.summary} not found; run \`npx hardhat coverage\` first`);
    process.exit(1);
  }
  const summary = JSON.parse(fs.readFileSync(values.summary!, "utf8")) as Record<string, FileSummary>;
  const v = judge(productRows(summary), minLines, minBranches);

  const withCode = v.rows.filter((r) => r.lines.total > 0 || r.branches.total > 0);
  console.log(table([...withCode, v.total], minLines, minBranches));
  console.log(`("<": below ${minLines}% lines or ${minBranches}% branches; files with nothing to cover are omitted)`);
  if (v.below.length) {
    console.log(`\nfiles below a threshold (the gate is on the total):`);
    for (const r of v.below) {
      console.log(`  ${r.file}: lines ${pct(r.lines).toFixed(2)}%, branches ${pct(r.branches).toFixed(2)}%`);
    }
  }
  if (!v.ok) {
    console.error(
      `\ncoverage-check FAILED: lines ${v.linesPct.toFixed(2)}% (need ${minLines}%), ` +
        `branches ${v.branchesPct.toFixed(2)}% (need ${minBranches}%)`,
    );
    process.exit(1);
  }
  console.log(
    `\ncoverage-check ok: lines ${v.linesPct.toFixed(2)}% >= ${minLines}%, branches ${v.branchesPct.toFixed(2)}% >= ${minBranches}%`,
  );
}

if (require.main === module) main();
