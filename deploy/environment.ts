/**
 * The one deploy path: an environment (deploy/config/<env>.ts) over the networks of the address book, in dependency
 * order, every step "diff, then act" through {@link ChainRunner} (deploy, dry run and check share every step):
 *
 *   1. every chain: Messenger, then one adapter per bridge its routes use (LayerZero, CCIP, Hyperlane, Local);
 *      mock tokens and feeds when the environment deploys its own (`deployTokens`)
 *   2. hub: the hub steps of deploy/hub.ts (extension, engine, lens)
 *   3. spokes: CollateralVault
 *   4. wiring, per spoke, both ways: adapter remotes (peer, bridge id, delivery gas) or LocalAdapter peers and
 *      relayers, LayerZero DVNs/executor when the config names them, messenger routes (k of n), peer apps
 *   5. hub risk: base feed, sequencer-uptime feed, latency haircuts; then per market, in this order, each checked
 *      before the next: hub feed, hub market, hub credit cap, vault deposit cap, vault outflow limit, and LAST the
 *      vault's allow-list, so a market the hub refuses is never open for deposits
 *   6. governance: a TimelockController per chain takes every contract (or the deployer keeps them)
 */
import { AbiCoder, Contract, Interface, ZeroAddress, ZeroHash, id, parseUnits, type Signer } from "ethers";
import {
  CCIPAdapter__factory,
  CollateralVault__factory,
  HyperlaneAdapter__factory,
  LayerZeroAdapter__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  Messenger__factory,
  MockERC20__factory,
  MockPriceFeed__factory,
  TimelockController__factory,
} from "../typechain-types";
import type { AdapterKind, EnvironmentConfig, MarketConfigEntry, NetworkEntry } from "./types";
import { ChainRunner, Run, type RunOptions } from "./runner";
import { HUB_ROLES, HUB_STEPS } from "./hub";
import { configHash, gitCommit } from "./record";

export interface EnvironmentInputs {
  config: EnvironmentConfig;
  /** Address book entries by network name. */
  book: Record<string, NetworkEntry>;
  /** The deploying key of every network of the environment, connected to its provider. */
  signers: Record<string, Signer>;
}

const OWNABLE = new Interface([
  "function owner() view returns (address)",
  "function pendingOwner() view returns (address)",
  "function acceptOwnership()",
  "function transferOwnership(address)",
  "function guardian() view returns (address)",
]);
const LZ_ENDPOINT = new Interface([
  "function getSendLibrary(address sender, uint32 dstEid) view returns (address)",
  "function getReceiveLibrary(address receiver, uint32 srcEid) view returns (address, bool)",
  "function getConfig(address oapp, address lib, uint32 eid, uint32 configType) view returns (bytes)",
  "function setConfig(address oapp, address lib, (uint32 eid, uint32 configType, bytes config)[] params)",
]);
const ULN_CONFIG = "tuple(uint64,uint8,uint8,uint8,address[],address[])";
const ULN_CONFIG_TYPE = 2;
/** ULN302's "explicitly zero confirmations" (0 means "the default"). */
const NIL_CONFIRMATIONS = 2n ** 64n - 1n;

