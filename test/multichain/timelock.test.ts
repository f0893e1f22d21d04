import { expect } from "chai";
import { ZeroHash, id, parseUnits } from "ethers";
import { worldChainId, advanceAll, signer } from "../../scripts/lib/world";
import { send } from "../../deploy/orchestrator";
import { useWorld, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const DELAY = 2 * 86400;

describe("configuration goes through a timelock on every chain", () => {
  const h = useWorld(undefined, { timelockDelay: DELAY });

  it("every configurable contract is owned by its chain's timelock; the deployer configures nothing", async () => {
    const w = h.w;
    const hubTimelock = await w.timelocks!.get(w.hub.chain.chainId)!.getAddress();
    const { engine, messenger, adapter } = w.hub.deployment;
    for (const c of [engine, messenger, adapter]) expect(await c.owner()).to.equal(hubTimelock);
    for (const s of w.spokes) {
      const timelock = w.timelocks!.get(s.chain.chainId)!;
      for (const c of [s.deployment.vault, s.deployment.messenger, s.deployment.adapter]) {
        expect(await c.owner()).to.equal(await timelock.getAddress());
      }
      expect(await timelock.getMinDelay()).to.equal(BigInt(DELAY));
    }
    expect(await w.timelocks!.get(w.hub.chain.chainId)!.getMinDelay()).to.equal(BigInt(DELAY));
    const deployer = signer(w.hub.chain, "deployer");
    await expect(engine.connect(deployer).setCreditCap(ALPHA, await asset(w, "alpha", "WETH"), 1n))
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
  });

  it("a change is scheduled by the admin, cannot run before the delay, and runs after it", async () => {
    const w = h.w;
    const { engine } = w.hub.deployment;
    const timelock = w.timelocks!.get(w.hub.chain.chainId)!.connect(signer(w.hub.chain, "treasury"));
    const weth = await asset(w, "alpha", "WETH");
    const call = engine.interface.encodeFunctionData("setCreditCap", [ALPHA, weth, parseUnits("100", 18)]);
    const target = await engine.getAddress();
    const salt = id("cap alpha WETH");
    await expect(
      timelock.connect(signer(w.hub.chain, "deployer")).schedule(target, 0, call, ZeroHash, salt, DELAY),
    ).to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount");
    await send(timelock.schedule(target, 0, call, ZeroHash, salt, DELAY));
    await expect(timelock.execute(target, 0, call, ZeroHash, salt)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await advanceAll(w, DELAY - 10);
    await expect(timelock.execute(target, 0, call, ZeroHash, salt)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await advanceAll(w, 10);
    await expect(timelock.execute(target, 0, call, ZeroHash, salt))
      .to.emit(engine, "CreditCapSet")
      .withArgs(ALPHA, weth, parseUnits("100", 18));
    expect((await engine.marketState(ALPHA, weth)).creditCap).to.equal(parseUnits("100", 18));
  });
});
