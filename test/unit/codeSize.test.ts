/**
 * The hub's parts stay well under the EIP-170 limit (24,576 bytes) with room to grow: each at most 20,480 bytes
 * of runtime code, with the one optimizer setting of hardhat.config.ts. And IMarginHub, the one typed contract
 * tools use at the engine's address, is exactly what that address serves: the engine's ABI, its extension's
 * (reached through the engine's fallback) and its liquidation part's (reached through the extension's), nothing
 * missing and nothing extra.
 */
import { expect } from "chai";
import hre from "hardhat";
import { Fragment, Interface } from "ethers";

const LIMIT = 20_480;
const HUB_PARTS = ["MarginEngine", "MarginEngineExt", "MarginEngineLiq", "MarginLens"];

/** Signatures of the functions, events and errors of `abi`. */
function signatures(abi: Interface, filter: (f: Fragment) => boolean = () => true): string[] {
  return abi.fragments
    .filter((f) => f.type === "function" || f.type === "event" || f.type === "error")
    .filter(filter)
    .map((f) => `${f.type} ${f.format("sighash")}`)
    .sort();
}

describe("hub code size and interface", () => {
  for (const name of HUB_PARTS) {
    it(`${name}: runtime code at most ${LIMIT.toLocaleString("en-US")} bytes`, async () => {
      const artifact = await hre.artifacts.readArtifact(name);
      const size = (artifact.deployedBytecode.length - 2) / 2;
      expect(size, `${name} is ${size} bytes`).to.be.gt(0);
      expect(size, `${name} is ${size} bytes`).to.be.lte(LIMIT);
    });
  }

  it("IMarginHub is exactly the engine's ABI plus its extension's and its liquidation part's (the initializer aside)", async () => {
    const engine = new Interface((await hre.artifacts.readArtifact("MarginEngine")).abi);
    const ext = new Interface((await hre.artifacts.readArtifact("MarginEngineExt")).abi);
    const liq = new Interface((await hre.artifacts.readArtifact("MarginEngineLiq")).abi);
    const hub = new Interface((await hre.artifacts.readArtifact("IMarginHub")).abi);
    // The initializer runs only inside the engine's constructor: not part of what the address serves.
    const served = [
      ...new Set([
        ...signatures(engine),
        ...signatures(ext, (f) => !(f.type === "function" && "name" in f && f.name === "initialize")),
        ...signatures(liq),
      ]),
    ].sort();
    // Errors the parts' ABIs leave out (thrown by libraries) may be listed by the interface on top.
    const extra = signatures(hub).filter((s) => !served.includes(s));
    expect(
      extra.filter((s) => !s.startsWith("error ")),
      "functions or events in IMarginHub that nothing serves",
    ).to.deep.equal([]);
    expect(
      served.filter((s) => !signatures(hub).includes(s)),
      "served at the engine's address, missing from IMarginHub",
    ).to.deep.equal([]);
  });

  it("no function is defined by two parts except the shared storage's getters and ownership", async () => {
    const fns = async (name: string) =>
      signatures(new Interface((await hre.artifacts.readArtifact(name)).abi), (f) => f.type === "function");
    const engine = await fns("MarginEngine");
    const ext = await fns("MarginEngineExt");
    const liq = await fns("MarginEngineLiq");
    // A function of a later part that an earlier part also has is never reached at the engine's address.
    const both = [
      ...new Set([...engine.filter((s) => ext.includes(s) || liq.includes(s)), ...ext.filter((s) => liq.includes(s))]),
    ].sort();
    // Served by the engine itself (the extension's copy is never reached through the fallback).
    const shared = [
      "acceptOwnership()",
      "baseToken()",
      "guardian()",
      "hubChainId()",
      "latencyHaircutBps(uint64)",
      "marketCount()",
      "messenger()",
      "owner()",
      "pendingOwner()",
      "renounceOwnership()",
      "setGuardian(address)",
      "totalBadDebt()",
      "transferOwnership(address)",
    ].map((s) => `function ${s}`);
    expect(both).to.deep.equal(shared.sort());
  });
});
