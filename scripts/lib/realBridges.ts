/**
 * The bridges' REAL contracts installed at a network's address-book addresses on a local node (the deploy
 * rehearsal's anvil nodes, which the fork suites fork), wired the way the bridges wire their testnets:
 *
 * - LayerZero V2: `EndpointV2`, `SendUln302`, `ReceiveUln302`, the `DVN` (one per book DVN) and the `Executor`, with
 *   their fee libraries (`DVNFeeLib`, `ExecutorFeeLib`) and the `PriceFeed`, from the bytecode LayerZero publishes in
 *   `@layerzerolabs/lz-evm-protocol-v2` and `lz-evm-messagelib-v2` (nothing recompiled). Wired as
 *   test-devtools-evm-foundry's `TestHelperOz5` does: libraries registered, per remote eid a default ULN config (the
 *   book's DVN required, the source chain's book confirmations) and executor config, defaults set on the endpoint,
 *   worker destination configs and prices so every quote is non-zero.
 * - Chainlink CCIP: the 1.6 `Router` with `RMNRemote` as its curse check and WETH9 as wrapped native; one
 *   {CCIPOnRampHarness} for every destination (the real 1.6 OnRamp needs a FeeQuoter with signed price reports,
 *   a NonceManager and a token registry) emitting the real `CCIPMessageSent`; an OffRamp address registered per
 *   source selector (`applyRampUpdates`) that the relayer impersonates, as chainlink-local's fork simulator does.
 * - Hyperlane: the real `Mailbox` with `MerkleTreeHook` as required hook, the real `InterchainGasPaymaster` (with a
 *   `StorageGasOracle`: 1 gwei, exchange rate 1) as default hook at the book's IGP address, and `TestIsm` as
 *   default ISM (xmargin's adapter leaves its own ISM at zero = the mailbox default; see bridges-and-security.md).
 *
 * Contracts at book addresses are deployed, then moved there with their constructor's storage ({@link install});
 * immutables that name another book contract are given the book address, so copies behave as the originals.
 */
import fs from "fs";
import path from "path";
import { Contract, ContractFactory, getAddress, keccak256, toUtf8Bytes, type InterfaceAbi, type Signer } from "ethers";
import {
  CCIPOnRampHarness__factory,
  InterchainGasPaymaster__factory,
  Mailbox__factory,
  MerkleTreeHook__factory,
  RMNRemote__factory,
  Router__factory,
  StorageGasOracle__factory,
  TestIsm__factory,
  WETH9__factory,
} from "../../typechain-types";
import type { Chain } from "./chain";
import { install } from "./harness";
import { send } from "../../deploy/orchestrator";
import type { NetworkEntry } from "../../deploy/types";

/** A compiled contract as LayerZero's packages publish it (Hardhat artifact). */
interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const LZ_ARTIFACTS: Record<string, string> = {
  EndpointV2: "@layerzerolabs/lz-evm-protocol-v2/artifacts/contracts/EndpointV2.sol/EndpointV2.json",
  SendUln302: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/uln/uln302/SendUln302.sol/SendUln302.json",
  ReceiveUln302:
    "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/uln/uln302/ReceiveUln302.sol/ReceiveUln302.json",
  DVN: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/uln/dvn/DVN.sol/DVN.json",
  DVNFeeLib: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/uln/dvn/DVNFeeLib.sol/DVNFeeLib.json",
  Executor: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/Executor.sol/Executor.json",
  ExecutorFeeLib: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/ExecutorFeeLib.sol/ExecutorFeeLib.json",
  PriceFeed: "@layerzerolabs/lz-evm-messagelib-v2/artifacts/contracts/PriceFeed.sol/PriceFeed.json",
};

const artifacts = new Map<string, Artifact>();

/** LayerZero's published artifact of `name` (ABI and creation bytecode). */
export function lzArtifact(name: keyof typeof LZ_ARTIFACTS): Artifact {
  let a = artifacts.get(name);
  if (!a) {
    const file = require.resolve(LZ_ARTIFACTS[name], { paths: [path.join(__dirname, "..", "..")] });
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Artifact;
    a = { abi: json.abi, bytecode: json.bytecode };
    artifacts.set(name, a);
  }
  return a;
}

