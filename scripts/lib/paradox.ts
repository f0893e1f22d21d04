/**
 * The asynchronous liquidation paradox, measured on in-process chains with the real contracts (the world fixture:
 * a hub and two source chains): accounts with collateral on both chains, a price fall in hourly steps, and the
 * liquidation of every account that becomes unhealthy by explicit actors, in four runs on the same seed:
 *
 *   (a) today's mode: a liquidator with finite base capital repays with `liquidate` and gets the seized collateral by
 *       a RELEASE over a bridge that takes `latencyMin` minutes; its base comes back only when the collateral arrives
 *       and is sold (hedged at the time of the seize, so its constraint is capital, not price risk);
 *   (b) the new modes: a keeper with no capital absorbs every liquidatable account (`absorb`, batched), and buyers
 *       buy the hub's inventory (`buyCollateral`) when the discount beats gas;
 *   and both again with one source chain's bridge halted for the whole run (its messages are never delivered).
 *
 * Shared by `npm run bench:liquidation` (scripts/bench-liquidation.ts) and test/multichain/paradox.test.ts.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MaxUint256, parseUnits } from "ethers";
import type { IMarginHub, MarginLens } from "../../typechain-types";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { send } from "../../deploy/orchestrator";
import { increaseTime, snapshotAll, type AccountSigner } from "./chain";
import { mulberry32, type Packet } from "./relayer";
import { createWorld, deposit, refreshFeeds, resetRelayer, signer, spoke, type World } from "./world";
import { planBuy, planLiquidation, repayWithin, type PositionIn } from "./liquidation-plan";
import { describeError } from "./errors";

export interface ParadoxOptions {
  /** PRNG seed of the accounts' collateral and initial health. */
  seed: number;
  /** Borrowing accounts. */
  accounts: number;
  /** Hourly price steps (the fall is spread over them: each step multiplies by (1 - fall)^(1/steps)). */
  steps: number;
  /** Total fall of the volatile collateral (WETH, WBTC) over the run, e.g. 0.6. */
  fall: number;
  /** Actor ticks per hour (every tick: time advances, messages old enough are delivered, actors act). */
  ticksPerHour: number;
  /** Bridge latency of every message, minutes. */
  latencyMin: number;
  /** The (a) liquidator's base capital as a share of what was borrowed (used when `capital` is not given). */
  capitalShare: number;
  /** The (a) liquidator's base capital, raw base units (overrides `capitalShare`). */
  capital?: bigint;
  /** Gas price the actors pay (gwei). */
  gasGwei: number;
  /** The source chain whose bridge is halted in the halt runs. */
  haltedChain: string;
  /**
   * Buyers leave the halted chain's inventory alone (they want to release what they buy): it stays with the protocol
   * at its price risk. Default false: buyers hedge and buy whenever the discount beats gas, like the liquidator.
   */
  buyersAvoidHalted?: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_PARADOX: ParadoxOptions = {
  seed: 1,
  accounts: 50,
  steps: 6,
  fall: 0.6,
  ticksPerHour: 6,
  latencyMin: 20,
  capitalShare: 0.1,
  gasGwei: 1,
  haltedChain: "beta",
};

export type RunMode = "a" | "b";

export interface RunSpec {
  name: string;
  mode: RunMode;
  halted: boolean;
}

export const RUNS: RunSpec[] = [
  { name: "(a) release, bridges up", mode: "a", halted: false },
  { name: "(b) absorb + buy, bridges up", mode: "b", halted: false },
  { name: "(a) release, one bridge halted", mode: "a", halted: true },
  { name: "(b) absorb + buy, one bridge halted", mode: "b", halted: true },
];

