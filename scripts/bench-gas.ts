/**
 * Gas benchmark: gasUsed of every user-facing transaction, first-time and repeated, with 1, 3 and 8 collateral
 * positions where it matters, over the LocalAdapter transport on in-process chains.
 *
 *   npm run bench:gas               measure, print the table, write gas-snapshot.json
 *   npm run bench:gas -- --check    measure, print, fail if a figure grew > 2% against the committed snapshot
 */
import fs from "fs";
import { parseArgs } from "util";
import path from "path";
import hre from "hardhat";
import {
  AbiCoder,
  MaxUint256,
  concat,
  dataSlice,
  keccak256,
  parseUnits,
  toBeHex,
  zeroPadValue,
  type ContractTransactionResponse,
} from "ethers";
import { createWorld, deposit, signer, spoke, World, SpokeSpec, TokenSpec, HUB_CHAIN_ID } from "./lib/world";
import { BRIDGE_KINDS, BridgeKind, BridgePacket, bridgeId, encodeLzPacket } from "./lib/bridges";
import { send } from "../deploy/orchestrator";
import {
  MockERC20__factory,
  NoopCcipReceiver__factory,
  NoopHyperlaneRecipient__factory,
  NoopLzReceiver__factory,
} from "../typechain-types";

const SNAPSHOT = path.join(__dirname, "..", "gas-snapshot.json");
const TOLERANCE = 0.02;

/** Targets from the core issue and the hub v2 issue (gasUsed per transaction). */
const TARGETS: Record<string, number> = {
  "vault.deposit.first": 95_000,
  "vault.deposit.repeat": 75_000,
  "hub.deliverDeposit.first": 100_000,
  "hub.deliverDeposit.newPosition": 90_000,
  "hub.deliverDeposit.repeat": 70_000,
  "hub.borrow.1pos": 84_000,
  "hub.borrow.3pos": 84_000 + 2 * 8_000,
  "hub.borrow.8pos": 84_000 + 7 * 8_000,
  "hub.repay": 78_000,
  "hub.withdrawCollateral.1pos": 92_000,
  "vault.deliverRelease": 95_000,
  "hub.liquidate.1pos": 120_000,
  // Issue 12: the seized credit stays on the hub, in the liquidator's own account.
  "hub.liquidate.toAccount": 100_000,
  // Bridges issue: messenger + adapter cost on the receiving side, beyond the bridge's own delivery cost.
  "bridge.layerzero.overhead.extraConfirm": 35_000,
  "bridge.ccip.overhead.extraConfirm": 35_000,
  "bridge.hyperlane.overhead.extraConfirm": 35_000,
};

