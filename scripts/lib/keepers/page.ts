/**
 * The monitor's read-only page (`npm run monitor -- --serve 127.0.0.1:PORT`): one self-contained HTML page (no
 * external assets; a Content-Security-Policy allows only its own inline script and style and fetches to itself)
 * that renders the last pass's report and re-reads `/report.json` every few seconds. Amounts in token units with
 * their symbols, ages in human units, every value escaped. GET and HEAD only: there is nothing to write.
 */
import crypto from "crypto";
import http from "http";
import { UsageError } from "../cli";
import type { MonitorReport } from "./monitor";

/** Hosts `--serve` accepts: the page is for the operator's machine only (an SSH tunnel reaches it from elsewhere). */
const LOCAL_HOSTS = ["127.0.0.1", "localhost"];

/** Parses `--serve <host:port>`: a loopback host and a port in 1..65535. */
export function parseServe(value: string): { host: string; port: number } {
  const m = /^([^:]+):(\d{1,5})$/.exec(value.trim());
  if (!m) throw new UsageError(`--serve ${value}: expected <host>:<port>, e.g. 127.0.0.1:8080`);
  const [, host, portText] = m;
  if (!LOCAL_HOSTS.includes(host.toLowerCase())) {
    throw new UsageError(`--serve ${value}: host ${host} refused, only ${LOCAL_HOSTS.join(" or ")} (read-only page)`);
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new UsageError(`--serve ${value}: port ${portText} is not in 1..65535`);
  return { host: host.toLowerCase() === "localhost" ? "127.0.0.1" : host, port };
}

/** The report as JSON, bigints as decimal strings (`null` before the first pass). */
export function reportJson(report: MonitorReport | undefined): string {
  return JSON.stringify(report ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d2430;background:#f7f8fa}
h1{font-size:20px;margin:0 0 .2em}h2{font-size:16px;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;min-width:30em}
th,td{border:1px solid #d5dae1;padding:.3em .6em;text-align:right;white-space:nowrap}
th{background:#eef1f5}td.l,th.l{text-align:left}
.ok{color:#17803d;font-weight:600}.bad{color:#c62828;font-weight:600}.unk{color:#8a6d00;font-weight:600}
.muted{color:#68707c}code{font-size:12px}.wrap{white-space:normal;text-align:left;max-width:50em}`;

/** Runs in the browser: renders the report from JSON, escaping every value it inserts. */
const SCRIPT = `
"use strict";
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
function units(raw, decimals, shown = 4) {
  if (raw === undefined || raw === null) return "?";
  let x = BigInt(raw); const neg = x < 0n; if (neg) x = -x;
  const unit = 10n ** BigInt(decimals), whole = x / unit;
  let frac = (x % unit).toString().padStart(decimals, "0").slice(0, shown).replace(/0+$/, "");
  if (!frac && x % unit !== 0n && whole === 0n) frac = "0".repeat(shown - 1) + "1";
  return (neg ? "-" : "") + whole.toLocaleString("en-US") + (frac ? "." + frac : "");
}
function age(s) {
  if (s === undefined || s === null) return "?";
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
}
const cell = (id, raw, text, cls = "") =>
  '<td data-testid="' + esc(id) + '" data-raw="' + esc(raw) + '" class="' + esc(cls) + '">' + esc(text) + "</td>";
const amount = (id, raw, dec, sym) => cell(id, raw, raw === undefined ? "?" : units(raw, dec) + " " + sym);
function render(r) {
  if (!r) return '<p class="muted">Waiting for the first pass…</p>';
  const out = [];
  out.push('<p data-testid="updated" class="muted">Last pass ' + esc(new Date(r.at).toISOString()) + "</p>");
  out.push('<h2>Chains</h2><table><tr><th class="l">chain</th><th>state</th><th>head</th><th>cursor</th><th class="l">error</th></tr>');
  for (const c of r.chains) out.push("<tr><td class=l>" + esc(c.name) + "</td>" +
    cell("chain-" + c.name, c.ok ? 1 : 0, c.ok ? "up" : "DOWN", c.ok ? "ok" : "bad") +
    "<td>" + esc(c.head ?? "?") + "</td><td>" + esc(c.cursor ?? "?") + '</td><td class="l wrap">' + esc(c.error ?? "") + "</td></tr>");
  out.push("</table>");
  out.push('<h2>Solvency per (chain, asset)</h2><p class="muted">vault.totalLocked = hub credits + quarantined + in flight; the vault holds at least locked + claims.</p>');
  out.push('<table><tr><th class="l">chain/asset</th><th>state</th><th>locked</th><th>credits</th><th>quarantined</th><th>in flight</th><th>vault holds</th><th>claims</th></tr>');
  for (const s of r.solvency) {
    const k = s.chain + "-" + s.symbol, st = s.ok === undefined ? ["unknown", "unk"] : s.ok ? ["holds", "ok"] : ["BROKEN", "bad"];
    out.push("<tr><td class=l>" + esc(s.chain + "/" + s.symbol) + "</td>" + cell("solvent-" + k, st[0], st[0], st[1]) +
      amount("locked-" + k, s.locked, s.decimals, s.symbol) + amount("credits-" + k, s.credits, s.decimals, s.symbol) +
      amount("quarantined-" + k, s.quarantined, s.decimals, s.symbol) + amount("inflight-" + k, s.inFlight, s.decimals, s.symbol) +
      amount("held-" + k, s.held, s.decimals, s.symbol) + amount("claims-" + k, s.claimable, s.decimals, s.symbol) + "</tr>");
  }
  out.push("</table>");
  const routes = Object.keys(r.inFlight).sort();
  out.push("<h2>Messages in flight per route</h2>");
  if (!routes.length) out.push('<p data-testid="inflight-none" class="muted">None.</p>');
  else {
    out.push('<table><tr><th class="l">route</th><th>envelopes</th><th>oldest</th></tr>');
    for (const k of routes) out.push("<tr><td class=l>" + esc(k) + "</td>" + cell("routecount-" + k, r.inFlight[k], r.inFlight[k]) +
      cell("routeage-" + k, r.oldestInFlight[k], age(r.oldestInFlight[k])) + "</tr>");
    out.push("</table>");
  }
  const problems = [...r.stuck, ...r.retryable];
  out.push('<h2>Stuck and failed envelopes (<span data-testid="problems">' + esc(problems.length) + "</span>)</h2>");
  if (problems.length) {
    out.push('<table><tr><th class="l">envelope</th><th class="l">route</th><th class="l">state</th><th>age</th><th class="l">call that unsticks it</th></tr>');
    for (const p of problems) out.push('<tr><td class="l"><code>' + esc(p.id.slice(0, 18)) + "…</code></td><td class=l>" + esc(p.route) +
      '</td><td class="l bad">' + esc(p.state) + "</td><td>" + esc(age(p.ageSeconds)) + '</td><td class="l wrap"><code>' + esc(p.call) + "</code></td></tr>");
    out.push("</table>");
  }
  const a = r.accounts, pu = r.poolUnits;
  out.push("<h2>Accounts nearest liquidation</h2>");
  if (!a) out.push('<p class="muted">Unknown (hub unreachable).</p>');
  else {
    out.push('<p class="muted"><span data-testid="withdebt">' + esc(a.withDebt) + "</span> with debt, " +
      '<span data-testid="liquidatable">' + esc(a.liquidatable.length) + "</span> liquidatable, " + esc(a.priceErrors.length) +
      " with a bad price. Health 1.000 is the liquidation line.</p>");
    out.push('<table><tr><th class="l">account</th><th>health</th><th>debt</th></tr>');
    for (const n of a.nearest) {
      const h = BigInt(n.health), cls = h < 10n ** 18n ? "bad" : h < 11n * 10n ** 17n ? "unk" : "ok";
      out.push('<tr><td class="l"><code>' + esc(n.account) + "</code></td>" + cell("health-" + n.account.toLowerCase(), n.health, units(n.health, 18, 3), cls) +
        (pu ? amount("debt-" + n.account.toLowerCase(), n.debt, pu.decimals, pu.symbol) : "<td>?</td>") + "</tr>");
    }
    out.push("</table>");
  }
  out.push("<h2>Hub pool</h2>");
  if (!pu) out.push('<p class="muted">Unknown (hub unreachable).</p>');
  else {
    const lent = BigInt(pu.lent), borrowed = BigInt(pu.borrowed);
    const util = lent === 0n ? "0" : units((borrowed * 10n ** 6n) / lent, 4, 2);
    out.push("<table><tr><th class=l>lent</th><th class=l>borrowed</th><th class=l>utilization</th><th class=l>reserves</th><th class=l>bad debt</th></tr><tr>" +
      amount("pool-lent", pu.lent, pu.decimals, pu.symbol) + amount("pool-borrowed", pu.borrowed, pu.decimals, pu.symbol) +
      cell("pool-utilization", util, util + " %") + amount("pool-reserves", pu.reserves, pu.decimals, pu.symbol) +
      amount("pool-baddebt", pu.badDebt, pu.decimals, pu.symbol) + "</tr></table>");
  }
  return out.join("");
}
const view = document.getElementById("view"), status = document.getElementById("status");
const show = (r) => { view.innerHTML = render(r); document.body.dataset.state = r ? "ready" : "waiting"; };
show(JSON.parse(document.getElementById("initial").textContent));
setInterval(async () => {
  try {
    const res = await fetch("/report.json", { cache: "no-store" });
    if (!res.ok) throw new Error("HTTP " + res.status);
    show(await res.json());
    status.textContent = "";
  } catch (e) {
    status.textContent = "monitor unreachable: " + e.message;
  }
}, 3000);
`;

const sha256 = (text: string) => `'sha256-${crypto.createHash("sha256").update(text).digest("base64")}'`;
const CSP =
  `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; connect-src 'self'; ` +
  `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The page with `report` embedded, so it renders before the first fetch. */
export function pageHtml(report: MonitorReport | undefined): string {
  // Inside <script type="application/json">, only "<" can end the element: escape it as JSON allows.
  const initial = reportJson(report).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xmargin monitor</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body data-state="waiting"><h1>xmargin monitor</h1>
<p class="muted">Read-only. Refreshes every 3 s. <span id="status" class="bad"></span></p>
<div id="view"></div>
<script type="application/json" id="initial">${initial}</script>
<script>${SCRIPT}</script></body></html>
`;
}

/**
 * Serves the page at `/` and the last report at `/report.json` on `host:port` (from {@link parseServe}). Resolves
 * once listening; refuses a busy port, naming it. Requests whose Host header is not this loopback address are
 * refused (a web page elsewhere cannot read it through DNS rebinding).
 */
export function serveMonitorPage(
  where: { host: string; port: number },
  report: () => MonitorReport | undefined,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? "").toLowerCase();
    const port = (server.address() as { port: number } | null)?.port;
    if (!LOCAL_HOSTS.some((h) => host === `${h}:${port}`)) {
      res.writeHead(421, { "content-type": "text/plain" }).end("wrong host\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("read-only\n");
      return;
    }
    const common = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/") {
      res
        .writeHead(200, { ...common, "content-type": "text/html; charset=utf-8", "content-security-policy": CSP })
        .end(pageHtml(report()));
    } else if (path === "/report.json") {
      res.writeHead(200, { ...common, "content-type": "application/json" }).end(reportJson(report()));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new Error(`--serve ${where.host}:${where.port}: ${e.message}`)));
    server.listen(where.port, where.host, () => resolve(server));
  });
}
