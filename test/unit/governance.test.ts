import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, id, toBeHex, zeroPadValue, Wallet } from "ethers";
import { CollateralVault__factory, Messenger__factory, MockERC20__factory } from "../../typechain-types";
import { deployGovernance } from "../../deploy/governance";
import { DEFAULT_LIQUIDATION, MIN_DEBT, deployFeed } from "../helpers/hub";
import { DEFAULT_RATE_MODEL, deployHub } from "../../deploy/orchestrator";

const DAY = 86400;

/** A margin engine, a messenger and a vault, owned by the deployer, handed over to a timelock run by `admin`. */
async function governedFixture() {
  const [deployer, admin, guardian] = await hre.ethers.getSigners();
  const base = await new MockERC20__factory(deployer).deploy("USD Coin", "USDC", 6);
  const { engine } = await deployHub(deployer, {
    baseToken: await base.getAddress(),
    guardian: guardian.address,
    rateModel: DEFAULT_RATE_MODEL,
    reserveFactorBps: 1000,
    liquidation: DEFAULT_LIQUIDATION,
    minDebt: MIN_DEBT,
  });
  const messenger = await new Messenger__factory(deployer).deploy(deployer.address, guardian.address);
  const vault = await new CollateralVault__factory(deployer).deploy(
    await messenger.getAddress(),
    31338n,
    deployer.address,
    guardian.address,
  );
  const timelock = await deployGovernance(deployer, { minDelay: DAY, admin: admin.address }, [
    engine,
    messenger,
    vault,
  ]);
  return { deployer, admin, guardian, engine, messenger, vault, timelock };
}

/** The timelock's bitmap of expected states in TimelockUnexpectedOperationState (Ready = 2). */
const READY = zeroPadValue(toBeHex(1n << 2n), 32);

describe("governance: timelock owner", () => {
  it("owns every contract after the hand-over; the deployer keeps no role", async () => {
    const { deployer, admin, engine, messenger, vault, timelock } = await loadFixture(governedFixture);
    const address = await timelock.getAddress();
    for (const c of [engine, messenger, vault]) {
      expect(await c.owner()).to.equal(address);
      expect(await c.pendingOwner()).to.equal("0x0000000000000000000000000000000000000000");
    }
    expect(await timelock.getMinDelay()).to.equal(BigInt(DAY));
    for (const role of [
      await timelock.PROPOSER_ROLE(),
      await timelock.EXECUTOR_ROLE(),
      await timelock.CANCELLER_ROLE(),
    ]) {
      expect(await timelock.hasRole(role, admin.address)).to.equal(true);
      expect(await timelock.hasRole(role, deployer.address)).to.equal(false);
    }
  });

  it("the old owner can no longer configure", async () => {
    const { deployer, engine, vault, messenger } = await loadFixture(governedFixture);
    const asset = Wallet.createRandom().address;
    const feed = await deployFeed(deployer, 10n ** 8n);
    await expect(engine.setFeed(1n, asset, await feed.getAddress(), 3600, 18))
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(vault.setDepositCap(asset, 1n))
      .to.be.revertedWithCustomError(vault, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(messenger.setGuardian(deployer.address))
      .to.be.revertedWithCustomError(messenger, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
  });

  it("a change runs only through schedule -> delay -> execute, by the admin", async () => {
    const { deployer, admin, vault, timelock } = await loadFixture(governedFixture);
    const asset = Wallet.createRandom().address;
    const target = await vault.getAddress();
    const data = vault.interface.encodeFunctionData("setDepositCap", [asset, 1000n]);
    const salt = id("cap");
    await expect(timelock.connect(deployer).schedule(target, 0, data, ZeroHash, salt, DAY))
      .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, await timelock.PROPOSER_ROLE());
    await expect(timelock.connect(admin).schedule(target, 0, data, ZeroHash, salt, DAY - 1))
      .to.be.revertedWithCustomError(timelock, "TimelockInsufficientDelay")
      .withArgs(DAY - 1, DAY);
    await timelock.connect(admin).schedule(target, 0, data, ZeroHash, salt, DAY);
    const operation = await timelock.hashOperation(target, 0, data, ZeroHash, salt);

    // Before the delay: refused, nothing changed.
    await expect(timelock.connect(admin).execute(target, 0, data, ZeroHash, salt))
      .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
      .withArgs(operation, READY);
    expect((await vault.assetState(asset)).depositCap).to.equal(0n);

    await time.increase(DAY);
    await expect(timelock.connect(admin).execute(target, 0, data, ZeroHash, salt))
      .to.emit(vault, "DepositCapSet")
      .withArgs(asset, 1000n);
    expect((await vault.assetState(asset)).depositCap).to.equal(1000n);
    expect(await timelock.isOperationDone(operation)).to.equal(true);
  });
});