/** The bridge's own id of `net` for `kind` (LayerZero eid, CCIP selector, Hyperlane domain; chain id for local). */
export function bridgeIdOf(net: NetworkEntry, kind: AdapterKind): bigint {
  if (kind === "layerzero") return BigInt(net.layerzero!.eid);
  if (kind === "ccip") return BigInt(net.ccip!.chainSelector);
  if (kind === "hyperlane") return BigInt(net.hyperlane!.domain);
  return BigInt(net.chainId);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const short = (a: string) => `${a.slice(0, 8)}…${a.slice(-4)}`;

function resolveAccount(value: string, deployer: string): string {
  return value === "deployer" ? deployer : value;
}

/** The adapter kinds deployed on `network`: its route's, or for the hub every route's. */
export function adapterKinds(config: EnvironmentConfig, network: string): AdapterKind[] {
  const routes = network === config.hub ? config.spokes.map((s) => config.routes[s]) : [config.routes[network]];
  const kinds: AdapterKind[] = [];
  for (const r of routes) for (const k of r?.adapters ?? []) if (!kinds.includes(k)) kinds.push(k);
  return kinds;
}

/** Every chain's contracts and state, as deployed so far. */
interface Deployed {
  runner: ChainRunner;
  net: NetworkEntry;
  messenger: string;
  adapters: Partial<Record<AdapterKind, string>>;
  /** Token address and decimals by symbol. */
  tokens: Record<string, { address: string; decimals: number }>;
  /** Hub only: record keys of the hub steps -> address; feeds by key. */
  hub?: Record<string, string>;
  feeds?: Record<string, { address: string; decimals: number; heartbeat: number }>;
  heartbeatMarginBps?: number;
  vault?: string;
}

/** Heartbeat given to the oracle: the feed's own plus a margin (default 10%, at least a minute). */
export function heartbeatWithMargin(heartbeat: number, marginBps?: number): number {
  if (marginBps !== undefined) return heartbeat + Math.floor((heartbeat * marginBps) / 10_000);
  return heartbeat + Math.max(60, Math.floor(heartbeat / 10));
}

/** Runs the environment's steps in `options.mode` on every network; returns the run (plan, diffs, gas). */
export async function runEnvironment(inputs: EnvironmentInputs, options: RunOptions): Promise<Run> {
  const run = new Run(options);
  const { config, book } = inputs;
  const networks = [config.hub, ...config.spokes];
  const chains: Record<string, Deployed> = {};

  // 1. Open every chain first: a wrong RPC or a stale record stops the run before anything is sent.
  for (const name of networks) {
    const net = book[name];
    if (!net) throw new Error(`${name}: not in the address book`);
    const signer = inputs.signers[name];
    if (!signer?.provider) throw new Error(`${name}: no signer with a provider`);
    const deployer = await signer.getAddress();
    const runner = new ChainRunner(run, net, signer, deployer, name === config.hub ? "hub" : "spoke");
    await runner.open();
    chains[name] = { runner, net, messenger: "", adapters: {}, tokens: {} };
  }

  // 1b. Messaging, adapters and tokens on every chain.
  for (const name of networks) {
    const c = chains[name];
    const r = c.runner;
    const guardian = resolveAccount(config.guardian, r.deployer);
    c.messenger = await r.deploy("messenger", new Messenger__factory(), [r.deployer, guardian]);
    for (const kind of adapterKinds(config, name)) {
      c.adapters[kind] = await deployAdapter(r, kind, c.messenger);
      const address = c.adapters[kind]!;
      r.note((rec) => (rec.adapters[kind] = { address, bridgeId: bridgeIdOf(c.net, kind).toString() }));
    }
    const symbols =
      name === config.hub ? [config.base.token] : config.markets.filter((m) => m.network === name).map((m) => m.token);
    for (const symbol of symbols) {
      const entry = c.net.tokens[symbol];
      if (!entry) throw new Error(`${name}: token ${symbol} is not in the address book`);
      const address = config.deployTokens
        ? await r.deploy(`token.${symbol}`, new MockERC20__factory(), [symbol, symbol, entry.decimals])
        : entry.address;
      c.tokens[symbol] = { address, decimals: entry.decimals };
      r.note((rec) => (rec.tokens[symbol] = { address, decimals: entry.decimals }));
    }
  }

  // 2. Hub contracts.
  const hub = chains[config.hub];
  {
    const r = hub.runner;
    hub.feeds = {};
    hub.heartbeatMarginBps = config.risk.heartbeatMarginBps;
    const feedKeys = [config.base.feed, ...config.markets.map((m) => m.feed)];
    for (const key of feedKeys) {
      if (hub.feeds[key]) continue;
      const entry = hub.net.feeds[key];
      if (!entry) throw new Error(`${config.hub}: feed ${key} is not in the address book`);
      const address = config.deployTokens
        ? await r.deploy(`feed.${key}`, new MockPriceFeed__factory(), [
            entry.decimals,
            BigInt(entry.mockAnswer ?? (10n ** BigInt(entry.decimals)).toString()),
            entry.pair,
          ])
        : entry.address;
      hub.feeds[key] = { address, decimals: entry.decimals, heartbeat: entry.heartbeat };
    }
    const base = hub.tokens[config.base.token];
    const inputsForHub = {
      owner: r.deployer,
      guardian: resolveAccount(config.guardian, r.deployer),
      messenger: hub.messenger,
      baseToken: base.address,
      risk: config.risk,
      baseDecimals: base.decimals,
    };
    hub.hub = {};
    for (const step of HUB_STEPS) {
      hub.hub[step.name] = await r.deploy(step.name, step.factory, step.args(inputsForHub, hub.hub));
    }
  }

  // 3. Vaults.
  for (const name of config.spokes) {
    const c = chains[name];
    const r = c.runner;
    c.vault = await r.deploy("vault", new CollateralVault__factory(), [
      c.messenger,
      hub.net.chainId,
      r.deployer,
      resolveAccount(config.guardian, r.deployer),
    ]);
  }

  // 4. Wiring, per spoke, both ways.
  const engine = hub.hub![HUB_ROLES.engine];
  for (const name of config.spokes) {
    const spoke = chains[name];
    const route = config.routes[name];
    for (const kind of route.adapters) {
      await wireAdapter(kind, hub, spoke, config);
      await wireAdapter(kind, spoke, hub, config);
    }
    await wireRoute(hub, spoke, route.adapters, route.k);
    await wireRoute(spoke, hub, route.adapters, route.k);
    await wirePeerApp(hub, engine, spoke, spoke.vault!);
    await wirePeerApp(spoke, spoke.vault!, hub, engine);
  }

  // 5. Hub risk configuration, then the markets in listing order.
  await configureHub(hub, chains, config);
  for (const market of config.markets) await listMarket(hub, chains[market.network], market);

  // 5b. What the deploy never changes but the check reports: pauses.
  await checkPauses(hub, chains, config);

  // 6. Governance.
  for (const name of networks) await govern(chains[name], config);
  if (run.mode === "deploy") {
    // The record now describes a complete deploy of this config, from this commit.
    options.store.record.configHash = configHash(config);
    options.store.record.gitCommit = gitCommit();
    options.store.save();
  }
  return run;
}

async function deployAdapter(r: ChainRunner, kind: AdapterKind, messenger: string): Promise<string> {
  const net = r.net;
  const missing = (what: string) => new Error(`${net.name}: the address book has no ${what}`);
  if (kind === "layerzero") {
    if (!net.layerzero) throw missing("LayerZero endpoint");
    return r.deploy("adapter.layerzero", new LayerZeroAdapter__factory(), [
      messenger,
      net.layerzero.endpointV2,
      r.deployer,
    ]);
  }
  if (kind === "ccip") {
    if (!net.ccip) throw missing("CCIP router");
    return r.deploy("adapter.ccip", new CCIPAdapter__factory(), [messenger, net.ccip.router, r.deployer]);
  }
  if (kind === "hyperlane") {
    if (!net.hyperlane) throw missing("Hyperlane mailbox");
    return r.deploy("adapter.hyperlane", new HyperlaneAdapter__factory(), [
      messenger,
      net.hyperlane.mailbox,
      r.deployer,
    ]);
  }
  return r.deploy("adapter.local", new LocalAdapter__factory(), [messenger, r.deployer, 0]);
}

/** `from`'s adapter of `kind` trusts `to`'s (one direction). */
async function wireAdapter(kind: AdapterKind, from: Deployed, to: Deployed, config: EnvironmentConfig) {
  const r = from.runner;
  const address = from.adapters[kind]!;
  const peer = to.adapters[kind]!;
  const owner = ownerOf(r, address);
  const toChain = BigInt(to.net.chainId);
  if (kind === "local") {
    const adapter = LocalAdapter__factory.connect(address, r.signer);
    await r.call(
      `adapter.local.setRemoteAdapter(${to.net.name})`,
      address,
      async () => {
        const have = await adapter.remoteAdapter(toChain);
        return same(have, peer) ? undefined : `peer ${have}, want ${peer}`;
      },
      () => adapter.setRemoteAdapter.populateTransaction(toChain, peer),
      { iface: adapter.interface, owner },
    );
    for (const relayer of config.relayers ?? []) {
      const who = resolveAccount(relayer, r.deployer);
      await r.call(
        `adapter.local.setRelayer(${short(who)})`,
        address,
        async () => ((await adapter.isRelayer(who)) ? undefined : `${who} is not a relayer`),
        () => adapter.setRelayer.populateTransaction(who, true),
        { iface: adapter.interface, owner },
      );
    }
    return;
  }
  const adapter = LayerZeroAdapter__factory.connect(address, r.signer); // setRemote/remote: shared BridgeAdapter ABI
  const bridgeId = bridgeIdOf(to.net, kind);
  const gas = BigInt(config.deliveryGas);
  await r.call(
    `adapter.${kind}.setRemote(${to.net.name})`,
    address,
    async () => {
      const have = await adapter.remote(toChain);
      if (same(have.adapter, peer) && have.bridgeId === bridgeId && have.gasLimit === gas) return undefined;
      return `peer ${have.adapter} id ${have.bridgeId} gas ${have.gasLimit}, want ${peer} id ${bridgeId} gas ${gas}`;
    },
    () => adapter.setRemote.populateTransaction(toChain, bridgeId, peer, gas),
    { iface: adapter.interface, owner },
  );
  if (kind === "layerzero") await wireLayerZeroWorkers(from, to, config);
}

/** LayerZero DVNs and executor of the OApp on its endpoint, when the config names them (else the defaults). */
async function wireLayerZeroWorkers(from: Deployed, to: Deployed, config: EnvironmentConfig) {
  const workers = config.layerzero;
  if (!workers || (!workers.requiredDVNs?.length && !workers.executor)) return;
  const r = from.runner;
  const oapp = from.adapters.layerzero!;
  const endpointAddress = from.net.layerzero!.endpointV2;
  const endpoint = r.contract(endpointAddress, LZ_ENDPOINT.format(false) as string[]);
  const eid = Number(bridgeIdOf(to.net, "layerzero"));
  const coder = AbiCoder.defaultAbiCoder();
  const dvns = (workers.requiredDVNs ?? []).map((n) => {
    const a = from.net.layerzero!.dvns?.[n];
    if (!a) throw new Error(`${from.net.name}: DVN ${n} is not in the address book`);
    return a;
  });
  const sorted = [...dvns].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  for (const direction of ["send", "receive"] as const) {
    // The DVNs wait for the SOURCE chain's confirmations: this chain's on the send side, the remote's on the receive
    // side (the book's, unless the config pins one number). Always explicit: ULN302 reads 0 as "the default" (found
    // on the real ULN302, issue 10: a 0 here followed the defaults and never read back as written); NIL is zero.
    const confirmations = workers.confirmations ?? (direction === "send" ? from.net : to.net).confirmations;
    const uln = coder.encode(
      [ULN_CONFIG],
      [[confirmations === 0 ? NIL_CONFIRMATIONS : confirmations, sorted.length, 0, 0, sorted, []]],
    );
    const lib: string =
      direction === "send"
        ? await endpoint.getSendLibrary(oapp, eid)
        : ((await endpoint.getReceiveLibrary(oapp, eid)) as [string, boolean])[0];
    const params: { eid: number; configType: number; config: string }[] = [];
    if (dvns.length) params.push({ eid, configType: ULN_CONFIG_TYPE, config: uln });
    if (direction === "send" && workers.executor) {
      params.push({
        eid,
        configType: 1,
        config: coder.encode(["tuple(uint32,address)"], [[10_000, workers.executor]]),
      });
    }
    if (!params.length) continue;
    await r.call(
      `layerzero.setConfig(${direction}, ${to.net.name})`,
      endpointAddress,
      async () => {
        for (const p of params) {
          if (p.configType === ULN_CONFIG_TYPE) {
            // The OApp's own config, not the one in force (the endpoint's getConfig merges in the library's
            // defaults): with defaults equal to the config, that would read "matches" and pin nothing.
            const own = await appUlnConfig(r, lib, oapp, eid);
            if (own !== undefined) {
              if (own.toLowerCase() === p.config.toLowerCase()) continue;
              const [c, , , , req] = coder.decode([ULN_CONFIG], own)[0] as [bigint, bigint, bigint, bigint, string[]];
              return `own ULN config: ${c} confirmations, DVNs [${req.join(", ")}]; config: ${confirmations}, [${sorted.join(", ")}]`;
            }
          }
          const have: string = await endpoint.getConfig(oapp, lib, eid, p.configType);
          if (have.toLowerCase() !== p.config.toLowerCase()) return `config type ${p.configType} differs`;
        }
        return undefined;
      },
      async () => ({ to: endpointAddress, data: LZ_ENDPOINT.encodeFunctionData("setConfig", [oapp, lib, params]) }),
      { owner: ownerOf(r, oapp) },
    );
  }
}

/** The OApp's own ULN config on a ULN302 library (zeros where it follows the defaults), ABI-encoded; undefined if
 *  `lib` is not a ULN302. */
async function appUlnConfig(r: ChainRunner, lib: string, oapp: string, eid: number) {
  const uln = r.contract(lib, [`function getAppUlnConfig(address, uint32) view returns (${ULN_CONFIG})`]);
  try {
    const c = (await uln.getAppUlnConfig(oapp, eid)) as unknown[];
    return AbiCoder.defaultAbiCoder().encode([ULN_CONFIG], [[...c]]);
  } catch {
    return undefined;
  }
}

async function wireRoute(from: Deployed, to: Deployed, kinds: AdapterKind[], k: number) {
  const r = from.runner;
  const messenger = Messenger__factory.connect(from.messenger, r.signer);
  const adapters = kinds.map((kind) => from.adapters[kind]!);
  const toChain = BigInt(to.net.chainId);
  await r.call(
    `messenger.setRoute(${to.net.name}, ${kinds.join("+")}, k=${k})`,
    from.messenger,
    async () => {
      const have = await messenger.routeAdapters(toChain);
      const route = await messenger.route(toChain);
      const ok =
        have.length === adapters.length &&
        have.every((a, i) => same(a, adapters[i])) &&
        Number(route.requiredConfirmations) === k &&
        same(route.remoteMessenger, to.messenger);
      if (ok) return undefined;
      return (
        `adapters [${have.map(short).join(", ")}] k ${route.requiredConfirmations} remote ${route.remoteMessenger}, ` +
        `want [${adapters.map(short).join(", ")}] k ${k} remote ${to.messenger}`
      );
    },
    () => messenger.setRoute.populateTransaction(toChain, to.messenger, adapters, k),
    { iface: messenger.interface, owner: ownerOf(r, from.messenger) },
  );
}

async function wirePeerApp(from: Deployed, app: string, to: Deployed, remoteApp: string) {
  const r = from.runner;
  const messenger = Messenger__factory.connect(from.messenger, r.signer);
  const toChain = BigInt(to.net.chainId);
  await r.call(
    `messenger.setPeerApp(${short(app)}, ${to.net.name})`,
    from.messenger,
    async () => {
      const have = await messenger.peerApp(app, toChain);
      return same(have, remoteApp) ? undefined : `peer app ${have}, want ${remoteApp}`;
    },
    () => messenger.setPeerApp.populateTransaction(app, toChain, remoteApp),
    { iface: messenger.interface, owner: ownerOf(r, from.messenger) },
  );
}

function ownerOf(r: ChainRunner, address: string): () => Promise<string> {
  return async () => (await r.contract(address, OWNABLE.format(false) as string[]).owner()) as string;
}

/** `feeds.setFeed(chainId, asset, ...)` unless the oracle already has that feed and heartbeat. */
async function setFeed(
  hub: Deployed,
  label: string,
  chainId: bigint,
  asset: string,
  feedKey: string,
  decimals: number,
) {
  const r = hub.runner;
  const feedsAddress = hub.hub![HUB_ROLES.feeds];
  const oracle = IMarginHub__factory.connect(feedsAddress, r.signer);
  const feed = hub.feeds![feedKey];
  const heartbeat = heartbeatWithMargin(feed.heartbeat, hub.heartbeatMarginBps);
  await r.call(
    label,
    feedsAddress,
    async () => {
      const have = await oracle.feedOf(chainId, asset);
      if (same(have.feed, feed.address) && Number(have.heartbeat) === heartbeat) return undefined;
      return `feed ${have.feed} heartbeat ${have.heartbeat}, want ${feed.address} heartbeat ${heartbeat}`;
    },
    () => oracle.setFeed.populateTransaction(chainId, asset, feed.address, heartbeat, decimals),
    { iface: oracle.interface, owner: ownerOf(r, feedsAddress) },
  );
}

async function configureHub(hub: Deployed, chains: Record<string, Deployed>, config: EnvironmentConfig) {
  const r = hub.runner;
  const base = hub.tokens[config.base.token];
  await setFeed(
    hub,
    `feeds.setFeed(base ${config.base.token})`,
    BigInt(hub.net.chainId),
    base.address,
    config.base.feed,
    base.decimals,
  );
  const uptime = hub.net.sequencerUptimeFeed;
  const feedsAddress = hub.hub![HUB_ROLES.feeds];
  if (uptime && config.risk.sequencerGracePeriod) {
    const oracle = IMarginHub__factory.connect(feedsAddress, r.signer);
    const grace = config.risk.sequencerGracePeriod;
    await r.call(
      "feeds.setSequencerUptimeFeed",
      feedsAddress,
      async () => {
        const have = await oracle.sequencerUptimeFeed();
        return same(have.feed, uptime.address) && Number(have.gracePeriod) === grace
          ? undefined
          : `uptime feed ${have.feed} grace ${have.gracePeriod}, want ${uptime.address} grace ${grace}`;
      },
      () => oracle.setSequencerUptimeFeed.populateTransaction(uptime.address, grace),
      { iface: oracle.interface, owner: ownerOf(r, feedsAddress) },
    );
  }
  const engineAddress = hub.hub![HUB_ROLES.engine];
  const engine = IMarginHub__factory.connect(engineAddress, r.signer);
  for (const [network, bps] of Object.entries(config.risk.latencyHaircutBps ?? {})) {
    const chainId = BigInt(chains[network].net.chainId);
    await r.call(
      `engine.setLatencyHaircut(${network}, ${bps})`,
      engineAddress,
      async () => {
        const have = Number(await engine.latencyHaircutBps(chainId));
        return have === bps ? undefined : `haircut ${have} bps, want ${bps}`;
      },
      () => engine.setLatencyHaircut.populateTransaction(chainId, bps),
      { iface: engine.interface, owner: ownerOf(r, engineAddress) },
    );
  }
}

/**
 * One collateral, in the order that never half-applies across chains: the hub prices and lists it first (each
 * call checked), the vault allows deposits last. A feed the hub refuses stops here, with the vault still closed.
 */
async function listMarket(hub: Deployed, spoke: Deployed, m: MarketConfigEntry) {
  const r = hub.runner;
  const token = spoke.tokens[m.token];
  const chainId = BigInt(spoke.net.chainId);
  const tag = `${m.token}@${m.network}`;
  await setFeed(hub, `feeds.setFeed(${tag})`, chainId, token.address, m.feed, token.decimals);

  const engineAddress = hub.hub![HUB_ROLES.engine];
  const engine = IMarginHub__factory.connect(engineAddress, r.signer);
  const owner = ownerOf(r, engineAddress);
  const listed = async () => Number((await engine.marketState(chainId, token.address)).idPlusOne);
  // A market listed by this run gets its factors from listMarket; configureMarket only corrects an older listing
  // (the check always compares the factors).
  const engineExists = (await r.provider.getCode(engineAddress)) !== "0x";
  const listedBefore = r.run.mode === "check" || (engineExists && (await listed()) > 0);
  await r.call(
    `engine.listMarket(${tag})`,
    engineAddress,
    async () => ((await listed()) ? undefined : "not listed"),
    () =>
      engine.listMarket.populateTransaction(
        chainId,
        token.address,
        m.borrowFactorBps,
        m.liquidationThresholdBps,
        m.liquidationBonusBps,
      ),
    { iface: engine.interface, owner },
  );
  if (listedBefore)
    await r.call(
      `engine.configureMarket(${tag})`,
      engineAddress,
      async () => {
        const idPlusOne = await listed();
        if (!idPlusOne) return "not listed";
        const [, cfg] = await engine.market(idPlusOne - 1);
        const ok =
          Number(cfg.borrowFactorBps) === m.borrowFactorBps &&
          Number(cfg.liquidationThresholdBps) === m.liquidationThresholdBps &&
          Number(cfg.liquidationBonusBps) === m.liquidationBonusBps &&
          !cfg.frozen;
        return ok
          ? undefined
          : `factors ${cfg.borrowFactorBps}/${cfg.liquidationThresholdBps}/${cfg.liquidationBonusBps}${cfg.frozen ? " frozen" : ""}, ` +
              `want ${m.borrowFactorBps}/${m.liquidationThresholdBps}/${m.liquidationBonusBps}`;
      },
      () =>
        engine.configureMarket.populateTransaction(
          chainId,
          token.address,
          m.borrowFactorBps,
          m.liquidationThresholdBps,
          m.liquidationBonusBps,
          false,
        ),
      { iface: engine.interface, owner },
    );
  const creditCap = parseUnits(m.creditCap, token.decimals);
  await r.call(
    `engine.setCreditCap(${tag}, ${m.creditCap})`,
    engineAddress,
    async () => {
      const have = (await engine.marketState(chainId, token.address)).creditCap;
      return have === creditCap ? undefined : `credit cap ${have}, want ${creditCap}`;
    },
    () => engine.setCreditCap.populateTransaction(chainId, token.address, creditCap),
    { iface: engine.interface, owner },
  );

  const s = spoke.runner;
  const vault = CollateralVault__factory.connect(spoke.vault!, s.signer);
  const vaultOwner = ownerOf(s, spoke.vault!);
  const depositCap = parseUnits(m.depositCap, token.decimals);
  await s.call(
    `vault.setDepositCap(${m.token}, ${m.depositCap})`,
    spoke.vault!,
    async () => {
      const have = (await vault.assetState(token.address)).depositCap;
      return have === depositCap ? undefined : `deposit cap ${have}, want ${depositCap}`;
    },
    () => vault.setDepositCap.populateTransaction(token.address, depositCap),
    { iface: vault.interface, owner: vaultOwner },
  );
  const capacity = m.outflowLimit ? parseUnits(m.outflowLimit.capacity, token.decimals) : 0n;
  const window = m.outflowLimit && capacity ? BigInt(m.outflowLimit.windowSeconds) : 0n;
  await s.call(
    `vault.setOutflowLimit(${m.token}, ${m.outflowLimit?.capacity ?? 0}/${window}s)`,
    spoke.vault!,
    async () => {
      const have = await vault.outflowLimit(token.address);
      return have.capacity === capacity && BigInt(have.window) === window
        ? undefined
        : `outflow limit ${have.capacity}/${have.window}s, want ${capacity}/${window}s`;
    },
    () => vault.setOutflowLimit.populateTransaction(token.address, capacity, window),
    { iface: vault.interface, owner: vaultOwner },
  );
  // Last: only now may deposits come in. In a dry run the hub steps above are only planned, so this is too.
  await s.call(
    `vault.setAssetAllowed(${m.token})`,
    spoke.vault!,
    async () => ((await vault.assetState(token.address)).allowed ? undefined : "not allowed"),
    async () => {
      if (r.run.mode === "deploy" && !(await listed())) {
        throw new Error(`${spoke.net.name}: vault.setAssetAllowed(${m.token}) refused: the hub has not listed it`);
      }
      return vault.setAssetAllowed.populateTransaction(token.address, true);
    },
    { iface: vault.interface, owner: vaultOwner },
  );
}

async function checkPauses(hub: Deployed, chains: Record<string, Deployed>, config: EnvironmentConfig) {
  const engineAddress = hub.hub![HUB_ROLES.engine];
  await hub.runner.expect("engine borrowing", engineAddress, async () => {
    const state = await IMarginHub__factory.connect(engineAddress, hub.runner.provider).poolState();
    return state.borrowPaused ? "borrowing is paused" : undefined;
  });
  for (const name of config.spokes) {
    const spoke = chains[name];
    for (const [from, to] of [
      [hub, spoke],
      [spoke, hub],
    ]) {
      const messenger = Messenger__factory.connect(from.messenger, from.runner.signer);
      await from.runner.expect(`messenger route from ${to.net.name}`, from.messenger, async () =>
        (await messenger.route(BigInt(to.net.chainId))).paused ? "paused" : undefined,
      );
    }
    const vault = CollateralVault__factory.connect(spoke.vault!, spoke.runner.signer);
    for (const m of config.markets.filter((x) => x.network === name)) {
      await spoke.runner.expect(`vault deposits of ${m.token}`, spoke.vault!, async () =>
        (await vault.assetState(spoke.tokens[m.token].address)).depositsPaused ? "paused" : undefined,
      );
    }
  }
}

/** Record keys of the Ownable2Step contracts of a chain. */
function ownedKeys(c: Deployed): string[] {
  const adapters = Object.keys(c.adapters).map((k) => `adapter.${k}`);
  const roles = c.hub ? [...HUB_ROLES.owned] : ["vault"];
  return ["messenger", ...adapters, ...roles];
}

function addressOf(c: Deployed, key: string): string {
  if (key === "messenger") return c.messenger;
  if (key === "vault") return c.vault!;
  if (key.startsWith("adapter.")) return c.adapters[key.slice(8) as AdapterKind]!;
  return c.hub![key];
}

/**
 * Hands every contract of the chain to a TimelockController (deploy/governance.ts explains the hand-over), step by
 * step so that a re-run resumes: deploy the timelock with delay 0 and the deployer as a temporary operator,
 * `transferOwnership` per contract, one batch of `acceptOwnership` + `updateDelay`, renounce the deployer's roles.
 * Without a timelock, checks that the deployer owns everything and the guardian is the configured one.
 */
async function govern(c: Deployed, config: EnvironmentConfig) {
  const r = c.runner;
  const keys = ownedKeys(c);
  const guardian = resolveAccount(config.guardian, r.deployer);
  for (const key of ["messenger", ...(c.hub ? [HUB_ROLES.engine] : ["vault"])]) {
    const address = addressOf(c, key);
    await r.expect(`${key} guardian`, address, async () => {
      const have = (await r.contract(address, OWNABLE.format(false) as string[]).guardian()) as string;
      return same(have, guardian) ? undefined : `guardian ${have}, want ${guardian}`;
    });
  }
  const gov = config.governance;
  if (!gov.timelock) {
    for (const key of keys) {
      const address = addressOf(c, key);
      await r.expect(`${key} owner`, address, async () => {
        const ownable = r.contract(address, OWNABLE.format(false) as string[]);
        const [owner, pending] = [(await ownable.owner()) as string, (await ownable.pendingOwner()) as string];
        if (!same(owner, r.deployer)) return `owner ${owner}, want the deployer ${r.deployer}`;
        return pending === ZeroAddress ? undefined : `pending owner ${pending}`;
      });
    }
    return;
  }
  const proposers = gov.proposers.map((p) => resolveAccount(p, r.deployer));
  const executors = gov.executors.map((p) => resolveAccount(p, r.deployer));
  const withMe = (list: string[]) => (list.some((a) => same(a, r.deployer)) ? list : [...list, r.deployer]);
  const timelockAddress = await r.deploy("timelock", new TimelockController__factory(), [
    0,
    withMe(proposers),
    withMe(executors),
    ZeroAddress,
  ]);
  const timelock = TimelockController__factory.connect(timelockAddress, r.signer);
  for (const key of keys) {
    const address = addressOf(c, key);
    const ownable = new Contract(address, OWNABLE.format(false) as string[], r.signer);
    await r.call(
      `${key}.transferOwnership(timelock)`,
      address,
      async () => {
        const [owner, pending] = [(await ownable.owner()) as string, (await ownable.pendingOwner()) as string];
        if (same(owner, timelockAddress) || same(pending, timelockAddress)) return undefined;
        return `owner ${owner}, pending ${pending}, want the timelock ${timelockAddress}`;
      },
      async () => ({ to: address, data: OWNABLE.encodeFunctionData("transferOwnership", [timelockAddress]) }),
    );
  }
  const acceptBatch = async () => {
    const targets: string[] = [];
    const payloads: string[] = [];
    for (const key of keys) {
      const address = addressOf(c, key);
      const owner = (await r.contract(address, OWNABLE.format(false) as string[]).owner()) as string;
      if (!same(owner, timelockAddress)) {
        targets.push(address);
        payloads.push(OWNABLE.encodeFunctionData("acceptOwnership"));
      }
    }
    if ((await timelock.getMinDelay()) !== BigInt(gov.minDelay)) {
      targets.push(timelockAddress);
      payloads.push(timelock.interface.encodeFunctionData("updateDelay", [gov.minDelay]));
    }
    return { targets, payloads, values: targets.map(() => 0n), salt: id(`xmargin.handover.${targets.join(",")}`) };
  };
  const handoverDiff = async () => {
    const { targets } = await acceptBatch();
    return targets.length ? `${targets.length} acceptOwnership/updateDelay pending` : undefined;
  };
  if (r.run.mode === "deploy" && (await handoverDiff()) !== undefined && (await timelock.getMinDelay()) === 0n) {
    // The schedule half of the batch (delay still 0): a resumed run finds it scheduled and only executes it.
    const b = await acceptBatch();
    const opId = await timelock.hashOperationBatch(b.targets, b.values, b.payloads, ZeroHash, b.salt);
    await r.call(
      "timelock.scheduleBatch(acceptOwnership, updateDelay)",
      timelockAddress,
      async () => ((await timelock.isOperation(opId)) ? undefined : "not scheduled"),
      () => timelock.scheduleBatch.populateTransaction(b.targets, b.values, b.payloads, ZeroHash, b.salt, 0),
      { iface: timelock.interface },
    );
    await r.call(
      "timelock.executeBatch(acceptOwnership, updateDelay)",
      timelockAddress,
      handoverDiff,
      () => timelock.executeBatch.populateTransaction(b.targets, b.values, b.payloads, ZeroHash, b.salt),
      { iface: timelock.interface },
    );
  } else {
    await r.call(
      "timelock.executeBatch(acceptOwnership, updateDelay)",
      timelockAddress,
      handoverDiff,
      async () => {
        const b = await acceptBatch();
        return timelock.executeBatch.populateTransaction(b.targets, b.values, b.payloads, ZeroHash, b.salt);
      },
      { iface: timelock.interface },
    );
  }
  for (const key of keys) {
    const address = addressOf(c, key);
    await r.expect(`${key} owner`, address, async () => {
      const ownable = r.contract(address, OWNABLE.format(false) as string[]);
      const [owner, pending] = [(await ownable.owner()) as string, (await ownable.pendingOwner()) as string];
      if (!same(owner, timelockAddress)) return `owner ${owner}, want the timelock ${timelockAddress}`;
      return pending === ZeroAddress ? undefined : `pending owner ${pending}`;
    });
  }
  const keepsRoles = proposers.some((a) => same(a, r.deployer)) || executors.some((a) => same(a, r.deployer));
  if (!keepsRoles) {
    for (const role of ["PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"] as const) {
      const roleId = id(role);
      await r.call(
        `timelock.renounceRole(${role}, deployer)`,
        timelockAddress,
        async () => ((await timelock.hasRole(roleId, r.deployer)) ? "the deployer still holds it" : undefined),
        () => timelock.renounceRole.populateTransaction(roleId, r.deployer),
        { iface: timelock.interface },
      );
    }
  }
  await r.expect("timelock delay", timelockAddress, async () => {
    const have = await timelock.getMinDelay();
    return have === BigInt(gov.minDelay) ? undefined : `delay ${have}, want ${gov.minDelay}`;
  });
}