/** Figures of one run; base amounts in raw base units (6 decimals), times in minutes. */
export interface RunResult {
  run: string;
  mode: RunMode;
  halted: boolean;
  unhealthy: number;
  closed: number;
  meanCloseMin: number;
  maxCloseMin: number;
  /** Liquidations (a), accounts absorbed (b), inventory purchases (b). */
  liquidations: number;
  absorbed: number;
  purchases: number;
  /** Peak base the liquidator had out (repaid + fees not yet back); (a) only. */
  peakCapital: bigint;
  /** Base still out at the end (collateral not yet realised: in flight, or on a halted bridge). */
  capitalStuck: bigint;
  /** Times a liquidatable account was left because the liquidator's capital was used up. */
  capitalShort: number;
  borrowed: bigint;
  /** Debt written off by the hub (BadDebtAbsorbed). */
  badDebtWrittenOff: bigint;
  /** Debt of accounts still open at the end beyond their collateral's value at the final prices. */
  badDebtOpen: bigint;
  badDebtPct: number;
  /** Supply index drop × supply at the start. */
  lendersLost: bigint;
  /** Base the buyers paid for inventory (b): their capital, not the liquidator's. */
  buyersPaid: bigint;
  /** Of which for collateral of the halted chain: it can only be released once the bridge is back. */
  buyersOnHalted: bigint;
  /** Hub inventory at the end, at the final prices. */
  inventoryValue: bigint;
  /** Reserves at the end (int: negative when the inventory was bought with lenders' base). */
  reserves: bigint;
  /** What the inventory leaves uncovered: max(0, −(reserves + inventory at final prices)). */
  inventoryUncovered: bigint;
  /**
   * The lending side's whole loss: lenders lost + reserves spent (end vs start) − inventory at final prices + the
   * shortfall of accounts left open. Negative: a gain (liquidation fees, discounts kept).
   */
  netLoss: bigint;
}

interface Market {
  chain: string;
  chainId: bigint;
  symbol: string;
  asset: string;
  decimals: number;
  volatile: boolean;
}

interface Borrower {
  signer: AccountSigner;
  address: string;
  debt: bigint;
}

export interface Setup {
  world: World;
  markets: Market[];
  borrowers: Borrower[];
  borrowed: bigint;
  supplied: bigint;
  startPrices: Record<string, bigint>;
  capital: bigint;
}

const BPS = 10_000n;

/** The model in words, printed with the table. */
export function describeModel(o: ParadoxOptions, s: Pick<Setup, "borrowed" | "capital" | "borrowers">): string[] {
  const step = Math.pow(1 - o.fall, 1 / o.steps);
  const usd = (x: bigint) => `$${(Number(x) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
  return [
    `seed ${o.seed}: ${s.borrowers.length} accounts on a hub and two source chains (alpha: WETH; beta: WBTC, USDC.b),`,
    `  1 to 3 positions each, initial health drawn in [1.10, 2.60]; ${usd(s.borrowed)} borrowed, interest off`,
    `  (rate model at zero, so the supply index moves only with bad debt).`,
    `prices: WETH and WBTC x${step.toFixed(4)} every hour for ${o.steps} hours (-${o.fall * 100}%), USDC.b flat;`,
    `  feeds refreshed every tick; ${o.ticksPerHour} ticks an hour; every message takes ${o.latencyMin} minutes`,
    `  (relayed only once older than that); halt runs: ${o.haltedChain}'s bridge delivers nothing, both ways.`,
    `(a) one liquidator, base capital K = ${usd(s.capital)} (${((Number(s.capital) / Number(s.borrowed)) * 100).toFixed(1)}% of borrowed), hedges what it seizes`,
    `  (so capital, not price risk, is its limit); every tick it liquidates (liquidate + RELEASE) the position`,
    `  the keeper's planner picks, least healthy account first, while it has base; its base comes back only when`,
    `  the RELEASE is delivered and the collateral sold (hedged: at the price of the seize); never while halted.`,
    `(b) a keeper with no capital absorbs every liquidatable account each tick (one absorb([...]) call, when the`,
    `  reward beats gas); buyers with their own base (hedged, like the liquidator) buy the hub's inventory when the`,
    o.buyersAvoidHalted
      ? `  discount beats gas, but not the halted chain's (they want to release it): that stays with the protocol.`
      : `  discount beats gas, the halted chain's too (kept as hub credit until its bridge is back: "on halted").`,
    `gas ${o.gasGwei} gwei at the hub's ETH price. Bad debt = written off + debt of accounts left open beyond their`,
    `  collateral at the final prices. Lenders lost = supply index drop x supply. Inventory uncovered =`,
    `  max(0, -(reserves + inventory at final prices)): what lenders would still lose if it were sold at the end.`,
    `  Net loss = lenders lost + reserves spent - inventory at final prices + open shortfall (negative: a gain).`,
    `  Absorb writes off debt beyond the collateral valued less the bonus, and keeps the collateral: its write-off`,
    `  is not comparable with a liquidation's; net loss is.`,
  ];
}

function spokeChainId(world: World, name: string): bigint {
  return spoke(world, name).chain.chainId;
}

