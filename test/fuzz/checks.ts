/**
 * The named invariants of the fuzz suite (DESIGN.md §2 and issue 5), checked after every step. Each one reads
 * on-chain state and event logs and returns readable violation messages (empty when it holds).
 */
import { ACTORS, signer, type ActorName, type World } from "../../scripts/lib/world";
import { solvency, violation } from "../../scripts/lib/solvency";
import { queryRange } from "../../scripts/lib/events";
import { MARKETS, USERS } from "./actions";

export type Invariant = (w: World, ctx: CheckContext) => Promise<string[]>;

/**
 * What a check may need beyond the world: the accounts the step's own action touched, and for a guardian action
 * (a pause), every token balance taken just before it.
 */
export interface CheckContext {
  actedOn: string[];
  /** Accounts the step called absorbBadDebt on. */
  absorbed?: string[];
  /** Accounts of the step's successful `absorb` list. */
  takenOver?: string[];
  balancesBefore?: Map<string, bigint>;
}

const WAD = 10n ** 18n;

/** 1. Per (chain, asset): locked == credits + releases and deposits in flight; the vault holds locked + claims. */
export async function solvencyPerChainAsset(w: World): Promise<string[]> {
  return (await solvency(w)).map(violation).filter((v): v is string => v !== undefined);
}

/**
 * 2. Debt accounting. Each account's debt is its principal times the borrow index rounded up, and the pool's total
 * is the total principal times the index rounded up once: with the principals adding up exactly,
 * `Σ debts - (n - 1) ≤ total debt ≤ Σ debts` for n debtors. Above it, the pool counts debt nobody owes (lenders'
 * claims backed by nothing); below it, accounts owe more than the pool records, beyond per-account rounding up
 * (a later repay or liquidation would underflow the total).
 */
export async function debtAccounting(w: World): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const [, totalBorrow] = await engine.poolTotals();
  let sum = 0n;
  let debtors = 0n;
  for (const who of USERS) {
    const address = signer(w.hub.chain, who).address;
    const debt = await engine.debtOf(address);
    const { debtPrincipal } = await engine.accountState(address);
    if (debtPrincipal !== 0n) debtors++;
    if ((debt === 0n) !== (debtPrincipal === 0n)) return [`${who}: debt ${debt} with principal ${debtPrincipal}`];
    sum += debt;
  }
  if (totalBorrow > sum) return [`total debt ${totalBorrow} > Σ account debts ${sum}: debt nobody owes`];
  const slack = debtors > 0n ? debtors - 1n : 0n;
  if (totalBorrow + slack < sum) {
    return [`total debt ${totalBorrow} < Σ account debts ${sum} - ${slack} (rounding of ${debtors} debtors)`];
  }
  return [];
}

/**
 * 3. Base pool: cash + borrows ≥ lenders' claims (reserves never negative: bad debt is taken from reserves, then
 *    from lenders' claims, never left as a hole), up to a few units of rounding; and no lender is owed more than
 *    the total. Issue 12: `absorb` pays for the credits it moves to the inventory (a reserve asset, counted at zero)
 *    and for its reward out of reserves, which may then be negative: by at most Σ (collateralValue + reward) of every
 *    `Absorbed` so far (a sale of the inventory only adds to reserves; a write-off takes from reserves only what is
 *    positive). Without an absorb this is the original bound.
 */
export async function basePoolCovered(w: World): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const [totalSupply, totalBorrow] = await engine.poolTotals();
  const cash = await w.hub.base.balanceOf(await engine.getAddress());
  const absorbs = await queryRange(w.hub.chain.provider, (from, to) =>
    engine.queryFilter(engine.filters.Absorbed(), from, to),
  );
  const paidForInventory = absorbs.reduce((s, e) => s + e.args.collateralValue + e.args.reward, 0n);
  const out: string[] = [];
  // Base units: index rounding on the pool totals, and one unit per account absorbed (its debt leaves the total).
  const ROUNDING = 10n + BigInt(absorbs.length);
  if (cash + totalBorrow + paidForInventory + ROUNDING < totalSupply) {
    out.push(
      `cash ${cash} + borrows ${totalBorrow} + paid for the inventory ${paidForInventory} < lenders' claims ` +
        `${totalSupply} (reserves negative beyond the inventory)`,
    );
  }
  const lent = await engine.supplyBalanceOf(signer(w.hub.chain, "lender").address);
  if (lent > totalSupply) out.push(`lender's balance ${lent} > total supply ${totalSupply}`);
  return out;
}

