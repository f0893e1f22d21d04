/**
 * The bridges' local harnesses installed where they land on in-process chains (tests build an address book from
 * them), and mock tokens and feeds either there or at the addresses of a real network's address book (rehearsal
 * nodes, which carry the bridges' real contracts: realBridges.ts; {@link install}: deploy, then copy the code with `anvil_setCode` and the storage the constructor wrote, found
 * with `debug_traceTransaction`'s prestateTracer in diff mode, with `anvil_setStorageAt`). Constructors of these
 * contracts embed no address of their own (immutables are eids, domains and decimals), so the copies behave
 * exactly like the originals; contracts that embed the endpoint's address (the LayerZero test library) are
 * deployed after it is in place, and initialisation calls go to the final address.
 */
import { toBeHex, type Signer, type TransactionResponse } from "ethers";
import {
  EndpointV2Mock__factory,
  MockCCIPRouter__factory,
  MockERC20__factory,
  MockMailbox__factory,
  MockPriceFeed__factory,
  TestLzMessageLib__factory,
  TestPostDispatchHook__factory,
} from "../../typechain-types";
import type { Chain } from "./chain";
import { send } from "../../deploy/orchestrator";
import type { NetworkEntry } from "../../deploy/types";
import type { BridgeStack, BridgedChain, BridgeKind } from "./bridges";
import {
  LayerZeroAdapter__factory,
  CCIPAdapter__factory,
  HyperlaneAdapter__factory,
  Messenger__factory,
} from "../../typechain-types";
import type { ChainDeploymentRecord } from "../../deploy/types";

/** Where a contract goes: `undefined` = where it lands; an address = placed there (needs anvil). */
export type Target = string | undefined;

interface StateDiff {
  post: Record<string, { code?: string; storage?: Record<string, string> }>;
}

/**
 * Sends `deploy` (a deploy transaction) and, with a `target`, moves the contract there: code and the storage its
 * constructor wrote. Returns the final address.
 */