/** A LayerZero contract at `address` with its published ABI. */
export function lzContract(name: keyof typeof LZ_ARTIFACTS, address: string, runner: Signer | Chain["provider"]) {
  return new Contract(address, lzArtifact(name).abi, runner);
}

// TestHelperOz5's worker settings.
const TREASURY_GAS_CAP = 1_000_000_000_000n;
const TREASURY_GAS_FOR_FEE_CAP = 100_000n;
const NATIVE_PRICE_USD = 10n ** 20n; // PriceFeed's denominator: 1 USD per native unit
const EXECUTOR_NATIVE_CAP = 10n ** 17n;
const MAX_MESSAGE_SIZE = 10_000;
/** The flat CCIP fee of the OnRamp harness (wrapped native), per message. */
export const CCIP_HARNESS_FEE = 10n ** 14n;
/** The IGP's gas price for every remote (1 gwei, exchange rate 1:1) and its per-message overhead. */
const IGP_GAS_PRICE = 10n ** 9n;
const IGP_EXCHANGE_RATE_SCALE = 10n ** 10n;
const IGP_GAS_OVERHEAD = 50_000n;

/** The OffRamp address a rehearsal node registers on its router for messages from `sourceSelector`. */
export function harnessOffRamp(sourceSelector: bigint | string): string {
  return getAddress("0x" + keccak256(toUtf8Bytes(`xmargin ccip offramp ${sourceSelector}`)).slice(26));
}

/** What the real installation put where (book addresses, plus the contracts that land anywhere). */
export interface RealBridges {
  layerzero?: {
    endpoint: string;
    sendLib: string;
    receiveLib: string;
    executor: string;
    dvns: string[];
    priceFeed: string;
  };
  ccip?: { router: string; onRamp: string; rmn: string; wrappedNative: string; offRamps: Record<string, string> };
  hyperlane?: { mailbox: string; igp: string; ism: string; requiredHook: string; gasOracle: string };
}

async function deployed(tx: Promise<{ waitForDeployment(): Promise<unknown>; getAddress(): Promise<string> }>) {
  const c = await tx;
  await c.waitForDeployment();
  return c.getAddress();
}

/**
 * Installs the real contracts of every bridge `net` has an entry for at the book's addresses, wired towards
 * `remotes`. `deployer` owns them (and is every worker's admin). Needs anvil (code and storage are set).
 */
export async function installRealBridges(
  chain: Chain,
  deployer: Signer,
  net: NetworkEntry,
  remotes: NetworkEntry[],
): Promise<RealBridges> {
  const out: RealBridges = {};
  if (net.layerzero) out.layerzero = await installLayerZero(chain, deployer, net, remotes);
  if (net.ccip) out.ccip = await installCcip(chain, deployer, net, remotes);
  if (net.hyperlane) out.hyperlane = await installHyperlane(chain, deployer, net, remotes);
  return out;
}

async function lzDeploy(chain: Chain, deployer: Signer, name: string, args: unknown[], target?: string) {
  const a = lzArtifact(name);
  const tx = await new ContractFactory(a.abi, a.bytecode, deployer).getDeployTransaction(...args);
  return install(chain, deployer.sendTransaction(tx), target);
}