/** 4. After a successful borrow or withdrawal, the acting account's borrow health is ≥ 1 (same block). */
export async function actorStaysHealthy(w: World, ctx: CheckContext): Promise<string[]> {
  const out: string[] = [];
  for (const account of ctx.actedOn) {
    const health = await w.hub.deployment.engine.borrowHealthFactor(account);
    if (health < WAD) out.push(`${account} left with borrow health ${health} by its own action`);
  }
  return out;
}

/**
 * 5. Every envelope is delivered at most once on every messenger, and the apps act on it at most once (one credit
 * per DEPOSIT id on the hub, one release or deferral per RELEASE id on a vault).
 */
export async function deliveredAtMostOnce(w: World): Promise<string[]> {
  const out: string[] = [];
  const chains = [
    { chain: w.hub.chain, messenger: w.hub.deployment.messenger },
    ...w.spokes.map((s) => ({ chain: s.chain, messenger: s.deployment.messenger })),
  ];
  for (const { chain, messenger } of chains) {
    const events = await queryRange(chain.provider, (from, to) =>
      messenger.queryFilter(messenger.filters.MessageDelivered(), from, to),
    );
    out.push(...duplicates(events.map((e) => e.args.id)).map((id) => `${chain.name}: envelope ${id} delivered twice`));
  }
  const engine = w.hub.deployment.engine;
  const credits = await queryRange(w.hub.chain.provider, (from, to) =>
    engine.queryFilter(engine.filters.CollateralCredited(), from, to),
  );
  out.push(...duplicates(credits.map((e) => e.args.messageId)).map((id) => `hub: deposit ${id} credited twice`));
  for (const s of w.spokes) {
    const vault = s.deployment.vault;
    const paid = [
      ...(await queryRange(s.chain.provider, (from, to) => vault.queryFilter(vault.filters.Released(), from, to))),
      ...(await queryRange(s.chain.provider, (from, to) =>
        vault.queryFilter(vault.filters.ReleaseDeferred(), from, to),
      )),
    ];
    out.push(
      ...duplicates(paid.map((e) => e.args.messageId)).map((id) => `${s.chain.name}: release ${id} executed twice`),
    );
  }
  return out;
}

/** 6. At every `BadDebtAbsorbed`, the account has no credit left (on any market) and no debt. */
export async function badDebtOnlyWithoutCollateral(w: World): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const events = await queryRange(w.hub.chain.provider, (from, to) =>
    engine.queryFilter(engine.filters.BadDebtAbsorbed(), from, to),
  );
  const out: string[] = [];
  for (const ev of events) {
    const at = { blockTag: ev.blockNumber };
    const state = await engine.accountState(ev.args.account, at);
    if (state.credits !== 0n || state.debtPrincipal !== 0n) {
      out.push(`bad debt ${ev.args.amount} of ${ev.args.account} absorbed with ${state.credits} credit(s) left`);
    }
    for (const m of MARKETS) {
      const s = w.spokes.find((x) => x.chain.name === m.spoke)!;
      const credit = await engine.collateralOf(
        ev.args.account,
        s.chain.chainId,
        await s.tokens[m.symbol].getAddress(),
        at,
      );
      if (credit !== 0n) out.push(`bad debt of ${ev.args.account} absorbed with ${credit} ${m.symbol} credited`);
    }
  }
  return out;
}

/**
 * 10. Nobody can keep bad debt on the books (issue 11): after anyone calls absorbBadDebt on an account, the account
 * owes nothing unless it still holds a credit on a listed market (every market of this world is listed), whatever it
 * has in quarantine.
 */
export async function noBadDebtLeftAfterAbsorb(w: World, ctx: CheckContext): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const out: string[] = [];
  for (const account of ctx.absorbed ?? []) {
    const { debtPrincipal } = await engine.accountState(account);
    if (debtPrincipal === 0n) continue;
    let listedCredit = 0n;
    let quarantined = 0n;
    for (const m of MARKETS) {
      const s = w.spokes.find((x) => x.chain.name === m.spoke)!;
      const asset = await s.tokens[m.symbol].getAddress();
      listedCredit += await engine.collateralOf(account, s.chain.chainId, asset);
      quarantined += await engine.quarantined(account, s.chain.chainId, asset);
    }
    if (listedCredit === 0n) {
      out.push(
        `${account} keeps debt principal ${debtPrincipal} after absorbBadDebt with no listed credit ` +
          `(${quarantined} quarantined)`,
      );
    }
  }
  return out;
}

