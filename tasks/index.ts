/**
 * Hardhat tasks for people: `npx hardhat xm:<task> --network <net> ...` (every network of the config, and the
 * devnet as devnetHub / devnetAlpha / devnetBeta). Thin: every step is an SDK call (sdk/); the tasks parse
 * options and print. `npx hardhat help xm:deposit` lists a task's options.
 */
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { AdapterKind } from "../deploy/types";
import { common, loadSdk, printOutcomes, recordFile, run, withXm, type CommonArgs } from "./lib";

type Args<T> = CommonArgs & T;

common(
  task("xm:deposit", "Deposit collateral into a source chain's vault (approves if needed, pays the messaging fee)")
    .addParam("chain", "source chain (record network name or chain id)")
    .addParam("token", "token symbol or address")
    .addParam("amount", "amount in token units (1.5)")
    .addOptionalParam("onBehalf", "credit this account on the hub (default: the signer)"),
).setAction(async (args: Args<{ chain: string; token: string; amount: string; onBehalf?: string }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.deposit(xm, {
      chain: args.chain,
      token: args.token,
      amount: args.amount,
      account: args.onBehalf,
    });
    console.log(
      `deposited ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol} on ${r.chain} for ${r.account}` +
        ` (fee ${sdk.formatAmount(r.fee, 18)}${r.approved ? ", approved first" : ""})`,
    );
    console.log(`  tx ${r.hash}\n  message ${r.messageId} (npx hardhat xm:message ${r.messageId})`);
    return r;
  }),
);

common(
  task("xm:withdraw", "Withdraw collateral: the hub debits it and sends a RELEASE to the source chain")
    .addParam("chain", "source chain holding the collateral")
    .addParam("token", "token symbol or address")
    .addParam("amount", "amount in token units")
    .addOptionalParam("recipient", "who receives the tokens on the source chain (default: the signer)"),
).setAction(async (args: Args<{ chain: string; token: string; amount: string; recipient?: string }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.withdrawCollateral(xm, args);
    console.log(
      `withdrawing ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol} to ${r.recipient} on ${args.chain}` +
        ` (fee ${sdk.formatAmount(r.fee, 18)})\n  tx ${r.hash}\n  message ${r.messageId}`,
    );
    return r;
  }),
);

common(
  task("xm:borrow", "Borrow the base asset against collateral on every chain")
    .addParam("amount", "amount in base token units")
    .addOptionalParam("to", "receiver (default: the signer)"),
).setAction(async (args: Args<{ amount: string; to?: string }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.borrow(xm, args);
    console.log(`borrowed ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol}\n  tx ${r.hash}`);
    return r;
  }),
);

common(
  task("xm:repay", "Repay debt; --all repays all of it, interest up to the block included")
    .addOptionalParam("amount", "amount in base token units")
    .addFlag("all", "repay the whole debt")
    .addOptionalParam("onBehalf", "whose debt (default: the signer)"),
).setAction(async (args: Args<{ amount?: string; all: boolean; onBehalf?: string }>, hre) => {
  if (args.all === (args.amount !== undefined)) {
    throw new HardhatPluginError("xmargin", "xm:repay: give either --amount or --all");
  }
  return withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.repay(xm, { amount: args.all ? "all" : args.amount!, onBehalf: args.onBehalf });
    const left = await xm.hub.engine.debtOf(args.onBehalf ?? (await xm.address()));
    console.log(
      `repaid ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol}; debt now ` +
        `${sdk.formatAmount(left, r.token.decimals)}\n  tx ${r.hash}`,
    );
    return r;
  });
});

common(
  task("xm:supply", "Lend the base asset to the pool")
    .addParam("amount", "amount in base token units")
    .addOptionalParam("onBehalf", "credit this lender (default: the signer)"),
).setAction(async (args: Args<{ amount: string; onBehalf?: string }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.supply(xm, args);
    console.log(`supplied ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol}\n  tx ${r.hash}`);
    return r;
  }),
);

