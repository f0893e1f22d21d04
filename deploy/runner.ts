/**
 * "Diff, then act" on one chain. Every step of the deploy goes through a {@link ChainRunner}:
 *
 * - `deploy(name, factory, args)`: a contract the record names and the chain still holds (code at the address) is
 *   reused; one the record names but the chain lacks is a stale record and stops the run; otherwise it is deployed
 *   and the record is written at once (pending before the receipt, final after it).
 * - `call(label, target, diff, send, populate)`: `diff()` reads the chain and says what differs from the config
 *   (undefined: nothing); only then is the transaction sent, and `diff()` is read again afterwards: a call that did
 *   not take effect stops the run with the chain and the call named.
 *
 * The same steps run in three modes: `deploy`, `dry-run` (nothing is sent: every contract and call that would be,
 * with estimated gas) and `check` (every difference between the config and the chain, nothing is sent).
 */
import {
  Contract,
  getCreateAddress,
  type ContractTransactionResponse,
  type Interface,
  type Provider,
  type Signer,
  type TransactionRequest,
} from "ethers";
import type { NetworkEntry } from "./types";
import type { RecordStore } from "./record";

export type Mode = "deploy" | "dry-run" | "check";

/** Something a factory can build a deploy transaction from (every typechain factory). */
export interface DeployFactory {
  getDeployTransaction(...args: never[]): Promise<{ data: string }>;
  readonly interface: Interface;
}

/** One line of a dry-run plan. */
export interface PlanItem {
  network: string;
  kind: "deploy" | "call";
  label: string;
  /** Estimated gas; undefined when it can only be estimated once the contracts it needs exist. */
  gas?: bigint;
  /** Where the figure comes from when it is not an `estimateGas` of this very transaction. */
  note?: string;
}

/** A call the deployer cannot make any more because the contract is owned by the timelock. */
export interface Proposal {
  network: string;
  label: string;
  to: string;
  data: string;
}

/** Stops the run after this many sent transactions (tests of resumption). */
export class Interrupted extends Error {}

export class StaleRecordError extends Error {}

export interface RunOptions {
  mode: Mode;
  store: RecordStore;
  log?: (line: string) => void;
  /** Throw {@link Interrupted} after this many transactions (counted over all chains). */
  stopAfter?: number;
  /** Gas per plan label from a rehearsal, used by the dry run for calls it cannot estimate yet. */
  estimates?: Record<string, string>;
  /** Networks whose stale record entries are dropped instead of refused (`--reset`). */
  reset?: string[];
}

/** State shared by the chains of one run. */
export class Run {
  readonly plan: PlanItem[] = [];
  readonly diffs: { network: string; line: string }[] = [];
  readonly proposals: Proposal[] = [];
  /** Gas used by the transactions this run sent, per network. */
  readonly gasUsed = new Map<string, bigint>();
  readonly sent = new Map<string, number>();
  /** Wall time spent sending and confirming on each network, in ms. */
  readonly elapsed = new Map<string, number>();
  /** Gas used per `<network>:<label>`, what a dry run can later quote for steps it cannot estimate. */
  readonly used: Record<string, string> = {};
  private transactions = 0;

  constructor(readonly options: RunOptions) {}