/**
 * 11. The inventory (issue 12): per market, the engine's own credit is Σ CollateralAbsorbed − Σ CollateralBought of
 * that (chain, asset), and the engine owes nothing.
 */
export async function inventoryMatchesEvents(w: World): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const hub = await engine.getAddress();
  const read = <T>(q: (from: number, to: number) => Promise<T[]>) => queryRange(w.hub.chain.provider, q);
  const absorbed = await read((from, to) => engine.queryFilter(engine.filters.CollateralAbsorbed(), from, to));
  const bought = await read((from, to) => engine.queryFilter(engine.filters.CollateralBought(), from, to));
  const out: string[] = [];
  for (const m of MARKETS) {
    const s = w.spokes.find((x) => x.chain.name === m.spoke)!;
    const asset = (await s.tokens[m.symbol].getAddress()).toLowerCase();
    const on = (e: { args: { chainId: bigint; asset: string } }) =>
      e.args.chainId === s.chain.chainId && e.args.asset.toLowerCase() === asset;
    const expected =
      absorbed.filter(on).reduce((x, e) => x + e.args.amount, 0n) -
      bought.filter(on).reduce((x, e) => x + e.args.amount, 0n);
    const held = await engine.collateralOf(hub, s.chain.chainId, asset);
    if (held !== expected) out.push(`${m.spoke}/${m.symbol}: inventory ${held} != absorbed − bought ${expected}`);
  }
  const { debtPrincipal } = await engine.accountState(hub);
  if (debtPrincipal !== 0n) out.push(`the inventory's account owes principal ${debtPrincipal}`);
  return out;
}

/**
 * 12. Credits add up per market: the (chain, asset) total is the sum of the credits of every holder: the users
 * (deposits), the liquidator (liquidateToAccount, buyCollateral), and the engine (inventory). A credit that moves
 * between hub accounts never changes the total; only deposits, withdrawals and released seizures do.
 */
export async function creditsAddUp(w: World): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const holders = [...USERS, "liquidator" as const].map((a) => signer(w.hub.chain, a).address);
  holders.push(await engine.getAddress());
  const out: string[] = [];
  for (const m of MARKETS) {
    const s = w.spokes.find((x) => x.chain.name === m.spoke)!;
    const asset = await s.tokens[m.symbol].getAddress();
    const credits = await Promise.all(holders.map((h) => engine.collateralOf(h, s.chain.chainId, asset)));
    const sum = credits.reduce((x, y) => x + y, 0n);
    const { totalCredits } = await engine.marketState(s.chain.chainId, asset);
    if (sum !== totalCredits) out.push(`${m.spoke}/${m.symbol}: Σ credits ${sum} != total ${totalCredits}`);
  }
  return out;
}

/**
 * 13. After a successful `absorb`, no account of its list is liquidatable: each was either healthy (skipped) or taken
 * over, and then it owes nothing and holds no listed credit in its bitmap (no debt left without a seizable credit).
 */
export async function absorbLeavesNoneLiquidatable(w: World, ctx: CheckContext): Promise<string[]> {
  const engine = w.hub.deployment.engine;
  const out: string[] = [];
  for (const account of ctx.takenOver ?? []) {
    const { positions, debtPrincipal } = await engine.accountState(account);
    if (debtPrincipal === 0n) {
      const absorbedNow = await engine.queryFilter(engine.filters.Absorbed(account), "latest", "latest");
      if (absorbedNow.length && positions !== 0n) out.push(`${account} absorbed but still in markets ${positions}`);
      continue;
    }
    if (await engine.isLiquidatable(account)) out.push(`${account} still liquidatable after absorb`);
  }
  return out;
}

/**
 * 7. At the end of a run, once every pause was lifted, every message delivered or retried and every claim paid:
 * nothing is in flight, nothing is owed as a claim, and locked == credits + quarantined (deposits above a credit
 * cap stay locked, awaiting review).
 */
export async function quiescentAfterSettle(w: World): Promise<string[]> {
  const out: string[] = [];
  for (const r of await solvency(w)) {
    if (
      r.releasesInFlight !== 0n ||
      r.depositsInFlight !== 0n ||
      r.claimable !== 0n ||
      r.locked !== r.credits + r.quarantined
    ) {
      out.push(
        `${r.chain}/${r.symbol} after settling: locked ${r.locked}, credits ${r.credits}, quarantined ` +
          `${r.quarantined}, in flight ${r.releasesInFlight} out / ${r.depositsInFlight} in, claims ${r.claimable}`,
      );
    }
  }
  return out;
}