common(
  task("xm:withdraw-supply", "Withdraw lent base asset; --all withdraws the whole balance")
    .addOptionalParam("amount", "amount in base token units")
    .addFlag("all", "withdraw everything")
    .addOptionalParam("to", "receiver (default: the signer)"),
).setAction(async (args: Args<{ amount?: string; all: boolean; to?: string }>, hre) => {
  if (args.all === (args.amount !== undefined)) {
    throw new HardhatPluginError("xmargin", "xm:withdraw-supply: give either --amount or --all");
  }
  return withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.withdrawSupply(xm, { amount: args.all ? "all" : args.amount!, to: args.to });
    console.log(`withdrew ${sdk.formatAmount(r.amount, r.token.decimals)} ${r.token.symbol} of supply\n  tx ${r.hash}`);
    return r;
  });
});

common(
  task(
    "xm:absorb",
    "Take over unhealthy accounts for the protocol (no base needed; the reward goes to your supply)",
  ).addVariadicPositionalParam("accounts", "accounts to absorb (those not liquidatable are skipped)"),
).setAction(async (args: Args<{ accounts: string[] }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const r = await sdk.absorb(xm, { accounts: args.accounts });
    const b = xm.hub.base;
    for (const a of r.absorbed) {
      const f = (raw: bigint) => sdk.formatAmount(raw, b.decimals);
      console.log(
        `absorbed ${a.account}: debt ${f(a.debt)}, collateral worth ${f(a.collateralValue)}, ` +
          `surplus ${f(a.surplus)}, bad debt ${f(a.badDebt)} ${b.symbol}`,
      );
    }
    console.log(`reward ${sdk.formatAmount(r.reward, b.decimals)} ${b.symbol} (lending balance)\n  tx ${r.hash}`);
    return r;
  }),
);

common(
  task("xm:buy-collateral", "Buy the hub's absorbed collateral at its discount, credited to a hub account")
    .addParam("chain", "source chain of the collateral")
    .addParam("token", "collateral symbol or address")
    .addParam("baseAmount", "most base to pay, in base token units")
    .addOptionalParam("minAmount", "least collateral to accept, token units (default: the quote less 0.5%)")
    .addOptionalParam("recipient", "hub account credited (default: the signer)")
    .addFlag("quote", "only print the quote"),
).setAction(
  async (
    args: Args<{
      chain: string;
      token: string;
      baseAmount: string;
      minAmount?: string;
      recipient?: string;
      quote: boolean;
    }>,
    hre,
  ) =>
    withXm(hre, args, async (xm, sdk) => {
      const b = xm.hub.base;
      const q = args.quote
        ? await sdk.quoteBuyCollateral(xm, args)
        : await sdk.buyCollateral(xm, { ...args, minAmount: args.minAmount });
      console.log(
        `${args.quote ? "would buy" : "bought"} ${sdk.formatAmount(q.amount, q.token.decimals)} ${q.token.symbol} ` +
          `of ${q.source} for ${sdk.formatAmount(q.baseCharged, b.decimals)} ${b.symbol}` +
          ("hash" in q ? `\n  tx ${q.hash}` : ""),
      );
      return q;
    }),
);

