/**
 * Deployment records: every address of a deployment, per chain, with the RPC URL keepers use. Written by the
 * devnet script, read by the keepers (relayer, liquidator, monitor).
 */
import fs from "fs";
import path from "path";
import { Wallet } from "ethers";
import {
  CollateralVault__factory,
  IERC20__factory,
  LocalAdapter__factory,
  IMarginHub__factory,
  MarginLens__factory,
  Messenger__factory,
  type CollateralVault,
  type IERC20,
  type LocalAdapter,
  type IMarginHub,
  type MarginLens,
  type Messenger,
} from "../../typechain-types";
import { AccountSigner, Chain, connectRpc } from "./chain";
import type { World } from "./world";

export interface ChainRecord {
  name: string;
  chainId: string;
  rpc: string;
  messenger: string;
  adapter: string;
}

export interface DeploymentRecord {
  hub: ChainRecord & { engine: string; extension: string; lens: string; base: string };
  spokes: (ChainRecord & { vault: string; tokens: Record<string, string> })[];
}

/** The record of a world whose chains are reachable at `rpc[name]`. */
export async function recordOf(world: World, rpc: Record<string, string>): Promise<DeploymentRecord> {
  const h = world.hub.deployment;
  return {
    hub: {
      name: world.hub.chain.name,
      chainId: world.hub.chain.chainId.toString(),
      rpc: rpc[world.hub.chain.name],
      messenger: await h.messenger.getAddress(),
      adapter: await h.adapter.getAddress(),
      engine: await h.engine.getAddress(),
      extension: await h.extension.getAddress(),
      lens: await h.lens.getAddress(),
      base: await world.hub.base.getAddress(),
    },
    spokes: await Promise.all(
      world.spokes.map(async (s) => ({
        name: s.chain.name,
        chainId: s.chain.chainId.toString(),
        rpc: rpc[s.chain.name],
        messenger: await s.deployment.messenger.getAddress(),
        adapter: await s.deployment.adapter.getAddress(),
        vault: await s.deployment.vault.getAddress(),
        tokens: Object.fromEntries(
          await Promise.all(Object.entries(s.tokens).map(async ([k, t]) => [k, await t.getAddress()] as const)),
        ),
      })),
    ),
  };
}

export function writeRecord(file: string, record: DeploymentRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
}

export function readRecord(file: string): DeploymentRecord {
  if (!fs.existsSync(file)) throw new Error(`no deployment record at ${file}: start a devnet (npm run devnet) first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
}

/** A deployment reached over JSON-RPC, with contracts connected to the chosen signer on each chain. */
export interface Connected {
  hub: {
    chain: Chain;
    /** The identity's signer on the hub. */
    signer: AccountSigner;
    deployment: {
      messenger: Messenger;
      adapter: LocalAdapter;
      engine: IMarginHub;
      lens: MarginLens;
    };
    base: IERC20;
  };
  spokes: {
    chain: Chain;
    signer: AccountSigner;
    deployment: { messenger: Messenger; adapter: LocalAdapter; vault: CollateralVault };
    tokens: Record<string, IERC20>;
  }[];
}

/**
 * Who signs: a private key (testnets), or the index of an unlocked account on dev nodes (devnet). The same
 * identity is used on every chain.
 */
export type Identity = { key: string } | { account: number };

/** Connects to every chain of `record` as `who`. */
export async function connectDeployment(record: DeploymentRecord, who: Identity): Promise<Connected> {
  const open = async (c: ChainRecord) => {
    const chain = await connectRpc(c.name, c.rpc, {
      chainId: BigInt(c.chainId),
      keys: "key" in who ? [who.key] : undefined,
      accounts: "account" in who ? who.account + 1 : undefined,
    });
    const signer = "key" in who ? chain.signers[0] : chain.signers[who.account];
    if (!signer) throw new Error(`${c.name}: no account #${"account" in who ? who.account : "?"} on ${c.rpc}`);
    return { chain, signer };
  };
  const hub = await open(record.hub);
  const spokes = await Promise.all(record.spokes.map(open));
  return {
    hub: {
      chain: hub.chain,
      signer: hub.signer,
      deployment: {
        messenger: Messenger__factory.connect(record.hub.messenger, hub.signer),
        adapter: LocalAdapter__factory.connect(record.hub.adapter, hub.signer),
        engine: IMarginHub__factory.connect(record.hub.engine, hub.signer),
        lens: MarginLens__factory.connect(record.hub.lens, hub.signer),
      },
      base: IERC20__factory.connect(record.hub.base, hub.signer),
    },
    spokes: record.spokes.map((r, i) => ({
      chain: spokes[i].chain,
      signer: spokes[i].signer,
      deployment: {
        messenger: Messenger__factory.connect(r.messenger, spokes[i].signer),
        adapter: LocalAdapter__factory.connect(r.adapter, spokes[i].signer),
        vault: CollateralVault__factory.connect(r.vault, spokes[i].signer),
      },
      tokens: Object.fromEntries(
        Object.entries(r.tokens).map(([k, a]) => [k, IERC20__factory.connect(a, spokes[i].signer)]),
      ),
    })),
  };
}

/** The signer's address for `who` (without connecting). */
export function identityLabel(who: Identity): string {
  return "key" in who ? new Wallet(who.key).address : `unlocked account #${who.account}`;
}
