/**
 * The conservative-view invariant of DESIGN.md §2, computed from on-chain state and the adapters' event logs,
 * per (source chain, asset):
 *
 *   vault.totalLocked == hub credits + quarantined + RELEASEs in flight + DEPOSITs in flight
 *
 * hence `totalLocked ≥ credits + releases in flight`, with equality when no deposit is in flight. A message is
 * in flight until its destination messenger consumed its nonce and does not hold it for retry. Also: the vault
 * must really hold `totalLocked + totalClaimable` tokens. Used after every multi-chain test, by the demo and by
 * the monitor keeper.
 */
import type { CollateralVault, IBridgeAdapter, IMarginHub, LocalAdapter, Messenger } from "../../typechain-types";
import { decodeEnvelope, decodeMessage, envelopeId, DEPOSIT, RELEASE } from "./codec";
import { queryRange } from "./events";

interface TokenView {
  getAddress(): Promise<string>;
  balanceOf(owner: string): Promise<bigint>;
}

/** What the check reads: a World satisfies it, and so does a deployment loaded from a record. */
export interface SolvencyView {
  hub: {
    chain: { chainId: bigint };
    /** `adapter`: the LocalAdapter, when the deployment has one. */
    deployment: { engine: IMarginHub; messenger: Messenger; adapter?: LocalAdapter };
  };
  spokes: {
    chain: { name: string; chainId: bigint };
    deployment: { vault: CollateralVault; messenger: Messenger; adapter?: LocalAdapter };
    tokens: Record<string, TokenView>;
  }[];
  /** Bridge adapters of each chain, by chain id, when routes use real bridges (their envelopes count too). */
  bridgeAdapters?: Map<bigint, IBridgeAdapter[]>;
  /** First block to read events from, per chain id (a deployment's start blocks); 0 when absent. */
  fromBlocks?: Map<bigint, number>;
}

export interface SolvencyRow {
  chain: string;
  chainId: bigint;
  asset: string;
  symbol: string;
  /** vault.totalLocked */
  locked: bigint;
  /** hub credits on (chain, asset), all accounts */
  credits: bigint;
  /** deposits above the hub's credit cap, held out of borrowing power */
  quarantined: bigint;
  /** RELEASE envelopes sent by the hub and not executed by the vault yet */
  releasesInFlight: bigint;
  /** DEPOSIT envelopes sent by the vault and not credited by the hub yet */
  depositsInFlight: bigint;
  /** tokens the vault holds, and owes as claims */
  held: bigint;
  claimable: bigint;
}

export async function solvency(view: SolvencyView): Promise<SolvencyRow[]> {
  const hub = view.hub.deployment;
  const hubMessenger = await hub.messenger.getAddress();
  const rows: SolvencyRow[] = [];
  const bridgesOf = (chainId: bigint) => view.bridgeAdapters?.get(chainId) ?? [];
  const fromOf = (chainId: bigint) => view.fromBlocks?.get(chainId) ?? 0;
  const releases = await sentMessages(
    hub.messenger,
    hub.adapter,
    bridgesOf(view.hub.chain.chainId),
    await hub.engine.getAddress(),
    fromOf(view.hub.chain.chainId),
  );
  for (const s of view.spokes) {
    const spokeMessenger = await s.deployment.messenger.getAddress();
    const vault = await s.deployment.vault.getAddress();
    const deposits = await sentMessages(
      s.deployment.messenger,
      s.deployment.adapter,
      bridgesOf(s.chain.chainId),
      vault,
      fromOf(s.chain.chainId),
    );
    for (const [symbol, token] of Object.entries(s.tokens)) {
      const asset = (await token.getAddress()).toLowerCase();
      let releasesInFlight = 0n;
      for (const m of releases) {
        if (m.envelope.dstChainId !== s.chain.chainId || m.message.kind !== RELEASE) continue;
        if (m.message.asset.toLowerCase() !== asset) continue;
        const done = await executed(
          s.deployment.messenger,
          view.hub.chain.chainId,
          hubMessenger,
          m.envelope.nonce,
          m.id,
        );
        if (!done) releasesInFlight += m.message.amount;
      }
      let depositsInFlight = 0n;
      for (const m of deposits) {
        if (m.message.kind !== DEPOSIT || m.message.asset.toLowerCase() !== asset) continue;
        const done = await executed(hub.messenger, s.chain.chainId, spokeMessenger, m.envelope.nonce, m.id);
        if (!done) depositsInFlight += m.message.amount;
      }
      rows.push({
        chain: s.chain.name,
        chainId: s.chain.chainId,
        asset,
        symbol,
        locked: await s.deployment.vault.totalLocked(asset),
        credits: (await hub.engine.marketState(s.chain.chainId, asset)).totalCredits,
        quarantined: await hub.engine.totalQuarantined(s.chain.chainId, asset),
        releasesInFlight,
        depositsInFlight,
        held: await token.balanceOf(vault),
        claimable: await s.deployment.vault.totalClaimable(asset),
      });
    }
  }
  return rows;
}

