import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import type { DeploymentRecordV2 } from "../../deploy/types";
import {
  isAlreadyVerified,
  jobsOf,
  main,
  verifyDeployment,
  type VerifyCall,
  type VerifyJob,
} from "../../scripts/verify";

const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";
const C = "0x00000000000000000000000000000000000000c3";
const D = "0x00000000000000000000000000000000000000d4";

function record(): DeploymentRecordV2 {
  const chain = (
    network: string,
    role: "hub" | "spoke",
    contracts: DeploymentRecordV2["chains"][string]["contracts"],
  ) => ({
    network,
    chainId: 1,
    role,
    contracts,
    adapters: {},
    tokens: {},
    startBlock: 1,
    confirmations: 1,
  });
  return {
    version: 2,
    env: "testnet",
    configHash: "0x",
    gitCommit: "abc",
    hub: "sepolia",
    chains: {
      sepolia: chain("sepolia", "hub", {
        engine: {
          address: A,
          block: 1,
          args: ["0x0000000000000000000000000000000000000001", "5"],
          contract: "contracts/hub/MarginEngine.sol:MarginEngine",
        },
        messenger: { address: B, block: 1 },
        "adapter.ccip": { address: C, block: 2, args: [] },
      }),
      baseSepolia: chain("baseSepolia", "spoke", {
        vault: { address: D, block: 3 },
        // the same contract under a second role name is verified once
        "vault.alias": { address: D, block: 3 },
      }),
    },
  };
}

/** A fake explorer: answers per address, records the calls. */
function fakeExplorer(answers: Record<string, string | undefined>): {
  verify: VerifyCall;
  calls: [string, VerifyJob][];
} {
  const calls: [string, VerifyJob][] = [];
  return {
    calls,
    verify: async (network, job) => {
      calls.push([network, job]);
      const answer = answers[job.address];
      if (answer !== undefined) throw new Error(answer);
    },
  };
}

describe("verify (explorer verification)", () => {
  it("skips, says so and calls nothing when there is no explorer key", async () => {
    const lines: string[] = [];
    const { verify, calls } = fakeExplorer({});
    const summary = await verifyDeployment(record(), { apiKey: null, verify, log: (l) => lines.push(l) });
    expect(summary).to.deep.equal({ skipped: true, results: [] });
    expect(calls).to.deep.equal([]);
    expect(lines.join("\n")).to.match(/no explorer key, skipping verification.*ETHERSCAN_API_KEY/);
  });

  it("the command exits 0 without a key, even before reading a record", async () => {
    const lines: string[] = [];
    const code = await main(["--env", "no-such-env"], { apiKey: null, log: (l) => lines.push(l) });
    expect(code).to.equal(0);
    expect(lines.join("\n")).to.match(/skipping verification/);
  });

  it("counts an already verified contract as a success, and reports a refusal as a failure", async () => {
    const { verify, calls } = fakeExplorer({
      [B]: "Contract source code already verified",
      [C]: "The block explorer's API responded that the contract contracts/x.sol:X at 0xc3 is already verified.",
      [D]: "Fail - Unable to verify. Compiled contract deployment bytecode does NOT match",
    });
    const lines: string[] = [];
    const summary = await verifyDeployment(record(), { apiKey: "key", verify, log: (l) => lines.push(l) });
    expect(summary.skipped).to.equal(false);
    expect(summary.results.map((r) => [r.network, r.name, r.status])).to.deep.equal([
      ["sepolia", "engine", "verified"],
      ["sepolia", "messenger", "already-verified"],
      ["sepolia", "adapter.ccip", "already-verified"],
      ["baseSepolia", "vault", "failed"],
    ]);
    expect(summary.results[3].error).to.match(/does NOT match/);
    // constructor args and the fully qualified name come from the record; absent args are []
    expect(calls[0]).to.deep.equal([
      "sepolia",
      {
        name: "engine",
        address: A,
        constructorArguments: ["0x0000000000000000000000000000000000000001", "5"],
        contract: "contracts/hub/MarginEngine.sol:MarginEngine",
      },
    ]);
    expect(calls[1][1].constructorArguments).to.deep.equal([]);
    expect(lines.join("\n")).to.match(/3 of 4 verified or already verified, 1 failed/);
  });

  it("the command exits 1 when a contract fails, 0 when all are verified or already verified", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xmargin-verify-"));
    const file = path.join(dir, "testnet.json");
    fs.writeFileSync(file, JSON.stringify(record()));
    const quiet = { log: () => undefined };
    const failing = fakeExplorer({ [D]: "Fail - Unable to verify" });
    expect(await main(["--record", file], { apiKey: "key", verify: failing.verify, ...quiet })).to.equal(1);
    const fine = fakeExplorer({ [D]: "Already Verified" });
    expect(await main(["--record", file], { apiKey: "key", verify: fine.verify, ...quiet })).to.equal(0);
    // --network limits the run to one chain of the record
    const one = fakeExplorer({});
    expect(
      await main(["--record", file, "--network", "baseSepolia"], { apiKey: "key", verify: one.verify, ...quiet }),
    ).to.equal(0);
    expect(one.calls.map(([network, job]) => `${network}/${job.name}`)).to.deep.equal(["baseSepolia/vault"]);
  });

  it("recognises the explorers' wordings of already verified, and names an unknown network", () => {
    for (const m of ["Already Verified", "Contract source code already verified", "has already been verified"]) {
      expect(isAlreadyVerified(m), m).to.equal(true);
    }
    expect(isAlreadyVerified("Fail - Unable to verify")).to.equal(false);
    expect(() => jobsOf(record(), "optimismSepolia")).to.throw(/no network "optimismSepolia".*sepolia, baseSepolia/);
  });
});
