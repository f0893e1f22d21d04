/** Small shared pieces of the adversarial scenarios (test/adversarial/). */
import { AbiCoder, type ContractTransactionReceipt, type Interface, type Result } from "ethers";
import { HUB_CHAIN_ID, World, signer, spoke } from "../../scripts/lib/world";
import { bridgeId } from "../../scripts/lib/bridges";
import { DEPOSIT, encodeEnvelope, encodeMessage, envelopeId } from "../../scripts/lib/codec";

/** The arguments of `InsufficientCollateral(account, chainId, asset, balance, requested)`, in order. */
export function insufficientCollateralArgs(
  account: string,
  chainId: bigint,
  asset: string,
  balance: bigint,
  requested: bigint,
): [string, bigint, string, bigint, bigint] {
  return [account, chainId, asset, balance, requested];
}

/** A DEPOSIT envelope from `spokeName`'s vault to the engine, as a compromised transport would forge it. */
export async function forgedDeposit(
  w: World,
  spokeName: string,
  account: string,
  asset: string,
  amount: bigint,
  nonce: bigint,
): Promise<string> {
  const s = spoke(w, spokeName);
  return encodeEnvelope({
    nonce,
    srcChainId: s.chain.chainId,
    dstChainId: HUB_CHAIN_ID,
    srcMessenger: await s.deployment.messenger.getAddress(),
    sender: await s.deployment.vault.getAddress(),
    receiver: await w.hub.deployment.engine.getAddress(),
    payload: encodeMessage({ kind: DEPOSIT, who: account, asset, amount }),
  });
}

/** The hub's LocalAdapter relayer key is compromised: it delivers `envelope` as if `spokeName`'s adapter sent it. */
export async function localForge(w: World, spokeName: string, envelope: string): Promise<ContractTransactionReceipt> {
  const s = spoke(w, spokeName);
  const tx = await w.hub.deployment.adapter
    .connect(signer(w.hub.chain, "relayer"))
    .deliver(
      s.chain.chainId,
      await s.deployment.adapter.getAddress(),
      await s.deployment.messenger.getAddress(),
      envelope,
    );
  return (await tx.wait())!;
}

/**
 * CCIP is compromised (its DON executes anything): the hub's router delivers `envelope` to the hub's CCIP adapter
 * as a message from `spokeName`'s CCIP adapter. Needs a world with CCIP routes. Returns whether the receiver
 * accepted it, and the receipt.
 */
export async function ccipForge(
  w: World,
  spokeName: string,
  envelope: string,
): Promise<{ success: boolean; receipt: ContractTransactionReceipt }> {
  const s = spoke(w, spokeName);
  const hub = w.bridges!.chains.find((c) => c.chain.chainId === HUB_CHAIN_ID)!.stacks.ccip!;
  const src = w.bridges!.chains.find((c) => c.chain.chainId === s.chain.chainId)!.stacks.ccip!;
  if (hub.kind !== "ccip") throw new Error("no CCIP on the hub");
  const message = {
    messageId: envelopeId(envelope),
    sourceChainSelector: bridgeId("ccip", s.chain.chainId),
    sender: AbiCoder.defaultAbiCoder().encode(["address"], [await src.adapter.getAddress()]),
    data: (await s.deployment.messenger.getAddress()) + envelope.slice(2),
    destTokenAmounts: [],
  };
  const tx = await hub.router
    .connect(signer(w.hub.chain, "dave"))
    .routeMessage(message, 5_000, 400_000, await hub.adapter.getAddress());
  const receipt = (await tx.wait())!;
  const executed = receipt.logs.map((l) => hub.router.interface.parseLog(l)).find((e) => e?.name === "MsgExecuted");
  return { success: executed?.args.success === true, receipt };
}

/**
 * Every token balance an attacker could care about, as strings: each source token held by its vault and by every
 * named actor there, and the base token held by the engine and every named actor on the hub.
 */
export async function tokenBalances(w: World): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const actors = [
    "deployer",
    "guardian",
    "relayer",
    "lender",
    "alice",
    "bob",
    "liquidator",
    "treasury",
    "carol",
    "dave",
  ] as const;
  const engine = await w.hub.deployment.engine.getAddress();
  out["hub.USDC.engine"] = (await w.hub.base.balanceOf(engine)).toString();
  for (const a of actors) {
    out[`hub.USDC.${a}`] = (await w.hub.base.balanceOf(signer(w.hub.chain, a).address)).toString();
  }
  for (const s of w.spokes) {
    const vault = await s.deployment.vault.getAddress();
    for (const [symbol, token] of Object.entries(s.tokens)) {
      out[`${s.chain.name}.${symbol}.vault`] = (await token.balanceOf(vault)).toString();
      for (const a of actors) {
        out[`${s.chain.name}.${symbol}.${a}`] = (await token.balanceOf(signer(s.chain, a).address)).toString();
      }
    }
  }
  return out;
}

/** The args of the first `name` event `contract` emitted in `receipt`. */
export function eventArgs(
  receipt: ContractTransactionReceipt,
  contract: { interface: Interface },
  name: string,
): Result {
  for (const log of receipt.logs) {
    const parsed = (() => {
      try {
        return contract.interface.parseLog(log);
      } catch {
        return null;
      }
    })();
    if (parsed?.name === name) return parsed.args;
  }
  throw new Error(`no ${name} event`);
}
