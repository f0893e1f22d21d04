import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, Wallet, ZeroAddress, ZeroHash, keccak256, parseUnits } from "ethers";
import {
  CallbackERC20__factory,
  CollateralVault__factory,
  FeeOnTransferERC20__factory,
  LocalAdapter__factory,
  Messenger__factory,
  MockERC20__factory,
  NoReturnERC20__factory,
  RebasingERC20__factory,
  RestrictedERC20__factory,
} from "../../typechain-types";
import {
  DEPOSIT,
  RELEASE,
  decodeEnvelope,
  decodeMessage,
  encodeEnvelope,
  encodeMessage,
  envelopeId,
} from "../../scripts/lib/codec";

const HUB = 31338n; // the hub is simulated: its messenger, adapter and engine are plain addresses
const LOCAL = 31337n;

async function vaultFixture() {
  const [owner, guardian, relayer, alice, bob, other] = await hre.ethers.getSigners();
  const messenger = await new Messenger__factory(owner).deploy(owner.address, guardian.address);
  const adapter = await new LocalAdapter__factory(owner).deploy(await messenger.getAddress(), owner.address, 0);
  const vault = await new CollateralVault__factory(owner).deploy(
    await messenger.getAddress(),
    HUB,
    owner.address,
    guardian.address,
  );
  const hub = {
    messenger: Wallet.createRandom().address,
    adapter: Wallet.createRandom().address,
    engine: Wallet.createRandom().address,
  };
  await adapter.setRemoteAdapter(HUB, hub.adapter);
  await adapter.setRelayer(relayer.address, true);
  await messenger.setRoute(HUB, hub.messenger, [await adapter.getAddress()], 1);
  await messenger.setPeerApp(await vault.getAddress(), HUB, hub.engine);

  const weth = await new MockERC20__factory(owner).deploy("Wrapped Ether", "WETH", 18);
  const wbtc = await new MockERC20__factory(owner).deploy("Wrapped BTC", "WBTC", 8);
  const usdc = await new RestrictedERC20__factory(owner).deploy("USD Coin", "USDC", 6);
  const usdt = await new NoReturnERC20__factory(owner).deploy("Tether", "USDT", 6);
  const fot = await new FeeOnTransferERC20__factory(owner).deploy("Fee token", "FEE", 18, 100); // 1% burnt
  const tokens = { weth, wbtc, usdc, usdt, fot };
  for (const t of Object.values(tokens)) {
    await vault.setAssetAllowed(await t.getAddress(), true);
    for (const u of [alice, bob]) {
      await t.mint(u.address, parseUnits("1000000", 18));
      await t.connect(u).approve(await vault.getAddress(), MaxUint256);
    }
  }
  let nonce = 0n;
  /** Delivers a RELEASE from the simulated hub engine, as the relayer would. */
  const release = async (recipient: string, asset: string, amount: bigint, kind = RELEASE) => {
    const encoded = encodeEnvelope({
      nonce: nonce++,
      srcChainId: HUB,
      dstChainId: LOCAL,
      srcMessenger: hub.messenger,
      sender: hub.engine,
      receiver: await vault.getAddress(),
      payload: encodeMessage({ kind, who: recipient, asset, amount }),
    });
    const tx = await adapter.connect(relayer).deliver(HUB, hub.adapter, hub.messenger, encoded);
    return { tx, id: envelopeId(encoded), encoded };
  };
  return { vault, messenger, adapter, hub, tokens, owner, guardian, relayer, alice, bob, other, release };
}

/** An allowed token with a transfer hook, 1000 units with alice, approved to the vault. */
async function hookedToken(f: Awaited<ReturnType<typeof vaultFixture>>) {
  const hooked = await new CallbackERC20__factory(f.owner).deploy("Hooked", "HOOK", 18);
  const asset = await hooked.getAddress();
  await f.vault.setAssetAllowed(asset, true);
  await hooked.mint(f.alice.address, 1000n);
  await hooked.connect(f.alice).approve(await f.vault.getAddress(), MaxUint256);
  return { hooked, asset };
}

