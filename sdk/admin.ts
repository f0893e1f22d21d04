/**
 * Owner operations: list or configure a market, set a route, credit and deposit caps, pause and resume. Each is
 * planned as calls on one chain's contract; {@link execute} sends a call when the signer may (the owner, or the
 * guardian for a pause), and when the owner is a TimelockController it returns what to schedule and execute
 * through it instead (target, value, data, predecessor, salt, delay and the timelock calldata of both steps).
 */
import { Contract, ZeroHash, getAddress, keccak256, solidityPacked, type Interface } from "ethers";
import type { AdapterKind } from "../deploy/types";
import { parseAmount } from "./amounts";
import { priceFeedAt, timelockAt, tokenAt } from "./contracts";
import { XMarginError, explain } from "./errors";
import type { Amount } from "./actions";
import type { ChainClient, DeploymentRecord, XMargin } from "./connect";

/** One owner (or guardian) call on one chain. */
export interface OwnerCall {
  chain: ChainClient;
  /** Record role of the target (`engine`, `messenger`, `vault`). */
  contract: string;
  target: string;
  method: string;
  args: unknown[];
  data: string;
  /** The guardian may make this call too (pauses). */
  guardianMayCall: boolean;
  description: string;
}

export type AdminOutcome =
  | { kind: "sent"; chain: string; description: string; hash: string }
  | {
      kind: "timelock";
      chain: string;
      description: string;
      timelock: string;
      target: string;
      value: bigint;
      data: string;
      predecessor: string;
      salt: string;
      delay: bigint;
      /** TimelockController operation id (`hashOperation`). */
      operationId: string;
      /** Calldata of `schedule(target, value, data, predecessor, salt, delay)` and of `execute(...)`, to the timelock. */
      schedule: string;
      execute: string;
    };

const ROLES = new Contract(ZeroHash.slice(0, 42), [
  "function owner() view returns (address)",
  "function guardian() view returns (address)",
]);

function call(
  chain: ChainClient,
  contract: string,
  target: string,
  iface: Interface,
  method: string,
  args: unknown[],
  description: string,
  guardianMayCall = false,
): OwnerCall {
  return {
    chain,
    contract,
    target,
    method,
    args,
    data: iface.encodeFunctionData(method, args),
    guardianMayCall,
    description,
  };
}

/** Sends `c` if the signer may, else returns the timelock operation when the owner is a timelock. */
export async function execute(xm: XMargin, c: OwnerCall, options: { salt?: string } = {}): Promise<AdminOutcome> {
  const provider = c.chain.provider;
  const roles = ROLES.attach(c.target).connect(provider) as Contract;
  const owner = getAddress(String(await roles.getFunction("owner").staticCall()));
  const guardian = c.guardianMayCall ? getAddress(String(await roles.getFunction("guardian").staticCall())) : undefined;
  const me = c.chain.signer ? getAddress(await c.chain.signer.getAddress()) : undefined;
  if (me !== undefined && (me === owner || me === guardian)) {
    return explain(`${c.description} on ${c.chain.name}`, async () => {
      const tx = await c.chain.signer!.sendTransaction({ to: c.target, data: c.data });
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) throw new XMarginError(`transaction ${tx.hash} failed`);
      return { kind: "sent" as const, chain: c.chain.name, description: c.description, hash: tx.hash };
    });
  }
  const timelock = timelockAt(owner, provider);
  let delay: bigint;
  try {
    delay = await timelock.getMinDelay();
  } catch {
    throw new XMarginError(
      `${c.description} on ${c.chain.name}: the signer ${me ?? "(none)"} is not the owner ${owner}` +
        (guardian ? ` nor the guardian ${guardian}` : "") +
        ", and the owner is not a timelock",
    );
  }
  const block = await provider.getBlock("latest");
  const salt = options.salt ?? keccak256(solidityPacked(["bytes", "uint256"], [c.data, BigInt(block?.timestamp ?? 0)]));
  const predecessor = ZeroHash;
  const iface = timelock.interface;
  return {
    kind: "timelock",
    chain: c.chain.name,
    description: c.description,
    timelock: owner,
    target: c.target,
    value: 0n,
    data: c.data,
    predecessor,
    salt,
    delay,
    operationId: await timelock.hashOperation(c.target, 0n, c.data, predecessor, salt),
    schedule: iface.encodeFunctionData("schedule", [c.target, 0n, c.data, predecessor, salt, delay]),
    execute: iface.encodeFunctionData("execute", [c.target, 0n, c.data, predecessor, salt]),
  };
}

