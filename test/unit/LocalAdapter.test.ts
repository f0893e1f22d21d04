import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress } from "ethers";
import { LocalAdapter__factory } from "../../typechain-types";
import { messagingFixture, REMOTE } from "../helpers/messaging";

describe("LocalAdapter", () => {
  it("sends only for its messenger and charges exactly its fee", async () => {
    const f = await loadFixture(messagingFixture);
    const a = f.adapters[0];
    await expect(a.connect(f.user).send(REMOTE, "0x"))
      .to.be.revertedWithCustomError(a, "OnlyMessenger")
      .withArgs(f.user.address);
    const paid = await new LocalAdapter__factory(f.owner).deploy(f.user.address, f.owner.address, 7n);
    expect(await paid.quote(REMOTE, "0x")).to.equal(7n);
    await expect(paid.connect(f.user).send(REMOTE, "0x", { value: 6n }))
      .to.be.revertedWithCustomError(paid, "WrongFee")
      .withArgs(6n, 7n);
    await expect(paid.connect(f.user).send(REMOTE, "0x12", { value: 7n }))
      .to.emit(paid, "RelayRequested")
      .withArgs(REMOTE, "0x12");
    await expect(paid.connect(f.user).withdrawFees(f.user.address)).to.be.revertedWithCustomError(
      paid,
      "OwnableUnauthorizedAccount",
    );
    // A recipient that refuses ETH: nothing moves.
    await expect(paid.withdrawFees(await f.messenger.getAddress()))
      .to.be.revertedWithCustomError(paid, "WithdrawFailed")
      .withArgs(await f.messenger.getAddress(), 7n);
    await expect(paid.withdrawFees(f.other.address)).to.changeEtherBalances([paid, f.other], [-7n, 7n]);
  });

  it("delivers only from an authorised relayer, naming the trusted remote adapter", async () => {
    const f = await loadFixture(messagingFixture);
    const a = f.adapters[0];
    const { encoded } = await f.envelope();
    await expect(a.connect(f.user).deliver(REMOTE, f.remote.adapters[0], f.remote.messenger, encoded))
      .to.be.revertedWithCustomError(a, "NotRelayer")
      .withArgs(f.user.address);
    const fake = Wallet.createRandom().address;
    await expect(a.connect(f.relayer).deliver(REMOTE, fake, f.remote.messenger, encoded))
      .to.be.revertedWithCustomError(a, "UntrustedRemote")
      .withArgs(REMOTE, fake);
    await expect(a.connect(f.relayer).deliver(999n, ZeroAddress, f.remote.messenger, encoded))
      .to.be.revertedWithCustomError(a, "UntrustedRemote")
      .withArgs(999n, ZeroAddress);
    await a.setRelayer(f.relayer.address, false);
    await expect(f.deliver(encoded)).to.be.revertedWithCustomError(a, "NotRelayer");
    await a.setRelayer(f.relayer.address, true);
    await f.deliver(encoded);
    expect(await f.app.received()).to.equal(1n);
  });

  it("is configured by its owner only", async () => {
    const f = await loadFixture(messagingFixture);
    const a = f.adapters[0].connect(f.user);
    await expect(a.setRelayer(f.user.address, true)).to.be.revertedWithCustomError(a, "OwnableUnauthorizedAccount");
    await expect(a.setRemoteAdapter(REMOTE, f.user.address)).to.be.revertedWithCustomError(
      a,
      "OwnableUnauthorizedAccount",
    );
    await expect(f.adapters[0].setRemoteAdapter(REMOTE, f.user.address))
      .to.emit(f.adapters[0], "RemoteAdapterSet")
      .withArgs(REMOTE, f.user.address);
    await expect(f.adapters[0].setRelayer(f.user.address, true))
      .to.emit(f.adapters[0], "RelayerSet")
      .withArgs(f.user.address, true);
    expect(await f.adapters[0].messenger()).to.equal(await f.messenger.getAddress());
  });
});
