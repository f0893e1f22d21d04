/**
 * Adversarial 12 — admin surface. Setup: the 3-chain world, plus a LayerZero, a CCIP and a Hyperlane adapter on the
 * hub. Every state-changing function of every contract (MarginEngine at its address, i.e. the engine and its
 * extension's functions with the price feeds, CollateralVault, Messenger on each chain, LocalAdapter on each chain,
 * the three bridge adapters) is classified below as owner-only,
 * guardian (pause) or gated/open for users and bridges, and the classification is checked against the ABIs, so a
 * new function fails this test until someone decides who may call it. Must hold: an attacker — and the guardian
 * for owner functions — gets `OwnableUnauthorizedAccount(caller)` / `NotGuardian(caller)` from each; bridge and
 * app entry points refuse him with their own errors; every guardian function leaves every token balance (and
 * every contract's native balance) unchanged; ownership moves only in two steps (the pending owner must accept).
 * The engine's extension, called directly rather than through the engine, refuses every state-changing function
 * with `NotDelegated` (its own storage is never read by anyone anyway).
 */
import { expect } from "chai";
import { BaseContract, FunctionFragment, Wallet, ZeroAddress, ZeroHash, parseUnits } from "ethers";
import { AccountSigner, Chain } from "../../scripts/lib/chain";
import { worldChainId, HUB_CHAIN_ID, World, signer } from "../../scripts/lib/world";
import { BridgeStack, bridgeId, deployBridge } from "../../scripts/lib/bridges";
import {
  CCIPAdapter,
  CollateralVault,
  HyperlaneAdapter,
  LayerZeroAdapter,
  LocalAdapter,
  IMarginHub,
  MarginEngineExt__factory,
  Messenger,
} from "../../typechain-types";
import { useWorld, asset } from "../helpers/world";
import { tokenBalances } from "../helpers/adversarial";

const ALPHA = worldChainId("alpha");
const rnd = () => Wallet.createRandom().address;
/** Valid liquidation rules (the calls below are refused before they are read). */
const LIQUIDATION_PARAMS = {
  targetHealth: parseUnits("1.05", 18),
  maxBonusHealth: 0,
  minBonusBps: 0,
  protocolShareBps: 0,
  storeFrontShareBps: 0,
  absorbReward: 0,
};

/** A call to one function, made by whoever `s` is. */
type Call = (s: AccountSigner) => Promise<unknown>;

interface Gated {
  call: Call;
  /** The custom error an outsider gets, and its arguments given the outsider's address. */
  error: string;
  args: (caller: string) => unknown[];
}

/** The access classification of one deployed contract. */
interface Surface {
  name: string;
  chain: Chain;
  contract: BaseContract & { owner(): Promise<string>; pendingOwner(): Promise<string> };
  owner: Record<string, Call>;
  guardian: Record<string, Call>;
  /** Entry points for apps, adapters, bridges and relayers, each with its own check. */
  gated: Record<string, Gated>;
  /** Permissionless on purpose (user flows, retries, acceptOwnership), with why. */
  open: Record<string, string>;
}

function ownable(c: {
  connect(s: AccountSigner): {
    transferOwnership(a: string): Promise<unknown>;
    renounceOwnership(): Promise<unknown>;
  };
}): Record<string, Call> {
  return {
    transferOwnership: (s) => c.connect(s).transferOwnership(rnd()),
    renounceOwnership: (s) => c.connect(s).renounceOwnership(),
  };
}

const OPEN_OWNERSHIP = { acceptOwnership: "only the pending owner succeeds (checked in the two-step test)" };

