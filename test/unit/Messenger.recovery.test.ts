/**
 * The messenger's recovery tools on one chain: `resend` (same envelope over some adapters again), `reissue` (same
 * payload as a new envelope) and the guardian's `invalidateInFlight`. The multi-bridge scenarios are in
 * test/bridges/multibridge.test.ts.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type ContractTransactionResponse } from "ethers";
import { EtherRejecter__factory, LocalAdapter__factory, type LocalAdapter } from "../../typechain-types";
import { decodeEnvelope, encodeEnvelope, envelopeId } from "../../scripts/lib/codec";
import { messagingFixture, LOCAL, REMOTE } from "../helpers/messaging";

const FEE = 100n;

/** The envelopes `adapter` was asked to relay in `tx`. */
async function relayed(adapter: LocalAdapter, tx: ContractTransactionResponse): Promise<string[]> {
  const receipt = (await tx.wait())!;
  return receipt.logs
    .filter((l) => l.address === adapter.target)
    .map((l) => adapter.interface.parseLog(l)!)
    .filter((e) => e.name === "RelayRequested")
    .map((e) => e.args.envelope as string);
}

/**
 * The messaging fixture under its own name: loadFixture shares one fixture object (and its envelope nonce counter,
 * which a chain revert does not reset) among all callers of the same function, and Messenger.test.ts relies on
 * that counter starting at 0.
 */
async function messaging() {
  return messagingFixture();
}

/** The messaging fixture with a second, fee-charging adapter on the route to REMOTE, and one envelope sent. */
async function sentFixture() {
  const f = await messagingFixture();
  const paid = await new LocalAdapter__factory(f.owner).deploy(await f.messenger.getAddress(), f.owner.address, FEE);
  await paid.setRemoteAdapter(REMOTE, f.remote.adapters[0]);
  const [a0, p] = [await f.adapters[0].getAddress(), await paid.getAddress()];
  await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, p], 1);
  const [envelope] = await relayed(f.adapters[0], await f.app.send(REMOTE, "0x0102", { value: FEE }));
  const rejecter = await new EtherRejecter__factory(f.owner).deploy();
  return { ...f, paid, a0, p, envelope, id: envelopeId(envelope), rejecter };
}

/** Hands the messenger's ownership to an account that refuses refunds. */
async function ownedByRejecter(f: Awaited<ReturnType<typeof sentFixture>>) {
  await f.messenger.transferOwnership(await f.rejecter.getAddress());
  await f.rejecter.execute(f.messenger, 0, f.messenger.interface.encodeFunctionData("acceptOwnership"));
}

