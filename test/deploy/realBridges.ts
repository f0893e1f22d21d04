/**
 * What the bridges' real contracts on the rehearsal nodes do, and how scripts/lib/realRelayer.ts delivers over them:
 * on the anvil nodes themselves (anvil_* impersonation) and on in-process Hardhat forks of them (hardhat_*), the way
 * the fork suites run. Registered by rehearsal.test.ts on its kept nodes.
 */
import { expect } from "chai";
import hre from "hardhat";
import type { HardhatNetworkConfig } from "hardhat/types";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { AbiCoder, MaxUint256, ZeroHash, dataSlice, keccak256, parseUnits } from "ethers";
import type { RehearsalResult } from "../../scripts/rehearse";
import { connectRpc, type Chain } from "../../scripts/lib/chain";
import { RealBridgeRelayer, realBridgedChainOf, rpcPrefix, useTestIsm } from "../../scripts/lib/realRelayer";
import { lzContract } from "../../scripts/lib/realBridges";
import type { BridgePacket } from "../../scripts/lib/bridges";
import { ADDRESS_BOOK } from "../../deploy/networks";
import type { EnvironmentConfig } from "../../deploy/types";
import {
  CollateralVault__factory,
  HyperlaneAdapter__factory,
  IBridgeAdapter__factory,
  IMarginHub__factory,
  InterchainGasPaymaster__factory,
  Mailbox__factory,
  MockERC20__factory,
  Router__factory,
} from "../../typechain-types";

/**
 * An in-process Hardhat fork of a node, with its chain id. Hardhat picks the hardfork of a known chain id (Sepolia)
 * by block number from its own table, which makes a low-block fork of a rehearsal node pre-Shanghai (no PUSH0):
 * every fork of a rehearsal node must say `cancun` from block 0. Without a block number, Hardhat forks a known chain
 * id some blocks behind the head (its reorg-safety depth), before the last deploy steps: pin the node's head.
 */
async function forkOf(name: string, url: string, chainId: number, blockNumber: number): Promise<Chain> {
  const base = hre.config.networks.hardhat;
  const chains = new Map(base.chains);
  chains.set(chainId, { hardforkHistory: new Map([["cancun", 0]]) });
  const hardhat: HardhatNetworkConfig = {
    ...base,
    chainId,
    chains,
    forking: { enabled: true, url, blockNumber, httpHeaders: {} },
    accounts: Array.isArray(base.accounts) ? base.accounts.slice(0, 4) : { ...base.accounts, count: 4 },
  };
  const eip1193 = await createProvider({ ...hre.config, networks: { ...hre.config.networks, hardhat } }, "hardhat");
  const provider = new HardhatEthersProvider(eip1193, name);
  const addresses = (await eip1193.send("eth_accounts", [])) as string[];
  const signers = await Promise.all(addresses.map((a) => provider.getSigner(a)));
  return { name, chainId: BigInt(chainId), provider, signers, send: (m, p) => eip1193.send(m, p) };
}

interface World {
  result: RehearsalResult;
  hub: string;
  spoke: string;
  chains: Record<string, Chain>;
}

function relayerOver(w: World) {
  const record = w.result.record!;
  const bridged = Object.entries(w.chains).map(([network, chain]) =>
    realBridgedChainOf(chain, record.chains[network], ADDRESS_BOOK[network], chain.signers[2]),
  );
  return new RealBridgeRelayer(bridged, (c) => c.signers[2]);
}

/** A deposit of `amount` WETH on the spoke for account 1, sent with the vault's quoted fee. */
async function deposit(w: World, amount: bigint) {
  const rec = w.result.record!.chains[w.spoke];
  const user = w.chains[w.spoke].signers[1];
  const token = MockERC20__factory.connect(rec.tokens.WETH.address, user);
  const vault = CollateralVault__factory.connect(rec.contracts.vault.address, user);
  await (await token.mint(user.address, amount)).wait();
  await (await token.approve(rec.contracts.vault.address, MaxUint256)).wait();
  const fee = await vault.quoteDeposit(rec.tokens.WETH.address, amount, user.address);
  await (
    await vault.deposit(rec.tokens.WETH.address, amount, user.address, { value: fee, gasLimit: 3_000_000n })
  ).wait();
  return { user: user.address, token: rec.tokens.WETH.address, chainId: BigInt(rec.chainId) };
}

