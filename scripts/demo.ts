/**
 * xmargin demo: three in-process chains (a hub and two source chains), the whole story of a cross-chain margin
 * account, and the solvency check at the end.
 *
 *   npm run demo
 */
import { formatUnits, parseUnits } from "ethers";

const HELP = `usage: npm run demo [-- --verbose] [-- --bridges]

Starts three in-process EVM chains (hub 31337, alpha 31338, beta 31339), deploys xmargin on them and runs:
lenders supply on the hub, a user deposits on both source chains and is credited on the hub, borrows,
the price falls, a liquidator liquidates, the seized collateral is released on its source chain, another
user withdraws; then a table of balances per chain and the solvency check.
  --verbose   log every delivery
  --bridges   route every message over LayerZero + CCIP + the LocalAdapter, 2 of 3 must confirm (each bridge
              through its own local harness) instead of the LocalAdapter alone`;

async function main() {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return;
  }
  const verbose = args.includes("--verbose");
  const bridged = args.includes("--bridges");
  // Loaded after --help so that help is instant.
  const hre = (await import("hardhat")).default;
  const { createWorld, deposit, signer, spoke, assertSolvent, liquidateAll, HUB_CHAIN_ID } =
    await import("./lib/world");
  const { send } = await import("../deploy/orchestrator");

  const started = Date.now();
  const say = (line = "") => console.log(line);
  const step = (n: number, title: string) => say(`\n${n}. ${title}`);
  const fmt = (amount: bigint, decimals: number, symbol: string) =>
    `${Number(formatUnits(amount, decimals)).toLocaleString("en-US", { maximumFractionDigits: 6 })} ${symbol}`;
  const usd = (amount: bigint) => fmt(amount, 6, "USDC");

  say("xmargin demo: one margin account on the hub, collateral on two other chains\n");
  const w = await createWorld(hre, {
    log: verbose ? (l) => say(`   relay: ${l}`) : undefined,
    routes: bridged ? { bridges: ["layerzero", "ccip"], local: true, k: 2 } : undefined,
  });
  const relay = async () => {
    const results = await w.relayer.flush();
    for (const r of results) if (r.error) throw new Error(`relay failed: ${r.error}`);
    if (!w.bridges) {
      say(`   relayer carried ${results.length} message(s)`);
      return;
    }
    const bridgedResults = await w.bridges.relayer.flush();
    for (const r of bridgedResults) if (r.error) throw new Error(`${r.packet.kind} delivery failed: ${r.error}`);
    const count = (kind: string) => bridgedResults.filter((r) => r.packet.kind === kind).length;
    say(
      `   confirmations: LocalAdapter ${results.length}, LayerZero ${count("layerzero")}, CCIP ${count("ccip")}` +
        ` (2 of 3 deliver each message)`,
    );
  };
  const { engine } = w.hub.deployment;
  const alpha = spoke(w, "alpha");
  const beta = spoke(w, "beta");
  say(`   chains: hub ${HUB_CHAIN_ID} (USDC, 6 decimals), alpha ${alpha.chain.chainId} (WETH, 18),`);
  say(
    `           beta ${beta.chain.chainId} (WBTC, 8; USDC.b, 6). ` +
      (bridged
        ? "Routes: LayerZero + CCIP + LocalAdapter, 2 of 3, over the bridges' local harnesses."
        : "LocalAdapter transport, in-process relayer."),
  );

  step(1, "Lenders supply the base asset on the hub");
  const lender = signer(w.hub.chain, "lender");
  await send(w.hub.base.connect(lender).approve(await engine.getAddress(), 2n ** 256n - 1n));
  await send(engine.connect(lender).supplyBase(parseUnits("500000", 6), lender.address));
  say(`   lender supplies ${usd(parseUnits("500000", 6))}`);

  step(2, "Alice deposits on both source chains and is credited on the hub");
  const alice = signer(w.hub.chain, "alice");
  const weth = await alpha.tokens.WETH.getAddress();
  const usdcB = await beta.tokens["USDC.b"].getAddress();
  await deposit(w, "alpha", "alice", "WETH", parseUnits("5", 18));
  say(`   alice locks 5 WETH in the vault on alpha`);
  await deposit(w, "beta", "alice", "USDC.b", parseUnits("10000", 6));
  say(`   alice locks 10,000 USDC.b in the vault on beta`);
  await relay();
  const credited = async (chainId: bigint, token: string) => engine.collateralOf(alice.address, chainId, token);
  say(
    `   hub credits alice: ${fmt(await credited(alpha.chain.chainId, weth), 18, "WETH")} on alpha, ` +
      `${fmt(await credited(beta.chain.chainId, usdcB), 6, "USDC.b")} on beta`,
  );

  step(3, "Alice borrows against both at once");
  await send(engine.connect(alice).borrow(parseUnits("19000", 6), alice.address));
  const [, borrowPower] = await engine.accountValues(alice.address);
  say(`   borrowing power: 5 WETH x $3,000 x 80% + 10,000 USDC.b x 85% = ${fmt(borrowPower, 18, "USD")}`);
  say(
    `   alice borrows ${usd(parseUnits("19000", 6))}; health ${formatUnits(await engine.healthFactor(alice.address), 18).slice(0, 6)}`,
  );

  step(4, "ETH falls from $3,000 to $2,300");
  await send(w.feeds.WETH.updateAnswer(2_300n * 10n ** 8n));
  say(
    `   health ${formatUnits(await engine.healthFactor(alice.address), 18).slice(0, 6)}: liquidatable = ${await engine.isLiquidatable(alice.address)}`,
  );

  step(5, "A liquidator finds her with the lens and liquidates");
  const liquidator = signer(w.hub.chain, "liquidator");
  const results = await liquidateAll(w, (l) => {
    if (l.startsWith("checked")) say(`   liquidator: ${l}`);
  });
  const r = results[0];
  if (!r || r.error) throw new Error(`liquidation failed: ${r?.error ?? "nothing liquidatable"}`);
  say(`   repaid ${usd(r.repaid)} (+ ${usd(r.protocolFee)} to reserves), seized ${fmt(r.seized, 18, "WETH")} on alpha`);
  say(`   alice's health is back to ${formatUnits(await engine.healthFactor(alice.address), 18).slice(0, 6)}`);

  step(6, "The seized collateral arrives on the source chain");
  const before = await alpha.tokens.WETH.balanceOf(liquidator.address);
  await relay();
  const received = (await alpha.tokens.WETH.balanceOf(liquidator.address)) - before;
  say(`   liquidator receives ${fmt(received, 18, "WETH")} from the vault on alpha`);

  step(7, "Bob deposits on beta and withdraws part of it back to beta");
  const bob = signer(w.hub.chain, "bob");
  const wbtc = await beta.tokens.WBTC.getAddress();
  await deposit(w, "beta", "bob", "WBTC", parseUnits("0.2", 8));
  await relay();
  const fee = await engine.quoteRelease(beta.chain.chainId);
  await send(
    engine
      .connect(bob)
      .withdrawCollateral(beta.chain.chainId, wbtc, parseUnits("0.05", 8), bob.address, { value: fee }),
  );
  say(`   hub debits bob 0.05 WBTC first, then sends the RELEASE`);
  await relay();
  say(
    `   bob holds ${fmt(await engine.collateralOf(bob.address, beta.chain.chainId, wbtc), 8, "WBTC")} on the hub ` +
      `and got 0.05 WBTC back on beta`,
  );

  step(8, "Balances per chain and the solvency check");
  const rows = await assertSolvent(w);
  const decimals: Record<string, number> = { WETH: 18, WBTC: 8, "USDC.b": 6 };
  const header = ["chain", "asset", "vault locked", "hub credits", "in flight", "vault holds", "solvent"];
  const lines: string[][] = [];
  for (const row of rows) {
    const d = decimals[row.symbol];
    lines.push([
      `${row.chain} (${row.chainId})`,
      row.symbol,
      fmt(row.locked, d, ""),
      fmt(row.credits, d, ""),
      fmt(row.releasesInFlight + row.depositsInFlight, d, ""),
      fmt(row.held, d, ""),
      row.locked >= row.credits + row.releasesInFlight ? "yes" : "NO",
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].trim().length)));
  const render = (cells: string[]) =>
    "   " + cells.map((c, i) => (i < 2 ? c.trim().padEnd(widths[i]) : c.trim().padStart(widths[i]))).join("  ");
  say(render(header));
  say("   " + widths.map((n) => "-".repeat(n)).join("  "));
  for (const l of lines) say(render(l));
  const [totalSupply, totalBorrow] = await engine.poolTotals();
  say(`   hub pool: lent ${usd(totalSupply)}, borrowed ${usd(totalBorrow)}, reserves ${usd(await engine.reserves())}`);
  say(
    `\nvault.totalLocked = hub credits + messages in flight on every chain and asset. Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