function engineSurface(w: World, e: IMarginHub, weth: string): Surface {
  return {
    name: "MarginEngine",
    chain: w.hub.chain,
    contract: e,
    owner: {
      listMarket: (s) => e.connect(s).listMarket(ALPHA, rnd(), 5000, 6000, 500),
      configureMarket: (s) => e.connect(s).configureMarket(ALPHA, weth, 5000, 6000, 500, false),
      setCreditCap: (s) => e.connect(s).setCreditCap(ALPHA, weth, 1),
      releaseQuarantine: (s) => e.connect(s).releaseQuarantine(s.address, ALPHA, weth, 1, true),
      quarantineCredit: (s) => e.connect(s).quarantineCredit(s.address, ALPHA, weth, 1),
      setLatencyHaircut: (s) => e.connect(s).setLatencyHaircut(ALPHA, 100),
      setRateModel: (s) =>
        e.connect(s).setRateModel({ baseRate: 0, slope1: 1, slope2: 1, kink: parseUnits("0.5", 18) }),
      setReserveFactor: (s) => e.connect(s).setReserveFactor(100),
      setLiquidationParams: (s) => e.connect(s).setLiquidationParams(LIQUIDATION_PARAMS),
      setMinDebt: (s) => e.connect(s).setMinDebt(0),
      withdrawReserves: (s) => e.connect(s).withdrawReserves(1, s.address),
      setFeed: (s) => e.connect(s).setFeed(ALPHA, rnd(), w.feeds.WETH.getAddress(), 3600, 18),
      setFeedBounds: (s) => e.connect(s).setFeedBounds(ALPHA, weth, 1, 0),
      setSequencerUptimeFeed: (s) => e.connect(s).setSequencerUptimeFeed(rnd(), 1),
      setGuardian: (s) => e.connect(s).setGuardian(s.address),
      ...ownable(e),
    },
    guardian: { setBorrowPaused: (s) => e.connect(s).setBorrowPaused(true) },
    gated: {
      onMessage: {
        call: (s) => e.connect(s).onMessage(ALPHA, s.address, ZeroHash, "0x"),
        error: "OnlyMessenger",
        args: (c) => [c],
      },
    },
    open: {
      supplyBase: "lenders",
      withdrawBase: "lenders, their own balance",
      borrow: "borrowers, health-checked",
      repay: "anyone, for any account",
      withdrawCollateral: "the account's own credit, health-checked",
      enterMarket: "the caller's own credit",
      liquidate: "anyone, unhealthy accounts only",
      liquidateToAccount: "anyone, unhealthy accounts only; the seized credit goes to the caller's own account",
      absorb: "anyone, unhealthy accounts only (others skipped)",
      buyCollateral: "anyone, paying for the hub's inventory",
      absorbBadDebt: "anyone, accounts with debt and nothing seizable only",
      ...OPEN_OWNERSHIP,
    },
  };
}

function vaultSurface(chain: Chain, v: CollateralVault, token: string): Surface {
  return {
    name: `CollateralVault@${chain.name}`,
    chain,
    contract: v,
    owner: {
      setAssetAllowed: (s) => v.connect(s).setAssetAllowed(rnd(), true),
      unpauseDeposits: (s) => v.connect(s).unpauseDeposits(token),
      setDepositCap: (s) => v.connect(s).setDepositCap(token, 1),
      setOutflowLimit: (s) => v.connect(s).setOutflowLimit(token, 1, 1),
      setGuardian: (s) => v.connect(s).setGuardian(s.address),
      ...ownable(v),
    },
    guardian: { pauseDeposits: (s) => v.connect(s).pauseDeposits(token) },
    gated: {
      onMessage: {
        call: (s) => v.connect(s).onMessage(HUB_CHAIN_ID, s.address, ZeroHash, "0x"),
        error: "OnlyMessenger",
        args: (c) => [c],
      },
    },
    open: {
      deposit: "anyone locks their own tokens",
      claim: "the caller's own claim",
      pushClaim: "pays a claim to its own recipient",
      ...OPEN_OWNERSHIP,
    },
  };
}

function messengerSurface(chain: Chain, m: Messenger, remote: bigint): Surface {
  return {
    name: `Messenger@${chain.name}`,
    chain,
    contract: m,
    owner: {
      setRoute: (s) => m.connect(s).setRoute(remote, rnd(), [rnd()], 1),
      setPeerApp: (s) => m.connect(s).setPeerApp(rnd(), remote, rnd()),
      unpauseRoute: (s) => m.connect(s).unpauseRoute(remote),
      resend: (s) => m.connect(s).resend("0x", []),
      reissue: (s) => m.connect(s).reissue("0x"),
      setGuardian: (s) => m.connect(s).setGuardian(s.address),
      ...ownable(m),
    },
    guardian: {
      pauseRoute: (s) => m.connect(s).pauseRoute(remote),
      // With the route's adapters: the emergency suspends them all, and must still move nothing.
      invalidateInFlight: async (s) => m.connect(s).invalidateInFlight(remote, [...(await m.routeAdapters(remote))]),
    },
    gated: {
      receiveEnvelope: {
        call: (s) => m.connect(s).receiveEnvelope(remote, rnd(), "0x"),
        error: "UnauthorizedAdapter",
        args: (c) => [remote, c],
      },
      send: {
        call: (s) => m.connect(s).send(remote, "0x"),
        error: "UnknownPeerApp",
        args: (c) => [c, remote, ZeroAddress],
      },
      sendWithRefund: {
        call: (s) => m.connect(s).sendWithRefund(remote, "0x", s.address),
        error: "UnknownPeerApp",
        args: (c) => [c, remote, ZeroAddress],
      },
      sendOrRecord: {
        call: (s) => m.connect(s).sendOrRecord(remote, "0x", s.address),
        error: "UnknownPeerApp",
        args: (c) => [c, remote, ZeroAddress],
      },
    },
    open: {
      retry: "anyone retries a stored envelope (re-authenticated)",
      pushPending: "anyone pays to hand a recorded envelope (sent here, same bytes) to more adapters of its route",
      ...OPEN_OWNERSHIP,
    },
  };
}

