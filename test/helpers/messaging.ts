/** Single-chain fixture for the messaging layer: one messenger, three LocalAdapters and a test app, with a
 *  simulated remote chain whose messenger, adapters and app are plain addresses. */
import hre from "hardhat";
import { Wallet } from "ethers";
import { LocalAdapter, LocalAdapter__factory, Messenger__factory, MockApp__factory } from "../../typechain-types";
import { encodeEnvelope, envelopeId, type Envelope } from "../../scripts/lib/codec";

export const LOCAL = 31337n;
export const REMOTE = 31338n;

export async function messagingFixture() {
  const [owner, guardian, relayer, user, other] = await hre.ethers.getSigners();
  const messenger = await new Messenger__factory(owner).deploy(owner.address, guardian.address);
  const adapters: LocalAdapter[] = [];
  for (let i = 0; i < 3; i++) {
    adapters.push(await new LocalAdapter__factory(owner).deploy(await messenger.getAddress(), owner.address, 0));
  }
  const app = await new MockApp__factory(owner).deploy(await messenger.getAddress());
  const remote = {
    messenger: Wallet.createRandom().address,
    adapters: [0, 1, 2].map(() => Wallet.createRandom().address),
    app: Wallet.createRandom().address,
  };
  for (let i = 0; i < 3; i++) {
    await adapters[i].setRemoteAdapter(REMOTE, remote.adapters[i]);
    await adapters[i].setRelayer(relayer.address, true);
  }
  await messenger.setRoute(REMOTE, remote.messenger, [await adapters[0].getAddress()], 1);
  await messenger.setPeerApp(await app.getAddress(), REMOTE, remote.app);

  let nonce = 0n;
  /** An envelope from the remote app to the local app; override any field. */
  const envelope = async (overrides: Partial<Envelope> = {}) => {
    const e: Envelope = {
      nonce: overrides.nonce ?? nonce++,
      srcChainId: REMOTE,
      dstChainId: LOCAL,
      srcMessenger: remote.messenger,
      sender: remote.app,
      receiver: await app.getAddress(),
      payload: "0x1234",
      ...overrides,
    };
    const encoded = encodeEnvelope(e);
    return { encoded, id: envelopeId(encoded), envelope: e };
  };
  /** Relays `encoded` through local adapter `i`, as coming from its remote peer. */
  const deliver = (encoded: string, i = 0, opts: { gasLimit?: bigint } = {}) =>
    adapters[i].connect(relayer).deliver(REMOTE, remote.adapters[i], remote.messenger, encoded, opts);

  return { messenger, adapters, app, remote, owner, guardian, relayer, user, other, envelope, deliver };
}