/** What each figure measures, printed under the table. */
const NOTES: Record<string, string> = {
  "vault.deposit.first": "first deposit of the asset into the vault (vault's token balance 0 -> n)",
  "vault.deposit.repeat": "same user, same asset again, under a deposit cap",
  "hub.deliverDeposit.first": "relayer delivers a DEPOSIT that opens an account (account slot and position new)",
  "hub.deliverDeposit.newPosition": "DEPOSIT on a second market for an account that exists",
  "hub.deliverDeposit.repeat": "DEPOSIT onto an existing position",
  "hub.borrow.1pos": "1 position, receiver already holds base",
  "hub.borrow.1pos.freshReceiver": "1 position, receiver's base balance 0 -> n (token's cost)",
  "hub.borrow.3pos": "3 positions, 3 distinct feeds",
  "hub.borrow.8pos": "8 positions on 2 chains, 8 distinct feeds",
  "hub.borrow.8pos.sharedFeeds": "8 positions on 2 chains, same 4 assets on each: 4 feeds",
  "hub.withdrawCollateral.1pos": "partial, with debt: health check under borrow factors, RELEASE sent",
  "hub.withdrawCollateral.noDebt": "no debt: no price read, RELEASE sent",
  "vault.deliverRelease": "relayer delivers a RELEASE within the outflow limit, recipient already holds the token",
  "hub.liquidate.1pos":
    "1 position, partial repay (below the target-health cap), protocol fee to reserves, RELEASE sent",
  "hub.liquidate.toAccount":
    "liquidateToAccount, 1 position, partial repay; the liquidator already holds a credit of that asset on the hub",
  "hub.liquidate.toAccount.first":
    "the same, the liquidator's first credit of that asset (its slot and bitmap bit new)",
  "hub.absorb.1pos":
    "absorb([account]) of a 1-position account with a surplus: credit to the inventory (new), debt cleared, surplus and reward to lending balances",
  "hub.buyCollateral": "1000 USDC of the inventory's WETH to a recipient that already holds WETH on the hub",
  "hub.supplyBase.first": "a new lender joins a pool that has liquidity",
  "hub.absorbBadDebt":
    "anyone writes off an account whose listed credit was all seized and which keeps a 1-unit unlisted credit (8 listed markets checked); the pool's first write-off (totalBadDebt 0 -> n)",
  "bridge.<kind>.deposit":
    "vault.deposit (repeat) over a 1-of-1 route on that bridge, harness fee 0 (Hyperlane's MockMailbox also stores the message in its mock remote mailbox: harness cost, not Mailbox's)",
  "bridge.<kind>.deliverDeposit":
    "the bridge's delivery transaction of that DEPOSIT (LayerZero executor lzReceive, CCIP OffRamp routeMessage, Hyperlane process)",
  "bridge.<kind>.endpointOnly":
    "the same delivery of the same bytes to a receiver that does nothing: the bridge's own cost",
  "bridge.<kind>.overhead.final": "deliverDeposit - endpointOnly: adapter + messenger + the engine's credit",
  "bridge.<kind>.overhead.firstConfirm":
    "first confirmation of a k-of-n envelope minus endpointOnly: adapter + messenger + the new confirmation slot",
  "bridge.<kind>.overhead.extraConfirm":
    "a further confirmation that does not complete the envelope, minus endpointOnly: adapter + messenger",
  "kofn.k<k>n<n>.receive": "all confirmation transactions until a DEPOSIT is delivered, k of n adapters, total gas",
};

const token = (symbol: string, decimals: number, price: bigint): TokenSpec => ({
  symbol,
  decimals,
  price: price * 10n ** 8n,
  heartbeat: 3600,
  borrowFactorBps: 7500,
  liquidationThresholdBps: 8000,
  liquidationBonusBps: 500,
});

/** 8 markets with 8 distinct feeds. */
const DISTINCT: SpokeSpec[] = [
  {
    name: "alpha",
    chainId: 31338n,
    tokens: [token("WETH", 18, 3000n), token("WBTC", 8, 60000n), token("LINK", 18, 15n), token("UNI", 18, 8n)],
  },
  {
    name: "beta",
    chainId: 31339n,
    tokens: [token("USDT", 6, 1n), token("ARB", 18, 1n), token("OP", 18, 2n), token("DAI", 18, 1n)],
  },
];

/** 8 markets: the same 4 assets on two chains, 4 feeds. */
const SHARED: SpokeSpec[] = [
  {
    name: "alpha",
    chainId: 31338n,
    tokens: [token("WETH", 18, 3000n), token("WBTC", 8, 60000n), token("LINK", 18, 15n), token("UNI", 18, 8n)],
  },
  {
    name: "beta",
    chainId: 31339n,
    tokens: [token("WETH", 18, 3000n), token("WBTC", 8, 60000n), token("LINK", 18, 15n), token("UNI", 18, 8n)],
  },
];

