import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import path from "path";

const SOLC_VERSION = "0.8.28";

// Hardhat cannot download compilers on these machines: use the solcjs build from the
// npm `solc` package, pinned to exactly SOLC_VERSION in package.json.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: args.solcVersion, longVersion: require("solc/package.json").version };
});

const chainId = Number(process.env.XMARGIN_CHAIN_ID ?? 31337);

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "cancun" },
  },
  networks: {
    hardhat: { chainId },
  },
  gasReporter: { enabled: process.env.REPORT_GAS === "1" },
  mocha: { timeout: 120_000 },
};

export default config;
