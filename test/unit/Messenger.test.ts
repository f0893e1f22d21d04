import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";
import { GasHungryAdapter__factory, LocalAdapter__factory } from "../../typechain-types";
import { decodeEnvelope } from "../../scripts/lib/codec";
import { messagingFixture, LOCAL, REMOTE } from "../helpers/messaging";

describe("Messenger", () => {
  describe("sending", () => {
    it("wraps the payload in an envelope to the peer app and hands it to the route's adapter", async () => {
      const f = await loadFixture(messagingFixture);
      const appAddress = await f.app.getAddress();
      const tx = await f.app.send(REMOTE, "0xabcdef");
      const receipt = (await tx.wait())!;
      const relay = receipt.logs
        .map((l) => f.adapters[0].interface.parseLog(l))
        .find((e) => e?.name === "RelayRequested")!;
      const envelope = decodeEnvelope(relay.args.envelope);
      expect(envelope).to.deep.equal({
        nonce: 0n,
        srcChainId: LOCAL,
        dstChainId: REMOTE,
        srcMessenger: await f.messenger.getAddress(),
        sender: appAddress,
        receiver: f.remote.app,
        payload: "0xabcdef",
      });
      const id = keccak256(relay.args.envelope);
      await expect(tx).to.emit(f.messenger, "MessageSent").withArgs(id, REMOTE, appAddress, 0);
      await f.app.send(REMOTE, "0x");
      expect((await f.messenger.route(REMOTE)).nextNonce).to.equal(2n);
    });

    it("refuses unknown routes and apps without a peer there", async () => {
      const f = await loadFixture(messagingFixture);
      await expect(f.app.send(999n, "0x")).to.be.revertedWithCustomError(f.messenger, "UnknownRoute").withArgs(999n);
      await expect(f.messenger.quote(999n, "0x"))
        .to.be.revertedWithCustomError(f.messenger, "UnknownRoute")
        .withArgs(999n);
      await expect(f.messenger.connect(f.user).send(REMOTE, "0x"))
        .to.be.revertedWithCustomError(f.messenger, "UnknownPeerApp")
        .withArgs(f.user.address, REMOTE, ZeroAddress);
    });

    it("quotes and charges the sum of the adapters' fees, refunding any excess", async () => {
      const f = await loadFixture(messagingFixture);
      const paid = [];
      for (const fee of [100n, 250n]) {
        const a = await new LocalAdapter__factory(f.owner).deploy(await f.messenger.getAddress(), f.owner.address, fee);
        await a.setRemoteAdapter(REMOTE, Wallet.createRandom().address);
        paid.push(a);
      }
      const addresses = await Promise.all(paid.map((a) => a.getAddress()));
      await f.messenger.setRoute(REMOTE, f.remote.messenger, addresses, 2);
      expect(await f.messenger.quote(REMOTE, "0x")).to.equal(350n);
      // Underpaid: the adapter whose fee is not covered is skipped, and 2 of 2 are required.
      await expect(f.app.send(REMOTE, "0x", { value: 349n }))
        .to.be.revertedWithCustomError(f.messenger, "NotEnoughAdapters")
        .withArgs(REMOTE, 1n, 2n);
      // The app has no receive function: a refund to it fails, so the whole send reverts.
      await expect(f.app.send(REMOTE, "0x", { value: 351n }))
        .to.be.revertedWithCustomError(f.messenger, "RefundFailed")
        .withArgs(await f.app.getAddress(), 1n);
      await expect(f.app.send(REMOTE, "0x", { value: 350n })).to.changeEtherBalances(paid, [100n, 250n]);

      // On a 1-of-2 route an adapter whose fee rose above what was paid for it is skipped, not fatal.
      await f.messenger.setRoute(REMOTE, f.remote.messenger, addresses, 1);
      const skipped = f.messenger.interface.encodeErrorResult("InsufficientFee", [0n, 250n]);
      await expect(f.app.send(REMOTE, "0x", { value: 100n }))
        .to.emit(f.messenger, "AdapterFailed")
        .withArgs(anyValue, REMOTE, addresses[1], skipped);
    });

    it("a gas estimate gives every adapter its gas: an adapter run out of gas reverts the send instead of being skipped", async () => {
      const f = await loadFixture(messagingFixture);
      // A bridge's send costs ~100k+ (endpoint and mailbox storage); EIP-150 leaves the messenger 1/64 of the gas when
      // it runs out, enough to finish a send that one adapter already took on a 1-of-3 route.
      const hungry = await new GasHungryAdapter__factory(f.owner).deploy(await f.messenger.getAddress(), 40);
      const addresses = [await f.adapters[0].getAddress(), await f.adapters[1].getAddress(), await hungry.getAddress()];
      await f.messenger.setRoute(REMOTE, f.remote.messenger, addresses, 1);
      // A gas estimate is the least gas that succeeds: it must include the last, expensive adapter.
      const estimate = await f.app.send.estimateGas(REMOTE, "0xabcdef");
      const receipt = (await (await f.app.send(REMOTE, "0xabcdef", { gasLimit: estimate })).wait())!;
      expect(receipt.logs.some((l) => l.address === addresses[2])).to.equal(true);
      // Below it, no limit sends over fewer adapters: each either carries all three or reverts whole, naming the
      // adapter that ran out of gas.
      let reverts = 0;
      for (let gas = estimate; gas > estimate - 400_000n; gas -= 25_000n) {
        const tx = f.app.send(REMOTE, "0xabcdef", { gasLimit: gas });
        const rc = await tx.then((t) => t.wait()).catch(() => null);
        if (rc) {
          expect(
            rc.logs.some((l) => l.address === addresses[2]),
            `a send with ${gas} gas skipped an adapter`,
          ).to.equal(true);
        } else {
          await expect(f.app.send(REMOTE, "0xabcdef", { gasLimit: gas }))
            .to.be.revertedWithCustomError(f.messenger, "AdapterOutOfGas")
            .withArgs(addresses[2]);
          reverts++;
        }
      }
      expect(reverts).to.be.greaterThan(0);
    });

    it("sendWithRefund refunds the excess to the named account", async () => {
      const f = await loadFixture(messagingFixture);
      await f.messenger.setPeerApp(f.user.address, REMOTE, f.remote.app); // an EOA acting as app
      await expect(
        f.messenger.connect(f.user).sendWithRefund(REMOTE, "0x", f.other.address, { value: 1000n }),
      ).to.changeEtherBalances([f.user, f.other], [-1000n, 1000n]);
    });
  });

  describe("receiving", () => {
    it("delivers an authenticated envelope to its app exactly once", async () => {
      const f = await loadFixture(messagingFixture);
      const { encoded, id, envelope } = await f.envelope({ payload: "0xbeef" });
      await expect(f.deliver(encoded))
        .to.emit(f.messenger, "MessageDelivered")
        .withArgs(id, REMOTE, envelope.nonce)
        .and.to.emit(f.app, "Received")
        .withArgs(REMOTE, f.remote.app, id, "0xbeef");
      await expect(f.deliver(encoded))
        .to.emit(f.messenger, "MessageDuplicate")
        .withArgs(id, REMOTE, envelope.nonce, await f.adapters[0].getAddress());
      expect(await f.app.received()).to.equal(1n);
      expect(await f.messenger.isDelivered(REMOTE, f.remote.messenger, envelope.nonce)).to.equal(true);
    });

    it("accepts nonces in any order, each once; a different envelope with a used nonce is a duplicate", async () => {
      const f = await loadFixture(messagingFixture);
      const e = [];
      for (let i = 0; i < 4; i++) e.push(await f.envelope());
      for (const i of [3, 0, 2, 1]) await f.deliver(e[i].encoded);
      expect(await f.app.received()).to.equal(4n);
      const forged = await f.envelope({ nonce: 2n, payload: "0x66" });
      await expect(f.deliver(forged.encoded)).to.emit(f.messenger, "MessageDuplicate");
      expect(await f.app.received()).to.equal(4n);
      const far = await f.envelope({ nonce: 10_000n });
      await f.deliver(far.encoded);
      expect(await f.app.received()).to.equal(5n);
    });

    it("rejects anything but an adapter of the route, from the registered messenger, between peer apps", async () => {
      const f = await loadFixture(messagingFixture);
      const m = f.messenger;
      const { encoded } = await f.envelope();
      // direct call
      await expect(m.connect(f.user).receiveEnvelope(REMOTE, f.remote.messenger, encoded))
        .to.be.revertedWithCustomError(m, "UnauthorizedAdapter")
        .withArgs(REMOTE, f.user.address);
      // an adapter of this messenger that is not in the route
      await expect(f.deliver(encoded, 1))
        .to.be.revertedWithCustomError(m, "UnauthorizedAdapter")
        .withArgs(REMOTE, await f.adapters[1].getAddress());
      // an unconfigured origin: unset is never trusted
      await f.adapters[0].setRemoteAdapter(777n, f.remote.adapters[0]);
      await expect(f.adapters[0].connect(f.relayer).deliver(777n, f.remote.adapters[0], f.remote.messenger, encoded))
        .to.be.revertedWithCustomError(m, "UnknownRoute")
        .withArgs(777n);
      // the wrong remote messenger
      const fake = Wallet.createRandom().address;
      await expect(f.adapters[0].connect(f.relayer).deliver(REMOTE, f.remote.adapters[0], fake, encoded))
        .to.be.revertedWithCustomError(m, "UnknownRemoteMessenger")
        .withArgs(REMOTE, fake);
      // an envelope from another chain, or for another chain
      const other = await f.envelope({ srcChainId: 777n });
      await expect(f.deliver(other.encoded))
        .to.be.revertedWithCustomError(m, "EnvelopeMisrouted")
        .withArgs(REMOTE, 777n, LOCAL);
      const elsewhere = await f.envelope({ dstChainId: 1n });
      await expect(f.deliver(elsewhere.encoded))
        .to.be.revertedWithCustomError(m, "EnvelopeMisrouted")
        .withArgs(REMOTE, REMOTE, 1n);
      // a sender app that is not the peer, a receiver that has no peer
      const wrongApp = await f.envelope({ sender: fake });
      await expect(f.deliver(wrongApp.encoded))
        .to.be.revertedWithCustomError(m, "UnknownPeerApp")
        .withArgs(await f.app.getAddress(), REMOTE, fake);
      const noSender = await f.envelope({ sender: ZeroAddress });
      await expect(f.deliver(noSender.encoded)).to.be.revertedWithCustomError(m, "UnknownPeerApp");
      const wrongReceiver = await f.envelope({ receiver: f.user.address });
      await expect(f.deliver(wrongReceiver.encoded)).to.be.revertedWithCustomError(m, "UnknownPeerApp");
      // garbage
      await expect(f.deliver("0x1234")).to.be.revertedWithCustomError(m, "MalformedEnvelope").withArgs(2);
      expect(await f.app.received()).to.equal(0n);
      // and the genuine one still goes through
      await f.deliver(encoded);
      expect(await f.app.received()).to.equal(1n);
    });

    it("stores a delivery the app rejects, keeps delivering later ones, and lets anyone retry it once", async () => {
      const f = await loadFixture(messagingFixture);
      const first = await f.envelope();
      const second = await f.envelope();
      await f.app.setShouldRevert(true);
      const refused = f.app.interface.encodeErrorResult("Refused");
      await expect(f.deliver(first.encoded))
        .to.emit(f.messenger, "MessageFailed")
        .withArgs(first.id, REMOTE, first.envelope.nonce, refused);
      expect(await f.messenger.isRetryable(first.id)).to.equal(true);
      await expect(f.messenger.connect(f.other).retry(first.encoded)).to.be.revertedWithCustomError(f.app, "Refused");
      expect(await f.messenger.isRetryable(first.id)).to.equal(true);
      await f.app.setShouldRevert(false);
      await f.deliver(second.encoded);
      expect(await f.app.lastId()).to.equal(second.id);
      await expect(f.messenger.connect(f.other).retry(first.encoded))
        .to.emit(f.messenger, "MessageDelivered")
        .withArgs(first.id, REMOTE, first.envelope.nonce);
      expect(await f.app.received()).to.equal(2n);
      await expect(f.messenger.retry(first.encoded))
        .to.be.revertedWithCustomError(f.messenger, "NotRetryable")
        .withArgs(first.id);
      await expect(f.deliver(first.encoded)).to.emit(f.messenger, "MessageDuplicate");
      expect(await f.app.received()).to.equal(2n);
    });

    it("stores a delivery that ran out of gas; a retry with enough gas delivers it", async () => {
      const f = await loadFixture(messagingFixture);
      await f.app.setBurnGas(3_000_000n);
      const { encoded, id } = await f.envelope();
      // The app gets 63/64 of 2.5M gas, runs out; the last 1/64 is enough to store the failure.
      await expect(f.deliver(encoded, 0, { gasLimit: 2_500_000n })).to.emit(f.messenger, "MessageFailed");
      expect(await f.app.received()).to.equal(0n);
      await f.messenger.retry(encoded, { gasLimit: 4_000_000n });
      expect(await f.app.received()).to.equal(1n);
      expect(await f.messenger.isRetryable(id)).to.equal(false);
    });

    it("a delivery with too little gas to even store its failure reverts whole and can be delivered again", async () => {
      const f = await loadFixture(messagingFixture);
      await f.app.setBurnGas(1_000_000n);
      const { encoded, envelope } = await f.envelope();
      await expect(f.deliver(encoded, 0, { gasLimit: 1_000_000n })).to.be.reverted;
      expect(await f.messenger.isDelivered(REMOTE, f.remote.messenger, envelope.nonce)).to.equal(false);
      await f.deliver(encoded, 0, { gasLimit: 3_000_000n });
      expect(await f.app.received()).to.equal(1n);
    });

    it("re-checks the app pairing on retry", async () => {
      const f = await loadFixture(messagingFixture);
      await f.app.setShouldRevert(true);
      const { encoded } = await f.envelope();
      await f.deliver(encoded);
      await f.app.setShouldRevert(false);
      await f.messenger.setPeerApp(await f.app.getAddress(), REMOTE, ZeroAddress);
      await expect(f.messenger.retry(encoded)).to.be.revertedWithCustomError(f.messenger, "UnknownPeerApp");
    });
  });

  describe("pause", () => {
    it("holds inbound envelopes while paused; they are retried after the owner resumes", async () => {
      const f = await loadFixture(messagingFixture);
      await expect(f.messenger.connect(f.user).pauseRoute(REMOTE)).to.be.revertedWithCustomError(
        f.messenger,
        "NotGuardian",
      );
      await expect(f.messenger.connect(f.guardian).pauseRoute(REMOTE))
        .to.emit(f.messenger, "RoutePaused")
        .withArgs(REMOTE, true);
      const { encoded, id, envelope } = await f.envelope();
      await expect(f.deliver(encoded)).to.emit(f.messenger, "MessageHeld").withArgs(id, REMOTE, envelope.nonce);
      expect(await f.app.received()).to.equal(0n);
      await expect(f.messenger.retry(encoded))
        .to.be.revertedWithCustomError(f.messenger, "RouteIsPaused")
        .withArgs(REMOTE);
      // Sending is never paused (the hub must always be able to send liquidation releases).
      await f.app.send(REMOTE, "0x");
      await expect(f.messenger.connect(f.guardian).unpauseRoute(REMOTE)).to.be.revertedWithCustomError(
        f.messenger,
        "OwnableUnauthorizedAccount",
      );
      await f.messenger.unpauseRoute(REMOTE);
      await f.messenger.connect(f.user).retry(encoded);
      expect(await f.app.received()).to.equal(1n);
    });
  });

  async function twoOfThree() {
    const f = await messagingFixture();
    const adapters = await Promise.all(f.adapters.map((a) => a.getAddress()));
    await f.messenger.setRoute(REMOTE, f.remote.messenger, adapters, 2);
    return f;
  }

  describe("k-of-n routes", () => {
    it("delivers once two distinct adapters confirmed the same envelope; more copies are no-ops", async () => {
      const f = await loadFixture(twoOfThree);
      const { encoded, id } = await f.envelope();
      await expect(f.deliver(encoded, 0))
        .to.emit(f.messenger, "MessageConfirmed")
        .withArgs(id, await f.adapters[0].getAddress(), 1);
      await expect(f.deliver(encoded, 0)).to.emit(f.messenger, "MessageDuplicate"); // same adapter again: still 1
      expect(await f.app.received()).to.equal(0n);
      await expect(f.deliver(encoded, 2)).to.emit(f.messenger, "MessageDelivered");
      await expect(f.deliver(encoded, 1)).to.emit(f.messenger, "MessageDuplicate");
      expect(await f.app.received()).to.equal(1n);
    });

    it("one adapter alone cannot deliver a forged envelope; a removed adapter's confirmations stop counting", async () => {
      const f = await loadFixture(twoOfThree);
      const [a0, a1, a2] = await Promise.all(f.adapters.map((a) => a.getAddress()));
      const forged = await f.envelope({ payload: keccak256(toUtf8Bytes("forged")) });
      await f.deliver(forged.encoded, 0);
      expect(await f.app.received()).to.equal(0n);
      // Adapter 0 is found compromised and removed: its confirmation no longer counts.
      await expect(f.messenger.setRoute(REMOTE, f.remote.messenger, [a1, a2], 2)).to.emit(
        f.messenger,
        "RouteConfigured",
      );
      await expect(f.deliver(forged.encoded, 1)).to.emit(f.messenger, "MessageConfirmed").withArgs(forged.id, a1, 1);
      expect(await f.app.received()).to.equal(0n);
      // The genuine envelope with that nonce still gets through with two confirmations.
      const genuine = await f.envelope({ nonce: forged.envelope.nonce });
      await f.deliver(genuine.encoded, 1);
      await f.deliver(genuine.encoded, 2);
      expect(await f.app.lastId()).to.equal(genuine.id);
      void a0;
    });

    it("finding 'the envelope id does not cover the source messenger': after the remote messenger is replaced, an identical envelope from the new one has its own confirmations", async () => {
      const f = await loadFixture(twoOfThree);
      const [a0, a1] = await Promise.all([f.adapters[0].getAddress(), f.adapters[1].getAddress()]);
      const old = await f.envelope({ nonce: 5n });
      await f.deliver(old.encoded, 0); // the old messenger's envelope: one confirmation
      const replacement = Wallet.createRandom().address;
      await f.messenger.setRoute(REMOTE, replacement, [...(await f.messenger.routeAdapters(REMOTE))], 2);
      // The new messenger sends the same fields (its nonces start again at 0 and reach 5): a different envelope.
      const fresh = await f.envelope({ nonce: 5n, srcMessenger: replacement });
      expect(fresh.id).to.not.equal(old.id);
      await expect(f.adapters[1].connect(f.relayer).deliver(REMOTE, f.remote.adapters[1], replacement, fresh.encoded))
        .to.emit(f.messenger, "MessageConfirmed")
        .withArgs(fresh.id, a1, 1n);
      expect(await f.app.received()).to.equal(0n);
      // An adapter naming one messenger for an envelope that names another is refused.
      await expect(f.adapters[0].connect(f.relayer).deliver(REMOTE, f.remote.adapters[0], replacement, old.encoded))
        .to.be.revertedWithCustomError(f.messenger, "EnvelopeMessengerMismatch")
        .withArgs(replacement, f.remote.messenger);
      await f.adapters[0].connect(f.relayer).deliver(REMOTE, f.remote.adapters[0], replacement, fresh.encoded);
      expect(await f.app.lastId()).to.equal(fresh.id);
      void a0;
    });

    it("changing a route keeps the confirmations of adapters that stay: nothing in flight is stranded", async () => {
      const f = await loadFixture(twoOfThree);
      const [a0, a1, a2] = await Promise.all(f.adapters.map((a) => a.getAddress()));
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1], 2);
      const { encoded, id } = await f.envelope();
      await f.deliver(encoded, 0); // confirmed by adapter 0 under the old set
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1, a2], 2); // adapter 2 joins
      await expect(f.deliver(encoded, 1)).to.emit(f.messenger, "MessageDelivered").withArgs(id, REMOTE, anyValue);
      expect(await f.app.received()).to.equal(1n);
      // a0 and a1 kept their bits throughout; a2, removed and added again, got a fourth.
      expect(await f.messenger.routeBits(REMOTE)).to.equal(4n);
    });

    it("skips an adapter that fails to send, refunds its fee, and fails only below the required count", async () => {
      const f = await loadFixture(twoOfThree);
      const [a0, a1] = await Promise.all([f.adapters[0].getAddress(), f.adapters[1].getAddress()]);
      // An adapter that belongs to another messenger: its send reverts with OnlyMessenger.
      const broken = await new LocalAdapter__factory(f.owner).deploy(f.other.address, f.owner.address, 5n);
      const b = await broken.getAddress();
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, b, a1], 2);
      await f.messenger.setPeerApp(f.user.address, REMOTE, f.remote.app); // an EOA acting as app, to see the refund
      const tx = f.messenger.connect(f.user).send(REMOTE, "0x01", { value: 5n });
      await expect(tx).to.emit(f.messenger, "AdapterFailed").withArgs(anyValue, REMOTE, b, anyValue);
      await expect(tx).to.emit(f.adapters[0], "RelayRequested");
      await expect(tx).to.emit(f.adapters[1], "RelayRequested");
      await expect(tx).to.changeEtherBalances([f.user, broken], [0n, 0n]); // the broken adapter's fee came back
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, b], 2);
      await expect(f.messenger.connect(f.user).send(REMOTE, "0x01", { value: 5n }))
        .to.be.revertedWithCustomError(f.messenger, "NotEnoughAdapters")
        .withArgs(REMOTE, 1, 2);
    });

    it("finding 'a liquidation needs k bridges': sendOrRecord records an envelope too few adapters took; anyone pushes it to the others, same bytes, until k took it", async () => {
      const f = await loadFixture(twoOfThree);
      const a0 = await f.adapters[0].getAddress();
      // Two fee-charging adapters next to a free one; paying nothing, only the free one takes the envelope.
      const paid = [];
      for (let i = 0; i < 2; i++) {
        const p = await new LocalAdapter__factory(f.owner).deploy(
          await f.messenger.getAddress(),
          f.owner.address,
          100n,
        );
        await p.setRemoteAdapter(REMOTE, Wallet.createRandom().address);
        paid.push(p);
      }
      const [p1, p2] = await Promise.all(paid.map((p) => p.getAddress()));
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, p1, p2], 2);
      await f.messenger.setPeerApp(f.user.address, REMOTE, f.remote.app); // an EOA acting as app
      await expect(f.messenger.connect(f.user).send(REMOTE, "0x01"))
        .to.be.revertedWithCustomError(f.messenger, "NotEnoughAdapters")
        .withArgs(REMOTE, 1n, 2n);
      const tx = f.messenger.connect(f.user).sendOrRecord(REMOTE, "0x01", f.user.address);
      await expect(tx).to.emit(f.messenger, "MessagePending").withArgs(anyValue, REMOTE, 1n, anyValue);
      const receipt = (await (await tx).wait())!;
      const pending = receipt.logs
        .map((l) => f.messenger.interface.parseLog(l))
        .find((e) => e?.name === "MessagePending")!;
      const [id, , , envelope] = pending.args as unknown as [string, bigint, bigint, string];
      expect(keccak256(envelope)).to.equal(id);
      await expect(tx).to.emit(f.messenger, "MessageSent").withArgs(id, REMOTE, f.user.address, anyValue);
      expect(await f.messenger.isPending(id)).to.equal(true);

      // Pushing with too little fee changes nothing but keeps the record.
      await expect(f.messenger.connect(f.other).pushPending(envelope))
        .to.emit(f.messenger, "PendingPushed")
        .withArgs(id, REMOTE, 1n, 2n);
      expect(await f.messenger.isPending(id)).to.equal(true);
      // Anyone pays one more adapter: k reached, the record is cleared, the excess is refunded.
      const push = f.messenger.connect(f.other).pushPending(envelope, { value: 150n });
      await expect(push).to.emit(f.messenger, "PendingPushed").withArgs(id, REMOTE, 2n, 2n);
      await expect(push).to.emit(paid[0], "RelayRequested").withArgs(REMOTE, envelope);
      await expect(push).to.changeEtherBalances([f.other, paid[0], paid[1]], [-100n, 100n, 0n]);
      expect(await f.messenger.isPending(id)).to.equal(false);
      await expect(f.messenger.pushPending(envelope))
        .to.be.revertedWithCustomError(f.messenger, "NotPending")
        .withArgs(id);
      // Nothing that was not recorded can be pushed.
      const foreign = await f.envelope();
      await expect(f.messenger.pushPending(foreign.encoded))
        .to.be.revertedWithCustomError(f.messenger, "NotPending")
        .withArgs(foreign.id);
    });

    it("fans out to every adapter of the route", async () => {
      const f = await loadFixture(twoOfThree);
      const tx = await f.app.send(REMOTE, "0x01");
      for (const a of f.adapters) await expect(tx).to.emit(a, "RelayRequested");
      expect(await f.messenger.routeAdapters(REMOTE)).to.deep.equal(
        await Promise.all(f.adapters.map((a) => a.getAddress())),
      );
    });
  });

  describe("configuration", () => {
    it("validates routes and is owner-only", async () => {
      const f = await loadFixture(messagingFixture);
      const m = f.messenger;
      const a = await f.adapters[0].getAddress();
      await expect(m.setRoute(REMOTE, f.remote.messenger, [], 1))
        .to.be.revertedWithCustomError(m, "InvalidRouteConfig")
        .withArgs(0, 1);
      await expect(m.setRoute(REMOTE, f.remote.messenger, [a], 0))
        .to.be.revertedWithCustomError(m, "InvalidRouteConfig")
        .withArgs(1, 0);
      await expect(m.setRoute(REMOTE, f.remote.messenger, [a], 2))
        .to.be.revertedWithCustomError(m, "InvalidRouteConfig")
        .withArgs(1, 2);
      const nine = Array.from({ length: 9 }, () => Wallet.createRandom().address);
      await expect(m.setRoute(REMOTE, f.remote.messenger, nine, 1)).to.be.revertedWithCustomError(
        m,
        "InvalidRouteConfig",
      );
      await expect(m.setRoute(REMOTE, f.remote.messenger, [a, a], 1))
        .to.be.revertedWithCustomError(m, "DuplicateAdapter")
        .withArgs(a);
      await expect(m.setRoute(REMOTE, ZeroAddress, [a], 1)).to.be.revertedWithCustomError(m, "ZeroAddress");
      await expect(m.setRoute(REMOTE, f.remote.messenger, [ZeroAddress], 1)).to.be.revertedWithCustomError(
        m,
        "ZeroAddress",
      );
      await expect(m.connect(f.user).setRoute(REMOTE, f.remote.messenger, [a], 1)).to.be.revertedWithCustomError(
        m,
        "OwnableUnauthorizedAccount",
      );
      await expect(m.connect(f.user).setPeerApp(a, REMOTE, a)).to.be.revertedWithCustomError(
        m,
        "OwnableUnauthorizedAccount",
      );
      await expect(m.setPeerApp(ZeroAddress, REMOTE, a)).to.be.revertedWithCustomError(m, "ZeroAddress");
    });

    it("hands out at most 255 confirmation bits per route; adapters that stay keep theirs", async () => {
      const f = await loadFixture(messagingFixture);
      let issued = Number(await f.messenger.routeBits(REMOTE));
      while (issued < 255) {
        const batch = Array.from({ length: Math.min(8, 255 - issued) }, () => Wallet.createRandom().address);
        await f.messenger.setRoute(REMOTE, f.remote.messenger, batch, 1);
        issued += batch.length;
      }
      expect(await f.messenger.routeBits(REMOTE)).to.equal(255n);
      // The adapters of the current route can stay; any other needs a new bit.
      const current = [...(await f.messenger.routeAdapters(REMOTE))];
      await f.messenger.setRoute(REMOTE, f.remote.messenger, current.slice(0, 2), 1);
      await expect(f.messenger.setRoute(REMOTE, f.remote.messenger, [Wallet.createRandom().address], 1))
        .to.be.revertedWithCustomError(f.messenger, "TooManyAdapters")
        .withArgs(255);
      // Another route has its own bits.
      await f.messenger.setRoute(REMOTE + 1n, f.remote.messenger, [Wallet.createRandom().address], 1);
      expect(await f.messenger.routeBits(REMOTE + 1n)).to.equal(1n);
    });

    it("an adapter removed and added again gets a new bit: what it confirmed before never counts", async () => {
      const f = await loadFixture(twoOfThree);
      const [a0, a1, a2] = await Promise.all(f.adapters.map((a) => a.getAddress()));
      const forged = await f.envelope();
      await f.deliver(forged.encoded, 0);
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a1, a2], 2); // a0 removed
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1, a2], 2); // and back
      expect(await f.messenger.routeBits(REMOTE)).to.equal(4n);
      await expect(f.deliver(forged.encoded, 1)).to.emit(f.messenger, "MessageConfirmed").withArgs(forged.id, a1, 1n);
      expect(await f.app.received()).to.equal(0n);
    });

    it("replacing a route's adapters revokes the old ones", async () => {
      const f = await loadFixture(messagingFixture);
      const [a0, a1] = await Promise.all([f.adapters[0].getAddress(), f.adapters[1].getAddress()]);
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a1], 1);
      const { encoded } = await f.envelope();
      await expect(f.deliver(encoded, 0))
        .to.be.revertedWithCustomError(f.messenger, "UnauthorizedAdapter")
        .withArgs(REMOTE, a0);
      await f.deliver(encoded, 1);
      expect(await f.app.received()).to.equal(1n);
      const route = await f.messenger.route(REMOTE);
      expect(route.remoteMessenger).to.equal(f.remote.messenger);
      expect(route.adapterCount).to.equal(1n);
      expect(await f.messenger.routeBits(REMOTE)).to.equal(2n);
    });
  });
});
