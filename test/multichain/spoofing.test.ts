import { expect } from "chai";
import { Wallet, parseUnits, ZeroHash } from "ethers";
import { deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { DEPOSIT, RELEASE, decodeEnvelope, encodeEnvelope, encodeMessage } from "../../scripts/lib/codec";
import { LocalAdapter__factory } from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = 31338n;
const BETA = 31339n;

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
}

describe("spoofed deliveries are rejected and credit nothing", () => {
  const h = useWorld(setup);

  /** A DEPOSIT envelope crediting `amount` of alpha WETH to `account`, as if alpha's vault had sent it. */
  async function forgedDeposit(
    w: World,
    account: string,
    amount: bigint,
    overrides: Partial<ReturnType<typeof decodeEnvelope>> = {},
  ) {
    const a = spoke(w, "alpha");
    return encodeEnvelope({
      nonce: 1_000_000n,
      srcChainId: ALPHA,
      dstChainId: HUB_CHAIN_ID,
      sender: await a.deployment.vault.getAddress(),
      receiver: await w.hub.deployment.engine.getAddress(),
      payload: encodeMessage({ kind: DEPOSIT, who: account, asset: await asset(w, "alpha", "WETH"), amount }),
      ...overrides,
    });
  }

  async function credits(w: World) {
    const mallory = signer(w.hub.chain, "dave").address;
    return w.hub.deployment.engine.collateralOf(mallory, ALPHA, await asset(w, "alpha", "WETH"));
  }

  it("direct calls to the inbound entry points", async () => {
    const w = h.w;
    const mallory = signer(w.hub.chain, "dave");
    const { engine, messenger } = w.hub.deployment;
    const envelope = await forgedDeposit(w, mallory.address, parseUnits("1000", 18));
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    await expect(
      messenger.connect(mallory).receiveEnvelope(ALPHA, alphaMessenger, envelope),
    ).to.be.revertedWithCustomError(messenger, "UnauthorizedAdapter");
    await expect(
      engine.connect(mallory).onMessage(ALPHA, mallory.address, ZeroHash, "0x"),
    ).to.be.revertedWithCustomError(engine, "OnlyMessenger");
    const vault = spoke(w, "alpha").deployment.vault;
    const malloryOnAlpha = signer(spoke(w, "alpha").chain, "dave");
    await expect(
      vault.connect(malloryOnAlpha).onMessage(HUB_CHAIN_ID, mallory.address, ZeroHash, "0x"),
    ).to.be.revertedWithCustomError(vault, "OnlyMessenger");
    await expect(
      w.hub.deployment.adapter
        .connect(mallory)
        .deliver(ALPHA, await spoke(w, "alpha").deployment.adapter.getAddress(), alphaMessenger, envelope),
    ).to.be.revertedWithCustomError(w.hub.deployment.adapter, "NotRelayer");
    expect(await credits(w)).to.equal(0n);
  });

  it("a wrong adapter: an attacker's own LocalAdapter pointed at the hub messenger", async () => {
    const w = h.w;
    const mallory = signer(w.hub.chain, "dave");
    const rogue = await new LocalAdapter__factory(mallory).deploy(
      await w.hub.deployment.messenger.getAddress(),
      mallory.address,
      0,
    );
    const alphaAdapter = await spoke(w, "alpha").deployment.adapter.getAddress();
    await send(rogue.setRemoteAdapter(ALPHA, alphaAdapter));
    await send(rogue.setRelayer(mallory.address, true));
    const envelope = await forgedDeposit(w, mallory.address, parseUnits("1000", 18));
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    await expect(rogue.deliver(ALPHA, alphaAdapter, alphaMessenger, envelope))
      .to.be.revertedWithCustomError(w.hub.deployment.messenger, "UnauthorizedAdapter")
      .withArgs(ALPHA, await rogue.getAddress());
    expect(await credits(w)).to.equal(0n);
  });

  it("a wrong remote: the relayer names an adapter or a messenger that is not alpha's", async () => {
    const w = h.w;
    const relayer = signer(w.hub.chain, "relayer");
    const adapter = w.hub.deployment.adapter.connect(relayer);
    const envelope = await forgedDeposit(w, signer(w.hub.chain, "dave").address, parseUnits("1000", 18));
    const alphaAdapter = await spoke(w, "alpha").deployment.adapter.getAddress();
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    const fake = Wallet.createRandom().address;
    await expect(adapter.deliver(ALPHA, fake, alphaMessenger, envelope))
      .to.be.revertedWithCustomError(adapter, "UntrustedRemote")
      .withArgs(ALPHA, fake);
    await expect(adapter.deliver(ALPHA, alphaAdapter, fake, envelope))
      .to.be.revertedWithCustomError(w.hub.deployment.messenger, "UnknownRemoteMessenger")
      .withArgs(ALPHA, fake);
    expect(await credits(w)).to.equal(0n);
  });

  it("a wrong app: an envelope from an app that is not alpha's vault", async () => {
    const w = h.w;
    const mallory = signer(w.hub.chain, "dave");
    const relayer = signer(w.hub.chain, "relayer");
    const envelope = await forgedDeposit(w, mallory.address, parseUnits("1000", 18), { sender: mallory.address });
    await expect(
      w.hub.deployment.adapter
        .connect(relayer)
        .deliver(
          ALPHA,
          await spoke(w, "alpha").deployment.adapter.getAddress(),
          await spoke(w, "alpha").deployment.messenger.getAddress(),
          envelope,
        ),
    ).to.be.revertedWithCustomError(w.hub.deployment.messenger, "UnknownPeerApp");
    // And on the source chain an unregistered app cannot even send.
    const alphaMessenger = spoke(w, "alpha").deployment.messenger.connect(signer(spoke(w, "alpha").chain, "dave"));
    await expect(alphaMessenger.send(HUB_CHAIN_ID, "0x")).to.be.revertedWithCustomError(
      alphaMessenger,
      "UnknownPeerApp",
    );
    expect(await credits(w)).to.equal(0n);
  });

  it("a genuine envelope from alpha replayed as if it came from beta, and replayed on its own route", async () => {
    const w = h.w;
    await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
    const [packet] = await w.relayer.poll(); // alice's genuine 1 WETH deposit on alpha
    const relayer = signer(w.hub.chain, "relayer");
    const betaAdapter = await spoke(w, "beta").deployment.adapter.getAddress();
    const betaMessenger = await spoke(w, "beta").deployment.messenger.getAddress();
    await expect(w.hub.deployment.adapter.connect(relayer).deliver(BETA, betaAdapter, betaMessenger, packet.envelope))
      .to.be.revertedWithCustomError(w.hub.deployment.messenger, "EnvelopeMisrouted")
      .withArgs(BETA, ALPHA, HUB_CHAIN_ID);
    await w.relayer.deliver(packet);
    await w.relayer.deliver(packet);
    const alice = signer(w.hub.chain, "alice").address;
    expect(await w.hub.deployment.engine.collateralOf(alice, ALPHA, await asset(w, "alpha", "WETH"))).to.equal(
      parseUnits("2", 18),
    );
    expect(await w.hub.deployment.engine.collateralOf(alice, BETA, await asset(w, "alpha", "WETH"))).to.equal(0n);
  });

  it("a forged RELEASE on a source chain pays nothing", async () => {
    const w = h.w;
    await w.relayer.flush();
    const a = spoke(w, "alpha");
    const mallory = signer(a.chain, "dave");
    const weth = await asset(w, "alpha", "WETH");
    const forged = encodeEnvelope({
      nonce: 77n,
      srcChainId: HUB_CHAIN_ID,
      dstChainId: ALPHA,
      sender: mallory.address, // not the engine
      receiver: await a.deployment.vault.getAddress(),
      payload: encodeMessage({ kind: RELEASE, who: mallory.address, asset: weth, amount: parseUnits("1", 18) }),
    });
    const relayer = signer(a.chain, "relayer");
    await expect(
      a.deployment.adapter
        .connect(relayer)
        .deliver(
          HUB_CHAIN_ID,
          await w.hub.deployment.adapter.getAddress(),
          await w.hub.deployment.messenger.getAddress(),
          forged,
        ),
    ).to.be.revertedWithCustomError(a.deployment.messenger, "UnknownPeerApp");
    expect(await a.tokens.WETH.balanceOf(mallory.address)).to.equal(parseUnits("1000000", 18));
    expect(await a.deployment.vault.totalLocked(weth)).to.equal(parseUnits("1", 18));
  });
});