/** Why a row breaks the invariant, or undefined if it holds. */
export function violation(r: SolvencyRow): string | undefined {
  if (r.locked !== r.credits + r.quarantined + r.releasesInFlight + r.depositsInFlight) {
    return (
      `${r.chain}/${r.symbol}: locked ${r.locked} != credits ${r.credits} + quarantined ${r.quarantined} + ` +
      `releases in flight ${r.releasesInFlight} + deposits in flight ${r.depositsInFlight}`
    );
  }
  if (r.held < r.locked + r.claimable) {
    return `${r.chain}/${r.symbol}: vault holds ${r.held} but owes ${r.locked} locked + ${r.claimable} claims`;
  }
  return undefined;
}

/** Throws with a readable message if the invariant is broken anywhere. */
export async function assertSolvent(view: SolvencyView): Promise<SolvencyRow[]> {
  const rows = await solvency(view);
  const broken = rows.map(violation).filter((v) => v !== undefined);
  if (broken.length) throw new Error(`solvency broken: ${broken.join("; ")}`);
  return rows;
}

interface SentMessage {
  id: string;
  envelope: ReturnType<typeof decodeEnvelope>;
  message: ReturnType<typeof decodeMessage>;
}

/**
 * Protocol messages (from `app`) that the adapters of `messenger` were asked to carry, decoded, once each, and
 * those the messenger recorded as pending because too few adapters took them (`MessagePending`, sent with
 * `sendOrRecord`): such a RELEASE has debited the hub but not paid the vault yet, so it is in flight even if no
 * adapter has it. An envelope the messenger re-issued under a new nonce (after an emergency invalidation) is
 * replaced by the new one, which is in the list itself.
 */
async function sentMessages(
  messenger: Messenger,
  local: LocalAdapter | undefined,
  bridges: IBridgeAdapter[],
  app: string,
  fromBlock: number,
): Promise<SentMessage[]> {
  const provider = messenger.runner!.provider!;
  const envelopes: string[] = local
    ? (
        await queryRange(provider, (from, to) => local.queryFilter(local.filters.RelayRequested(), from, to), fromBlock)
      ).map((ev) => ev.args.envelope)
    : [];
  for (const b of bridges) {
    const events = await queryRange(
      provider,
      (from, to) => b.queryFilter(b.filters.EnvelopeBridged(), from, to),
      fromBlock,
    );
    envelopes.push(...events.map((ev) => ev.args.envelope));
  }
  const pending = await queryRange(
    provider,
    (from, to) => messenger.queryFilter(messenger.filters.MessagePending(), from, to),
    fromBlock,
  );
  envelopes.push(...pending.map((ev) => ev.args.envelope));
  const reissued = new Set(
    (
      await queryRange(
        provider,
        (from, to) => messenger.queryFilter(messenger.filters.MessageReissued(), from, to),
        fromBlock,
      )
    ).map((ev) => ev.args.oldId),
  );
  const seen = new Set<string>();
  const out: SentMessage[] = [];
  for (const raw of envelopes) {
    const id = envelopeId(raw);
    if (seen.has(id) || reissued.has(id)) continue;
    seen.add(id);
    const envelope = decodeEnvelope(raw);
    if (envelope.sender !== app) continue;
    out.push({ id, envelope, message: decodeMessage(envelope.payload) });
  }
  return out;
}

async function executed(
  messenger: Messenger,
  srcChainId: bigint,
  srcMessenger: string,
  nonce: bigint,
  id: string,
): Promise<boolean> {
  return (await messenger.isDelivered(srcChainId, srcMessenger, nonce)) && !(await messenger.isRetryable(id));
}