async function gas(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

/** Delivers everything queued and returns the gas of each delivery, in order. */
async function relay(world: World): Promise<number[]> {
  const results = await world.relayer.flush();
  return results.map((r) => {
    if (!r.receipt) throw new Error(`delivery failed: ${r.error}`);
    return Number(r.receipt.gasUsed);
  });
}

/** Deposits 1000 tokens of each listed (chain, symbol) for `actor`, then relays. */
async function openPositions(world: World, actor: "alice" | "bob" | "carol" | "dave", positions: [string, string][]) {
  for (const [spokeName, symbol] of positions) {
    const t = spoke(world, spokeName).tokens[symbol];
    const decimals = await t.decimals();
    await deposit(world, spokeName, actor, symbol, 1000n * 10n ** decimals);
  }
  await relay(world);
}

async function measure(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const world = await createWorld(hre, { spokes: DISTINCT });
  const hub = world.hub.deployment;
  const hubChain = world.hub.chain;
  const engineAddress = await hub.engine.getAddress();

  // ----- lenders. The very first supply also opens the pool's totals; measure a lender joining a live pool.
  const lender = signer(hubChain, "lender");
  await send(world.hub.base.connect(lender).approve(engineAddress, MaxUint256));
  await send(hub.engine.connect(lender).supplyBase(parseUnits("5000000", 6), lender.address));
  const liquidatorAsLender = signer(hubChain, "liquidator");
  await send(world.hub.base.connect(liquidatorAsLender).approve(engineAddress, MaxUint256));
  out["hub.supplyBase.first"] = await gas(
    hub.engine.connect(liquidatorAsLender).supplyBase(parseUnits("1000", 6), liquidatorAsLender.address),
  );
  out["hub.supplyBase.repeat"] = await gas(
    hub.engine.connect(lender).supplyBase(parseUnits("1000000", 6), lender.address),
  );

  // ----- deposits. Warm the messenger's nonce word and each vault with an unrelated deposit first, so "first"
  // means first for the account or the asset, not first message ever.
  await deposit(world, "alpha", "dave", "LINK", 10n ** 18n);
  await relay(world);
  const alpha = spoke(world, "alpha");
  const alice = signer(alpha.chain, "alice");
  const wethToken = alpha.tokens.WETH;
  const weth = await wethToken.getAddress();
  // Risk limits as in production (deposit cap, outflow limit): the figures include their checks.
  await send(alpha.deployment.vault.setDepositCap(weth, parseUnits("1000000", 18)));
  await send(alpha.deployment.vault.setOutflowLimit(weth, parseUnits("10000", 18), 86400));
  await send(wethToken.connect(alice).approve(await alpha.deployment.vault.getAddress(), MaxUint256));
  out["vault.deposit.first"] = await gas(
    alpha.deployment.vault.connect(alice).deposit(weth, parseUnits("10", 18), alice.address),
  );
  [out["hub.deliverDeposit.first"]] = await relay(world);
  out["vault.deposit.repeat"] = await gas(
    alpha.deployment.vault.connect(alice).deposit(weth, parseUnits("10", 18), alice.address),
  );
  [out["hub.deliverDeposit.repeat"]] = await relay(world);
  await deposit(world, "alpha", "alice", "WBTC", parseUnits("1", 8));
  [out["hub.deliverDeposit.newPosition"]] = await relay(world);

  // ----- borrow with 1, 3, 8 positions (bob: 1, carol: 3, dave: 8)
  await openPositions(world, "bob", [["alpha", "WETH"]]);
  await openPositions(world, "carol", [
    ["alpha", "WETH"],
    ["alpha", "LINK"],
    ["beta", "ARB"],
  ]);
  await openPositions(world, "dave", [
    ["alpha", "WETH"],
    ["alpha", "WBTC"],
    ["alpha", "UNI"],
    ["beta", "USDT"],
    ["beta", "ARB"],
    ["beta", "OP"],
    ["beta", "DAI"],
  ]); // dave holds LINK already: 8 positions
  const bob = signer(hubChain, "bob");
  const carol = signer(hubChain, "carol");
  const dave = signer(hubChain, "dave");
  for (const s of [bob, carol, dave]) await send(world.hub.base.mint(s.address, 1n)); // receivers hold base
  // 1,000 each: above the default minimum debt ($350). The amount does not change the gas.
  out["hub.borrow.1pos.freshReceiver"] = await gas(
    hub.engine.connect(bob).borrow(parseUnits("1000", 6), alice.address),
  );
  out["hub.borrow.1pos"] = await gas(hub.engine.connect(bob).borrow(parseUnits("1000", 6), bob.address));
  out["hub.borrow.3pos"] = await gas(hub.engine.connect(carol).borrow(parseUnits("1000", 6), carol.address));
  out["hub.borrow.8pos"] = await gas(hub.engine.connect(dave).borrow(parseUnits("1000", 6), dave.address));

  // ----- repay
  await send(world.hub.base.connect(bob).approve(engineAddress, MaxUint256));
  out["hub.repay"] = await gas(hub.engine.connect(bob).repay(parseUnits("50", 6), bob.address));

  // ----- withdraw collateral. Alice (no debt) first: it also opens the hub -> alpha nonce word, a one-off
  // 17,100 gas that every 256th envelope of a route pays.
  const fee = await hub.engine.quoteRelease(alpha.chain.chainId);
  const aliceHub = signer(hubChain, "alice");
  out["hub.withdrawCollateral.noDebt"] = await gas(
    hub.engine.connect(aliceHub).withdrawCollateral(alpha.chain.chainId, weth, parseUnits("1", 18), alice.address, {
      value: fee,
    }),
  );
  await relay(world);
  out["hub.withdrawCollateral.1pos"] = await gas(
    hub.engine.connect(bob).withdrawCollateral(alpha.chain.chainId, weth, parseUnits("1", 18), bob.address, {
      value: fee,
    }),
  );
  [out["vault.deliverRelease"]] = await relay(world);

  // ----- liquidate bob (1 position): borrow near the limit, then the price falls
  // bob holds 999 WETH: borrow capacity 999 * 3000 * 0.75 = 2,247,750; at 2,800 the liquidation line is 2,237,760
  // (he owes 2,000 already).
  await send(hub.engine.connect(bob).borrow(parseUnits("2239000", 6), bob.address));
  await send(world.feeds.WETH.updateAnswer(2_800n * 10n ** 8n));
  const liquidator = signer(hubChain, "liquidator");
  await send(world.hub.base.connect(liquidator).approve(engineAddress, MaxUint256));
  out["hub.liquidate.1pos"] = await gas(
    hub.engine
      .connect(liquidator)
      .liquidate(bob.address, alpha.chain.chainId, weth, parseUnits("1000", 6), 0, liquidator.address, { value: fee }),
  );
  await relay(world);

  // ----- lender withdraws
  out["hub.withdrawBase"] = await gas(hub.engine.connect(lender).withdrawBase(parseUnits("1000", 6), lender.address));

  // ----- liquidation kept on the hub (bob is still below 1: a 1000 USDC liquidation barely moves a $2.2M debt).
  // First the liquidator's first WETH credit, then a professional liquidator's usual case: it holds one already.
  out["hub.liquidate.toAccount.first"] = await gas(
    hub.engine.connect(liquidator).liquidateToAccount(bob.address, alpha.chain.chainId, weth, parseUnits("1000", 6), 0),
  );
  out["hub.liquidate.toAccount"] = await gas(
    hub.engine.connect(liquidator).liquidateToAccount(bob.address, alpha.chain.chainId, weth, parseUnits("1000", 6), 0),
  );

  // ----- absorb bob (1 position, surplus), then anyone buys some of the inventory
  out["hub.absorb.1pos"] = await gas(hub.engine.connect(carol).absorb([bob.address]));
  if ((await hub.engine.debtOf(bob.address)) !== 0n) throw new Error("absorb left the debt");
  out["hub.buyCollateral"] = await gas(
    hub.engine
      .connect(liquidator)
      .buyCollateral(alpha.chain.chainId, weth, 0, parseUnits("1000", 6), liquidator.address),
  );

  // ----- permissionless write-off. The treasury account holds 100 UNI (deposited for it by dave) and, from a
  // griefer, one unit of a token the beta vault accepts but the hub has not listed. It borrows, UNI crashes, a
  // liquidation seizes all its UNI and the unlisted unit keeps the rest of the debt on the books: anyone (carol)
  // absorbs it. The account has no listed position left, so absorbBadDebt checks every listed market (8).
  const beta = spoke(world, "beta");
  const treasury = signer(hubChain, "treasury");
  const betaDave = signer(beta.chain, "dave");
  const dust = await new MockERC20__factory(signer(beta.chain, "deployer")).deploy("Dust", "DUST", 18);
  const dustAddress = await dust.getAddress();
  await send(beta.deployment.vault.setAssetAllowed(dustAddress, true));
  await send(dust.mint(betaDave.address, 1n));
  await send(dust.connect(betaDave).approve(await beta.deployment.vault.getAddress(), 1n));
  const dustFee = await beta.deployment.vault.quoteDeposit(dustAddress, 1n, treasury.address);
  await send(beta.deployment.vault.connect(betaDave).deposit(dustAddress, 1n, treasury.address, { value: dustFee }));
  await deposit(world, "alpha", "dave", "UNI", parseUnits("100", 18), treasury.address);
  await relay(world);
  await send(hub.engine.connect(treasury).borrow(parseUnits("500", 6), treasury.address));
  await send(world.feeds.UNI.updateAnswer(10n ** 8n)); // $8 -> $1: 100 UNI cover less than the debt
  const uni = await alpha.tokens.UNI.getAddress();
  await send(
    hub.engine
      .connect(liquidator)
      .liquidate(treasury.address, alpha.chain.chainId, uni, MaxUint256, 0, liquidator.address, { value: fee }),
  );
  await relay(world);
  out["hub.absorbBadDebt"] = await gas(hub.engine.connect(carol).absorbBadDebt(treasury.address));
  if ((await hub.engine.debtOf(treasury.address)) !== 0n) throw new Error("absorbBadDebt left the debt");

  // ----- 8 positions over shared feeds
  const shared = await createWorld(hre, { spokes: SHARED });
  await send(
    shared.hub.base
      .connect(signer(shared.hub.chain, "lender"))
      .approve(await shared.hub.deployment.engine.getAddress(), MaxUint256),
  );
  await send(
    shared.hub.deployment.engine
      .connect(signer(shared.hub.chain, "lender"))
      .supplyBase(parseUnits("1000000", 6), signer(shared.hub.chain, "lender").address),
  );
  const all: [string, string][] = [];
  for (const s of ["alpha", "beta"]) for (const sym of ["WETH", "WBTC", "LINK", "UNI"]) all.push([s, sym]);
  await openPositions(shared, "dave", all);
  const daveShared = signer(shared.hub.chain, "dave");
  await send(shared.hub.base.mint(daveShared.address, 1n));
  out["hub.borrow.8pos.sharedFeeds"] = await gas(
    shared.hub.deployment.engine.connect(daveShared).borrow(parseUnits("1000", 6), daveShared.address),
  );
  return out;
}

// ================================================================================================ bridges

let seq = 0;
/** Deterministic stand-ins for bridge ids (random bytes would make calldata costs vary between runs). */
const fresh = (bytes = 32) => dataSlice(keccak256(toBeHex(++seq, 32)), 0, bytes);

/** Gas of delivering `packet`'s bytes over the same bridge to a receiver that does nothing. */
async function endpointOnly(w: World, packet: BridgePacket): Promise<number> {
  const hub = w.bridges!.chains.find((c) => c.chain.chainId === HUB_CHAIN_ID)!;
  const deployer = signer(w.hub.chain, "deployer");
  const stack = hub.stacks[packet.kind]!;
  if (stack.kind === "layerzero") {
    const noop = await new NoopLzReceiver__factory(deployer).deploy();
    const srcEid = bridgeId("layerzero", packet.srcChainId);
    const sender = fresh();
    const message = dataSlice(packet.raw, 81 + 32);
    let used = 0;
    // Nonce 1 opens the path (new storage); measure nonce 2, as the adapter's delivery was a repeat too.
    for (const nonce of [1n, 2n]) {
      const guid = fresh();
      const raw = encodeLzPacket({
        nonce,
        srcEid,
        sender,
        dstEid: bridgeId("layerzero", HUB_CHAIN_ID),
        receiver: await noop.getAddress(),
        guid,
        message,
      });
      await send(stack.lib.verify(raw));
      used = await gas(
        stack.endpoint.lzReceive({ srcEid, sender, nonce }, await noop.getAddress(), guid, message, "0x"),
      );
    }
    return used;
  }
  if (stack.kind === "ccip") {
    const noop = await new NoopCcipReceiver__factory(deployer).deploy(await stack.router.getAddress());
    return gas(
      stack.router.routeMessage(
        {
          messageId: fresh(),
          sourceChainSelector: bridgeId("ccip", packet.srcChainId),
          sender: AbiCoder.defaultAbiCoder().encode(["address"], [packet.srcAdapter]),
          data: packet.raw,
          destTokenAmounts: [],
        },
        5_000,
        packet.gasLimit,
        await noop.getAddress(),
      ),
    );
  }
  const noop = await new NoopHyperlaneRecipient__factory(deployer).deploy();
  // Same message with another nonce (a new id) and the no-op recipient.
  const raw = concat([
    dataSlice(packet.raw, 0, 1),
    fresh(4),
    dataSlice(packet.raw, 5, 45),
    zeroPadValue(await noop.getAddress(), 32),
    dataSlice(packet.raw, 77),
  ]);
  return gas(stack.mailbox.process("0x", raw));
}

async function measureBridges(out: Record<string, number>): Promise<void> {
  const amount = parseUnits("1", 18);
  for (const kind of BRIDGE_KINDS) {
    const w = await createWorld(hre, { routes: { bridges: [kind], local: false, k: 1 } });
    const relayer = w.bridges!.relayer;
    await deposit(w, "alpha", "alice", "WETH", amount); // first deposit: warms the vault, the route, the account
    await relayer.flush();
    const alpha = spoke(w, "alpha");
    const alice = signer(alpha.chain, "alice");
    const weth = await alpha.tokens.WETH.getAddress();
    const fee = await alpha.deployment.vault.quoteDeposit(weth, amount, alice.address);
    out[`bridge.${kind}.deposit`] = await gas(
      alpha.deployment.vault.connect(alice).deposit(weth, amount, alice.address, { value: fee }),
    );
    const [delivery] = await relayer.flush();
    if (!delivery?.receipt) throw new Error(`${kind} delivery failed: ${delivery?.error}`);
    out[`bridge.${kind}.deliverDeposit`] = Number(delivery.receipt.gasUsed);
    out[`bridge.${kind}.endpointOnly`] = await endpointOnly(w, delivery.packet);
    out[`bridge.${kind}.overhead.final`] = out[`bridge.${kind}.deliverDeposit`] - out[`bridge.${kind}.endpointOnly`];
  }

  // k of n over LayerZero, CCIP, Hyperlane and Local (n = 4), and k = 2 of n = 2.
  const w = await createWorld(hre, { routes: { bridges: [...BRIDGE_KINDS], local: true, k: 1 } });
  const relayer = w.bridges!.relayer;
  const hubMessenger = w.hub.deployment.messenger;
  const alpha = spoke(w, "alpha");
  const adapters = [...(await hubMessenger.routeAdapters(alpha.chain.chainId))];
  const alphaMessenger = await alpha.deployment.messenger.getAddress();
  await deposit(w, "alpha", "alice", "WETH", amount);
  await relayer.flush();
  await w.relayer.flush();
  const baselines: Partial<Record<BridgeKind, number>> = {};
  const baseline = async (p: BridgePacket) => (baselines[p.kind] ??= await endpointOnly(w, p));

  /** Sends a DEPOSIT and returns its packets per bridge (Local's is dropped). */
  const sendDeposit = async () => {
    await deposit(w, "alpha", "alice", "WETH", amount);
    await w.relayer.poll();
    w.relayer.take();
    const packets = await relayer.poll();
    relayer.take();
    return (kind: BridgeKind) => packets.find((p) => p.kind === kind)!;
  };
  const confirm = async (p: BridgePacket) => {
    const d = await relayer.deliver(p);
    if (!d.receipt) throw new Error(`${p.kind} confirmation failed: ${d.error}`);
    return Number(d.receipt.gasUsed);
  };

  // Receiving cost until delivery, for k = 1, 2, 3 of n = 4 and k = 2 of n = 2.
  const order: BridgeKind[] = ["layerzero", "ccip", "hyperlane"];
  const cases: [number, string[]][] = [
    [1, adapters],
    [2, adapters],
    [3, adapters],
    [2, adapters.slice(0, 2)],
  ];
  for (const [k, routeAdapters] of cases) {
    await send(hubMessenger.setRoute(alpha.chain.chainId, alphaMessenger, routeAdapters, k));
    const packetOf = await sendDeposit();
    let total = 0;
    for (const kind of order.slice(0, k)) total += await confirm(packetOf(kind));
    out[`kofn.k${k}n${routeAdapters.length}.receive`] = total;
  }

  // Per-confirmation overhead of each adapter, as the first confirmation of an envelope (it creates the
  // confirmation slot) and as an extra one: k = 4 of n = 4, three rounds in rotated order, none completes.
  await send(hubMessenger.setRoute(alpha.chain.chainId, alphaMessenger, adapters, 4));
  for (let round = 0; round < 3; round++) {
    const rotated = [...order.slice(round), ...order.slice(0, round)];
    const packetOf = await sendDeposit();
    for (const [i, kind] of rotated.entries()) {
      const used = (await confirm(packetOf(kind))) - (await baseline(packetOf(kind)));
      if (i === 0) out[`bridge.${kind}.overhead.firstConfirm`] = used;
      if (i === 1) out[`bridge.${kind}.overhead.extraConfirm`] = used;
    }
  }
}

/** The NOTES entry of a figure: bridge and k-of-n figures share one note per pattern. */
function noteKey(key: string): string {
  return key
    .replace(/^bridge\.(layerzero|ccip|hyperlane)\./, "bridge.<kind>.")
    .replace(/^kofn\.k\d+n\d+\./, "kofn.k<k>n<n>.");
}

function table(current: Record<string, number>, previous: Record<string, number> | undefined): string {
  const rows = Object.keys(current).sort();
  const w = Math.max(...rows.map((r) => r.length));
  const lines = [
    `${"operation".padEnd(w)}  ${"gasUsed".padStart(9)}  ${"target".padStart(9)}  ${"vs snapshot".padStart(11)}`,
  ];
  for (const key of rows) {
    const target = TARGETS[key];
    const mark = target === undefined ? "" : current[key] <= target ? " ok" : " MISSED";
    const prev = previous?.[key];
    const delta = prev === undefined ? "new" : `${(((current[key] - prev) / prev) * 100).toFixed(2)}%`;
    lines.push(
      `${key.padEnd(w)}  ${current[key].toLocaleString("en-US").padStart(9)}  ${(target?.toLocaleString("en-US") ?? "-").padStart(9)}  ${delta.padStart(11)}${mark}`,
    );
  }
  const notes = [...new Set(rows.map(noteKey).filter((k) => NOTES[k]))];
  lines.push("", ...notes.map((k) => `  ${k}: ${NOTES[k]}`));
  return lines.join("\n");
}

const HELP = `usage: npm run bench:gas [-- --check | --markdown]

Measures gasUsed of every user-facing xmargin transaction on in-process chains, prints it against the targets
of the core issue and writes gas-snapshot.json.
  --check      write nothing; fail if a figure grew more than 2% against the committed snapshot
  --markdown   also print the table as Markdown (for docs/gas.md)
  -h, --help   this help`;

function markdown(current: Record<string, number>): string {
  const rows = Object.keys(current)
    .sort()
    .map((k) => `| \`${k}\` | ${current[k].toLocaleString("en-US")} | ${TARGETS[k]?.toLocaleString("en-US") ?? "–"} |`);
  return ["| operation | gasUsed | target |", "| --- | ---: | ---: |", ...rows].join("\n");
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: "boolean", short: "h", default: false },
      check: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const check = values.check;
  const previous = fs.existsSync(SNAPSHOT)
    ? (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>)
    : undefined;
  console.log("measuring gas on in-process chains (hub 31337, alpha 31338, beta 31339)...");
  const current = await measure();
  console.log("measuring the bridges (LayerZero, CCIP, Hyperlane harnesses)...");
  await measureBridges(current);
  console.log(table(current, previous));
  if (values.markdown) console.log("\n" + markdown(current));

  if (check) {
    if (!previous) throw new Error("no gas-snapshot.json to check against: run npm run bench:gas first");
    const worse = Object.keys(previous).filter(
      (k) => current[k] === undefined || current[k] > previous[k] * (1 + TOLERANCE),
    );
    if (worse.length) {
      console.error(`\ngas grew by more than ${TOLERANCE * 100}% (or disappeared): ${worse.join(", ")}`);
      process.exitCode = 1;
      return;
    }
    console.log(`\ncheck passed: no figure grew by more than ${TOLERANCE * 100}%`);
    return;
  }
  const sorted = Object.fromEntries(
    Object.keys(current)
      .sort()
      .map((k) => [k, current[k]]),
  );
  fs.writeFileSync(SNAPSHOT, JSON.stringify(sorted, null, 2) + "\n");
  console.log(`\nwrote ${path.relative(process.cwd(), SNAPSHOT)}`);
}

main().catch((e) => {
  const argError = e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS");
  console.error(argError ? `${e.message}\n\n${HELP}` : e);
  process.exitCode = 1;
});