common(
  task(
    "xm:position",
    "An account's credits on every chain, lending balance, debt, health, borrowing power, pending messages",
  )
    .addOptionalParam("address", "account (default: the signer)")
    .addFlag("json", "print JSON"),
).setAction(async (args: Args<{ address?: string; json: boolean }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const p = await sdk.getPosition(xm, args.address);
    if (args.json) {
      console.log(JSON.stringify(p, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
      return p;
    }
    const b = p.base;
    const f = (raw: bigint, decimals: number) => sdk.formatAmount(raw, decimals);
    console.log(`account ${p.account} at hub block ${p.blockNumber}`);
    console.log("credits:");
    for (const c of p.credits) {
      if (c.amount === 0n && c.quarantined === 0n) continue;
      const q = c.quarantined > 0n ? `, quarantined ${f(c.quarantined, c.token.decimals)}` : "";
      const v = c.value === undefined ? "price unavailable" : sdk.formatUsd(c.value);
      console.log(
        `  ${c.chain.padEnd(10)} ${f(c.amount, c.token.decimals)} ${c.token.symbol} (${v}, borrow factor ` +
          `${c.borrowFactorBps / 100}%${c.counted ? "" : ", not counted"}${q})`,
      );
    }
    if (!p.credits.some((c) => c.amount > 0n || c.quarantined > 0n)) console.log("  none");
    console.log(`supplied        ${f(p.supplied, b.decimals)} ${b.symbol}`);
    console.log(`debt            ${f(p.debt, b.decimals)} ${b.symbol}`);
    console.log(`health          ${p.priceError ? "unknown (a price is unavailable)" : sdk.formatWad(p.health)}`);
    console.log(`borrow health   ${p.priceError ? "unknown" : sdk.formatWad(p.borrowHealth)}`);
    console.log(
      `borrowing power ${f(p.borrowingPower, b.decimals)} ${b.symbol}${p.liquidatable ? "  LIQUIDATABLE" : ""}`,
    );
    console.log(`pending messages: ${p.pending.length === 0 ? "none" : ""}`);
    for (const m of p.pending) {
      console.log(
        `  ${m.kind} ${f(m.amount, m.token.decimals)} ${m.token.symbol} ${m.from} -> ${m.to}: ${m.state} (${m.id})`,
      );
    }
    return p;
  }),
);

common(
  task("xm:message", "An envelope's status on its source and destination chains").addPositionalParam(
    "ref",
    "envelope id or the hash of the transaction that sent it",
  ),
).setAction(async (args: Args<{ ref: string }>, hre) =>
  withXm(hre, args, async (xm, sdk) => {
    const tracks = await sdk.trackMessage(xm, args.ref);
    for (const t of tracks) {
      console.log(`envelope ${t.id}: ${t.status.toUpperCase()}`);
      console.log(
        `  sent     ${t.source.chain} block ${t.source.blockNumber} tx ${t.source.tx} nonce ${t.source.nonce}`,
      );
      if (t.message) {
        const token = t.message.token;
        const amount = token
          ? `${sdk.formatAmount(t.message.amount, token.decimals)} ${token.symbol}`
          : `${t.message.amount} of ${t.message.asset}`;
        console.log(
          `  payload  ${t.message.kind} ${amount} ${t.message.kind === "DEPOSIT" ? "for" : "to"} ${t.message.who}`,
        );
      }
      console.log(`  to       ${t.destination.chain}: ${t.confirmations} of ${t.required} confirmations`);
      for (const a of t.adapters) {
        const sent = a.took ? "took it" : a.sendError ? `refused it (${a.sendError})` : "-";
        console.log(
          `    ${(a.kind ?? a.address).padEnd(10)} source: ${sent}; destination: ${a.confirmed ? "confirmed" : "not yet"}`,
        );
      }
      if (t.deliveredTx) console.log(`  delivered in ${t.deliveredTx}`);
      if (t.failure) console.log(`  failed in ${t.failure.tx}: ${t.failure.reason}`);
      if (t.retryableAt !== undefined)
        console.log(`  stored for retry since ${new Date(Number(t.retryableAt) * 1000).toISOString()}`);
    }
    return tracks;
  }),
);

common(
  task("xm:price", "Devnet only: set a mock price feed (USD)")
    .addParam("chain", "chain of the asset (the hub for the base asset)")
    .addParam("token", "token symbol or address")
    .addParam("price", "price in USD (2500.5)"),
).setAction(async (args: Args<{ chain: string; token: string; price: string }>, hre) => {
  const sdk = await loadSdk();
  // Refuse before connecting: a public network is never touched.
  await run(sdk, async () => sdk.assertDevnet(sdk.readDeployment(recordFile(hre, args))));
  return withXm(hre, args, async (xm) => {
    const r = await sdk.setMockPrice(xm, args);
    console.log(`${args.token} on ${args.chain}: feed ${r.feed} now answers ${args.price} USD\n  tx ${r.hash}`);
    return r;
  });
});

common(
  task("xm:market", "Owner: list a collateral market, or configure a listed one")
    .addParam("chain", "source chain")
    .addParam("token", "token symbol or address")
    .addParam("borrowFactor", "borrow factor in bps", undefined, types.int)
    .addParam("threshold", "liquidation threshold in bps", undefined, types.int)
    .addParam("bonus", "liquidation bonus in bps", undefined, types.int)
    .addFlag("frozen", "freeze the market (no new borrowing power)")
    .addOptionalParam("salt", "timelock salt (default: derived from the call and the block time)"),
).setAction(
  async (
    args: Args<{
      chain: string;
      token: string;
      borrowFactor: number;
      threshold: number;
      bonus: number;
      frozen: boolean;
      salt?: string;
    }>,
    hre,
  ) =>
    withXm(hre, args, async (xm, sdk) => {
      const calls = await sdk.planMarket(xm, {
        chain: args.chain,
        token: args.token,
        borrowFactorBps: args.borrowFactor,
        liquidationThresholdBps: args.threshold,
        liquidationBonusBps: args.bonus,
        frozen: args.frozen,
      });
      const out = await sdk.executeAll(xm, calls, { salt: args.salt });
      printOutcomes(out);
      return out;
    }),
);

common(
  task("xm:route", "Owner: set the route between the hub and a source chain (both sides by default)")
    .addParam("chain", "source chain")
    .addParam("adapters", "adapter kinds, comma-separated (local,layerzero,ccip,hyperlane)")
    .addParam("k", "confirmations required", undefined, types.int)
    .addOptionalParam("side", "both, hub or spoke", "both")
    .addOptionalParam("salt", "timelock salt"),
).setAction(async (args: Args<{ chain: string; adapters: string; k: number; side: string; salt?: string }>, hre) => {
  const kinds = args.adapters.split(",").map((s) => s.trim()) as AdapterKind[];
  const known = ["local", "layerzero", "ccip", "hyperlane"];
  const bad = kinds.filter((k) => !known.includes(k));
  if (bad.length)
    throw new HardhatPluginError("xmargin", `--adapters: unknown kind ${bad.join(", ")} (${known.join(", ")})`);
  if (!["both", "hub", "spoke"].includes(args.side))
    throw new HardhatPluginError("xmargin", `--side ${args.side}: both, hub or spoke`);
  return withXm(hre, args, async (xm, sdk) => {
    const calls = await sdk.planRoute(xm, {
      chain: args.chain,
      adapters: kinds,
      k: args.k,
      side: args.side as "both" | "hub" | "spoke",
    });
    const out = await sdk.executeAll(xm, calls, { salt: args.salt });
    printOutcomes(out);
    return out;
  });
});

common(
  task("xm:cap", "Owner: set the hub's credit cap and/or the vault's deposit cap (token units, 0 = none)")
    .addParam("chain", "source chain")
    .addParam("token", "token symbol or address")
    .addOptionalParam("credit", "credit cap on the hub")
    .addOptionalParam("deposit", "deposit cap of the vault")
    .addOptionalParam("salt", "timelock salt"),
).setAction(
  async (args: Args<{ chain: string; token: string; credit?: string; deposit?: string; salt?: string }>, hre) =>
    withXm(hre, args, async (xm, sdk) => {
      const calls = await sdk.planCap(xm, args);
      const out = await sdk.executeAll(xm, calls, { salt: args.salt });
      printOutcomes(out);
      return out;
    }),
);

for (const pause of [true, false]) {
  common(
    task(
      pause ? "xm:pause" : "xm:unpause",
      pause
        ? "Guardian or owner: pause borrowing, a token's deposits or a route"
        : "Owner: resume borrowing, deposits or a route",
    )
      .addPositionalParam("what", "borrow, deposits or route")
      .addOptionalParam("chain", "source chain (deposits, route)")
      .addOptionalParam("token", "token (deposits)")
      .addOptionalParam("salt", "timelock salt"),
  ).setAction(async (args: Args<{ what: string; chain?: string; token?: string; salt?: string }>, hre) => {
    if (!["borrow", "deposits", "route"].includes(args.what)) {
      throw new HardhatPluginError("xmargin", `${args.what}: pause borrow, deposits or route`);
    }
    return withXm(hre, args, async (xm, sdk) => {
      const calls = await sdk.planPause(xm, {
        what: args.what as "borrow" | "deposits" | "route",
        pause,
        chain: args.chain,
        token: args.token,
      });
      const out = await sdk.executeAll(xm, calls, { salt: args.salt });
      printOutcomes(out);
      return out;
    });
  });
}