async function installLayerZero(chain: Chain, deployer: Signer, net: NetworkEntry, remotes: NetworkEntry[]) {
  const lz = net.layerzero!;
  const me = await deployer.getAddress();
  if (!lz.sendLib302 || !lz.receiveLib302 || !lz.executor || !lz.dvns || !Object.keys(lz.dvns).length) {
    throw new Error(`${net.name}: the book lacks LayerZero's ULN302 libraries, executor or DVNs`);
  }
  const eid = lz.eid;
  const lzRemotes = remotes.filter((r) => r.layerzero);
  const endpoint = await lzDeploy(chain, deployer, "EndpointV2", [eid, me], lz.endpointV2);
  const sendLib = await lzDeploy(
    chain,
    deployer,
    "SendUln302",
    [endpoint, TREASURY_GAS_CAP, TREASURY_GAS_FOR_FEE_CAP],
    lz.sendLib302,
  );
  const receiveLib = await lzDeploy(chain, deployer, "ReceiveUln302", [endpoint], lz.receiveLib302);
  const libs = [sendLib, receiveLib];

  // Price feed (upgradeable; used standalone, initialised once): 1 USD native, unit prices per remote.
  const priceFeedAddress = await lzDeploy(chain, deployer, "PriceFeed", []);
  const priceFeed = lzContract("PriceFeed", priceFeedAddress, deployer);
  await send(priceFeed.initialize(me));
  const denominator = 10n ** 20n;
  await send(
    priceFeed.setPrice(
      lzRemotes.map((r) => ({
        eid: r.layerzero!.eid,
        price: { priceRatio: denominator, gasPriceInUnit: 1, gasPerByte: 1 },
      })),
    ),
  );
  await send(priceFeed.setNativeTokenPriceUSD(NATIVE_PRICE_USD));

  // Executor (upgradeable behind a proxy on the testnets; here its implementation, initialised at the book's address).
  const executorAddress = await lzDeploy(chain, deployer, "Executor", [], lz.executor);
  const executor = lzContract("Executor", executorAddress, deployer);
  await send(
    executor.initialize(endpoint, "0x0000000000000000000000000000000000000000", libs, priceFeedAddress, me, [me]),
  );
  const executorFeeLib = await lzDeploy(chain, deployer, "ExecutorFeeLib", [eid, 10n ** 18n]);
  await send(executor.setWorkerFeeLib(executorFeeLib));
  await send(
    executor.setDstConfig(
      lzRemotes.map((r) => ({
        dstEid: r.layerzero!.eid,
        lzReceiveBaseGas: 5_000,
        lzComposeBaseGas: 5_000,
        multiplierBps: 10_000,
        floorMarginUSD: 10n ** 10n,
        nativeCap: EXECUTOR_NATIVE_CAP,
      })),
    ),
  );

  // One DVN per DVN of the book (the signer set is a throwaway key: the relayer impersonates the DVN itself).
  const dvns: string[] = [];
  const signer = getAddress("0x" + keccak256(toUtf8Bytes(`xmargin dvn signer ${eid}`)).slice(26));
  for (const [i, dvnAddress] of Object.values(lz.dvns).entries()) {
    const at = await lzDeploy(
      chain,
      deployer,
      "DVN",
      [eid, i + 1, libs, priceFeedAddress, [signer], 1, [me]],
      dvnAddress,
    );
    const dvn = lzContract("DVN", at, deployer);
    const feeLib = await lzDeploy(chain, deployer, "DVNFeeLib", [eid, 10n ** 18n]);
    await send(dvn.setWorkerFeeLib(feeLib));
    await send(
      dvn.setDstConfig(
        lzRemotes.map((r) => ({
          dstEid: r.layerzero!.eid,
          gas: 5_000,
          multiplierBps: 10_000,
          floorMarginUSD: 10n ** 10n,
        })),
      ),
    );
    dvns.push(at);
  }
  const required = [...dvns].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const uln = (confirmations: number) => ({
    confirmations,
    requiredDVNCount: required.length,
    optionalDVNCount: 0,
    optionalDVNThreshold: 0,
    requiredDVNs: required,
    optionalDVNs: [],
  });

  const ep = lzContract("EndpointV2", endpoint, deployer);
  const send302 = lzContract("SendUln302", sendLib, deployer);
  const receive302 = lzContract("ReceiveUln302", receiveLib, deployer);
  await send(ep.registerLibrary(sendLib));
  await send(ep.registerLibrary(receiveLib));
  if (lzRemotes.length) {
    // Send side waits this chain's confirmations; receive side requires the source chain's.
    await send(
      send302.setDefaultUlnConfigs(lzRemotes.map((r) => ({ eid: r.layerzero!.eid, config: uln(net.confirmations) }))),
    );
    await send(
      send302.setDefaultExecutorConfigs(
        lzRemotes.map((r) => ({
          eid: r.layerzero!.eid,
          config: { maxMessageSize: MAX_MESSAGE_SIZE, executor: executorAddress },
        })),
      ),
    );
    await send(
      receive302.setDefaultUlnConfigs(lzRemotes.map((r) => ({ eid: r.layerzero!.eid, config: uln(r.confirmations) }))),
    );
  }
  for (const r of lzRemotes) {
    await send(ep.setDefaultSendLibrary(r.layerzero!.eid, sendLib));
    await send(ep.setDefaultReceiveLibrary(r.layerzero!.eid, receiveLib, 0));
  }
  return { endpoint, sendLib, receiveLib, executor: executorAddress, dvns, priceFeed: priceFeedAddress };
}