/** Executes every call in order (see {@link execute}). */
export async function executeAll(xm: XMargin, calls: OwnerCall[], options: { salt?: string } = {}) {
  const out: AdminOutcome[] = [];
  for (const c of calls) out.push(await execute(xm, c, options));
  return out;
}

function bps(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new XMarginError(`${what} ${value} is not a number of basis points (0..10000)`);
  }
  return value;
}

/** Lists (`chain`, `token`) with these factors, or configures it when already listed. */
export async function planMarket(
  xm: XMargin,
  p: {
    chain: string;
    token: string;
    borrowFactorBps: number;
    liquidationThresholdBps: number;
    liquidationBonusBps: number;
    frozen?: boolean;
  },
): Promise<OwnerCall[]> {
  const spoke = xm.spoke(p.chain);
  const token = xm.token(spoke, p.token);
  const { engine } = xm.hub;
  const factors = [
    bps(p.borrowFactorBps, "borrow factor"),
    bps(p.liquidationThresholdBps, "liquidation threshold"),
    bps(p.liquidationBonusBps, "liquidation bonus"),
  ];
  const listed = (await engine.marketState(spoke.chainId, token.address)).idPlusOne !== 0n;
  const target = await engine.getAddress();
  const label = `${token.symbol} on ${spoke.name}`;
  if (!listed) {
    if (p.frozen) throw new XMarginError(`${label} is not listed: list it first, then freeze it`);
    return [
      call(
        xm.hub,
        "engine",
        target,
        engine.interface,
        "listMarket",
        [spoke.chainId, token.address, ...factors],
        `list ${label}`,
      ),
    ];
  }
  return [
    call(
      xm.hub,
      "engine",
      target,
      engine.interface,
      "configureMarket",
      [spoke.chainId, token.address, ...factors, Boolean(p.frozen)],
      `configure ${label}`,
    ),
  ];
}

/** Sets the route between the hub and `chain` on both sides (or one): adapters by kind from the record, and k. */
export async function planRoute(
  xm: XMargin,
  p: { chain: string; adapters: AdapterKind[]; k: number; side?: "both" | "hub" | "spoke" },
): Promise<OwnerCall[]> {
  const spoke = xm.spoke(p.chain);
  if (p.adapters.length === 0) throw new XMarginError("a route needs at least one adapter");
  if (!Number.isInteger(p.k) || p.k < 1 || p.k > p.adapters.length) {
    throw new XMarginError(`k = ${p.k}: must be between 1 and the ${p.adapters.length} adapters`);
  }
  const side = p.side ?? "both";
  const out: OwnerCall[] = [];
  const plan = async (here: ChainClient, remote: ChainClient) => {
    const addresses = p.adapters.map((kind) => {
      const a = here.record.adapters[kind];
      if (!a) throw new XMarginError(`${here.name} has no ${kind} adapter in the record`);
      return a.address;
    });
    out.push(
      call(
        here,
        "messenger",
        await here.messenger.getAddress(),
        here.messenger.interface,
        "setRoute",
        [remote.chainId, await remote.messenger.getAddress(), addresses, p.k],
        `route ${here.name} <- ${remote.name}: ${p.adapters.join(", ")}, ${p.k} of ${p.adapters.length}`,
      ),
    );
  };
  if (side !== "spoke") await plan(xm.hub, spoke);
  if (side !== "hub") await plan(spoke, xm.hub);
  return out;
}

/** Sets the hub's credit cap and/or the vault's deposit cap of (`chain`, `token`), in token units ("0" = no cap). */
export async function planCap(
  xm: XMargin,
  p: { chain: string; token: string; credit?: Amount; deposit?: Amount },
): Promise<OwnerCall[]> {
  const spoke = xm.spoke(p.chain);
  const token = xm.token(spoke, p.token);
  const raw = (a: Amount, what: string) =>
    typeof a === "bigint" ? a : a.trim() === "0" ? 0n : parseAmount(a, token.decimals, what);
  if (p.credit === undefined && p.deposit === undefined)
    throw new XMarginError("give a credit cap, a deposit cap or both");
  const out: OwnerCall[] = [];
  const label = `${token.symbol} on ${spoke.name}`;
  if (p.credit !== undefined) {
    const { engine } = xm.hub;
    const cap = raw(p.credit, "credit cap");
    out.push(
      call(
        xm.hub,
        "engine",
        await engine.getAddress(),
        engine.interface,
        "setCreditCap",
        [spoke.chainId, token.address, cap],
        `credit cap of ${label}`,
      ),
    );
  }
  if (p.deposit !== undefined) {
    const cap = raw(p.deposit, "deposit cap");
    out.push(
      call(
        spoke,
        "vault",
        await spoke.vault.getAddress(),
        spoke.vault.interface,
        "setDepositCap",
        [token.address, cap],
        `deposit cap of ${label}`,
      ),
    );
  }
  return out;
}

