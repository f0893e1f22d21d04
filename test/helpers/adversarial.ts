/** Small shared pieces of the adversarial scenarios (test/adversarial/). */

/** The arguments of `InsufficientCollateral(account, chainId, asset, balance, requested)`, in order. */
export function InsufficientCollateralArgs(
  account: string,
  chainId: bigint,
  asset: string,
  balance: bigint,
  requested: bigint,
): [string, bigint, string, bigint, bigint] {
  return [account, chainId, asset, balance, requested];
}