/** Creates the world, the accounts, the lender's supply and the borrows; the runs start from here. */
export async function setupParadox(hre: HardhatRuntimeEnvironment, o: ParadoxOptions): Promise<Setup> {
  const world = await createWorld(hre, { accounts: 10 + o.accounts, userFunds: 100_000_000, baseFunds: 100_000_000 });
  const { engine } = world.hub.deployment;
  const owner = signer(world.hub.chain, "deployer");
  // Interest off: six hours of it are noise, and the supply index then moves only with bad debt.
  await send(engine.connect(owner).setRateModel({ baseRate: 0n, slope1: 0n, slope2: 0n, kink: parseUnits("0.8", 18) }));
  const markets: Market[] = [];
  for (const s of world.spokes) {
    for (const [symbol, token] of Object.entries(s.tokens)) {
      markets.push({
        chain: s.chain.name,
        chainId: s.chain.chainId,
        symbol,
        asset: (await token.getAddress()).toLowerCase(),
        decimals: Number(await token.decimals()),
        volatile: !symbol.startsWith("USDC"),
      });
    }
  }
  const startPrices: Record<string, bigint> = {};
  for (const [symbol, feed] of Object.entries(world.feeds)) startPrices[symbol] = (await feed.latestRoundData())[1];
  const rng = mulberry32(o.seed);
  const borrowers: Borrower[] = [];
  const plans: { b: AccountSigner; ltValue: bigint; health: number }[] = [];
  for (let i = 0; i < o.accounts; i++) {
    const account = world.hub.chain.signers[10 + i];
    // 1 to 3 positions; at least one volatile (an account of stable collateral only never becomes unhealthy).
    const picks = markets.filter(() => rng() < 0.5);
    if (!picks.some((m) => m.volatile)) picks.push(markets.filter((m) => m.volatile)[Math.floor(rng() * 2)]);
    let ltValue = 0n;
    for (const m of picks) {
      const usd = 5_000 + Math.floor(rng() * 45_000);
      const price = startPrices[m.symbol];
      const amount = (BigInt(usd) * 10n ** 8n * 10n ** BigInt(m.decimals)) / price;
      await deposit(world, m.chain, "alice", m.symbol, amount, account.address);
      const lt = m.symbol === "WETH" ? 8500n : m.symbol === "WBTC" ? 8000n : 9000n;
      ltValue += (BigInt(usd) * 10n ** 6n * lt) / BPS;
    }
    plans.push({ b: account, ltValue, health: 1.1 + rng() * 1.5 });
  }
  await world.relayer.flush();
  let borrowed = 0n;
  const debts = plans.map((p) => (p.ltValue * 1000n) / BigInt(Math.round(p.health * 1000)));
  const total = debts.reduce((a, b) => a + b, 0n);
  const lender = signer(world.hub.chain, "lender");
  const supplied = (total * 5n) / 4n;
  await send(world.hub.base.connect(lender).approve(await engine.getAddress(), MaxUint256));
  await send(engine.connect(lender).supplyBase(supplied, lender.address));
  for (const [i, p] of plans.entries()) {
    await send(engine.connect(p.b).borrow(debts[i], p.b.address));
    borrowers.push({ signer: p.b, address: p.b.address.toLowerCase(), debt: debts[i] });
    borrowed += debts[i];
  }
  const capital = o.capital ?? (borrowed * BigInt(Math.round(o.capitalShare * 10_000))) / BPS;
  return { world, markets, borrowers, borrowed, supplied, startPrices, capital };
}

/** Runs the four scenarios from the same state; returns one result per run. */
export async function runParadox(
  hre: HardhatRuntimeEnvironment,
  o: ParadoxOptions,
  runs: RunSpec[] = RUNS,
): Promise<{ setup: Setup; results: RunResult[] }> {
  const setup = await setupParadox(hre, o);
  const results: RunResult[] = [];
  for (const spec of runs) {
    const restore = await snapshotAll(setup.world.chains);
    await resetRelayer(setup.world);
    results.push(await runOne(setup, o, spec));
    await restore();
  }
  return { setup, results };
}

interface Episode {
  since: number;
  closedAt?: number;
}