describe("Messenger recovery", () => {
  describe("resend", () => {
    it("hands the same envelope to the chosen adapters of the route, paying each, refunding the rest", async () => {
      const f = await loadFixture(sentFixture);
      const tx = await f.messenger.resend(f.envelope, [f.p, f.a0], { value: FEE + 50n });
      await expect(tx).to.emit(f.messenger, "MessageResent").withArgs(f.id, REMOTE, 0n, [f.p, f.a0]);
      expect(await relayed(f.paid, tx)).to.deep.equal([f.envelope]);
      expect(await relayed(f.adapters[0], tx)).to.deep.equal([f.envelope]);
      await expect(tx).to.changeEtherBalances([f.owner, f.paid, f.messenger], [-FEE, FEE, 0n]);
      // The nonce was not consumed again: the route's next nonce is unchanged.
      expect((await f.messenger.route(REMOTE)).nextNonce).to.equal(1n);
    });

    it("only the owner, only envelopes this messenger issued, only adapters of the route", async () => {
      const f = await loadFixture(sentFixture);
      await expect(f.messenger.connect(f.user).resend(f.envelope, [f.a0]))
        .to.be.revertedWithCustomError(f.messenger, "OwnableUnauthorizedAccount")
        .withArgs(f.user.address);
      const env = decodeEnvelope(f.envelope);
      // An envelope from elsewhere, and one with a nonce this messenger never issued.
      const foreign = encodeEnvelope({ ...env, srcChainId: REMOTE, dstChainId: LOCAL });
      await expect(f.messenger.resend(foreign, [f.a0]))
        .to.be.revertedWithCustomError(f.messenger, "NotSentHere")
        .withArgs(envelopeId(foreign));
      const unissued = encodeEnvelope({ ...env, nonce: 1n });
      await expect(f.messenger.resend(unissued, [f.a0]))
        .to.be.revertedWithCustomError(f.messenger, "NotSentHere")
        .withArgs(envelopeId(unissued));
      const outsider = await f.adapters[2].getAddress();
      await expect(f.messenger.resend(f.envelope, [outsider]))
        .to.be.revertedWithCustomError(f.messenger, "UnauthorizedAdapter")
        .withArgs(REMOTE, outsider);
    });

    it("needs the adapters' fees and a refund that goes through", async () => {
      const f = await loadFixture(sentFixture);
      await expect(f.messenger.resend(f.envelope, [f.p], { value: FEE - 1n }))
        .to.be.revertedWithCustomError(f.messenger, "InsufficientFee")
        .withArgs(FEE - 1n, FEE);
      // What the first adapter took is not available to the second.
      await expect(f.messenger.resend(f.envelope, [f.p, f.p], { value: FEE + 50n }))
        .to.be.revertedWithCustomError(f.messenger, "InsufficientFee")
        .withArgs(50n, FEE);
      await ownedByRejecter(f);
      const call = f.messenger.interface.encodeFunctionData("resend", [f.envelope, [f.p]]);
      const refused = f.messenger.interface.encodeErrorResult("RefundFailed", [await f.rejecter.getAddress(), 7n]);
      await expect(f.rejecter.execute(f.messenger, FEE + 7n, call, { value: FEE + 7n }))
        .to.be.revertedWithCustomError(f.rejecter, "CallFailed")
        .withArgs(refused);
      await f.rejecter.execute(f.messenger, FEE, call, { value: FEE }); // exact fee: nothing to refund
    });
  });

  describe("reissue", () => {
    it("sends the payload again as a new envelope under the next nonce, over the whole route", async () => {
      const f = await loadFixture(sentFixture);
      const newId = await f.messenger.reissue.staticCall(f.envelope, { value: FEE });
      const tx = await f.messenger.reissue(f.envelope, { value: FEE + 30n });
      await expect(tx)
        .to.emit(f.messenger, "MessageReissued")
        .withArgs(f.id, newId)
        .and.to.emit(f.messenger, "MessageSent")
        .withArgs(newId, REMOTE, await f.app.getAddress(), 1n);
      const [fresh] = await relayed(f.adapters[0], tx);
      expect(envelopeId(fresh)).to.equal(newId);
      expect(decodeEnvelope(fresh)).to.deep.equal({ ...decodeEnvelope(f.envelope), nonce: 1n });
      expect(await relayed(f.paid, tx)).to.deep.equal([fresh]);
      // The excess goes back to the owner who paid, not to the app.
      await expect(tx).to.changeEtherBalances([f.owner, f.paid], [-FEE, FEE]);
    });

    it("only the owner, only envelopes this messenger issued, and the refund must go through", async () => {
      const f = await loadFixture(sentFixture);
      await expect(f.messenger.connect(f.user).reissue(f.envelope, { value: FEE }))
        .to.be.revertedWithCustomError(f.messenger, "OwnableUnauthorizedAccount")
        .withArgs(f.user.address);
      const unissued = encodeEnvelope({ ...decodeEnvelope(f.envelope), nonce: 9n });
      await expect(f.messenger.reissue(unissued, { value: FEE }))
        .to.be.revertedWithCustomError(f.messenger, "NotSentHere")
        .withArgs(envelopeId(unissued));
      const foreign = encodeEnvelope({ ...decodeEnvelope(f.envelope), srcChainId: REMOTE });
      await expect(f.messenger.reissue(foreign, { value: FEE }))
        .to.be.revertedWithCustomError(f.messenger, "NotSentHere")
        .withArgs(envelopeId(foreign));
      await ownedByRejecter(f);
      const call = f.messenger.interface.encodeFunctionData("reissue", [f.envelope]);
      const refused = f.messenger.interface.encodeErrorResult("RefundFailed", [await f.rejecter.getAddress(), 1n]);
      await expect(f.rejecter.execute(f.messenger, FEE + 1n, call, { value: FEE + 1n }))
        .to.be.revertedWithCustomError(f.rejecter, "CallFailed")
        .withArgs(refused);
    });
  });

  describe("invalidateInFlight", () => {
    it("guardian or owner only; records the time and the suspended adapters", async () => {
      const f = await loadFixture(messaging);
      const a0 = await f.adapters[0].getAddress();
      await expect(f.messenger.connect(f.user).invalidateInFlight(REMOTE, []))
        .to.be.revertedWithCustomError(f.messenger, "NotGuardian")
        .withArgs(f.user.address);
      const tx = await f.messenger.connect(f.guardian).invalidateInFlight(REMOTE, [a0]);
      const at = (await tx.getBlock())!.timestamp;
      await expect(tx).to.emit(f.messenger, "InFlightInvalidated").withArgs(REMOTE, at, [a0]);
      expect(await f.messenger.invalidBefore(REMOTE)).to.equal(BigInt(at));
      await expect(f.messenger.invalidateInFlight(REMOTE, [])).to.emit(f.messenger, "InFlightInvalidated"); // owner
      const stranger = Wallet.createRandom().address;
      await expect(f.messenger.connect(f.guardian).invalidateInFlight(REMOTE, [stranger]))
        .to.be.revertedWithCustomError(f.messenger, "UnauthorizedAdapter")
        .withArgs(REMOTE, stranger);
    });

    it("failed and held envelopes stored until then can no longer be retried; later ones can", async () => {
      const f = await loadFixture(messaging);
      await f.app.setShouldRevert(true);
      const failed = await f.envelope();
      const failedTx = await f.deliver(failed.encoded);
      await expect(failedTx).to.emit(f.messenger, "MessageFailed");
      const storedAt = (await failedTx.getBlock())!.timestamp;
      await f.messenger.connect(f.guardian).pauseRoute(REMOTE);
      const held = await f.envelope();
      const heldTx = await f.deliver(held.encoded);
      await expect(heldTx).to.emit(f.messenger, "MessageHeld");
      const heldAt = (await heldTx.getBlock())!.timestamp;
      expect(await f.messenger.retryableAt(held.id)).to.equal(BigInt(heldAt));

      await f.messenger.connect(f.guardian).invalidateInFlight(REMOTE, []);
      await f.messenger.unpauseRoute(REMOTE);
      await f.app.setShouldRevert(false);
      await expect(f.messenger.retry(failed.encoded))
        .to.be.revertedWithCustomError(f.messenger, "EnvelopeInvalidated")
        .withArgs(failed.id, storedAt);
      await expect(f.messenger.retry(held.encoded))
        .to.be.revertedWithCustomError(f.messenger, "EnvelopeInvalidated")
        .withArgs(held.id, heldAt);
      // Their nonces stay consumed: they cannot come in again either (the source re-issues them).
      await expect(f.deliver(failed.encoded)).to.emit(f.messenger, "MessageDuplicate");

      await time.increase(10);
      await f.app.setShouldRevert(true);
      const later = await f.envelope();
      await expect(f.deliver(later.encoded)).to.emit(f.messenger, "MessageFailed");
      await f.app.setShouldRevert(false);
      await expect(f.messenger.retry(later.encoded)).to.emit(f.messenger, "MessageDelivered");
      expect(await f.app.received()).to.equal(1n);
    });

    it("on a k-of-n route, a suspended adapter's confirmations stop counting; the others' stand", async () => {
      const f = await loadFixture(messaging);
      const [a0, a1, a2] = await Promise.all(f.adapters.map((a) => a.getAddress()));
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1, a2], 2);
      const forged = await f.envelope();
      const genuine = await f.envelope();
      const forgedToo = await f.envelope();
      await expect(f.deliver(forged.encoded, 0)).to.emit(f.messenger, "MessageConfirmed").withArgs(forged.id, a0, 1);
      await f.deliver(forgedToo.encoded, 0);
      await expect(f.deliver(genuine.encoded, 1)).to.emit(f.messenger, "MessageConfirmed").withArgs(genuine.id, a1, 1);
      await f.messenger.connect(f.guardian).invalidateInFlight(REMOTE, [a0]);
      // a0 can deliver nothing more, and its earlier confirmation no longer counts.
      await expect(f.deliver(genuine.encoded, 0))
        .to.be.revertedWithCustomError(f.messenger, "AdapterSuspended")
        .withArgs(REMOTE, a0);
      await expect(f.deliver(forged.encoded, 2)).to.emit(f.messenger, "MessageConfirmed").withArgs(forged.id, a2, 1);
      // The genuine envelope keeps a1's confirmation: a2's completes it.
      await expect(f.deliver(genuine.encoded, 2))
        .to.emit(f.messenger, "MessageDelivered")
        .withArgs(genuine.id, REMOTE, genuine.envelope.nonce);
      expect(await f.app.received()).to.equal(1n);
      // a0 is retired from the route: the owner replaces it with a new adapter, and what a0 confirmed before
      // still does not count.
      await expect(f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1, a2], 2))
        .to.be.revertedWithCustomError(f.messenger, "AdapterRetired")
        .withArgs(REMOTE, a0);
      const fresh = await new LocalAdapter__factory(f.owner).deploy(await f.messenger.getAddress(), f.owner.address, 0);
      await fresh.setRemoteAdapter(REMOTE, f.remote.adapters[0]);
      await fresh.setRelayer(f.relayer.address, true);
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [await fresh.getAddress(), a1, a2], 2);
      await expect(f.deliver(forgedToo.encoded, 1))
        .to.emit(f.messenger, "MessageConfirmed")
        .withArgs(forgedToo.id, a1, 1n);
      await expect(f.deliver(forgedToo.encoded, 0))
        .to.be.revertedWithCustomError(f.messenger, "UnauthorizedAdapter")
        .withArgs(REMOTE, a0);
      expect(await f.app.received()).to.equal(1n);
      const next = await f.envelope();
      await fresh.connect(f.relayer).deliver(REMOTE, f.remote.adapters[0], f.remote.messenger, next.encoded);
      await expect(f.deliver(next.encoded, 1)).to.emit(f.messenger, "MessageDelivered");
    });

    it("on a 1-of-n route, a suspended adapter cannot deliver", async () => {
      const f = await loadFixture(messaging);
      const [a0, a1] = await Promise.all(f.adapters.slice(0, 2).map((a) => a.getAddress()));
      await f.messenger.setRoute(REMOTE, f.remote.messenger, [a0, a1], 1);
      await f.messenger.connect(f.guardian).invalidateInFlight(REMOTE, [a0]);
      const e = await f.envelope();
      await expect(f.deliver(e.encoded, 0)).to.be.revertedWithCustomError(f.messenger, "AdapterSuspended");
      await expect(f.deliver(e.encoded, 1)).to.emit(f.messenger, "MessageDelivered");
    });
  });
});
