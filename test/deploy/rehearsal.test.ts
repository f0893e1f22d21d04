/**
 * The offline rehearsal (scripts/rehearse.ts) on anvil nodes with the testnets' chain ids and the bridges' contracts
 * at the address book's addresses: the deploy, the check, a second deploy that sends nothing, round trips over
 * LayerZero, CCIP and Hyperlane, solvency, and every node stopped.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { MaxUint256, parseUnits } from "ethers";
import { rehearse, stopNode, type RehearsalResult } from "../../scripts/rehearse";
import { connectDeployment } from "../../scripts/lib/deployment";
import { monitorPass } from "../../scripts/monitor";
import { MockERC20__factory } from "../../typechain-types";
import { ADDRESS_BOOK } from "../../deploy/networks";
import { testConfig } from "./helpers";
import type { EnvironmentConfig } from "../../deploy/types";
import { realBridgeTests } from "./realBridges";

/** The testnet environment when it exists, else the same shape over three of the book's testnets. */
function environment(): EnvironmentConfig {
  const file = path.join(__dirname, "..", "..", "deploy", "config", "testnet.ts");
  if (fs.existsSync(file)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, EnvironmentConfig>;
    const config = mod.default ?? Object.values(mod).find((v) => v && typeof v === "object" && "hub" in v);
    if (config) return config;
  }
  const market = testConfig().markets[0];
  return testConfig({
    name: "rehearsaltest",
    hub: "sepolia",
    spokes: ["arbitrumSepolia", "baseSepolia"],
    routes: {
      arbitrumSepolia: { adapters: ["layerzero", "ccip", "hyperlane"], k: 2 },
      baseSepolia: { adapters: ["ccip", "hyperlane"], k: 2 },
    },
    markets: [
      { ...market, network: "arbitrumSepolia" },
      { ...market, network: "baseSepolia", creditCap: "500", depositCap: "500" },
    ],
    governance: { timelock: true, minDelay: 3600, proposers: ["deployer"], executors: ["deployer"] },
  });
}

/**
 * The keepers read the rehearsal's record: a deposit not relayed yet shows in the monitor as in flight, read from
 * the bridge adapters' EnvelopeBridged events (there is no LocalAdapter here) from the record's start blocks.
 */
async function monitorSeesBridgedDeposit(result: RehearsalResult) {
  const record = structuredClone(result.record!);
  for (const node of result.nodes) record.chains[node.network].rpc = node.url;
  const user = await connectDeployment(record, { account: 1 });
  const spoke = user.spokes[0];
  const [symbol, token] = Object.entries(spoke.tokens)[0];
  const amount = parseUnits("2", 18);
  const vault = spoke.deployment.vault;
  await (
    await MockERC20__factory.connect(await token.getAddress(), spoke.signer).mint(spoke.signer.address, amount)
  ).wait();
  await (await token.approve(await vault.getAddress(), MaxUint256)).wait();
  const fee = await vault.quoteDeposit(await token.getAddress(), amount, spoke.signer.address);
  await (
    await vault.deposit(await token.getAddress(), amount, spoke.signer.address, { value: fee, gasLimit: 3_000_000n })
  ).wait();
  expect(user.hub.deployment.adapter).to.equal(undefined);
  expect([...user.fromBlocks.values()].every((b) => b > 0)).to.equal(true);
  const report = await monitorPass(user);
  const row = report.rows.find((r) => r.chain === spoke.chain.name && r.symbol === symbol)!;
  expect(row.depositsInFlight).to.equal(amount);
  expect(report.broken).to.deep.equal([]);
  for (const c of [user.hub.chain, ...user.spokes.map((s) => s.chain)]) {
    (c.provider as { destroy?: () => void }).destroy?.();
  }
}

describe("deploy:rehearse on anvil nodes with the testnets' chain ids", function () {
  this.timeout(300_000);
  let result: RehearsalResult;
  const lines: string[] = [];

  before(async () => {
    const basePort = 28600 + 4 * Math.floor(Math.random() * 200);
    result = await rehearse({
      config: environment(),
      book: ADDRESS_BOOK,
      basePort,
      keep: true,
      log: (l) => lines.push(l),
    });
  });

  after(async () => {
    for (const node of result?.nodes ?? []) await stopNode(node);
  });

  it("deploys, checks, changes nothing on a second run, carries round trips over the real adapters, stays solvent", async () => {
    await monitorSeesBridgedDeposit(result);
    expect(result.failed, lines.join("\n")).to.equal(undefined);
    expect(result.ok).to.equal(true);
    expect(result.secondRunTransactions).to.equal(0);
    for (const c of Object.values(result.perChain)) expect(c.gas > 0n).to.equal(true);
    expect(lines.some((l) => l.startsWith("[check]") && l.endsWith(": matches"))).to.equal(true);
    expect(lines.filter((l) => l.includes("-> released over"))).to.have.length(environment().spokes.length);
    // The record names every adapter with its bridge id from the book.
    const sepolia = result.record!.chains[environment().hub];
    expect(sepolia.adapters.layerzero?.bridgeId).to.equal(String(ADDRESS_BOOK[environment().hub].layerzero!.eid));
  });

  realBridgeTests(() => result, environment());

  it("stops every node it started", async () => {
    for (const node of result.nodes) await stopNode(node);
    for (const node of result.nodes) expect(() => process.kill(node.pid, 0)).to.throw();
  });
});