/**
 * 8. Claims add up: per vault asset, `totalClaimable == Σ claimable(recipient)` over every actor (releases only
 * ever go to actors), and the part still waiting in the claim queue for capacity is at most that; what is
 * payable now (`claimableNow`, capacity handed out in order of arrival) is at most each actor's claim. That the
 * vault holds locked + totalClaimable is part of invariant 1.
 */
export async function claimsAddUp(w: World): Promise<string[]> {
  const out: string[] = [];
  for (const s of w.spokes) {
    const vault = s.deployment.vault;
    for (const [symbol, token] of Object.entries(s.tokens)) {
      const asset = await token.getAddress();
      const [total, ...each] = await Promise.all([
        vault.totalClaimable(asset),
        ...(Object.keys(ACTORS) as ActorName[]).map((a) => vault.claimable(signer(s.chain, a).address, asset)),
      ]);
      const sum = each.reduce((x, y) => x + y, 0n);
      if (total !== sum) out.push(`${s.chain.name}/${symbol}: totalClaimable ${total} != Σ claimable ${sum}`);
      const queue = await vault.claimQueue(asset);
      if (queue.total !== total || queue.backlog > total) {
        out.push(`${s.chain.name}/${symbol}: claim queue total ${queue.total} backlog ${queue.backlog}, owed ${total}`);
      }
      const actors = Object.keys(ACTORS) as ActorName[];
      for (let i = 0; i < actors.length; i++) {
        const now = await vault.claimableNow(signer(s.chain, actors[i]).address, asset);
        if (now > each[i]) out.push(`${s.chain.name}/${symbol}: ${actors[i]} payable now ${now} > claim ${each[i]}`);
      }
    }
  }
  return out;
}

/**
 * Every token balance that matters: each vault's and each actor's of every collateral on its spoke, the engine's
 * and each actor's of the base asset on the hub. Keyed "chain/symbol/holder".
 */
export async function tokenBalances(w: World): Promise<Map<string, bigint>> {
  const actors = Object.keys(ACTORS) as ActorName[];
  const reads: [string, Promise<bigint>][] = [];
  for (const s of w.spokes) {
    const vault = await s.deployment.vault.getAddress();
    for (const [symbol, token] of Object.entries(s.tokens)) {
      reads.push([`${s.chain.name}/${symbol}/vault`, token.balanceOf(vault)]);
      for (const a of actors)
        reads.push([`${s.chain.name}/${symbol}/${a}`, token.balanceOf(signer(s.chain, a).address)]);
    }
  }
  reads.push(["hub/USDC/engine", w.hub.base.balanceOf(await w.hub.deployment.engine.getAddress())]);
  for (const a of actors) reads.push([`hub/USDC/${a}`, w.hub.base.balanceOf(signer(w.hub.chain, a).address)]);
  const values = await Promise.all(reads.map(([, p]) => p));
  return new Map(reads.map(([key], i) => [key, values[i]]));
}

/** 9. A guardian action (pausing a route, deposits or borrowing) moves no funds: every token balance is unchanged. */
export async function pausingMovesNoFunds(w: World, ctx: CheckContext): Promise<string[]> {
  if (!ctx.balancesBefore) return [];
  const after = await tokenBalances(w);
  const out: string[] = [];
  for (const [key, before] of ctx.balancesBefore) {
    const now = after.get(key);
    if (now !== before) out.push(`${key}: ${before} -> ${now} across a pause`);
  }
  return out;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** Checked after every step. */
export const STEP_INVARIANTS: Record<string, Invariant> = {
  solvencyPerChainAsset,
  debtAccounting,
  basePoolCovered,
  actorStaysHealthy,
  deliveredAtMostOnce,
  badDebtOnlyWithoutCollateral,
  claimsAddUp,
  pausingMovesNoFunds,
  noBadDebtLeftAfterAbsorb,
  inventoryMatchesEvents,
  creditsAddUp,
  absorbLeavesNoneLiquidatable,
};

/** Checked once more after the final settlement of every run. */
export const FINAL_INVARIANTS: Record<string, Invariant> = { ...STEP_INVARIANTS, quiescentAfterSettle };

/** Runs `invariants` and returns "name: message" lines for every violation. */
export async function checkAll(w: World, ctx: CheckContext, invariants: Record<string, Invariant>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, check] of Object.entries(invariants)) {
    for (const v of await check(w, ctx)) out.push(`${name}: ${v}`);
  }
  return out;
}