  get mode(): Mode {
    return this.options.mode;
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  /** Counts one transaction of `network` that used `gas`; throws {@link Interrupted} when the budget is spent. */
  count(network: string, gas: bigint, ms = 0, label?: string): void {
    if (label) this.used[`${network}:${label}`] = gas.toString();
    this.elapsed.set(network, (this.elapsed.get(network) ?? 0) + ms);
    this.gasUsed.set(network, (this.gasUsed.get(network) ?? 0n) + gas);
    this.sent.set(network, (this.sent.get(network) ?? 0) + 1);
    this.transactions++;
    if (this.options.stopAfter !== undefined && this.transactions >= this.options.stopAfter) {
      throw new Interrupted(`interrupted after ${this.transactions} transactions`);
    }
  }
}

/** Where each deployable contract is defined, for explorer verification (fully qualified names). */
const SOURCES: Record<string, string> = {
  Messenger: "contracts/messaging/Messenger.sol",
  LocalAdapter: "contracts/messaging/adapters/LocalAdapter.sol",
  LayerZeroAdapter: "contracts/messaging/adapters/LayerZeroAdapter.sol",
  CCIPAdapter: "contracts/messaging/adapters/CCIPAdapter.sol",
  HyperlaneAdapter: "contracts/messaging/adapters/HyperlaneAdapter.sol",
  MarginEngineExt: "contracts/hub/MarginEngineExt.sol",
  MarginEngineLiq: "contracts/hub/MarginEngineLiq.sol",
  MarginEngine: "contracts/hub/MarginEngine.sol",
  MarginLens: "contracts/hub/MarginLens.sol",
  CollateralVault: "contracts/spoke/CollateralVault.sol",
  TimelockController: "@openzeppelin/contracts/governance/TimelockController.sol",
  MockERC20: "contracts/mocks/MockERC20.sol",
  MockPriceFeed: "contracts/mocks/MockPriceFeed.sol",
};

/** `path:Name` of the contract a typechain factory deploys, when known. */
export function qualifiedName(factory: DeployFactory): string | undefined {
  const name = factory.constructor.name.replace(/__factory$/, "");
  return SOURCES[name] ? `${SOURCES[name]}:${name}` : undefined;
}

/** Constructor arguments as JSON (bigints as decimal strings, structs as objects). */
export function jsonArgs(args: unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) as unknown[];
}

