/**
 * The monitor page (`npm run monitor -- --serve 127.0.0.1:PORT`) against a devnet of anvil nodes: the monitor's
 * command line runs in-process, Debian's Chromium (through playwright-core) opens the page, and every number read
 * from the rendered page is compared with the contracts: vault.totalLocked and the hub's credits per (chain,
 * asset), engine.collateralOf, healthFactor and debtOf of the borrower nearest liquidation, the pool totals, the
 * envelope in flight with its age. Then the page is seen to refresh itself, a hostile value to be shown as text,
 * and a screenshot is saved to test-results/monitor-page.png.
 */
import { expect } from "chai";
import fs from "fs";
import http from "http";
import net from "net";
import os from "os";
import path from "path";
import { parseUnits } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevnet, seed, type Devnet } from "../../scripts/devnet";
import { ACTORS, deposit, signer } from "../../scripts/lib/world";
import { writeRecord } from "../../scripts/lib/deployment";
import { openKeeperContext } from "../../scripts/lib/keepers/context";
import { RelayKeeper } from "../../scripts/lib/keepers/relay";
import { trimUnits } from "../../scripts/lib/keepers/context";
import { parseServe, serveMonitorPage } from "../../scripts/lib/keepers/page";
import type { MonitorReport } from "../../scripts/lib/keepers/monitor";
import { monitorMain } from "../../scripts/monitor";
import { IERC20Metadata__factory } from "../../typechain-types";
import { send } from "../../deploy/orchestrator";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(__dirname, "..", "..", "test-results", "monitor-page.png");

/** Token units as the page shows them: at most `shown` decimals, thousands separated. */
const shown = (raw: bigint, decimals: number, symbol?: string, digits = 4) =>
  trimUnits(raw, decimals, digits).replace(/^\d+/, (w) => BigInt(w).toLocaleString("en-US")) +
  (symbol ? ` ${symbol}` : "");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A raw request, so the Host header can be chosen. */
function request(port: number, method: string, urlPath: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: host ? { host } : {} },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function cell(page: Page, id: string): Promise<{ raw: string; text: string }> {
  const el = page.getByTestId(id);
  return { raw: (await el.getAttribute("data-raw")) ?? "", text: ((await el.textContent()) ?? "").trim() };
}

