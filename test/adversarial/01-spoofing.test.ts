/**
 * Adversarial 1 — spoofing. Setup: the 3-chain world, alice's 1 WETH credited on the hub. Action: an attacker
 * (dave, "mallory") calls every inbound entry point directly, relays through a rogue or half-configured
 * adapter, names a fake vault, or delivers before a route exists. Must hold: every attempt reverts with the
 * check that caught it, nothing is credited on the hub and nothing is paid on a source chain. "Unset" (zero
 * address, no route, no peer app, no remote) is never "trusted".
 */
import { expect } from "chai";
import { AbiCoder, Wallet, ZeroAddress, parseUnits, ZeroHash } from "ethers";
import { worldChainId, deposit, signer, spoke, HUB_CHAIN_ID, World } from "../../scripts/lib/world";
import { DEPOSIT, RELEASE, decodeEnvelope, encodeEnvelope, encodeMessage } from "../../scripts/lib/codec";
import {
  CCIPAdapter__factory,
  CollateralVault__factory,
  HyperlaneAdapter__factory,
  LocalAdapter__factory,
  Messenger__factory,
  MockCCIPRouter__factory,
} from "../../typechain-types";
import { send } from "../../deploy/orchestrator";
import { useWorld, supplyLiquidity, asset } from "../helpers/world";

const ALPHA = worldChainId("alpha");
const GAMMA = 31340n; // a chain the hub has no route to

async function setup(w: World) {
  await supplyLiquidity(w);
  await deposit(w, "alpha", "alice", "WETH", parseUnits("1", 18));
}