export async function install(chain: Chain, deploy: Promise<TransactionResponse>, target: Target): Promise<string> {
  const tx = await deploy;
  const receipt = await tx.wait();
  if (!receipt?.contractAddress) throw new Error(`${chain.name}: harness deploy failed`);
  const deployed = receipt.contractAddress;
  if (!target) return deployed;
  const code = await chain.provider.getCode(deployed);
  const trace = (await chain.send("debug_traceTransaction", [
    tx.hash,
    { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
  ])) as StateDiff;
  const post = Object.entries(trace.post).find(([a]) => a.toLowerCase() === deployed.toLowerCase())?.[1];
  await chain.send("anvil_setCode", [target, code]);
  for (const [slot, value] of Object.entries(post?.storage ?? {})) {
    await chain.send("anvil_setStorageAt", [target, slot, toBeHex(BigInt(value), 32)]);
  }
  return target;
}

/** What a harness installation produced: the network entry's bridge fields and the contracts to relay with. */
export interface InstalledBridges {
  layerzero?: { endpoint: string; lib: string };
  ccip?: { router: string };
  hyperlane?: { mailbox: string; igp: string };
}

/**
 * Installs the harness of every bridge `net` has an entry for, where it lands (in-process chains: the returned
 * addresses are to be written into the book; rehearsal nodes carry the real contracts instead, see realBridges.ts).
 * `remotes` are the networks messages go to (LayerZero default libraries per remote eid, a Hyperlane sink mailbox
 * per remote domain).
 */
export async function installBridges(
  chain: Chain,
  deployer: Signer,
  net: NetworkEntry,
  remotes: NetworkEntry[],
  fee = 0n,
): Promise<InstalledBridges> {
  const out: InstalledBridges = {};
  const me = await deployer.getAddress();
  if (net.layerzero) {
    const f = new EndpointV2Mock__factory(deployer);
    const endpointAddress = await install(
      chain,
      deployer.sendTransaction(await f.getDeployTransaction(net.layerzero.eid, me)),
      undefined,
    );
    const endpoint = EndpointV2Mock__factory.connect(endpointAddress, deployer);
    const lib = await new TestLzMessageLib__factory(deployer).deploy(endpointAddress, fee);
    await lib.waitForDeployment();
    const libAddress = await lib.getAddress();
    await send(endpoint.registerLibrary(libAddress));
    for (const remote of remotes) {
      if (!remote.layerzero) continue;
      await send(endpoint.setDefaultSendLibrary(remote.layerzero.eid, libAddress));
      await send(endpoint.setDefaultReceiveLibrary(remote.layerzero.eid, libAddress, 0));
    }
    out.layerzero = { endpoint: endpointAddress, lib: libAddress };
  }
  if (net.ccip) {
    const f = new MockCCIPRouter__factory(deployer);
    const router = await install(chain, deployer.sendTransaction(await f.getDeployTransaction()), undefined);
    if (fee) await send(MockCCIPRouter__factory.connect(router, deployer).setFee(fee));
    out.ccip = { router };
  }
  if (net.hyperlane) {
    const f = new MockMailbox__factory(deployer);
    const mailboxAddress = await install(
      chain,
      deployer.sendTransaction(await f.getDeployTransaction(net.hyperlane.domain)),
      undefined,
    );
    const mailbox = MockMailbox__factory.connect(mailboxAddress, deployer);
    // The interchain gas paymaster: a test hook (charging `fee`) as the mailbox's default hook. With no fee, the
    // hook the mock mailbox made for itself serves (as before: the gas benchmark measures that setup).
    let igp: string;
    if (fee) {
      const hf = new TestPostDispatchHook__factory(deployer);
      igp = await install(chain, deployer.sendTransaction(await hf.getDeployTransaction()), undefined);
      if (fee) await send(TestPostDispatchHook__factory.connect(igp, deployer).setFee(fee));
      await send(mailbox.setDefaultHook(igp));
    } else {
      igp = await mailbox.defaultHook();
    }
    // MockMailbox hands each dispatched message to a mailbox object per remote domain: a sink here. The relayer
    // reads the `Dispatch` event and processes the message on the real destination.
    for (const remote of remotes) {
      if (!remote.hyperlane) continue;
      const sink = await new MockMailbox__factory(deployer).deploy(remote.hyperlane.domain);
      await sink.waitForDeployment();
      await send(mailbox.addRemoteMailbox(remote.hyperlane.domain, await sink.getAddress()));
    }
    out.hyperlane = { mailbox: mailboxAddress, igp };
  }
  return out;
}

/** Mock feeds (answer: the book's `mockAnswer`, else 1.0) and tokens, at the book's addresses when `placed`. */
export async function installAssets(chain: Chain, deployer: Signer, net: NetworkEntry, placed: boolean) {
  const feeds: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  for (const [key, feed] of Object.entries(net.feeds)) {
    const f = new MockPriceFeed__factory(deployer);
    const answer = BigInt(feed.mockAnswer ?? (10n ** BigInt(feed.decimals)).toString());
    feeds[key] = await install(
      chain,
      deployer.sendTransaction(await f.getDeployTransaction(feed.decimals, answer, feed.pair)),
      placed ? feed.address : undefined,
    );
  }
  if (net.sequencerUptimeFeed) {
    // Chainlink's uptime feed answers 0 (up) with the time the status last changed: up since long ago.
    const f = new MockPriceFeed__factory(deployer);
    const uptime = await install(
      chain,
      deployer.sendTransaction(await f.getDeployTransaction(0, 0, "L2 Sequencer Uptime Status Feed")),
      placed ? net.sequencerUptimeFeed.address : undefined,
    );
    const block = await chain.provider.getBlock("latest");
    await send(MockPriceFeed__factory.connect(uptime, deployer).updateRoundData(0, block!.timestamp - 86_400));
  }
  for (const [symbol, token] of Object.entries(net.tokens)) {
    const f = new MockERC20__factory(deployer);
    tokens[symbol] = await install(
      chain,
      deployer.sendTransaction(await f.getDeployTransaction(symbol, symbol, token.decimals)),
      placed ? token.address : undefined,
    );
  }
  return { feeds, tokens };
}

/** The chain's bridge stacks for {@link BridgeRelayer}, from a deployment record and the installed harness. */
export function bridgedChainOf(
  chain: Chain,
  record: ChainDeploymentRecord,
  installed: InstalledBridges,
  signer: Signer,
): BridgedChain {
  const stacks: Partial<Record<BridgeKind, BridgeStack>> = {};
  const adapters = record.adapters;
  if (adapters.layerzero && installed.layerzero) {
    stacks.layerzero = {
      kind: "layerzero",
      adapter: LayerZeroAdapter__factory.connect(adapters.layerzero.address, signer),
      endpoint: EndpointV2Mock__factory.connect(installed.layerzero.endpoint, signer),
      lib: TestLzMessageLib__factory.connect(installed.layerzero.lib, signer),
    };
  }
  if (adapters.ccip && installed.ccip) {
    stacks.ccip = {
      kind: "ccip",
      adapter: CCIPAdapter__factory.connect(adapters.ccip.address, signer),
      router: MockCCIPRouter__factory.connect(installed.ccip.router, signer),
    };
  }
  if (adapters.hyperlane && installed.hyperlane) {
    stacks.hyperlane = {
      kind: "hyperlane",
      adapter: HyperlaneAdapter__factory.connect(adapters.hyperlane.address, signer),
      mailbox: MockMailbox__factory.connect(installed.hyperlane.mailbox, signer),
    };
  }
  return { chain, messenger: Messenger__factory.connect(record.contracts.messenger.address, signer), stacks };
}
