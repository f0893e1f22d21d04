/**
 * The multi-chain deploy (deploy/environment.ts) on two in-process chains with the bridges' harnesses: dry run,
 * interrupted and resumed deploy, a second run that changes nothing, the check, the listing order, stale records.
 */
import { expect } from "chai";
import hre from "hardhat";
import fs from "fs";
import { ZeroAddress } from "ethers";
import { HUB, SPOKE, nonces, testConfig, testEnv, type TestEnv } from "./helpers";
import { formatPlan } from "../../scripts/deploy";
import { formatCheck } from "../../scripts/check-deploy";
import { Interrupted, StaleRecordError } from "../../deploy/runner";
import { readRecordFile } from "../../deploy/record";
import {
  CollateralVault__factory,
  LayerZeroAdapter__factory,
  IMarginHub__factory,
  Messenger__factory,
} from "../../typechain-types";

describe("deploy: one idempotent multi-chain deploy", function () {
  this.timeout(300_000);
  let env: TestEnv;

  beforeEach(async () => {
    env = await testEnv(hre, { BAD: 50 });
  });

  it("--dry-run sends nothing and prints every contract and call per chain", async () => {
    const config = testConfig();
    const before = await nonces(env);
    const blocks = await Promise.all(Object.values(env.chains).map((c) => c.provider.getBlockNumber()));
    const run = await env.run(config, { mode: "dry-run" });
    expect(await nonces(env)).to.deep.equal(before);
    expect(await Promise.all(Object.values(env.chains).map((c) => c.provider.getBlockNumber()))).to.deep.equal(blocks);
    expect(fs.existsSync(env.file)).to.equal(false);

    const providers = Object.fromEntries(Object.entries(env.chains).map(([n, c]) => [n, c.provider]));
    const text = (await formatPlan(run, providers)).join("\n");
    for (const line of [
      "deploy messenger",
      "deploy adapter.layerzero",
      "deploy adapter.ccip",
      "deploy adapter.hyperlane",
      "deploy liquidations",
      "deploy extension",
      "deploy engine",
      "deploy vault",
      `messenger.setRoute(${SPOKE}, layerzero+ccip+hyperlane, k=2)`,
      `adapter.ccip.setRemote(${HUB})`,
      "vault.setAssetAllowed(WETH)",
    ]) {
      expect(text).to.contain(line);
    }
    // Deployments are estimated with estimateGas; calls on contracts not deployed yet say so.
    // The liquidation part needs nothing deployed before it; the extension's constructor calls it and the engine's
    // calls the extension, so their gas is known only once the part before exists.
    const liquidations = run.plan.find((p) => p.network === HUB && p.label === "liquidations")!;
    expect(liquidations.gas! > 3_000_000n).to.equal(true);
    expect(text).to.contain("estimated after deploy");
    expect(text).to.match(new RegExp(`${HUB}: \\d+ transactions`));
  });

  it("resumes after an interruption with the same addresses, then a second run changes nothing", async () => {
    const config = testConfig({
      governance: { timelock: true, minDelay: 3600, proposers: ["deployer"], executors: ["deployer"] },
    });
    let error: unknown;
    try {
      await env.run(config, { mode: "deploy", stopAfter: 5 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Interrupted);
    const partial = readRecordFile(env.file);
    const early = partial.chains[HUB].contracts;
    expect(Object.keys(early)).to.include.members(["messenger", "adapter.layerzero", "adapter.ccip"]);

    const first = await env.run(config, { mode: "deploy" });
    const full = readRecordFile(env.file);
    for (const [name, c] of Object.entries(early)) expect(full.chains[HUB].contracts[name].address).to.equal(c.address);
    expect(first.gasUsed.size).to.equal(2);
    expect(Object.keys(full.chains[SPOKE].contracts)).to.include.members(["messenger", "vault", "timelock"]);
    expect(full.chains[SPOKE].adapters.ccip!.bridgeId).to.equal(env.book[SPOKE].ccip!.chainSelector);
    expect(full.chains[HUB].startBlock).to.be.greaterThan(0);

    const engine = IMarginHub__factory.connect(full.chains[HUB].contracts.engine.address, env.chains[HUB].provider);
    expect(await engine.owner()).to.equal(full.chains[HUB].contracts.timelock.address);

    const before = await nonces(env);
    const second = await env.run(config, { mode: "deploy" });
    expect(second.gasUsed.size).to.equal(0);
    expect(await nonces(env)).to.deep.equal(before);
    const check = formatCheck(await env.run(config, { mode: "check" }), config);
    expect(check.lines).to.deep.equal([`${HUB}: matches`, `${SPOKE}: matches`]);
    expect(check.code).to.equal(0);
  });

  it("check:deploy lists a broken adapter peer and a broken route, with exit code 1", async () => {
    const config = testConfig();
    await env.run(config, { mode: "deploy" });
    const record = readRecordFile(env.file);
    const deployer = env.signers[HUB];
    const lz = LayerZeroAdapter__factory.connect(record.chains[HUB].adapters.layerzero!.address, deployer);
    const wrongPeer = "0x000000000000000000000000000000000000dEaD";
    await (await lz.setRemote(31338n, BigInt(env.book[SPOKE].layerzero!.eid), wrongPeer, 400_000)).wait();
    const spokeMessenger = Messenger__factory.connect(
      record.chains[SPOKE].contracts.messenger.address,
      env.signers[SPOKE],
    );
    const adapters = await spokeMessenger.routeAdapters(31337n);
    await (
      await spokeMessenger.setRoute(31337n, record.chains[HUB].contracts.messenger.address, [...adapters], 1)
    ).wait();

    const { code, lines } = formatCheck(await env.run(config, { mode: "check" }), config);
    expect(code).to.equal(1);
    const text = lines.join("\n");
    expect(text).to.contain(`${HUB}: adapter.layerzero.setRemote(${SPOKE}): peer ${wrongPeer}`);
    expect(text).to.match(
      new RegExp(`${SPOKE}: messenger.setRoute\\(${HUB}, layerzero\\+ccip\\+hyperlane, k=2\\): .* k 1 .*want .* k 2`),
    );
    expect(lines.filter((l) => l.startsWith("  "))).to.have.length(2);

    // The deploy repairs exactly those two.
    const repair = await env.run(config, { mode: "deploy" });
    expect([...repair.sent.values()]).to.deep.equal([1, 1]);
    expect(formatCheck(await env.run(config, { mode: "check" }), config).code).to.equal(0);
  });

  it("lists on the hub before the vault: a token the hub refuses (50 decimals) is never allowed in the vault", async () => {
    const config = testConfig();
    config.markets.push({ ...config.markets[0], token: "BAD", creditCap: "0", depositCap: "0" });
    let error: Error | undefined;
    try {
      await env.run(config, { mode: "deploy" });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.contain(`${HUB}: feeds.setFeed(BAD@${SPOKE}) failed: InvalidDecimals(8, 50)`);
    const record = readRecordFile(env.file);
    const vault = CollateralVault__factory.connect(
      record.chains[SPOKE].contracts.vault.address,
      env.chains[SPOKE].provider,
    );
    const bad = env.book[SPOKE].tokens.BAD.address;
    expect((await vault.assetState(bad)).allowed).to.equal(false);
    expect((await vault.assetState(env.book[SPOKE].tokens.WETH.address)).allowed).to.equal(true);
    const engine = IMarginHub__factory.connect(record.chains[HUB].contracts.engine.address, env.chains[HUB].provider);
    expect((await engine.marketState(31338n, bad)).idPlusOne).to.equal(0n);
  });

  it("refuses a stale record (the chain was reset under it) unless --reset names the network", async () => {
    const config = testConfig();
    const spoke = env.chains[SPOKE];
    const snapshot = await spoke.send("evm_snapshot", []);
    await env.run(config, { mode: "deploy" });
    const vaultBefore = readRecordFile(env.file).chains[SPOKE].contracts.vault.address;
    await spoke.send("evm_revert", [snapshot]);

    let error: unknown;
    try {
      await env.run(config, { mode: "deploy" });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StaleRecordError);
    expect((error as Error).message).to.match(
      new RegExp(`^${SPOKE}: the record does not match the chain \\(no code at messenger`),
    );
    expect((error as Error).message).to.contain(`--reset ${SPOKE}`);

    await env.run(config, { mode: "deploy", reset: [SPOKE] });
    const after = readRecordFile(env.file).chains[SPOKE].contracts.vault.address;
    expect(after).to.not.equal(ZeroAddress);
    expect(await spoke.provider.getCode(after)).to.not.equal("0x");
    expect(vaultBefore).to.be.a("string");
    expect(formatCheck(await env.run(config, { mode: "check" }), config).code).to.equal(0);
  });

  it("deployTokens: mock tokens and feeds are deployed, recorded and used instead of the book's", async () => {
    const config = testConfig({ deployTokens: true });
    await env.run(config, { mode: "deploy" });
    const record = readRecordFile(env.file);
    const weth = record.chains[SPOKE].tokens.WETH.address;
    expect(weth).to.equal(record.chains[SPOKE].contracts["token.WETH"].address);
    expect(weth).to.not.equal(env.book[SPOKE].tokens.WETH.address);
    expect(record.chains[HUB].contracts["feed.ETH/USD"].address).to.not.equal(env.book[HUB].feeds["ETH/USD"].address);
    const vault = CollateralVault__factory.connect(
      record.chains[SPOKE].contracts.vault.address,
      env.chains[SPOKE].provider,
    );
    expect((await vault.assetState(weth)).allowed).to.equal(true);
    expect(formatCheck(await env.run(config, { mode: "check" }), config).code).to.equal(0);
  });
});
