/** Smoke test of the in-process multi-chain harness, which relies on Hardhat-internal createProvider. */
import { expect } from "chai";
import hre from "hardhat";
import { createChain, increaseTime, now, snapshotAll } from "../../scripts/lib/inprocess";
import { MockERC20__factory } from "../../typechain-types";

describe("in-process chains", () => {
  it("are independent: own chain id, state, snapshots and clock", async () => {
    const [a, b] = await Promise.all([
      createChain(hre, "a", 41001n, { accounts: 3 }),
      createChain(hre, "b", 41002n, { accounts: 3 }),
    ]);
    expect((await a.provider.getNetwork()).chainId).to.equal(41001n);
    expect((await b.provider.getNetwork()).chainId).to.equal(41002n);
    expect(a.signers).to.have.length(3);
    expect(a.signers[0].address).to.equal(b.signers[0].address); // same keys everywhere

    const token = await new MockERC20__factory(a.signers[0]).deploy("T", "T", 18);
    const address = await token.getAddress();
    expect(await a.provider.getCode(address)).to.not.equal("0x");
    expect(await b.provider.getCode(address)).to.equal("0x");

    const revert = await snapshotAll([a, b]);
    await token.mint(a.signers[1].address, 5n);
    await increaseTime(b, 3600);
    const [ta, tb] = [await now(a), await now(b)];
    expect(tb - ta).to.be.gte(3590n); // the chains started a moment apart
    await revert();
    expect(await token.balanceOf(a.signers[1].address)).to.equal(0n);
    expect(await now(b)).to.be.lt(tb);
  });
});