async function creditOf(w: World, d: { user: string; token: string; chainId: bigint }) {
  const engine = IMarginHub__factory.connect(
    w.result.record!.chains[w.hub].contracts.engine.address,
    w.chains[w.hub].provider,
  );
  return engine.collateralOf(d.user, d.chainId, d.token);
}

export function realBridgeTests(rehearsal: () => RehearsalResult, config: EnvironmentConfig) {
  let cached: Promise<World> | undefined;
  const connect = async (): Promise<World> => {
    const result = rehearsal();
    if (!result.ok) throw new Error(`the rehearsal failed: ${result.failed}`);
    // The last spoke: the rehearsal test leaves a deposit of the first spoke in flight (for the monitor), and LayerZero
    // executes a pathway's packets in nonce order, so that spoke's next packet would wait behind it.
    const [hub, spoke] = [config.hub, config.spokes[config.spokes.length - 1]];
    const chains: Record<string, Chain> = {};
    for (const n of result.nodes.filter((x) => x.network === hub || x.network === spoke)) {
      chains[n.network] = await connectRpc(n.network, n.url, {
        chainId: BigInt(ADDRESS_BOOK[n.network].chainId),
        accounts: 4,
        pollingInterval: 50,
      });
    }
    return { result, hub, spoke, chains };
  };
  const world = () => (cached ??= connect());
  after(async () => {
    const w = await cached?.catch(() => undefined);
    if (!w) return;
    for (const c of Object.values(w.chains)) (c.provider as { destroy?: () => void }).destroy?.();
  });

  it("real bridges: every bridge quotes a non-zero fee (DVN + executor, OnRamp, IGP) and sends only to configured lanes", async () => {
    const w = await world();
    const spoke = ADDRESS_BOOK[w.spoke];
    const hubBook = ADDRESS_BOOK[w.hub];
    const provider = w.chains[w.spoke].provider;
    const rec = w.result.record!.chains[w.spoke];
    const lzAdapter = rec.adapters.layerzero!.address;
    // LayerZero: the real SendUln302 asks the DVN and the executor (their fee libraries and the price feed).
    const endpoint = lzContract("EndpointV2", spoke.layerzero!.endpointV2, provider);
    const [lib] = [await endpoint.getSendLibrary(lzAdapter, hubBook.layerzero!.eid)];
    expect(lib).to.equal(spoke.layerzero!.sendLib302);
    const uln = lzContract("SendUln302", lib, provider);
    const own = await uln.getAppUlnConfig(lzAdapter, hubBook.layerzero!.eid);
    expect(own.requiredDVNs).to.deep.equal([spoke.layerzero!.dvns!.layerzeroLabs]);
    expect(own.confirmations).to.equal(BigInt(spoke.confirmations));
    // What xmargin's adapters pay: each quote goes through the real fee path (ULN302 -> DVN + executor fee libraries
    // and price feed; router -> OnRamp; mailbox -> required hook + IGP).
    const envelope = "0x" + "11".repeat(200);
    for (const kind of ["layerzero", "ccip", "hyperlane"] as const) {
      const adapter = IBridgeAdapter__factory.connect(rec.adapters[kind]!.address, provider);
      expect((await adapter.quote(BigInt(hubBook.chainId), envelope)) > 0n, kind).to.equal(true);
    }
    // CCIP: the router refuses a destination it has no OnRamp for.
    const router = Router__factory.connect(spoke.ccip!.router, provider);
    expect(await router.isChainSupported(hubBook.ccip!.chainSelector)).to.equal(true);
    expect(await router.isChainSupported(1n)).to.equal(false);
    // Hyperlane: the IGP's quote for the delivery gas.
    const igp = InterchainGasPaymaster__factory.connect(spoke.hyperlane!.interchainGasPaymaster, provider);
    expect((await igp["quoteGasPayment(uint32,uint256)"](hubBook.hyperlane!.domain, 400_000n)) > 0n).to.equal(true);
  });

  it("real bridges on anvil: LayerZero verifies as the ULN's DVN; a packet ahead of its nonce is verified but not executed, and only its executor step is repeated; a second delivery is refused", async () => {
    const w = await world();
    const relayer = relayerOver(w);
    await relayer.skipToLatest();
    expect(await rpcPrefix(w.chains[w.hub])).to.equal("anvil");
    const d = await deposit(w, parseUnits("1", 18));
    await deposit(w, parseUnits("1", 18));
    await relayer.poll();
    const [first, second] = relayer.take((p) => p.kind === "layerzero");
    const before = await creditOf(w, d);
    const hub = ADDRESS_BOOK[w.hub].layerzero!;
    const endpoint = lzContract("EndpointV2", hub.endpointV2, w.chains[w.hub].provider);
    const slot = (p: BridgePacket) =>
      [
        dataSlice(p.raw, 61, 81),
        BigInt(dataSlice(p.raw, 9, 13)),
        dataSlice(p.raw, 13, 45),
        BigInt(dataSlice(p.raw, 1, 9)),
      ] as const;
    // The endpoint executes a pathway in nonce order: the second packet is verified (the DVN step), then lzReceive
    // reverts until the first is in.
    const early = await relayer.deliver(second);
    expect(early.error).to.not.equal(undefined);
    expect(await endpoint.inboundPayloadHash(...slot(second))).to.equal(keccak256(dataSlice(second.raw, 81)));
    expect((await relayer.deliver(first)).error).to.equal(undefined);
    // Now only the executor step runs (verify again would be refused: the nonce is committed).
    const late = await relayer.deliver(second);
    expect(late.error).to.equal(undefined);
    expect(late.receipt!.logs.length).to.be.greaterThan(0);
    expect(await endpoint.inboundPayloadHash(...slot(second))).to.equal(ZeroHash);
    // The real endpoint refuses the same packet again (not verifiable once executed).
    expect((await relayer.deliver(first)).error).to.not.equal(undefined);
    // One bridge of a 2-of-3 route: not credited yet; the other two complete both deposits.
    expect(await creditOf(w, d)).to.equal(before);
    const rest = await relayer.flush();
    expect(rest.filter((r) => r.error)).to.deep.equal([]);
    expect(await creditOf(w, d)).to.equal(before + parseUnits("2", 18));
  });

  it("real bridges on anvil: CCIP routes only as a registered OffRamp, a failing receiver is reported and nothing sent; Hyperlane needs an IGP payment", async () => {
    const w = await world();
    const relayer = relayerOver(w);
    await relayer.skipToLatest();
    const d = await deposit(w, parseUnits("2", 18));
    await relayer.poll();
    const [ccip] = relayer.take((p) => p.kind === "ccip");
    const [hyperlane] = relayer.take((p) => p.kind === "hyperlane");
    const hubChain = w.chains[w.hub];
    const router = Router__factory.connect(ADDRESS_BOOK[w.hub].ccip!.router, hubChain.signers[2]);
    const message = {
      messageId: ccip.bridgeMessageId,
      sourceChainSelector: ADDRESS_BOOK[w.spoke].ccip!.chainSelector,
      sender: AbiCoder.defaultAbiCoder().encode(["address"], [ccip.srcAdapter]),
      data: ccip.raw,
      destTokenAmounts: [],
    };
    const adapter = w.result.record!.chains[w.hub].adapters.ccip!.address;
    await expect(router.routeMessage(message, 5_000, ccip.gasLimit, adapter)).to.be.revertedWithCustomError(
      router,
      "OnlyOffRamp",
    );
    const blockBefore = await hubChain.provider.getBlockNumber();
    const failed = await relayer.deliver(ccip, { gasLimit: 10_000n });
    expect(failed.error).to.match(/CCIP receiver failed/);
    expect(await hubChain.provider.getBlockNumber()).to.equal(blockBefore);
    expect((await relayer.deliver(ccip)).error).to.equal(undefined);
    // Hyperlane: the relayer reads what the sender paid the IGP; a message with no payment is not delivered.
    const spokeAdapter = HyperlaneAdapter__factory.connect(
      w.result.record!.chains[w.spoke].adapters.hyperlane!.address,
      w.chains[w.spoke].provider,
    );
    const paidFor = (await spokeAdapter.remote(BigInt(ADDRESS_BOOK[w.hub].chainId))).gasLimit;
    const igp = InterchainGasPaymaster__factory.connect(
      ADDRESS_BOOK[w.spoke].hyperlane!.interchainGasPaymaster,
      w.chains[w.spoke].provider,
    );
    // The IGP adds its per-destination overhead to what the sender asked for.
    expect(hyperlane.gasLimit).to.equal(await igp.destinationGasLimit(ADDRESS_BOOK[w.hub].hyperlane!.domain, paidFor));
    const unpaid: BridgePacket = { ...hyperlane, gasLimit: 0n };
    expect((await relayer.deliver(unpaid)).error).to.match(/no interchain gas payment/);
    expect((await relayer.deliver(hyperlane)).error).to.equal(undefined);
    const mailbox = Mailbox__factory.connect(ADDRESS_BOOK[w.hub].hyperlane!.mailbox, hubChain.provider);
    expect(await mailbox.delivered(hyperlane.bridgeMessageId)).to.equal(true);
    const rest = await relayer.flush();
    expect(rest.filter((r) => r.error)).to.deep.equal([]);
    expect((await creditOf(w, d)) >= parseUnits("2", 18)).to.equal(true);
  });

  it("real bridges on Hardhat in-process forks of the rehearsal nodes: the same relayer (hardhat_* impersonation) carries a deposit over all three", async () => {
    const w = await world();
    const urls = Object.fromEntries(w.result.nodes.map((n) => [n.network, n.url]));
    const forks: Record<string, Chain> = {};
    for (const network of [w.hub, w.spoke]) {
      const head = await w.chains[network].provider.getBlockNumber();
      forks[network] = await forkOf(network, urls[network], ADDRESS_BOOK[network].chainId, head);
    }
    const f: World = { ...w, chains: forks };
    expect(await rpcPrefix(forks[w.hub])).to.equal("hardhat");
    // What a fork of a live testnet needs for Hyperlane (its default ISM wants validators' signatures): TestIsm set
    // as the impersonated mailbox owner.
    const ism = await useTestIsm(forks[w.hub], ADDRESS_BOOK[w.hub], forks[w.hub].signers[0]);
    const hubMailbox = Mailbox__factory.connect(ADDRESS_BOOK[w.hub].hyperlane!.mailbox, forks[w.hub].provider);
    expect(await hubMailbox.defaultIsm()).to.equal(ism);
    const relayer = relayerOver(f);
    await relayer.skipToLatest();
    const before = await creditOf(f, {
      user: forks[w.spoke].signers[1].address,
      token: w.result.record!.chains[w.spoke].tokens.WETH.address,
      chainId: BigInt(ADDRESS_BOOK[w.spoke].chainId),
    });
    const d = await deposit(f, parseUnits("3", 18));
    const results = await relayer.flush();
    expect(results.map((r) => [r.packet.kind, r.error])).to.deep.equal([
      ["layerzero", undefined],
      ["ccip", undefined],
      ["hyperlane", undefined],
    ]);
    expect(await creditOf(f, d)).to.equal(before + parseUnits("3", 18));
  });
}