function localAdapterSurface(chain: Chain, a: LocalAdapter, remote: bigint): Surface {
  return {
    name: `LocalAdapter@${chain.name}`,
    chain,
    contract: a,
    owner: {
      setRelayer: (s) => a.connect(s).setRelayer(s.address, true),
      setRemoteAdapter: (s) => a.connect(s).setRemoteAdapter(remote, rnd()),
      withdrawFees: (s) => a.connect(s).withdrawFees(s.address),
      ...ownable(a),
    },
    guardian: {},
    gated: {
      deliver: { call: (s) => a.connect(s).deliver(remote, rnd(), rnd(), "0x"), error: "NotRelayer", args: (c) => [c] },
      send: { call: (s) => a.connect(s).send(remote, "0x"), error: "OnlyMessenger", args: (c) => [c] },
    },
    open: { ...OPEN_OWNERSHIP },
  };
}

function bridgeSurface(chain: Chain, stack: BridgeStack): Surface {
  const common = (a: LayerZeroAdapter | CCIPAdapter | HyperlaneAdapter) => ({
    setRemote: (s: AccountSigner) =>
      (a as CCIPAdapter).connect(s).setRemote(ALPHA, bridgeId(stack.kind, ALPHA), rnd(), 100_000),
    ...ownable(a as CCIPAdapter),
  });
  const send: Gated = {
    call: (s) => (stack.adapter as CCIPAdapter).connect(s).send(ALPHA, "0x"),
    error: "OnlyMessenger",
    args: (c) => [c],
  };
  if (stack.kind === "layerzero") {
    const a = stack.adapter;
    return {
      name: "LayerZeroAdapter",
      chain,
      contract: a,
      owner: { ...common(a), setDelegate: (s) => a.connect(s).setDelegate(s.address) },
      guardian: {},
      gated: {
        send,
        lzReceive: {
          call: (s) =>
            a.connect(s).lzReceive({ srcEid: 1, sender: ZeroHash, nonce: 1 }, ZeroHash, "0x", s.address, "0x"),
          error: "OnlyEndpoint",
          args: (c) => [c],
        },
      },
      open: { ...OPEN_OWNERSHIP },
    };
  }
  if (stack.kind === "ccip") {
    const a = stack.adapter;
    const message = { messageId: ZeroHash, sourceChainSelector: 1n, sender: "0x", data: "0x", destTokenAmounts: [] };
    return {
      name: "CCIPAdapter",
      chain,
      contract: a,
      owner: common(a),
      guardian: {},
      gated: {
        send,
        ccipReceive: { call: (s) => a.connect(s).ccipReceive(message), error: "InvalidRouter", args: (c) => [c] },
      },
      open: { ...OPEN_OWNERSHIP },
    };
  }
  const a = stack.adapter;
  return {
    name: "HyperlaneAdapter",
    chain,
    contract: a,
    owner: { ...common(a), setInterchainSecurityModule: (s) => a.connect(s).setInterchainSecurityModule(rnd()) },
    guardian: {},
    gated: {
      send,
      handle: { call: (s) => a.connect(s).handle(1, ZeroHash, "0x"), error: "NotBridge", args: (c) => [c] },
    },
    open: { ...OPEN_OWNERSHIP },
  };
}

