/**
 * The offline rehearsal (scripts/rehearse.ts) on anvil nodes with the testnets' chain ids and the bridges' contracts
 * at the address book's addresses: the deploy, the check, a second deploy that sends nothing, round trips over
 * LayerZero, CCIP and Hyperlane, solvency, and every node stopped.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { rehearse } from "../../scripts/rehearse";
import { ADDRESS_BOOK } from "../../deploy/networks";
import { testConfig } from "./helpers";
import type { EnvironmentConfig } from "../../deploy/types";

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

describe("deploy:rehearse on anvil nodes with the testnets' chain ids", function () {
  this.timeout(300_000);

  it("deploys, checks, changes nothing on a second run, carries round trips over the real adapters, stays solvent", async () => {
    const lines: string[] = [];
    const basePort = 28600 + 4 * Math.floor(Math.random() * 200);
    const result = await rehearse({ config: environment(), book: ADDRESS_BOOK, basePort, log: (l) => lines.push(l) });
    expect(result.failed, lines.join("\n")).to.equal(undefined);
    expect(result.ok).to.equal(true);
    expect(result.secondRunTransactions).to.equal(0);
    for (const c of Object.values(result.perChain)) expect(c.gas > 0n).to.equal(true);
    expect(lines.some((l) => l.startsWith("[check]") && l.endsWith(": matches"))).to.equal(true);
    expect(lines.filter((l) => l.includes("-> released over"))).to.have.length(environment().spokes.length);
    // Every node it started is gone.
    for (const node of result.nodes) expect(() => process.kill(node.pid, 0)).to.throw();
    // The record names every adapter with its bridge id from the book.
    const sepolia = result.record!.chains[environment().hub];
    expect(sepolia.adapters.layerzero?.bridgeId).to.equal(String(ADDRESS_BOOK[environment().hub].layerzero!.eid));
  });
});