describe("CollateralVault", () => {
  describe("deposit", () => {
    it("locks the tokens and sends a DEPOSIT of what it received to the hub engine", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      const amount = parseUnits("2", 18);
      const tx = await f.vault.connect(f.alice).deposit(weth, amount, f.bob.address);
      const receipt = (await tx.wait())!;
      const relay = receipt.logs.map((l) => f.adapter.interface.parseLog(l)).find((e) => e?.name === "RelayRequested")!;
      const envelope = decodeEnvelope(relay.args.envelope);
      expect(relay.args.dstChainId).to.equal(HUB);
      expect(envelope.receiver).to.equal(f.hub.engine);
      expect(envelope.sender).to.equal(await f.vault.getAddress());
      expect(decodeMessage(envelope.payload)).to.deep.equal({ kind: DEPOSIT, who: f.bob.address, asset: weth, amount });
      await expect(tx)
        .to.emit(f.vault, "Deposited")
        .withArgs(f.bob.address, weth, amount, keccak256(relay.args.envelope));
      await expect(tx).to.changeTokenBalances(f.tokens.weth, [f.alice, f.vault], [-amount, amount]);
      expect(await f.vault.totalLocked(weth)).to.equal(amount);
    });

    it("credits what actually arrived from a fee-on-transfer token", async () => {
      const f = await loadFixture(vaultFixture);
      const fot = await f.tokens.fot.getAddress();
      const tx = await f.vault.connect(f.alice).deposit(fot, parseUnits("100", 18), f.alice.address);
      await expect(tx)
        .to.emit(f.vault, "Deposited")
        .withArgs(f.alice.address, fot, parseUnits("99", 18), (id: string) => id !== ZeroHash);
      // The hub is told what arrived, not what was asked.
      const receipt = (await tx.wait())!;
      const relay = receipt.logs.map((l) => f.adapter.interface.parseLog(l)).find((e) => e?.name === "RelayRequested")!;
      expect(decodeMessage(decodeEnvelope(relay.args.envelope).payload).amount).to.equal(parseUnits("99", 18));
      expect(await f.vault.totalLocked(fot)).to.equal(parseUnits("99", 18));
      expect(await f.tokens.fot.balanceOf(await f.vault.getAddress())).to.equal(parseUnits("99", 18));
    });

    it("handles 6, 8 and 18 decimals and tokens that return nothing (USDT)", async () => {
      const f = await loadFixture(vaultFixture);
      for (const [token, amount] of [
        [f.tokens.usdc, parseUnits("1000", 6)],
        [f.tokens.wbtc, parseUnits("0.5", 8)],
        [f.tokens.weth, parseUnits("3", 18)],
        [f.tokens.usdt, parseUnits("250", 6)],
      ] as const) {
        const asset = await token.getAddress();
        await f.vault.connect(f.alice).deposit(asset, amount, f.alice.address);
        expect(await f.vault.totalLocked(asset)).to.equal(amount);
        await f.release(f.bob.address, asset, amount);
        expect(await f.vault.totalLocked(asset)).to.equal(0n);
      }
      expect(await f.tokens.usdt.balanceOf(f.bob.address)).to.equal(parseUnits("1000000", 18) + parseUnits("250", 6));
    });

    it("rejects bad input and paused or unknown assets without moving tokens", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      const v = f.vault.connect(f.alice);
      await expect(v.deposit(weth, 0, f.alice.address)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await expect(v.deposit(weth, 1, ZeroAddress)).to.be.revertedWithCustomError(f.vault, "ZeroAddress");
      const unknown = await new MockERC20__factory(f.owner).deploy("X", "X", 18);
      await expect(v.deposit(await unknown.getAddress(), 1, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "AssetNotAllowed")
        .withArgs(await unknown.getAddress());
      await expect(f.vault.connect(f.alice).pauseDeposits(weth)).to.be.revertedWithCustomError(f.vault, "NotGuardian");
      await expect(f.vault.connect(f.guardian).pauseDeposits(weth))
        .to.emit(f.vault, "DepositsPaused")
        .withArgs(weth, true);
      await expect(v.deposit(weth, 1, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "DepositsArePaused")
        .withArgs(weth);
      await expect(f.vault.connect(f.guardian).unpauseDeposits(weth)).to.be.revertedWithCustomError(
        f.vault,
        "OwnableUnauthorizedAccount",
      );
      await f.vault.unpauseDeposits(weth);
      await v.deposit(weth, 1, f.alice.address);
      // A token that delivers nothing (100% fee) credits nothing.
      const eater = await new FeeOnTransferERC20__factory(f.owner).deploy("Eater", "EAT", 18, 10_000);
      await f.vault.setAssetAllowed(await eater.getAddress(), true);
      await eater.mint(f.alice.address, 10n);
      await eater.connect(f.alice).approve(await f.vault.getAddress(), 10n);
      await expect(v.deposit(await eater.getAddress(), 10n, f.alice.address)).to.be.revertedWithCustomError(
        f.vault,
        "NothingReceived",
      );
    });

    it("is non-reentrant: a token hook cannot deposit again inside a deposit", async () => {
      const f = await loadFixture(vaultFixture);
      const { hooked, asset } = await hookedToken(f);
      const inner = f.vault.interface.encodeFunctionData("deposit", [asset, 10n, f.alice.address]);
      await hooked.arm(await f.vault.getAddress(), inner);
      await f.vault.connect(f.alice).deposit(asset, 100n, f.alice.address);
      expect(await hooked.lastOk()).to.equal(false); // the inner deposit hit the guard
      expect(await f.vault.totalLocked(asset)).to.equal(100n);
    });

    it("quotes the messaging fee and refunds excess to the depositor", async () => {
      const f = await loadFixture(vaultFixture);
      const paid = await new LocalAdapter__factory(f.owner).deploy(
        await f.messenger.getAddress(),
        f.owner.address,
        1000n,
      );
      await paid.setRemoteAdapter(HUB, f.hub.adapter);
      await f.messenger.setRoute(HUB, f.hub.messenger, [await paid.getAddress()], 1);
      const weth = await f.tokens.weth.getAddress();
      expect(await f.vault.quoteDeposit(weth, 1n, f.alice.address)).to.equal(1000n);
      await expect(f.vault.connect(f.alice).deposit(weth, 1n, f.alice.address, { value: 999n }))
        .to.be.revertedWithCustomError(f.messenger, "NotEnoughAdapters")
        .withArgs(HUB, 0n, 1n);
      await expect(
        f.vault.connect(f.alice).deposit(weth, 1n, f.alice.address, { value: 5000n }),
      ).to.changeEtherBalances([f.alice, paid], [-1000n, 1000n]);
    });
  });

  describe("release", () => {
    it("pays a RELEASE from the hub and unlocks it", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, parseUnits("5", 18), f.alice.address);
      const { tx, id } = await f.release(f.bob.address, weth, parseUnits("2", 18));
      await expect(tx).to.emit(f.vault, "Released").withArgs(f.bob.address, weth, parseUnits("2", 18), id);
      await expect(tx).to.changeTokenBalances(
        f.tokens.weth,
        [f.bob, f.vault],
        [parseUnits("2", 18), -parseUnits("2", 18)],
      );
      expect(await f.vault.totalLocked(weth)).to.equal(parseUnits("3", 18));
    });

    it("turns a release the token refuses into a claim; the claim is paid later, redirected or pushed", async () => {
      const f = await loadFixture(vaultFixture);
      const usdc = await f.tokens.usdc.getAddress();
      await f.vault.connect(f.alice).deposit(usdc, parseUnits("1000", 6), f.alice.address);
      // Token paused by its issuer: the message is consumed, the payout becomes a claim.
      await f.tokens.usdc.setPaused(true);
      const { tx, id } = await f.release(f.bob.address, usdc, parseUnits("100", 6));
      await expect(tx).to.emit(f.vault, "ReleaseDeferred").withArgs(f.bob.address, usdc, parseUnits("100", 6), id);
      expect(await f.vault.claimable(f.bob.address, usdc)).to.equal(parseUnits("100", 6));
      expect(await f.vault.totalClaimable(usdc)).to.equal(parseUnits("100", 6));
      expect(await f.vault.totalLocked(usdc)).to.equal(parseUnits("900", 6));
      await expect(f.vault.connect(f.bob).claim(usdc, f.bob.address)).to.be.revertedWithCustomError(
        f.tokens.usdc,
        "TransfersPaused",
      );
      // Later messages are not blocked.
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, 10n, f.alice.address);
      await f.release(f.bob.address, weth, 10n);
      await f.tokens.usdc.setPaused(false);
      await expect(f.vault.pushClaim(f.bob.address, usdc))
        .to.emit(f.vault, "Claimed")
        .withArgs(f.bob.address, usdc, f.bob.address, parseUnits("100", 6));
      expect(await f.vault.totalClaimable(usdc)).to.equal(0n);

      // Recipient blocklisted: it can redirect its claim to another address.
      await f.tokens.usdc.setBlocked(f.bob.address, true);
      await f.release(f.bob.address, usdc, parseUnits("50", 6));
      await expect(f.vault.pushClaim(f.bob.address, usdc)).to.be.revertedWithCustomError(f.tokens.usdc, "Blocklisted");
      await expect(f.vault.connect(f.bob).claim(usdc, f.other.address)).to.changeTokenBalances(
        f.tokens.usdc,
        [f.other, f.vault],
        [parseUnits("50", 6), -parseUnits("50", 6)],
      );
      await expect(f.vault.connect(f.bob).claim(usdc, f.other.address))
        .to.be.revertedWithCustomError(f.vault, "NothingToClaim")
        .withArgs(f.bob.address, usdc);
      await expect(f.vault.connect(f.bob).claim(usdc, ZeroAddress)).to.be.revertedWithCustomError(
        f.vault,
        "ZeroAddress",
      );
    });

    it("never pays more than is locked: such a release is stored by the messenger, not lost", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, 100n, f.alice.address);
      const { tx, id, encoded } = await f.release(f.bob.address, weth, 101n);
      const reason = f.vault.interface.encodeErrorResult("ReleaseExceedsLocked", [weth, 101n, 100n]);
      await expect(tx).to.emit(f.messenger, "MessageFailed").withArgs(id, HUB, anyValue, reason);
      expect(await f.messenger.isRetryable(id)).to.equal(true);
      expect(await f.vault.totalLocked(weth)).to.equal(100n);
      await f.vault.connect(f.alice).deposit(weth, 1n, f.alice.address);
      await f.messenger.retry(encoded);
      expect(await f.tokens.weth.balanceOf(f.bob.address)).to.equal(parseUnits("1000000", 18) + 101n);
    });

    it("takes messages only from its messenger, only from the hub, only RELEASE", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await expect(f.vault.connect(f.alice).onMessage(HUB, f.hub.engine, ZeroHash, "0x"))
        .to.be.revertedWithCustomError(f.vault, "OnlyMessenger")
        .withArgs(f.alice.address);
      const { tx } = await f.release(f.bob.address, weth, 1n, DEPOSIT);
      const receipt = (await tx.wait())!;
      const failed = receipt.logs
        .map((l) => f.messenger.interface.parseLog(l))
        .find((e) => e?.name === "MessageFailed")!;
      expect(f.vault.interface.parseError(failed.args.reason)?.name).to.equal("UnknownMessageKind");
    });

    it("refuses messages from an origin that is not the hub, even if the messenger pairs it", async () => {
      const f = await loadFixture(vaultFixture);
      const rogue = {
        messenger: Wallet.createRandom().address,
        adapter: Wallet.createRandom().address,
        app: Wallet.createRandom().address,
      };
      await f.adapter.setRemoteAdapter(777n, rogue.adapter);
      await f.messenger.setRoute(777n, rogue.messenger, [await f.adapter.getAddress()], 1);
      await f.messenger.setPeerApp(await f.vault.getAddress(), 777n, rogue.app); // a misconfiguration
      const encoded = encodeEnvelope({
        nonce: 0n,
        srcChainId: 777n,
        dstChainId: LOCAL,
        srcMessenger: rogue.messenger,
        sender: rogue.app,
        receiver: await f.vault.getAddress(),
        payload: encodeMessage({
          kind: RELEASE,
          who: f.bob.address,
          asset: await f.tokens.weth.getAddress(),
          amount: 1n,
        }),
      });
      const receipt = await (
        await f.adapter.connect(f.relayer).deliver(777n, rogue.adapter, rogue.messenger, encoded)
      ).wait();
      const failed = receipt!.logs
        .map((l) => f.messenger.interface.parseLog(l))
        .find((e) => e?.name === "MessageFailed")!;
      const err = f.vault.interface.parseError(failed.args.reason)!;
      expect(err.name).to.equal("UnexpectedOrigin");
      expect(err.args).to.deep.equal([777n, rogue.app]);
    });

    it("refuses a deposit that would overflow the locked counter, and a zero asset at listing", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await f.tokens.weth.mint(f.alice.address, 2n ** 128n);
      await expect(f.vault.connect(f.alice).deposit(weth, 2n ** 128n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "LockedOverflow")
        .withArgs(weth, 2n ** 128n);
      await expect(f.vault.setAssetAllowed(ZeroAddress, true)).to.be.revertedWithCustomError(f.vault, "ZeroAddress");
      expect((await f.vault.assetState(weth)).allowed).to.equal(true);
    });

    it("a release delivered from inside a deposit's token hook is stored for retry; locked stays exact", async () => {
      const f = await loadFixture(vaultFixture);
      const { hooked, asset } = await hookedToken(f);
      await f.vault.connect(f.alice).deposit(asset, 100n, f.alice.address);
      // Permissionless delivery modelled by a relayer seat for the token itself.
      await f.adapter.setRelayer(asset, true);
      const encoded = encodeEnvelope({
        nonce: 10_000n,
        srcChainId: HUB,
        dstChainId: LOCAL,
        srcMessenger: f.hub.messenger,
        sender: f.hub.engine,
        receiver: await f.vault.getAddress(),
        payload: encodeMessage({ kind: RELEASE, who: f.bob.address, asset, amount: 60n }),
      });
      await hooked.arm(
        await f.adapter.getAddress(),
        f.adapter.interface.encodeFunctionData("deliver", [HUB, f.hub.adapter, f.hub.messenger, encoded]),
      );
      await f.vault.connect(f.alice).deposit(asset, 50n, f.alice.address);
      expect(await hooked.lastOk()).to.equal(true);
      expect(await f.messenger.isRetryable(envelopeId(encoded))).to.equal(true);
      expect(await f.vault.totalLocked(asset)).to.equal(150n);
      await f.messenger.retry(encoded);
      expect(await f.vault.totalLocked(asset)).to.equal(90n);
      expect(await hooked.balanceOf(await f.vault.getAddress())).to.equal(90n);
    });

    it("keeps paying releases of an asset whose deposits were disallowed", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, 100n, f.alice.address);
      await expect(f.vault.setAssetAllowed(weth, false)).to.emit(f.vault, "AssetAllowed").withArgs(weth, false);
      await expect(f.vault.connect(f.alice).deposit(weth, 1n, f.alice.address)).to.be.revertedWithCustomError(
        f.vault,
        "AssetNotAllowed",
      );
      await expect(f.release(f.bob.address, weth, 100n).then((r) => r.tx)).to.emit(f.vault, "Released");
      await expect(f.vault.connect(f.alice).setAssetAllowed(weth, true)).to.be.revertedWithCustomError(
        f.vault,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("deposit cap", () => {
    it("refuses a deposit that would lock more than the cap, with the cap and the would-be total", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      const v = f.vault.connect(f.alice);
      await expect(f.vault.setDepositCap(weth, 100n)).to.emit(f.vault, "DepositCapSet").withArgs(weth, 100n);
      expect((await f.vault.assetState(weth)).depositCap).to.equal(100n);
      await v.deposit(weth, 60n, f.alice.address);
      await expect(v.deposit(weth, 41n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "DepositCapExceeded")
        .withArgs(weth, 100n, 101n);
      await expect(v.deposit(weth, 40n, f.alice.address)).to.changeTokenBalance(f.tokens.weth, f.vault, 40n);
      expect(await f.vault.totalLocked(weth)).to.equal(100n); // exactly at the cap is fine
      // Releases make room again.
      await f.release(f.bob.address, weth, 30n);
      await v.deposit(weth, 30n, f.alice.address);
      await expect(v.deposit(weth, 1n, f.alice.address)).to.be.revertedWithCustomError(f.vault, "DepositCapExceeded");
      // 0 removes the cap.
      await expect(f.vault.setDepositCap(weth, 0n)).to.emit(f.vault, "DepositCapSet").withArgs(weth, 0n);
      await v.deposit(weth, parseUnits("1000", 18), f.alice.address);
    });

    it("counts what arrived from a fee-on-transfer token against the cap", async () => {
      const f = await loadFixture(vaultFixture);
      const fot = await f.tokens.fot.getAddress();
      await f.vault.setDepositCap(fot, 99n);
      await f.vault.connect(f.alice).deposit(fot, 100n, f.alice.address); // 99 arrive
      expect(await f.vault.totalLocked(fot)).to.equal(99n);
      await expect(f.vault.connect(f.alice).deposit(fot, 100n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "DepositCapExceeded")
        .withArgs(fot, 99n, 198n);
    });

    it("a cap below what is locked blocks deposits and moves nothing; only the owner sets caps, within range", async () => {
      const f = await loadFixture(vaultFixture);
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, 500n, f.alice.address);
      await f.vault.setDepositCap(weth, 100n);
      expect(await f.vault.totalLocked(weth)).to.equal(500n);
      expect(await f.tokens.weth.balanceOf(await f.vault.getAddress())).to.equal(500n);
      await expect(f.vault.connect(f.alice).deposit(weth, 1n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "DepositCapExceeded")
        .withArgs(weth, 100n, 501n);
      await expect(f.release(f.bob.address, weth, 500n).then((r) => r.tx)).to.emit(f.vault, "Released");
      await expect(f.vault.connect(f.guardian).setDepositCap(weth, 1n)).to.be.revertedWithCustomError(
        f.vault,
        "OwnableUnauthorizedAccount",
      );
      await expect(f.vault.setDepositCap(weth, 2n ** 112n))
        .to.be.revertedWithCustomError(f.vault, "InvalidDepositCap")
        .withArgs(weth, 2n ** 112n);
      await f.vault.setDepositCap(weth, 2n ** 112n - 1n);
      await expect(f.vault.setDepositCap(ZeroAddress, 1n)).to.be.revertedWithCustomError(f.vault, "ZeroAddress");
    });
  });

  describe("outflow limit", () => {
    /** Sets a limit of 100 units per 1000 s on WETH and locks 10,000 units. */
    async function limitedFixture() {
      const f = await vaultFixture();
      const weth = await f.tokens.weth.getAddress();
      await f.vault.connect(f.alice).deposit(weth, 10_000n, f.alice.address);
      await f.vault.setOutflowLimit(weth, 100n, 1000n);
      return { ...f, weth };
    }

    /** The vault's token balance covers what it owes. */
    async function expectSolvent(f: Awaited<ReturnType<typeof limitedFixture>>) {
      const held = await f.tokens.weth.balanceOf(await f.vault.getAddress());
      expect(held).to.be.gte((await f.vault.totalLocked(f.weth)) + (await f.vault.totalClaimable(f.weth)));
    }

    it("pays releases within capacity; a release beyond it becomes a claim, never a failed delivery", async () => {
      const f = await loadFixture(limitedFixture);
      expect(await f.vault.outflowAvailable(f.weth)).to.equal(100n);
      await expect(f.release(f.bob.address, f.weth, 60n).then((r) => r.tx)).to.changeTokenBalance(
        f.tokens.weth,
        f.bob,
        60n,
      );
      const { tx, id } = await f.release(f.bob.address, f.weth, 50n);
      await expect(tx).to.emit(f.vault, "ReleaseRateLimited").withArgs(f.bob.address, f.weth, 50n, id, 40n);
      await expect(tx).to.not.emit(f.messenger, "MessageFailed");
      await expect(tx).to.changeTokenBalance(f.tokens.weth, f.bob, 0n);
      expect(await f.messenger.isRetryable(id)).to.equal(false); // consumed: the claim carries it
      expect(await f.vault.claimable(f.bob.address, f.weth)).to.equal(50n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(50n);
      expect(await f.vault.totalLocked(f.weth)).to.equal(10_000n - 110n);
      await expectSolvent(f);
    });

    it("refills linearly; a claim draws on the same capacity and pays what is available, the rest stays", async () => {
      const f = await loadFixture(limitedFixture);
      await f.release(f.bob.address, f.weth, 250n); // more than the whole capacity: all of it is a claim
      expect(await f.vault.claimable(f.bob.address, f.weth)).to.equal(250n);
      const t0 = await time.latest();
      await time.setNextBlockTimestamp(t0 + 10);
      await expect(f.vault.pushClaim(f.bob.address, f.weth))
        .to.emit(f.vault, "Claimed")
        .withArgs(f.bob.address, f.weth, f.bob.address, 100n);
      expect(await f.vault.claimable(f.bob.address, f.weth)).to.equal(150n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(150n);
      // Empty now: 0.1 unit per second refills; after 1 s nothing whole is back. The error says when the rest
      // (up to the capacity) will be there.
      await time.setNextBlockTimestamp(t0 + 11);
      await expect(f.vault.connect(f.bob).claim(f.weth, f.bob.address))
        .to.be.revertedWithCustomError(f.vault, "OutflowLimitReached")
        .withArgs(f.weth, 150n, t0 + 11 + 1000);
      // A RELEASE meanwhile is not paid before its turn either: it waits as a claim.
      await time.setNextBlockTimestamp(t0 + 12);
      await expect(f.release(f.other.address, f.weth, 1n).then((r) => r.tx))
        .to.emit(f.vault, "ReleaseRateLimited")
        .withArgs(f.other.address, f.weth, 1n, anyValue, 0n);
      // 300 s later 30 are back.
      await time.increaseTo(t0 + 310);
      expect(await f.vault.outflowAvailable(f.weth)).to.equal(30n);
      await expect(f.vault.connect(f.bob).claim(f.weth, f.other.address)).to.changeTokenBalances(
        f.tokens.weth,
        [f.other, f.vault],
        [30n, -30n],
      );
      expect(await f.vault.claimable(f.bob.address, f.weth)).to.equal(120n);
      await expectSolvent(f);
      // After a full window the next 100 are paid, then the last 20; nothing is paid twice.
      await time.increaseTo(t0 + 310 + 1000);
      await f.vault.pushClaim(f.bob.address, f.weth);
      await time.increaseTo(t0 + 310 + 3000);
      await f.vault.pushClaim(f.bob.address, f.weth);
      await f.vault.pushClaim(f.other.address, f.weth);
      expect(await f.tokens.weth.balanceOf(f.bob.address)).to.equal(parseUnits("1000000", 18) + 250n - 30n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(0n);
      await expect(f.vault.pushClaim(f.bob.address, f.weth))
        .to.be.revertedWithCustomError(f.vault, "NothingToClaim")
        .withArgs(f.bob.address, f.weth);
      await expectSolvent(f);
      expect(await f.tokens.weth.balanceOf(await f.vault.getAddress())).to.equal(10_000n - 251n);
    });

    it("a claim within the capacity is told when enough has refilled for all of it, and is paid then", async () => {
      const f = await loadFixture(limitedFixture);
      const t0 = await time.latest();
      await time.setNextBlockTimestamp(t0 + 10);
      await f.release(f.bob.address, f.weth, 100n); // empties the bucket
      await time.setNextBlockTimestamp(t0 + 11);
      await f.release(f.bob.address, f.weth, 5n); // a claim
      // Nothing whole has refilled yet; at 0.1 unit per second, all 5 units are there 50 s from now.
      await time.setNextBlockTimestamp(t0 + 12);
      await expect(f.vault.pushClaim(f.bob.address, f.weth))
        .to.be.revertedWithCustomError(f.vault, "OutflowLimitReached")
        .withArgs(f.weth, 5n, t0 + 12 + 50);
      await time.setNextBlockTimestamp(t0 + 12 + 50);
      await expect(f.vault.pushClaim(f.bob.address, f.weth)).to.changeTokenBalance(f.tokens.weth, f.bob, 5n);
      expect(await f.vault.claimable(f.bob.address, f.weth)).to.equal(0n);
      await expectSolvent(f);
    });

    it("finding 'one large claimant takes every refill': claims are paid in order of arrival, whoever calls first", async () => {
      const f = await loadFixture(limitedFixture);
      const [liquidator, withdrawer] = [f.other, f.bob];
      const t0 = await time.latest();
      await time.setNextBlockTimestamp(t0 + 10);
      await f.release(withdrawer.address, f.weth, 100n); // empties the bucket
      // The liquidator's release arrives first, then a large withdrawal: both wait as claims, in that order.
      await time.setNextBlockTimestamp(t0 + 11);
      await f.release(liquidator.address, f.weth, 50n);
      await time.setNextBlockTimestamp(t0 + 12);
      await f.release(withdrawer.address, f.weth, 1000n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(1050n);

      // 60 units refill; the withdrawer claims first, at once: the refill goes to the head of the queue (the
      // liquidator's 50), the withdrawer gets only the 10 behind it.
      await time.setNextBlockTimestamp(t0 + 12 + 600);
      await expect(f.vault.connect(withdrawer).claim(f.weth, withdrawer.address)).to.changeTokenBalance(
        f.tokens.weth,
        withdrawer,
        10n,
      );
      expect(await f.vault.claimable(withdrawer.address, f.weth)).to.equal(990n);
      // The liquidator's share waits for it, whenever it comes, and cannot be taken by anyone else.
      await time.setNextBlockTimestamp(t0 + 12 + 700);
      await expect(f.vault.connect(withdrawer).claim(f.weth, withdrawer.address)).to.changeTokenBalance(
        f.tokens.weth,
        withdrawer,
        10n,
      );
      await expect(f.vault.pushClaim(liquidator.address, f.weth))
        .to.emit(f.vault, "Claimed")
        .withArgs(liquidator.address, f.weth, liquidator.address, 50n);
      expect(await f.vault.claimable(liquidator.address, f.weth)).to.equal(0n);
      // A later release queues behind what is owed already, even with capacity back.
      await time.setNextBlockTimestamp(t0 + 12 + 800);
      await expect(f.release(liquidator.address, f.weth, 5n).then((r) => r.tx)).to.emit(f.vault, "ReleaseRateLimited");
      expect(await f.vault.claimable(liquidator.address, f.weth)).to.equal(5n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(980n + 5n);
      await expectSolvent(f);
    });

    it("gives the capacity back when the token refuses the payout", async () => {
      const f = await loadFixture(vaultFixture);
      const usdc = await f.tokens.usdc.getAddress();
      await f.vault.connect(f.alice).deposit(usdc, 1000n, f.alice.address);
      await f.vault.setOutflowLimit(usdc, 100n, 1000n);
      await f.tokens.usdc.setPaused(true);
      await expect(f.release(f.bob.address, usdc, 80n).then((r) => r.tx)).to.emit(f.vault, "ReleaseDeferred");
      expect(await f.vault.outflowAvailable(usdc)).to.equal(100n); // nothing left the vault
      await f.tokens.usdc.setPaused(false);
      await expect(f.vault.pushClaim(f.bob.address, usdc)).to.changeTokenBalance(f.tokens.usdc, f.bob, 80n);
      expect(await f.vault.outflowAvailable(usdc)).to.equal(20n); // the claim drew on it
    });

    it("reconfiguring keeps what left recently (capped at the new capacity); 0 removes the limit", async () => {
      const f = await loadFixture(limitedFixture);
      await f.release(f.bob.address, f.weth, 80n);
      const t = await time.latest();
      await time.setNextBlockTimestamp(t + 100); // 10 refilled: 70 used
      await expect(f.vault.setOutflowLimit(f.weth, 50n, 500n))
        .to.emit(f.vault, "OutflowLimitSet")
        .withArgs(f.weth, 50n, 500n);
      let limit = await f.vault.outflowLimit(f.weth);
      expect([limit.capacity, limit.used, limit.window, limit.updatedAt]).to.deep.equal([
        50n,
        50n,
        500n,
        BigInt(t + 100),
      ]);
      expect(await f.vault.outflowAvailable(f.weth)).to.equal(0n);
      await time.setNextBlockTimestamp(t + 200); // 10 per 100 s at the new rate
      await f.vault.setOutflowLimit(f.weth, 1000n, 500n);
      limit = await f.vault.outflowLimit(f.weth);
      expect(limit.used).to.equal(40n);
      await expect(f.vault.setOutflowLimit(f.weth, 0n, 500n))
        .to.emit(f.vault, "OutflowLimitSet")
        .withArgs(f.weth, 0n, 0n);
      expect(await f.vault.outflowAvailable(f.weth)).to.equal(MaxUint256);
      await expect(f.release(f.bob.address, f.weth, 5000n).then((r) => r.tx)).to.emit(f.vault, "Released");
      // Re-enabled: starts full.
      await f.vault.setOutflowLimit(f.weth, 100n, 1000n);
      expect(await f.vault.outflowAvailable(f.weth)).to.equal(100n);
    });

    it("is set by the owner only, within range", async () => {
      const f = await loadFixture(limitedFixture);
      await expect(f.vault.connect(f.guardian).setOutflowLimit(f.weth, 0n, 0n)).to.be.revertedWithCustomError(
        f.vault,
        "OwnableUnauthorizedAccount",
      );
      await expect(f.vault.setOutflowLimit(f.weth, 2n ** 96n, 1n))
        .to.be.revertedWithCustomError(f.vault, "InvalidOutflowLimit")
        .withArgs(f.weth, 2n ** 96n, 1n);
      await expect(f.vault.setOutflowLimit(f.weth, 1n, 0n))
        .to.be.revertedWithCustomError(f.vault, "InvalidOutflowLimit")
        .withArgs(f.weth, 1n, 0n);
      await expect(f.vault.setOutflowLimit(f.weth, 1n, 2n ** 32n))
        .to.be.revertedWithCustomError(f.vault, "InvalidOutflowLimit")
        .withArgs(f.weth, 1n, 2n ** 32n);
      await expect(f.vault.setOutflowLimit(ZeroAddress, 1n, 1n)).to.be.revertedWithCustomError(f.vault, "ZeroAddress");
      await f.vault.setOutflowLimit(f.weth, 2n ** 96n - 1n, 2n ** 32n - 1n);
    });

    it("pausing deposits never blocks releases or claims", async () => {
      const f = await loadFixture(limitedFixture);
      await f.release(f.bob.address, f.weth, 150n); // a claim
      await f.vault.connect(f.guardian).pauseDeposits(f.weth);
      // The release queues behind the earlier claim, which gets the capacity first.
      await expect(f.release(f.other.address, f.weth, 100n).then((r) => r.tx))
        .to.emit(f.vault, "ReleaseRateLimited")
        .withArgs(f.other.address, f.weth, 100n, anyValue, 0n);
      await expect(f.vault.connect(f.bob).claim(f.weth, f.bob.address)).to.changeTokenBalance(
        f.tokens.weth,
        f.bob,
        100n,
      );
      await time.increase(1000);
      await expect(f.vault.connect(f.bob).claim(f.weth, f.bob.address)).to.changeTokenBalance(
        f.tokens.weth,
        f.bob,
        50n,
      );
      await expect(f.vault.pushClaim(f.other.address, f.weth)).to.changeTokenBalance(f.tokens.weth, f.other, 50n);
      expect(await f.vault.claimableNow(f.other.address, f.weth)).to.equal(0n);
      expect(await f.vault.claimable(f.other.address, f.weth)).to.equal(50n);
      await time.increase(1000);
      expect(await f.vault.claimableNow(f.other.address, f.weth)).to.equal(50n);
      await expect(f.vault.pushClaim(f.other.address, f.weth)).to.changeTokenBalance(f.tokens.weth, f.other, 50n);
      expect(await f.vault.totalClaimable(f.weth)).to.equal(0n);
      expect((await f.vault.assetState(f.weth)).depositsPaused).to.equal(true);
    });
  });

  describe("negative rebase", () => {
    async function rebasingFixture() {
      const f = await vaultFixture();
      const token = await new RebasingERC20__factory(f.owner).deploy("Rebasing", "REB", 18);
      const asset = await token.getAddress();
      await f.vault.setAssetAllowed(asset, true);
      await token.mint(f.alice.address, 10_000n);
      await token.connect(f.alice).approve(await f.vault.getAddress(), MaxUint256);
      await f.vault.connect(f.alice).deposit(asset, 1000n, f.alice.address);
      return { ...f, token, asset };
    }

    it("detects a shortfall: releases become claims, claims wait, nothing is paid with others' tokens", async () => {
      const f = await loadFixture(rebasingFixture);
      const vault = await f.vault.getAddress();
      await expect(f.release(f.bob.address, f.asset, 100n).then((r) => r.tx)).to.changeTokenBalance(
        f.token,
        f.bob,
        100n,
      );
      await f.token.rebase(parseUnits("0.5", 18)); // every balance halves: the vault holds 450, owes 900
      expect(await f.token.balanceOf(vault)).to.equal(450n);

      const { tx, id } = await f.release(f.bob.address, f.asset, 100n);
      await expect(tx).to.emit(f.vault, "Shortfall").withArgs(f.asset, 450n, 900n);
      await expect(tx).to.emit(f.vault, "ReleaseDeferred").withArgs(f.bob.address, f.asset, 100n, id);
      await expect(tx).to.not.emit(f.vault, "Released");
      expect(await f.token.balanceOf(vault)).to.equal(450n);
      expect(await f.vault.totalLocked(f.asset)).to.equal(800n);
      expect(await f.vault.claimable(f.bob.address, f.asset)).to.equal(100n);
      await expect(f.vault.connect(f.bob).claim(f.asset, f.bob.address))
        .to.be.revertedWithCustomError(f.vault, "InShortfall")
        .withArgs(f.asset, 450n, 900n);

      // Someone (the protocol's treasury, say) restores the balance: outflows resume, in full.
      await f.token.mint(vault, 450n);
      await expect(f.vault.pushClaim(f.bob.address, f.asset)).to.changeTokenBalance(f.token, f.bob, 100n);
      await expect(f.release(f.bob.address, f.asset, 100n).then((r) => r.tx))
        .to.emit(f.vault, "Released")
        .withArgs(f.bob.address, f.asset, 100n, anyValue);
      expect(await f.token.balanceOf(vault)).to.equal(700n);
      expect(await f.vault.totalLocked(f.asset)).to.equal(700n);
      expect(await f.vault.totalClaimable(f.asset)).to.equal(0n);
    });
  });
});