function reason(e: unknown, iface?: Interface): string {
  const err = e as { data?: string; info?: { error?: { data?: string } }; shortMessage?: string; message?: string };
  const data = err?.data ?? err?.info?.error?.data;
  if (iface && typeof data === "string" && data.length >= 10) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(", ")})`;
    } catch {
      // not an error of this interface
    }
  }
  return (err?.shortMessage ?? err?.message ?? String(e)).split("\n")[0];
}

export class ChainRunner {
  /** Next nonce the dry run predicts addresses with. */
  private nonce = -1;

  constructor(
    readonly run: Run,
    readonly net: NetworkEntry,
    readonly signer: Signer,
    readonly deployer: string,
    readonly role: "hub" | "spoke",
  ) {}

  get provider(): Provider {
    return this.signer.provider!;
  }

  get name(): string {
    return this.net.name;
  }

  private get store(): RecordStore {
    return this.run.options.store;
  }

  /** Checks that the node serves the chain of the book and that the record still matches the chain. */
  async open(): Promise<void> {
    const chainId = (await this.provider.getNetwork()).chainId;
    if (chainId !== BigInt(this.net.chainId)) {
      throw new Error(`${this.name}: the RPC serves chain ${chainId}, the address book says ${this.net.chainId}`);
    }
    const existing = this.store.chain(this.name);
    if (existing) {
      const problems: string[] = [];
      if (existing.chainId !== this.net.chainId) problems.push(`recorded chain id ${existing.chainId}`);
      for (const [name, c] of Object.entries(existing.contracts)) {
        if (c.pending) continue;
        if ((await this.provider.getCode(c.address)) === "0x") problems.push(`no code at ${name} ${c.address}`);
      }
      if (problems.length) {
        if (this.run.options.reset?.includes(this.name)) {
          this.run.log(`${this.name}: stale record (${problems.join("; ")}): reset, deploying afresh`);
          this.store.reset(this.name);
        } else {
          throw new StaleRecordError(
            `${this.name}: the record does not match the chain (${problems.join("; ")}); ` +
              `the chain was reset or the record belongs elsewhere. Re-run with --reset ${this.name} to deploy afresh.`,
          );
        }
      }
    }
    if (this.run.mode === "deploy") {
      this.store.ensureChain({
        network: this.name,
        chainId: this.net.chainId,
        role: this.role,
        confirmations: this.net.confirmations,
      });
    }
    this.nonce = await this.provider.getTransactionCount(this.deployer, "pending");
  }

  /** The recorded address of `name`, if any. */
  address(name: string): string | undefined {
    const c = this.store.chain(this.name)?.contracts[name];
    return c && !c.pending ? c.address : undefined;
  }

  private async hasCode(address: string | undefined): Promise<boolean> {
    return !!address && (await this.provider.getCode(address)) !== "0x";
  }

  /**
   * Deploys `name` unless the record has it and the chain holds it. Returns its address (in a dry run, the
   * address it would get; in a check, the recorded one or the zero address).
   */
  async deploy(name: string, factory: DeployFactory, args: unknown[]): Promise<string> {
    const rec = this.store.chain(this.name)?.contracts[name];
    if (rec?.pending && this.run.mode === "deploy") {
      const receipt = await this.provider.getTransactionReceipt(rec.tx!);
      if (receipt?.status === 1 && receipt.contractAddress) {
        this.record(name, receipt.contractAddress, receipt.blockNumber, rec.tx!);
        this.run.log(`${this.name}: ${name} found confirmed at ${receipt.contractAddress} (resumed)`);
        return receipt.contractAddress;
      }
    }
    if (rec && !rec.pending) return rec.address;
    const deployTx = await (factory.getDeployTransaction as (...a: unknown[]) => Promise<{ data: string }>)(...args);
    if (this.run.mode === "check") {
      this.run.diffs.push({ network: this.name, line: `${name}: not deployed` });
      return "0x0000000000000000000000000000000000000000";
    }
    if (this.run.mode === "dry-run") {
      const predicted = getCreateAddress({ from: this.deployer, nonce: this.nonce++ });
      let gas: bigint | undefined;
      try {
        gas = await this.provider.estimateGas({ from: this.deployer, data: deployTx.data });
      } catch {
        gas = undefined;
      }
      this.planned("deploy", name, gas);
      return predicted;
    }
    const t0 = Date.now();
    let tx;
    try {
      tx = await this.signer.sendTransaction({ data: deployTx.data });
    } catch (e) {
      throw new Error(`${this.name}: deploy ${name} failed: ${reason(e, factory.interface)}`);
    }
    const predicted = getCreateAddress({ from: this.deployer, nonce: tx.nonce });
    this.record(name, predicted, 0, tx.hash, true, { contract: qualifiedName(factory), args: jsonArgs(args) });
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1 || !receipt.contractAddress) {
      throw new Error(`${this.name}: deploy ${name} failed (tx ${tx.hash})`);
    }
    this.record(name, receipt.contractAddress, receipt.blockNumber, tx.hash);
    this.run.log(`${this.name}: ${name} deployed at ${receipt.contractAddress} (gas ${receipt.gasUsed})`);
    this.run.count(this.name, receipt.gasUsed, Date.now() - t0, name);
    return receipt.contractAddress;
  }

  private record(
    name: string,
    address: string,
    block: number,
    tx: string,
    pending = false,
    source?: { contract?: string; args: unknown[] },
  ): void {
    const chain = this.store.chain(this.name)!;
    const verification = source ?? {
      contract: chain.contracts[name]?.contract,
      args: chain.contracts[name]?.args ?? [],
    };
    chain.contracts[name] = pending
      ? { address, block, tx, pending, ...verification }
      : { address, block, tx, ...verification };
    const blocks = Object.values(chain.contracts)
      .filter((c) => !c.pending)
      .map((c) => c.block);
    chain.startBlock = blocks.length ? Math.min(...blocks) : 0;
    this.store.save();
  }

  /** Records what else the chain's tools need (adapters by kind, tokens) without deploying anything. */
  note(update: (chain: NonNullable<ReturnType<RecordStore["chain"]>>) => void): void {
    const chain = this.store.chain(this.name);
    if (!chain || this.run.mode !== "deploy") return;
    update(chain);
    this.store.save();
  }

  private planned(kind: "deploy" | "call", label: string, gas: bigint | undefined): void {
    const key = `${this.name}:${label}`;
    const estimate = this.run.options.estimates?.[key];
    if (gas === undefined && estimate) {
      this.run.plan.push({ network: this.name, kind, label, gas: BigInt(estimate), note: "from the rehearsal" });
    } else {
      this.run.plan.push({
        network: this.name,
        kind,
        label,
        gas,
        note: gas === undefined ? "estimated after deploy" : undefined,
      });
    }
  }

  /**
   * One configuration call on `target` (owned by `owner` when given). `diff()` returns what differs (undefined if
   * the chain is already right); `populate()` builds the transaction; `send()` sends it as the deployer.
   */
  async call(
    label: string,
    target: string,
    diff: () => Promise<string | undefined>,
    populate: () => Promise<TransactionRequest>,
    opts: { iface?: Interface; owner?: () => Promise<string> } = {},
  ): Promise<void> {
    if (!(await this.hasCode(target))) {
      if (this.run.mode === "check") {
        this.run.diffs.push({ network: this.name, line: `${label}: target ${target} has no code` });
      } else if (this.run.mode === "dry-run") {
        this.nonce++;
        this.planned("call", label, undefined);
      } else {
        throw new Error(`${this.name}: ${label}: target ${target} has no code`);
      }
      return;
    }
    const difference = await diff();
    if (difference === undefined) return;
    if (this.run.mode === "check") {
      this.run.diffs.push({ network: this.name, line: `${label}: ${difference}` });
      return;
    }
    const request = await populate();
    if (this.run.mode === "dry-run") {
      let gas: bigint | undefined;
      try {
        gas = await this.provider.estimateGas({ ...request, from: this.deployer });
      } catch {
        gas = undefined;
      }
      this.nonce++;
      this.planned("call", label, gas);
      return;
    }
    const owner = opts.owner ? await opts.owner() : this.deployer;
    if (owner.toLowerCase() !== this.deployer.toLowerCase()) {
      // Handed over: only the timelock can change it now. Print it as a proposal instead of failing later.
      this.run.proposals.push({ network: this.name, label, to: String(request.to), data: String(request.data) });
      this.run.log(`${this.name}: ${label}: ${difference}; owned by ${owner}: proposal recorded`);
      return;
    }
    const t0 = Date.now();
    let response: ContractTransactionResponse | Awaited<ReturnType<Signer["sendTransaction"]>>;
    try {
      response = await this.signer.sendTransaction(request);
    } catch (e) {
      throw new Error(`${this.name}: ${label} failed: ${reason(e, opts.iface)}`);
    }
    const receipt = await response.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`${this.name}: ${label} failed (tx ${response.hash})`);
    this.run.log(`${this.name}: ${label} (gas ${receipt.gasUsed})`);
    const after = await diff();
    if (after !== undefined) throw new Error(`${this.name}: ${label}: still differs after the call: ${after}`);
    this.run.count(this.name, receipt.gasUsed, Date.now() - t0, label);
  }

  /** A state the deploy never changes but the check reports (pauses). */
  async expect(label: string, target: string, diff: () => Promise<string | undefined>): Promise<void> {
    if (this.run.mode === "dry-run" || !(await this.hasCode(target))) return;
    const difference = await diff();
    if (difference === undefined) return;
    if (this.run.mode === "check") this.run.diffs.push({ network: this.name, line: `${label}: ${difference}` });
    else this.run.log(`${this.name}: warning: ${label}: ${difference} (the deploy does not change this)`);
  }

  /** A read-only contract at `address` on this chain with `abi`. */
  contract(address: string, abi: string[]): Contract {
    return new Contract(address, abi, this.provider);
  }
}