async function installCcip(chain: Chain, deployer: Signer, net: NetworkEntry, remotes: NetworkEntry[]) {
  const ccip = net.ccip!;
  const selector = BigInt(ccip.chainSelector);
  const rmn = await deployed(
    new RMNRemote__factory(deployer).deploy(selector, "0x0000000000000000000000000000000000000000"),
  );
  const wrappedNative = await deployed(new WETH9__factory(deployer).deploy());
  const f = new Router__factory(deployer);
  const router = await install(
    chain,
    deployer.sendTransaction(await f.getDeployTransaction(wrappedNative, rmn)),
    ccip.router,
  );
  const onRamp = await deployed(
    new CCIPOnRampHarness__factory(deployer).deploy(router, selector, wrappedNative, CCIP_HARNESS_FEE),
  );
  const ccipRemotes = remotes.filter((r) => r.ccip);
  const offRamps: Record<string, string> = {};
  for (const r of ccipRemotes) offRamps[r.ccip!.chainSelector] = harnessOffRamp(r.ccip!.chainSelector);
  await send(
    Router__factory.connect(router, deployer).applyRampUpdates(
      ccipRemotes.map((r) => ({ destChainSelector: r.ccip!.chainSelector, onRamp })),
      [],
      ccipRemotes.map((r) => ({
        sourceChainSelector: r.ccip!.chainSelector,
        offRamp: offRamps[r.ccip!.chainSelector],
      })),
    ),
  );
  return { router, onRamp, rmn, wrappedNative, offRamps };
}

async function installHyperlane(chain: Chain, deployer: Signer, net: NetworkEntry, remotes: NetworkEntry[]) {
  const hl = net.hyperlane!;
  const me = await deployer.getAddress();
  const mailbox = await install(
    chain,
    deployer.sendTransaction(await new Mailbox__factory(deployer).getDeployTransaction(hl.domain)),
    hl.mailbox,
  );
  const ism = await deployed(new TestIsm__factory(deployer).deploy());
  const requiredHook = await deployed(new MerkleTreeHook__factory(deployer).deploy(mailbox));
  const igp = await install(
    chain,
    deployer.sendTransaction(await new InterchainGasPaymaster__factory(deployer).getDeployTransaction()),
    hl.interchainGasPaymaster,
  );
  await send(InterchainGasPaymaster__factory.connect(igp, deployer).initialize(me, me));
  const gasOracle = await deployed(new StorageGasOracle__factory(deployer).deploy());
  const hlRemotes = remotes.filter((r) => r.hyperlane);
  if (hlRemotes.length) {
    await send(
      StorageGasOracle__factory.connect(gasOracle, deployer).setRemoteGasDataConfigs(
        hlRemotes.map((r) => ({
          remoteDomain: r.hyperlane!.domain,
          tokenExchangeRate: IGP_EXCHANGE_RATE_SCALE,
          gasPrice: IGP_GAS_PRICE,
        })),
      ),
    );
    await send(
      InterchainGasPaymaster__factory.connect(igp, deployer).setDestinationGasConfigs(
        hlRemotes.map((r) => ({
          remoteDomain: r.hyperlane!.domain,
          config: { gasOracle, gasOverhead: IGP_GAS_OVERHEAD },
        })),
      ),
    );
  }
  await send(Mailbox__factory.connect(mailbox, deployer).initialize(me, ism, igp, requiredHook));
  return { mailbox, igp, ism, requiredHook, gasOracle };
}
