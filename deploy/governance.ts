/**
 * Governance: an OpenZeppelin TimelockController owns every configurable contract, so each configuration change
 * is public for `minDelay` seconds before it can run. The admin (a multisig in production) is the only proposer,
 * executor and canceller; the guardian stays a separate key that can only pause (and suspend a compromised adapter).
 *
 * Hand-over, in one call ({@link deployGovernance}):
 *   1. deploy the timelock with delay 0, the deployer temporarily proposer and executor beside the admin;
 *   2. `transferOwnership(timelock)` on every contract (Ownable2Step: the timelock is only pending owner);
 *   3. one batch through the timelock: `acceptOwnership()` on every contract, then `updateDelay(minDelay)` on
 *      itself, scheduled and executed at once while the delay is still 0;
 *   4. the deployer renounces its roles.
 * After that the deployer can configure nothing, and every change takes schedule -> minDelay -> execute.
 */
import { Interface, ZeroAddress, ZeroHash, id, type ContractTransactionResponse, type Signer } from "ethers";
import { TimelockController, TimelockController__factory } from "../typechain-types";
import { send } from "./orchestrator";

export interface GovernanceConfig {
  /** Seconds between scheduling a configuration change and executing it. */
  minDelay: bigint | number;
  /** Proposer, executor and canceller of the timelock. */
  admin: string;
}

/** A contract with OpenZeppelin's Ownable2Step, owned by the deployer. */
export interface Ownable2StepContract {
  getAddress(): Promise<string>;
  owner(): Promise<string>;
  transferOwnership(newOwner: string): Promise<ContractTransactionResponse>;
}

const OWNABLE2STEP = new Interface(["function acceptOwnership()"]);

/**
 * Deploys a TimelockController with `config.minDelay`, `config.admin` as its proposer and executor, and hands it
 * the ownership of every contract in `owned` (each owned by `deployer`). Returns the timelock.
 */
export async function deployGovernance(
  deployer: Signer,
  config: GovernanceConfig,
  owned: Ownable2StepContract[],
): Promise<TimelockController> {
  const me = await deployer.getAddress();
  const operators = me.toLowerCase() === config.admin.toLowerCase() ? [config.admin] : [config.admin, me];
  // No separate role admin: roles change only through the timelock's own delayed operations.
  const timelock = await new TimelockController__factory(deployer).deploy(0, operators, operators, ZeroAddress);
  await timelock.waitForDeployment();
  const timelockAddress = await timelock.getAddress();

  const targets: string[] = [];
  const payloads: string[] = [];
  for (const contract of owned) {
    await send(contract.transferOwnership(timelockAddress));
    targets.push(await contract.getAddress());
    payloads.push(OWNABLE2STEP.encodeFunctionData("acceptOwnership"));
  }
  targets.push(timelockAddress);
  payloads.push(timelock.interface.encodeFunctionData("updateDelay", [config.minDelay]));
  const values = targets.map(() => 0n);
  const salt = id("xmargin.governance.handover");
  await send(timelock.scheduleBatch(targets, values, payloads, ZeroHash, salt, 0));
  await send(timelock.executeBatch(targets, values, payloads, ZeroHash, salt));

  if (operators.length > 1) {
    for (const role of [
      await timelock.PROPOSER_ROLE(),
      await timelock.EXECUTOR_ROLE(),
      await timelock.CANCELLER_ROLE(),
    ]) {
      await send(timelock.renounceRole(role, me));
    }
  }

  for (const contract of owned) {
    const owner = await contract.owner();
    if (owner !== timelockAddress)
      throw new Error(`${await contract.getAddress()} is owned by ${owner}, not the timelock`);
  }
  if ((await timelock.getMinDelay()) !== BigInt(config.minDelay)) throw new Error("timelock delay not set");
  return timelock;
}