/** One run: the price path, ticks, actors; the figures at the end. */
async function runOne(s: Setup, o: ParadoxOptions, spec: RunSpec): Promise<RunResult> {
  const { world, borrowers } = s;
  const hub = world.hub.chain;
  const { engine, lens } = world.hub.deployment;
  const log = o.log ?? (() => {});
  const halted = spec.halted ? spokeChainId(world, o.haltedChain) : undefined;
  const liquidator = signer(hub, "liquidator");
  const buyer = signer(hub, "carol");
  const eng = engine.connect(liquidator);
  const base = world.hub.base;
  await send(base.connect(liquidator).approve(await engine.getAddress(), MaxUint256));
  await send(base.mint(buyer.address, s.borrowed));
  await send(base.connect(buyer).approve(await engine.getAddress(), MaxUint256));
  const startBlock = (await hub.provider.getBlockNumber()) + 1;
  const pool0 = await engine.poolState();
  const reserves0 = await engine.reserves();
  const [supply0] = await engine.poolTotals();
  const accounts = borrowers.map((b) => b.address);
  const stepFactor = Math.pow(1 - o.fall, 1 / o.steps);
  const tickSec = 3600 / o.ticksPerHour;
  const latencySec = o.latencyMin * 60;
  const gasPrice = BigInt(Math.round(o.gasGwei * 1e9));

  const episodes = new Map<string, Episode[]>();
  const sentAt = new Map<string, number>(); // packet id -> sim time it was sent
  const realise = new Map<string, bigint>(); // RELEASE id -> base it returns to the liquidator
  let out = 0n;
  let peak = 0n;
  let short = 0;
  let liquidations = 0;
  let absorbed = 0;
  let purchases = 0;
  let t = 0;

  const prices = async () => {
    const basePrice = await engine.getPrice(hub.chainId, await base.getAddress());
    const of = new Map<string, bigint>();
    for (const m of s.markets) of.set(`${m.chainId}:${m.asset}`, await engine.getPrice(m.chainId, m.asset));
    return { basePrice, of };
  };

  const relay = async () => {
    const relayer = world.relayer;
    await relayer.poll();
    for (const p of relayer.pending()) if (!sentAt.has(p.id)) sentAt.set(p.id, t);
    const due = relayer.take(
      (p: Packet) => (sentAt.get(p.id) ?? t) + latencySec <= t && p.srcChainId !== halted && p.dstChainId !== halted,
    );
    for (const p of due) {
      const r = await relayer.deliver(p);
      if (r.error) throw new Error(`delivery of ${p.id} failed: ${r.error}`);
      const back = realise.get(p.id);
      if (back !== undefined) {
        out -= back > out ? out : back;
        realise.delete(p.id);
      }
    }
  };

  for (let step = 0; step < o.steps; step++) {
    for (const m of s.markets) {
      if (!m.volatile) continue;
      const p0 = s.startPrices[m.symbol];
      const p = BigInt(Math.round(Number(p0) * Math.pow(stepFactor, step + 1)));
      await send(world.feeds[m.symbol].updateAnswer(p));
    }
    for (let tick = 0; tick < o.ticksPerHour; tick++) {
      for (const c of world.chains) await increaseTime(c, tickSec);
      t += tickSec;
      await refreshFeeds(world);
      await relay();
      const views = await lens.accounts(accounts);
      const unhealthy = [...views].filter((v) => v.liquidatable).sort((x, y) => (x.health < y.health ? -1 : 1));
      for (const v of unhealthy) {
        const a = v.account.toLowerCase();
        const eps = episodes.get(a) ?? [];
        if (!eps.length || eps[eps.length - 1].closedAt !== undefined) eps.push({ since: t });
        episodes.set(a, eps);
      }
      const px = await prices();
      if (spec.mode === "a") {
        for (const v of unhealthy) {
          const r = await liquidateRelease(
            eng,
            lens,
            v.account,
            px,
            s.capital - out,
            gasPrice,
            liquidator.address,
            log,
          );
          if (r === "short") short++;
          if (typeof r === "object") {
            liquidations += r.count;
            out += r.cost;
            if (out > peak) peak = out;
            for (const [id, back] of r.releases) {
              realise.set(id, back);
              sentAt.set(id, t);
            }
          }
        }
      } else {
        const list: string[] = [];
        for (const v of unhealthy) {
          let quote: { reward: bigint } | { error: string };
          try {
            quote = { reward: (await engine.previewAbsorb(v.account)).reward };
          } catch (e) {
            quote = { error: describeError(e) };
          }
          const plan = planLiquidation({
            account: v.account,
            mode: "absorb",
            basePrice: px.basePrice,
            gasPrice,
            nativePrice: nativePrice(s, px),
            haircutBps: 0n,
            minProfit: 0n,
            available: 0n,
            positions: [],
            absorb: quote,
          });
          if (plan.chosen) list.push(v.account);
          else log(`t=${t / 60}m skip absorb of ${v.account}: ${plan.reason}`);
        }
        if (list.length) {
          const rc = await mined(eng.absorb(list));
          absorbed += rc.logs.filter((l) => eng.interface.parseLog(l)?.name === "Absorbed").length;
        }
        purchases += await buyInventory(
          s,
          engine.connect(buyer),
          buyer.address,
          px,
          gasPrice,
          o.buyersAvoidHalted ? halted : undefined,
        );
      }
      const after = new Set((await lens.liquidatable(accounts)).map((a) => a.toLowerCase()));
      for (const [a, eps] of episodes) {
        const last = eps[eps.length - 1];
        if (last.closedAt === undefined && !after.has(a)) last.closedAt = t;
      }
    }
  }

  // ------------------------------------------------------------------ figures at the end
  const px = await prices();
  const written = await engine.queryFilter(engine.filters.BadDebtAbsorbed(), startBlock);
  const badDebtWrittenOff = written.reduce((a, e) => a + e.args.amount, 0n);
  let badDebtOpen = 0n;
  for (const a of accounts) {
    const debt = await engine.debtOf(a);
    if (debt === 0n) continue;
    let value = 0n;
    for (const p of await lens.positions(a)) {
      value += (p.amount * (px.of.get(`${p.chainId}:${p.asset.toLowerCase()}`) ?? 0n)) / px.basePrice;
    }
    if (debt > value) badDebtOpen += debt - value;
  }
  const pool1 = await engine.poolState();
  const lendersLost =
    pool1.supplyIndex < pool0.supplyIndex
      ? (supply0 * (pool0.supplyIndex - pool1.supplyIndex)) / pool0.supplyIndex
      : 0n;
  let inventoryValue = 0n;
  let buyersPaid = 0n;
  let buyersOnHalted = 0n;
  if (spec.mode === "b") {
    for (const e of await engine.queryFilter(engine.filters.CollateralBought(), startBlock)) {
      buyersPaid += e.args.baseAmount;
      if (e.args.chainId === halted) buyersOnHalted += e.args.baseAmount;
    }
    for (const m of s.markets) {
      const held = await inventoryOf(engine, m.chainId, m.asset);
      inventoryValue += (held * px.of.get(`${m.chainId}:${m.asset}`)!) / px.basePrice;
    }
  }
  const reserves = await engine.reserves();
  const uncovered = spec.mode === "b" && reserves + inventoryValue < 0n ? -(reserves + inventoryValue) : 0n;
  // Everything the lending side (lenders and reserves) lost, the inventory at the final prices counted as an asset
  // and the accounts left open as the shortfall they still carry.
  const netLoss = lendersLost + (reserves0 - reserves) - inventoryValue + badDebtOpen;
  const closes: number[] = [];
  let closed = 0;
  for (const eps of episodes.values()) {
    for (const e of eps) if (e.closedAt !== undefined) closes.push((e.closedAt - e.since) / 60);
    if (eps[eps.length - 1].closedAt !== undefined) closed++;
  }
  const badDebt = badDebtWrittenOff + badDebtOpen;
  return {
    run: spec.name,
    mode: spec.mode,
    halted: spec.halted,
    unhealthy: episodes.size,
    closed,
    meanCloseMin: closes.length ? closes.reduce((a, b) => a + b, 0) / closes.length : 0,
    maxCloseMin: closes.length ? Math.max(...closes) : 0,
    liquidations,
    absorbed,
    purchases,
    peakCapital: peak,
    capitalStuck: out,
    capitalShort: short,
    borrowed: s.borrowed,
    badDebtWrittenOff,
    badDebtOpen,
    badDebtPct: Number((badDebt * 1_000_000n) / s.borrowed) / 10_000,
    lendersLost,
    buyersPaid,
    buyersOnHalted,
    inventoryValue,
    reserves,
    inventoryUncovered: uncovered,
    netLoss,
  };
}