export type PauseTarget = "borrow" | "deposits" | "route";

/**
 * Pauses (`pause: true`, the guardian may) or resumes (owner only): `borrow` on the hub, `deposits` of a token in
 * a vault, or a `route`'s inbound delivery on both sides.
 */
export async function planPause(
  xm: XMargin,
  p: { what: PauseTarget; pause: boolean; chain?: string; token?: string },
): Promise<OwnerCall[]> {
  const verb = p.pause ? "pause" : "resume";
  if (p.what === "borrow") {
    const { engine } = xm.hub;
    return [
      call(
        xm.hub,
        "engine",
        await engine.getAddress(),
        engine.interface,
        "setBorrowPaused",
        [p.pause],
        `${verb} borrowing`,
        p.pause,
      ),
    ];
  }
  if (!p.chain) throw new XMarginError(`${verb} ${p.what}: which source chain? (--chain)`);
  const spoke = xm.spoke(p.chain);
  if (p.what === "deposits") {
    if (!p.token) throw new XMarginError(`${verb} deposits: which token? (--token)`);
    const token = xm.token(spoke, p.token);
    return [
      call(
        spoke,
        "vault",
        await spoke.vault.getAddress(),
        spoke.vault.interface,
        p.pause ? "pauseDeposits" : "unpauseDeposits",
        [token.address],
        `${verb} deposits of ${token.symbol} on ${spoke.name}`,
        p.pause,
      ),
    ];
  }
  if (p.what !== "route") throw new XMarginError(`cannot ${verb} "${String(p.what)}": borrow, deposits or route`);
  const out: OwnerCall[] = [];
  for (const [here, remote] of [
    [xm.hub, spoke],
    [spoke, xm.hub],
  ] as const) {
    out.push(
      call(
        here,
        "messenger",
        await here.messenger.getAddress(),
        here.messenger.interface,
        p.pause ? "pauseRoute" : "unpauseRoute",
        [remote.chainId],
        `${verb} delivery on ${here.name} from ${remote.name}`,
        p.pause,
      ),
    );
  }
  return out;
}

/** Chain ids of the devnet (scripts/devnet.ts) and the in-process worlds: the only ones whose feeds are mocks. */
export const DEVNET_CHAIN_IDS: readonly bigint[] = [31337n, 31338n, 31339n];

/** Throws unless every chain of `record` is a devnet chain (see {@link DEVNET_CHAIN_IDS}). */
export function assertDevnet(record: DeploymentRecord): void {
  for (const c of Object.values(record.chains)) {
    if (!DEVNET_CHAIN_IDS.includes(BigInt(c.chainId))) {
      throw new XMarginError(
        `price moves a mock feed and works only on a devnet (chain ids ${DEVNET_CHAIN_IDS.join(", ")}); ` +
          `${c.network} is chain ${c.chainId}`,
      );
    }
  }
}

/**
 * Devnet only: sets the mock feed of (`chain`, `token`) to `price` USD (the hub's base token: `chain` = the hub).
 * Refused on any other chain id: real feeds cannot be moved and must not be pretended to.
 */
export async function setMockPrice(
  xm: XMargin,
  p: { chain: string; token: string; price: string },
): Promise<{ feed: string; answer: bigint; hash: string }> {
  assertDevnet(xm.record);
  const chain = xm.chain(p.chain);
  const token = xm.token(chain, p.token);
  const config = await xm.hub.feeds.feedOf(chain.chainId, token.address);
  if (config.feed === ZeroHash.slice(0, 42)) throw new XMarginError(`${token.symbol} on ${chain.name} has no feed`);
  const feed = priceFeedAt(config.feed, xm.signerOn(xm.hub));
  const decimals = Number(await feed.decimals());
  const answer = parseAmount(p.price, decimals, "price");
  return explain(`move the ${token.symbol} feed`, async () => {
    const tx = await feed.updateAnswer(answer);
    await tx.wait();
    return { feed: config.feed, answer, hash: tx.hash };
  });
}

/** The token contract of `symbol` on `chain` bound to the signer (for callers that need raw ERC-20 access). */
export function tokenContract(xm: XMargin, chain: string, symbol: string) {
  const c = xm.chain(chain);
  return tokenAt(xm.token(c, symbol).address, xm.signerOn(c));
}
