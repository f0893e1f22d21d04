/**
 * The keepers against a devnet of three Hardhat nodes in separate processes, over HTTP JSON-RPC: the relayer
 * carries deposits and releases, the liquidator liquidates, the monitor reports solvency.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";
import { startDevnet, seed, type Devnet } from "../../scripts/devnet";
import { connectDeployment, type Connected } from "../../scripts/lib/deployment";
import { ACTORS, signer, spoke } from "../../scripts/lib/world";
import { makeKeeperRelayer, relayOnce } from "../../scripts/relayer";
import { liquidatorPass } from "../../scripts/liquidator";
import { monitorPass } from "../../scripts/monitor";
import { send } from "../../deploy/orchestrator";

describe("keepers on a devnet (separate node processes)", function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let asRelayer: Connected;
  let asLiquidator: Connected;
  let asMonitor: Connected;

  before(async () => {
    devnet = await startDevnet({ basePort: 20000 + Math.floor(Math.random() * 20000) });
    await seed(devnet.world);
    asRelayer = await connectDeployment(devnet.record, { account: ACTORS.relayer });
    asLiquidator = await connectDeployment(devnet.record, { account: ACTORS.liquidator });
    asMonitor = await connectDeployment(devnet.record, { account: ACTORS.deployer });
  });

  after(async () => {
    await devnet?.stop();
  });

  it("relays, liquidates and stays solvent", async () => {
    const w = devnet.world;
    const { engine } = w.hub.deployment;
    const alice = signer(w.hub.chain, "alice");
    const weth = await spoke(w, "alpha").tokens.WETH.getAddress();

    let report = await monitorPass(asMonitor);
    expect(report.broken).to.deep.equal([]);
    expect(report.rows.find((r) => r.symbol === "WETH")!.depositsInFlight).to.equal(parseUnits("5", 18));

    const relayer = makeKeeperRelayer(asRelayer);
    const delivered = await relayOnce(relayer);
    expect(delivered.map((r) => r.error)).to.deep.equal([undefined, undefined]);
    expect(await engine.collateralOf(alice.address, 31338n, weth)).to.equal(parseUnits("5", 18));
    expect(await relayOnce(relayer)).to.have.length(0); // nothing twice

    await send(engine.connect(alice).borrow(parseUnits("19000", 6), alice.address));
    await send(w.feeds.WETH.updateAnswer(2_300n * 10n ** 8n));
    report = await monitorPass(asMonitor);
    expect(report.liquidatable).to.deep.equal([alice.address]);

    const [result] = await liquidatorPass(asLiquidator);
    expect(result.error).to.equal(undefined);
    expect(result.chainId).to.equal(31338n);
    const liquidatorOnAlpha = asLiquidator.spokes[0].signer.address;
    const before = await spoke(w, "alpha").tokens.WETH.balanceOf(liquidatorOnAlpha);
    await relayOnce(relayer);
    expect((await spoke(w, "alpha").tokens.WETH.balanceOf(liquidatorOnAlpha)) - before).to.equal(result.seized);

    report = await monitorPass(asMonitor);
    expect(report.broken).to.deep.equal([]);
    expect(report.liquidatable).to.deep.equal([]);
    expect(report.rows.every((r) => r.depositsInFlight === 0n && r.releasesInFlight === 0n)).to.equal(true);
  });
});