/** Raw base per ETH from the hub's WETH feed (the world's native asset). */
function nativePrice(s: Setup, px: { basePrice: bigint; of: Map<string, bigint> }): bigint | undefined {
  const weth = s.markets.find((m) => m.symbol === "WETH");
  if (!weth) return undefined;
  return (10n ** 18n * px.of.get(`${weth.chainId}:${weth.asset}`)!) / px.basePrice;
}

/**
 * (a): liquidates `account` with RELEASEs, position by position as the planner picks them, while it stays
 * liquidatable and the liquidator has base. Returns what it paid and the base each RELEASE brings back.
 */
async function liquidateRelease(
  engine: IMarginHub,
  lens: MarginLens,
  account: string,
  px: { basePrice: bigint; of: Map<string, bigint> },
  available: bigint,
  gasPrice: bigint,
  recipient: string,
  log: (line: string) => void,
): Promise<"short" | "none" | { count: number; cost: bigint; releases: [string, bigint][] }> {
  const done = { count: 0, cost: 0n, releases: [] as [string, bigint][] };
  const positions = await lens.positions(account);
  for (let round = 0; round < positions.length; round++) {
    if (!(await engine.isLiquidatable(account))) break;
    const left = available - done.cost;
    if (left <= 0n) return done.count ? done : "short";
    const ins: PositionIn[] = [];
    for (const p of await lens.positions(account)) {
      const price = px.of.get(`${p.chainId}:${p.asset.toLowerCase()}`) ?? 0n;
      const pin: PositionIn = { chainId: p.chainId, asset: p.asset, price, releaseFee: 0n };
      try {
        let q = await engine.previewLiquidation(account, p.chainId, p.asset, left);
        const fit = repayWithin(left, q);
        if (fit < q.repaid) q = await engine.previewLiquidation(account, p.chainId, p.asset, fit);
        pin.quote = { repaid: q.repaid, protocolFee: q.protocolFee, seized: q.seized, bonusBps: q.bonusBps };
        pin.releaseFee = await engine.quoteRelease(p.chainId);
      } catch (e) {
        pin.error = describeError(e);
      }
      ins.push(pin);
    }
    const plan = planLiquidation({
      account,
      mode: "release",
      basePrice: px.basePrice,
      gasPrice,
      nativePrice: undefined,
      haircutBps: 0n,
      minProfit: 0n,
      available: left,
      positions: ins,
    });
    const c = plan.chosen;
    if (!c) return done.count ? done : /needs \d+ base/.test(plan.reason ?? "") ? "short" : "none";
    let rc: ContractTransactionReceipt;
    try {
      rc = await mined(
        engine.liquidate(account, c.chainId!, c.asset!, c.repaid, 0n, recipient, { value: c.nativeFee }),
      );
    } catch (e) {
      log(`liquidation of ${account} on chain ${c.chainId} reverted: ${describeError(e)}`);
      return done.count ? done : "none";
    }
    for (const l of rc.logs) {
      const ev = engine.interface.parseLog(l);
      if (ev?.name !== "Liquidated") continue;
      done.count++;
      done.cost += ev.args.repaid + ev.args.protocolFee;
      // Hedged at the seize: what the sale plus the hedge return, whatever the price when it arrives.
      const price = px.of.get(`${ev.args.chainId}:${String(ev.args.asset).toLowerCase()}`) ?? 0n;
      done.releases.push([ev.args.messageId, (ev.args.seized * price) / px.basePrice]);
    }
  }
  return done.count ? done : "none";
}