describe("monitor page: --serve, in headless Chromium against an anvil devnet", function () {
  this.timeout(240_000);
  let devnet: Devnet | undefined;
  let browser: Browser | undefined;
  let stopMonitor: AbortController | undefined;
  let monitorDone: Promise<number> | undefined;
  let port = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-page-"));

  before(async () => {
    // CI installs Debian's chromium (.ci/run): missing here is a broken setup, not a reason to skip.
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
      );
    }
    devnet = await startDevnet({ basePort: 20000 + Math.floor(Math.random() * 20000), node: "anvil" });
    const w = devnet.world;
    await seed(w);
    // The seed's deposits delivered, then alice borrows close to her limit and bob's deposit stays in flight.
    const relayCtx = openKeeperContext(devnet.record, { account: ACTORS.relayer }, { timeoutMs: 5000 });
    expect((await new RelayKeeper(relayCtx).pass()).delivered).to.equal(2);
    relayCtx.close();
    const alice = signer(w.hub.chain, "alice");
    await send(w.hub.deployment.engine.connect(alice).borrow(parseUnits("19000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(2_750n * 10n ** 8n)); // from 3,000: health just above the line
    await deposit(w, "alpha", "bob", "WETH", parseUnits("1.25", 18));
    const alpha = w.spokes.find((s) => s.chain.name === "alpha")!;
    await alpha.chain.send("evm_increaseTime", [125]);
    await alpha.chain.send("evm_mine", []);

    const record = path.join(tmp, "devnet.json");
    writeRecord(record, devnet.record);
    port = await freePort();
    stopMonitor = new AbortController();
    monitorDone = monitorMain(
      [
        "--deployment",
        record,
        "--state-dir",
        path.join(tmp, "state"),
        "--interval",
        "500",
        "--stuck-after",
        "100",
        "--log",
        "json",
        "--serve",
        `127.0.0.1:${port}`,
      ],
      { signal: stopMonitor.signal },
    );
    // The first pass's report.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const body = await fetch(`http://127.0.0.1:${port}/report.json`).then(
        (r) => r.text(),
        () => "null",
      );
      if (body !== "null") break;
      if (Date.now() > deadline) throw new Error("the monitor produced no report within 60 s");
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  after(async () => {
    await browser?.close();
    stopMonitor?.abort();
    await monitorDone?.catch(() => undefined);
    await devnet?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("--serve accepts only a loopback host and a port in range", () => {
    expect(parseServe("127.0.0.1:8080")).to.deep.equal({ host: "127.0.0.1", port: 8080 });
    expect(parseServe("localhost:1")).to.deep.equal({ host: "127.0.0.1", port: 1 });
    expect(() => parseServe("0.0.0.0:8080")).to.throw(/host 0\.0\.0\.0 refused/);
    expect(() => parseServe("192.168.1.2:8080")).to.throw(/refused/);
    expect(() => parseServe("127.0.0.1:0")).to.throw(/not in 1\.\.65535/);
    expect(() => parseServe("127.0.0.1:70000")).to.throw(/not in 1\.\.65535/);
    expect(() => parseServe("127.0.0.1")).to.throw(/expected <host>:<port>/);
    expect(() => parseServe("[::]:80")).to.throw();
  });

  it("is read-only and answers only to its own host name", async () => {
    expect(await request(port, "GET", "/")).to.equal(200);
    expect(await request(port, "GET", "/report.json", `localhost:${port}`)).to.equal(200);
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) expect(await request(port, method, "/")).to.equal(405);
    expect(await request(port, "GET", "/", "evil.example:80")).to.equal(421); // DNS rebinding
    expect(await request(port, "GET", "/admin")).to.equal(404);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get("content-security-policy")).to.match(/default-src 'none'/);
    expect(await res.text()).to.not.match(/(src|href)=["']?https?:/); // no external assets
  });

  it("shows solvency, the envelope in flight, the borrower nearest liquidation and the pool as the contracts say", async () => {
    const w = devnet!.world;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector("body[data-state=ready]");
    const { engine } = w.hub.deployment;

    // Solvency per (chain, asset): vault.totalLocked and the hub's credits, in token units with symbols.
    for (const s of w.spokes) {
      for (const [symbol, token] of Object.entries(s.tokens)) {
        const asset = await token.getAddress();
        const decimals = Number(await IERC20Metadata__factory.connect(asset, s.chain.provider).decimals());
        const k = `${s.chain.name}-${symbol}`;
        const locked = await s.deployment.vault.totalLocked(asset);
        expect(await cell(page, `locked-${k}`)).to.deep.equal({
          raw: locked.toString(),
          text: shown(locked, decimals, symbol),
        });
        const credits = (await engine.marketState(s.chain.chainId, asset)).totalCredits;
        expect((await cell(page, `credits-${k}`)).raw).to.equal(credits.toString());
        expect((await cell(page, `solvent-${k}`)).text).to.equal("holds");
      }
    }
    const alpha = w.spokes.find((s) => s.chain.name === "alpha")!;
    const weth = await alpha.tokens.WETH.getAddress();
    const alice = signer(w.hub.chain, "alice").address;
    // Only alice's deposit reached the hub on alpha: its credits are her collateral there; bob's 1.25 is in flight.
    expect((await cell(page, "credits-alpha-WETH")).raw).to.equal(
      (await engine.collateralOf(alice, alpha.chain.chainId, weth)).toString(),
    );
    expect(await cell(page, "inflight-alpha-WETH")).to.deep.equal({
      raw: parseUnits("1.25", 18).toString(),
      text: "1.25 WETH",
    });

    // The envelope in flight, its age in source-chain time (125 s moved forward), stuck after 100 s.
    expect(await cell(page, "routecount-alpha->hub")).to.deep.equal({ raw: "1", text: "1" });
    expect(await cell(page, "routeage-alpha->hub")).to.deep.equal({ raw: "125", text: "2 min 5 s" });
    expect(await page.getByTestId("problems").textContent()).to.equal("1");
    expect(await page.locator("td code", { hasText: ".resend(<envelope" }).count()).to.equal(1);

    // The borrower nearest liquidation: health and debt as the engine computes them.
    const health = await engine.healthFactor(alice);
    expect(health)
      .to.be.greaterThan(10n ** 18n)
      .and.lessThan(11n * 10n ** 17n); // near, not past, the line
    expect(await cell(page, `health-${alice.toLowerCase()}`)).to.deep.equal({
      raw: health.toString(),
      text: trimUnits(health, 18, 3),
    });
    const debt = await engine.debtOf(alice);
    expect(await cell(page, `debt-${alice.toLowerCase()}`)).to.deep.equal({
      raw: debt.toString(),
      text: shown(debt, 6, "USDC"),
    });
    expect(await page.getByTestId("withdebt").textContent()).to.equal("1");
    expect(await page.getByTestId("liquidatable").textContent()).to.equal("0");

    // The pool.
    const [lent, borrowed] = await engine.poolTotals();
    expect(await cell(page, "pool-lent")).to.deep.equal({ raw: lent.toString(), text: shown(lent, 6, "USDC") });
    expect(await cell(page, "pool-borrowed")).to.deep.equal({
      raw: borrowed.toString(),
      text: shown(borrowed, 6, "USDC"),
    });
    expect(await cell(page, "chain-hub")).to.deep.equal({ raw: "1", text: "up" });

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // It refreshes itself: more lent on the hub shows without a reload.
    const lender = signer(w.hub.chain, "lender");
    await send(engine.connect(lender).supplyBase(parseUnits("1234.5", 6), lender.address));
    const [lentAfter] = await engine.poolTotals();
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="pool-lent"]')?.getAttribute("data-raw") === want,
      lentAfter.toString(),
      { timeout: 20_000 },
    );
    expect((await cell(page, "pool-lent")).text).to.equal(shown(lentAfter, 6, "USDC"));
    await page.close();
  });

  it("shows hostile values as text", async () => {
    const evil = `<img src=x onerror="document.body.dataset.pwned=1">`;
    const report: MonitorReport = {
      solvency: [{ chain: evil, symbol: `"'&`, asset: "0x00", decimals: 18, ok: true, locked: 1n }],
      broken: [],
      orphans: [],
      swallowed: [],
      inFlight: { [evil]: 1 },
      oldestInFlight: {},
      stuck: [{ id: "0x" + "ab".repeat(32), route: evil, state: "stuck", call: evil }],
      retryable: [],
      chains: [{ name: evil, ok: false, error: evil }],
      anyFailure: true,
      at: Date.now(),
    };
    const server = await serveMonitorPage({ host: "127.0.0.1", port: await freePort() }, () => report);
    try {
      const page = await browser!.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
      await page.waitForSelector("body[data-state=ready]");
      expect(await page.locator("img").count()).to.equal(0);
      expect(await page.evaluate(() => document.body.dataset.pwned)).to.equal(undefined);
      expect(await page.locator("td", { hasText: evil }).count()).to.be.greaterThan(0);
      await page.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