describe("adversarial 12: admin surface of every contract", () => {
  const stacks: BridgeStack[] = [];
  const h = useWorld(async (w) => {
    for (const kind of ["layerzero", "ccip", "hyperlane"] as const) {
      stacks.push(
        await deployBridge(kind, w.hub.chain, signer(w.hub.chain, "deployer"), w.hub.deployment.messenger, [ALPHA]),
      );
    }
  });

  async function surfaces(w: World): Promise<Surface[]> {
    const weth = await asset(w, "alpha", "WETH");
    const list = [
      engineSurface(w, w.hub.deployment.engine, weth),
      messengerSurface(w.hub.chain, w.hub.deployment.messenger, ALPHA),
      localAdapterSurface(w.hub.chain, w.hub.deployment.adapter, ALPHA),
      ...stacks.map((s) => bridgeSurface(w.hub.chain, s)),
    ];
    for (const s of w.spokes) {
      const token = await Object.values(s.tokens)[0].getAddress();
      list.push(
        vaultSurface(s.chain, s.deployment.vault, token),
        messengerSurface(s.chain, s.deployment.messenger, HUB_CHAIN_ID),
        localAdapterSurface(s.chain, s.deployment.adapter, HUB_CHAIN_ID),
      );
    }
    return list;
  }

  it("the classification covers every state-changing function of every ABI, and nothing else", async () => {
    for (const s of await surfaces(h.w)) {
      const abi = s.contract.interface.fragments
        .filter((f): f is FunctionFragment => f.type === "function")
        .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
        .map((f) => f.name)
        .sort();
      const classified = [
        ...Object.keys(s.owner),
        ...Object.keys(s.guardian),
        ...Object.keys(s.gated),
        ...Object.keys(s.open),
      ].sort();
      expect(classified, s.name).to.deep.equal(abi);
    }
  });

  it("every owner function reverts OwnableUnauthorizedAccount for an attacker and for the guardian", async () => {
    let checked = 0;
    for (const s of await surfaces(h.w)) {
      for (const who of ["dave", "guardian"] as const) {
        const caller = signer(s.chain, who);
        for (const [name, call] of Object.entries(s.owner)) {
          await expect(call(caller), `${s.name}.${name} by ${who}`)
            .to.be.revertedWithCustomError(s.contract, "OwnableUnauthorizedAccount")
            .withArgs(caller.address);
          checked++;
        }
      }
    }
    expect(checked).to.be.gte(2 * 50);
  });

  it("every guardian function reverts NotGuardian for an attacker; gated entry points refuse him with their own error", async () => {
    for (const s of await surfaces(h.w)) {
      const attacker = signer(s.chain, "dave");
      for (const [name, call] of Object.entries(s.guardian)) {
        await expect(call(attacker), `${s.name}.${name}`)
          .to.be.revertedWithCustomError(s.contract, "NotGuardian")
          .withArgs(attacker.address);
      }
      for (const [name, g] of Object.entries(s.gated)) {
        await expect(g.call(attacker), `${s.name}.${name}`)
          .to.be.revertedWithCustomError(s.contract, g.error)
          .withArgs(...g.args(attacker.address));
      }
    }
    // Unpausing the hub's borrowing is the owner's alone, even for the guardian.
    const guardian = signer(h.w.hub.chain, "guardian");
    await expect(h.w.hub.deployment.engine.connect(guardian).setBorrowPaused(false))
      .to.be.revertedWithCustomError(h.w.hub.deployment.engine, "NotGuardian")
      .withArgs(guardian.address);
  });

  it("the guardian cannot move funds: every guardian function leaves every balance unchanged", async () => {
    const w = h.w;
    const all = await surfaces(w);
    const natives = async () =>
      Promise.all(all.map(async (s) => (await s.chain.provider.getBalance(await s.contract.getAddress())).toString()));
    const before = { tokens: await tokenBalances(w), native: await natives() };
    let calls = 0;
    for (const s of all) {
      for (const call of Object.values(s.guardian)) {
        await (await (call(signer(s.chain, "guardian")) as Promise<{ wait(): Promise<unknown> }>)).wait();
        calls++;
      }
    }
    expect(calls).to.equal(1 + 2 * 3 + 2); // engine, three messengers x2, two vaults
    expect(await tokenBalances(w)).to.deep.equal(before.tokens);
    expect(await natives()).to.deep.equal(before.native);
  });

  it("the engine's extension called directly: every state-changing function reverts NotDelegated, even for the owner", async () => {
    const w = h.w;
    const weth = await asset(w, "alpha", "WETH");
    const owner = signer(w.hub.chain, "deployer");
    const ext = MarginEngineExt__factory.connect(await w.hub.deployment.engine.extension(), owner);
    const calls: Record<string, () => Promise<unknown>> = {
      initialize: () => ext.initialize({ baseRate: 0, slope1: 1, slope2: 1, kink: 1 }, 0, LIQUIDATION_PARAMS, 0),
      enterMarket: () => ext.enterMarket(ALPHA, weth),
      listMarket: () => ext.listMarket(ALPHA, rnd(), 5000, 6000, 500),
      configureMarket: () => ext.configureMarket(ALPHA, weth, 5000, 6000, 500, false),
      setCreditCap: () => ext.setCreditCap(ALPHA, weth, 1),
      releaseQuarantine: () => ext.releaseQuarantine(owner.address, ALPHA, weth, 1, true),
      setLatencyHaircut: () => ext.setLatencyHaircut(ALPHA, 100),
      setBorrowPaused: () => ext.setBorrowPaused(true),
      setRateModel: () => ext.setRateModel({ baseRate: 0, slope1: 1, slope2: 1, kink: 1 }),
      setReserveFactor: () => ext.setReserveFactor(100),
      setLiquidationParams: () => ext.setLiquidationParams(LIQUIDATION_PARAMS),
      setMinDebt: () => ext.setMinDebt(0),
      withdrawReserves: () => ext.withdrawReserves(1, owner.address),
      setFeed: () => ext.setFeed(ALPHA, rnd(), w.feeds.WETH.getAddress(), 3600, 18),
      setFeedBounds: () => ext.setFeedBounds(ALPHA, weth, 1, 0),
      setSequencerUptimeFeed: () => ext.setSequencerUptimeFeed(rnd(), 1),
    };
    // Ownership of the extension's own storage: it owns itself, so nobody can take it or act as its owner.
    const ownership = ["transferOwnership", "renounceOwnership", "acceptOwnership", "setGuardian"];
    const abi = ext.interface.fragments
      .filter((f): f is FunctionFragment => f.type === "function")
      .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
      .map((f) => f.name)
      .sort();
    expect([...Object.keys(calls), ...ownership].sort()).to.deep.equal(abi);
    for (const [name, call] of Object.entries(calls)) {
      await expect(call(), name).to.be.revertedWithCustomError(ext, "NotDelegated");
    }
    expect(await ext.owner()).to.equal(await ext.getAddress());
    await expect(ext.transferOwnership(owner.address))
      .to.be.revertedWithCustomError(ext, "OwnableUnauthorizedAccount")
      .withArgs(owner.address);
    // And at the engine's address, the initializer cannot run again.
    await expect(
      MarginEngineExt__factory.connect(await w.hub.deployment.engine.getAddress(), owner).initialize(
        { baseRate: 0, slope1: 1, slope2: 1, kink: 1 },
        0,
        LIQUIDATION_PARAMS,
        0,
      ),
    ).to.be.revertedWithCustomError(ext, "NotDelegated");
  });

  it("ownership of every contract moves in two steps: the pending owner must accept, nobody else can", async () => {
    for (const s of await surfaces(h.w)) {
      const owner = signer(s.chain, "deployer");
      const next = signer(s.chain, "carol");
      const attacker = signer(s.chain, "dave");
      const c = s.contract as unknown as {
        connect(x: AccountSigner): {
          transferOwnership(a: string): Promise<{ wait(): Promise<unknown> }>;
          acceptOwnership(): Promise<{ wait(): Promise<unknown> }>;
        };
      };
      await (await c.connect(owner).transferOwnership(next.address)).wait();
      expect(await s.contract.owner(), s.name).to.equal(owner.address);
      expect(await s.contract.pendingOwner(), s.name).to.equal(next.address);
      await expect(c.connect(attacker).acceptOwnership(), s.name)
        .to.be.revertedWithCustomError(s.contract, "OwnableUnauthorizedAccount")
        .withArgs(attacker.address);
      await (await c.connect(next).acceptOwnership()).wait();
      expect(await s.contract.owner(), s.name).to.equal(next.address);
      // The old owner is now an outsider.
      const [name, call] = Object.entries(s.owner)[0];
      await expect(call(owner), `${s.name}.${name}`)
        .to.be.revertedWithCustomError(s.contract, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
    }
  });
});