/** The hub's inventory of (`chainId`, `asset`): the credit of the engine's own address (MarginEngineLiq). */
async function inventoryOf(engine: IMarginHub, chainId: bigint, asset: string): Promise<bigint> {
  return engine.collateralOf(await engine.getAddress(), chainId, asset);
}

/**
 * (b): buyers buy every (chain, asset) of the hub's inventory whose discount beats gas, except on `avoid` (the halted
 * chain, with `buyersAvoidHalted`). Returns how many purchases they made.
 */
async function buyInventory(
  s: Setup,
  engine: IMarginHub,
  recipient: string,
  px: { basePrice: bigint; of: Map<string, bigint> },
  gasPrice: bigint,
  avoid: bigint | undefined,
): Promise<number> {
  let bought = 0;
  for (const m of s.markets) {
    if (m.chainId === avoid) continue;
    let q: { amount: bigint; baseCharged: bigint };
    try {
      q = await engine.quoteBuyCollateral(m.chainId, m.asset, s.borrowed);
    } catch {
      continue; // NotForSale: no inventory of this market
    }
    const plan = planBuy(
      {
        chainId: m.chainId,
        asset: m.asset,
        amount: q.amount,
        baseCharged: q.baseCharged,
        price: px.of.get(`${m.chainId}:${m.asset}`)!,
      },
      { basePrice: px.basePrice, gasPrice, nativePrice: nativePrice(s, px), haircutBps: 0n, minProfit: 0n },
    );
    if (!plan.buy) continue;
    await send(engine.buyCollateral(m.chainId, m.asset, q.amount, q.baseCharged, recipient));
    bought++;
  }
  return bought;
}

/** Sends, waits and returns the receipt (throws when it failed). */
async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
  return receipt;
}
