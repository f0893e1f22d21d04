/**
 * Deployment records ({@link DeploymentRecordV2}, deploy/types.ts): every address per chain, each adapter with its
 * bridge id, the block each contract was deployed at. Written by the deploy (deployments/<env>.json) and by the
 * devnet; read by the keepers (relayer, liquidator, monitor), which start reading events at the record's start
 * blocks, never at block 0. RPC URLs: a devnet or rehearsal record carries them (`rpc`); for a public network they
 * come from the address book's variable (e.g. SEPOLIA_RPC_URL).
 */
import fs from "fs";
import { Wallet } from "ethers";
import {
  CollateralVault__factory,
  IBridgeAdapter__factory,
  IERC20__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  MarginLens__factory,
  Messenger__factory,
  type CollateralVault,
  type IBridgeAdapter,
  type IERC20,
  type LocalAdapter,
  type IMarginHub,
  type MarginLens,
  type Messenger,
} from "../../typechain-types";
import { AccountSigner, Chain, connectRpc } from "./chain";
import type { World } from "./world";
import type { ChainDeploymentRecord, DeploymentRecordV2 } from "../../deploy/types";
import { readRecordFile, writeRecordFile } from "../../deploy/record";
import { ADDRESS_BOOK } from "../../deploy/networks";
import { configVariable, howToSet } from "../../deploy/networks/secrets";

export type DeploymentRecord = DeploymentRecordV2;

/** The record of a world whose chains are reachable at `rpc[name]` (a devnet): its deploy's record plus the URLs. */
export function recordOf(world: World, rpc: Record<string, string>): DeploymentRecordV2 {
  const record = structuredClone(world.environment.store.record);
  for (const chain of Object.values(record.chains)) chain.rpc = rpc[chain.network];
  return record;
}

export function writeRecord(file: string, record: DeploymentRecordV2): void {
  writeRecordFile(file, record);
}

export function readRecord(file: string): DeploymentRecordV2 {
  if (!fs.existsSync(file)) throw new Error(`no deployment record at ${file}: start a devnet (npm run devnet) first`);
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: number };
  if (raw.version !== 2) {
    throw new Error(`${file} is a record of the old format (before version 2): restart the devnet to write a new one`);
  }
  return readRecordFile(file);
}

/** A deployment reached over JSON-RPC, with contracts connected to the chosen signer on each chain. */
export interface Connected {
  hub: {
    chain: Chain;
    /** The identity's signer on the hub. */
    signer: AccountSigner;
    deployment: {
      messenger: Messenger;
      /** The LocalAdapter, when the deployment has one. */
      adapter?: LocalAdapter;
      engine: IMarginHub;
      lens: MarginLens;
    };
    base: IERC20;
  };
  spokes: {
    chain: Chain;
    signer: AccountSigner;
    deployment: { messenger: Messenger; adapter?: LocalAdapter; vault: CollateralVault };
    tokens: Record<string, IERC20>;
  }[];
  /** Every bridge adapter (LayerZero, CCIP, Hyperlane) by chain id: their envelopes count as in flight. */
  bridgeAdapters: Map<bigint, IBridgeAdapter[]>;
  /** First block to read events from, by chain id: the record's start blocks. */
  fromBlocks: Map<bigint, number>;
  /** Blocks a relayer waits below the head before carrying an envelope, by chain id: the record's. */
  confirmations: Map<bigint, number>;
}

/**
 * Who signs: a private key (testnets), or the index of an unlocked account on dev nodes (devnet). The same
 * identity is used on every chain.
 */
export type Identity = { key: string } | { account: number };

function rpcOf(c: ChainDeploymentRecord): string {
  if (c.rpc) return c.rpc;
  const net = ADDRESS_BOOK[c.network];
  if (!net) throw new Error(`${c.network}: the record has no RPC URL and the address book does not know it`);
  const url = configVariable(net.rpcUrlVar);
  if (!url) throw new Error(`${c.network}: no RPC URL: ${howToSet(net.rpcUrlVar)}`);
  return url;
}

/** Connects to every chain of `record` as `who`. */
export async function connectDeployment(record: DeploymentRecordV2, who: Identity): Promise<Connected> {
  const open = async (c: ChainDeploymentRecord) => {
    const url = rpcOf(c);
    const chain = await connectRpc(c.network, url, {
      chainId: BigInt(c.chainId),
      keys: "key" in who ? [who.key] : undefined,
      accounts: "account" in who ? who.account + 1 : undefined,
    });
    const signer = "key" in who ? chain.signers[0] : chain.signers[who.account];
    if (!signer) throw new Error(`${c.network}: no account #${"account" in who ? who.account : "?"} on ${url}`);
    return { chain, signer };
  };
  const hubRecord = record.chains[record.hub];
  if (!hubRecord) throw new Error(`the record has no hub chain ${record.hub}`);
  const spokeRecords = Object.values(record.chains).filter((c) => c.role === "spoke");
  const hub = await open(hubRecord);
  const spokes = await Promise.all(spokeRecords.map(open));
  const local = (c: ChainDeploymentRecord, s: AccountSigner) =>
    c.adapters.local ? LocalAdapter__factory.connect(c.adapters.local.address, s) : undefined;
  const engine = IMarginHub__factory.connect(hubRecord.contracts.engine.address, hub.signer);
  const bridgeAdapters = new Map<bigint, IBridgeAdapter[]>();
  const fromBlocks = new Map<bigint, number>();
  const confirmations = new Map<bigint, number>();
  for (const [i, c] of [hubRecord, ...spokeRecords].entries()) {
    confirmations.set(BigInt(c.chainId), c.confirmations);
    const s = i === 0 ? hub.signer : spokes[i - 1].signer;
    bridgeAdapters.set(
      BigInt(c.chainId),
      Object.entries(c.adapters)
        .filter(([kind]) => kind !== "local")
        .map(([, a]) => IBridgeAdapter__factory.connect(a!.address, s)),
    );
    fromBlocks.set(BigInt(c.chainId), c.startBlock);
  }
  return {
    hub: {
      chain: hub.chain,
      signer: hub.signer,
      deployment: {
        messenger: Messenger__factory.connect(hubRecord.contracts.messenger.address, hub.signer),
        adapter: local(hubRecord, hub.signer),
        engine,
        lens: MarginLens__factory.connect(hubRecord.contracts.lens.address, hub.signer),
      },
      base: IERC20__factory.connect(await engine.baseToken(), hub.signer),
    },
    spokes: spokeRecords.map((r, i) => ({
      chain: spokes[i].chain,
      signer: spokes[i].signer,
      deployment: {
        messenger: Messenger__factory.connect(r.contracts.messenger.address, spokes[i].signer),
        adapter: local(r, spokes[i].signer),
        vault: CollateralVault__factory.connect(r.contracts.vault.address, spokes[i].signer),
      },
      tokens: Object.fromEntries(
        Object.entries(r.tokens).map(([k, t]) => [k, IERC20__factory.connect(t.address, spokes[i].signer)]),
      ),
    })),
    bridgeAdapters,
    fromBlocks,
    confirmations,
  };
}

/** The signer's address for `who` (without connecting). */
export function identityLabel(who: Identity): string {
  return "key" in who ? new Wallet(who.key).address : `unlocked account #${who.account}`;
}