describe("adversarial 1: spoofed deliveries are rejected and credit nothing", () => {
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
      srcMessenger: await a.deployment.messenger.getAddress(),
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
      srcMessenger: await w.hub.deployment.messenger.getAddress(),
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

  it("a fake vault on a real route: an attacker's own CollateralVault on alpha cannot send a DEPOSIT", async () => {
    // Setup: mallory deploys a genuine-looking CollateralVault wired to alpha's real messenger.
    // Action: she deposits into it. Must hold: the messenger refuses to send for an app with no peer on the hub
    // (the peer is unset, i.e. zero), the deposit reverts whole, her tokens stay with her, nothing is credited.
    const w = h.w;
    const a = spoke(w, "alpha");
    const mallory = signer(a.chain, "dave");
    const fake = await new CollateralVault__factory(mallory).deploy(
      await a.deployment.messenger.getAddress(),
      HUB_CHAIN_ID,
      mallory.address,
      mallory.address,
    );
    const weth = await asset(w, "alpha", "WETH");
    await send(fake.setAssetAllowed(weth, true));
    await send(a.tokens.WETH.connect(mallory).approve(await fake.getAddress(), parseUnits("1000", 18)));
    await expect(fake.deposit(weth, parseUnits("1000", 18), mallory.address))
      .to.be.revertedWithCustomError(a.deployment.messenger, "UnknownPeerApp")
      .withArgs(await fake.getAddress(), HUB_CHAIN_ID, ZeroAddress);
    expect(await a.tokens.WETH.balanceOf(mallory.address)).to.equal(parseUnits("1000000", 18));
    expect(await w.relayer.poll()).to.have.length(0);
    expect(await credits(w)).to.equal(0n);
  });

  it("a delivery before the route is configured: no remote adapter, no route, no peer app — each refused", async () => {
    // Setup: chain GAMMA is being onboarded step by step on the hub. Action: the (honest but early, or
    // compromised) relayer delivers a forged GAMMA deposit after each step. Must hold: an unset remote adapter,
    // an unset route and an unset peer app (zero) each reject it; nothing is credited at any step.
    const w = h.w;
    const { adapter, messenger, engine } = w.hub.deployment;
    const relayer = adapter.connect(signer(w.hub.chain, "relayer"));
    const mallory = signer(w.hub.chain, "dave").address;
    const gammaAdapter = Wallet.createRandom().address;
    const gammaMessenger = Wallet.createRandom().address;
    const weth = await asset(w, "alpha", "WETH");
    const engineAddress = await engine.getAddress();
    const forged = (sender: string) =>
      encodeEnvelope({
        nonce: 0n,
        srcChainId: GAMMA,
        dstChainId: HUB_CHAIN_ID,
        srcMessenger: gammaMessenger,
        sender,
        receiver: engineAddress,
        payload: encodeMessage({ kind: DEPOSIT, who: mallory, asset: weth, amount: 10n ** 30n }),
      });
    // 1. Nothing configured: the adapter has no remote for GAMMA, so neither zero nor any address is trusted.
    await expect(relayer.deliver(GAMMA, ZeroAddress, gammaMessenger, forged(ZeroAddress)))
      .to.be.revertedWithCustomError(adapter, "UntrustedRemote")
      .withArgs(GAMMA, ZeroAddress);
    await expect(relayer.deliver(GAMMA, gammaAdapter, gammaMessenger, forged(ZeroAddress)))
      .to.be.revertedWithCustomError(adapter, "UntrustedRemote")
      .withArgs(GAMMA, gammaAdapter);
    // 2. The adapter trusts GAMMA's adapter, but the messenger has no route yet.
    await send(adapter.setRemoteAdapter(GAMMA, gammaAdapter));
    await expect(relayer.deliver(GAMMA, gammaAdapter, gammaMessenger, forged(ZeroAddress)))
      .to.be.revertedWithCustomError(messenger, "UnknownRoute")
      .withArgs(GAMMA);
    // 3. The route exists, but no vault on GAMMA is paired with the engine: a zero sender is not a peer either.
    await send(messenger.setRoute(GAMMA, gammaMessenger, [await adapter.getAddress()], 1));
    await expect(relayer.deliver(GAMMA, gammaAdapter, gammaMessenger, forged(ZeroAddress)))
      .to.be.revertedWithCustomError(messenger, "UnknownPeerApp")
      .withArgs(await engine.getAddress(), GAMMA, ZeroAddress);
    const alphaVault = await spoke(w, "alpha").deployment.vault.getAddress();
    await expect(relayer.deliver(GAMMA, gammaAdapter, gammaMessenger, forged(alphaVault)))
      .to.be.revertedWithCustomError(messenger, "UnknownPeerApp")
      .withArgs(await engine.getAddress(), GAMMA, alphaVault);
    expect(await engine.collateralOf(mallory, GAMMA, weth)).to.equal(0n);
    expect(await credits(w)).to.equal(0n);
  });

  it("a freshly deployed messenger trusts nobody: receiveEnvelope reverts UnknownRoute for any chain", async () => {
    // Setup: a new Messenger with no configuration (as right after deployment). Action: the attacker, and an
    // adapter-looking caller, push an envelope. Must hold: UnknownRoute before anything else is read.
    const w = h.w;
    const mallory = signer(w.hub.chain, "dave");
    const fresh = await new Messenger__factory(mallory).deploy(mallory.address, mallory.address);
    const envelope = await forgedDeposit(w, mallory.address, parseUnits("1000", 18));
    for (const chain of [ALPHA, GAMMA, 0n]) {
      await expect(fresh.receiveEnvelope(chain, ZeroAddress, envelope))
        .to.be.revertedWithCustomError(fresh, "UnknownRoute")
        .withArgs(chain);
    }
  });

  it("bridge adapter entry points: only the bridge may call; an unset origin or an adapter off the route is refused", async () => {
    // Setup: a CCIP router (Chainlink's mock OffRamp) and a CCIPAdapter for the hub messenger, and a
    // HyperlaneAdapter on a mailbox. Action: mallory calls ccipReceive/handle directly; the router executes a
    // message from a selector the adapter was never told about; then from a configured remote while the
    // adapter is not (yet) an adapter of the hub's route. Must hold: InvalidRouter / NotBridge / UnknownOrigin /
    // UnauthorizedAdapter, and nothing credited.
    const w = h.w;
    const deployer = signer(w.hub.chain, "deployer");
    const mallory = signer(w.hub.chain, "dave");
    const messengerAddress = await w.hub.deployment.messenger.getAddress();
    const router = await new MockCCIPRouter__factory(deployer).deploy();
    const ccip = await new CCIPAdapter__factory(deployer).deploy(
      messengerAddress,
      await router.getAddress(),
      deployer.address,
    );
    const mailbox = Wallet.createRandom().address;
    const hyperlane = await new HyperlaneAdapter__factory(deployer).deploy(messengerAddress, mailbox, deployer.address);
    const envelope = await forgedDeposit(w, mallory.address, 10n ** 30n);
    const alphaMessenger = await spoke(w, "alpha").deployment.messenger.getAddress();
    const data = alphaMessenger + envelope.slice(2);
    const remoteAdapter = Wallet.createRandom().address;
    const message = (selector: bigint) => ({
      messageId: ZeroHash,
      sourceChainSelector: selector,
      sender: AbiCoder.defaultAbiCoder().encode(["address"], [remoteAdapter]),
      data,
      destTokenAmounts: [],
    });
    await expect(ccip.connect(mallory).ccipReceive(message(1n)))
      .to.be.revertedWithCustomError(ccip, "InvalidRouter")
      .withArgs(mallory.address);
    await expect(hyperlane.connect(mallory).handle(1, ZeroHash, data))
      .to.be.revertedWithCustomError(hyperlane, "NotBridge")
      .withArgs(mallory.address);

    /** Executes `msg` through the router as the OffRamp would; returns the receiver's revert data. */
    const execute = async (selector: bigint) => {
      const receipt = (await (
        await router.connect(mallory).routeMessage(message(selector), 5_000, 400_000, await ccip.getAddress())
      ).wait())!;
      const executed = receipt.logs.map((l) => router.interface.parseLog(l)).find((e) => e?.name === "MsgExecuted")!;
      expect(executed.args.success).to.equal(false);
      return executed.args.retData as string;
    };
    const selector = 3478487238524512106n; // alpha's CCIP selector
    expect(await execute(selector)).to.equal(ccip.interface.encodeErrorResult("UnknownOrigin", [selector]));
    await send(ccip.setRemote(ALPHA, selector, remoteAdapter, 400_000));
    expect(await execute(selector)).to.equal(
      w.hub.deployment.messenger.interface.encodeErrorResult("UnauthorizedAdapter", [ALPHA, await ccip.getAddress()]),
    );
    expect(await credits(w)).to.equal(0n);
  });
});
