import { HardhatUserConfig, subtask } from "hardhat/config";
import {
  TASK_COMPILE_GET_REMAPPINGS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_COMPILE_SOLIDITY_READ_FILE,
} from "hardhat/builtin-tasks/task-names";
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

// Chainlink CCIP imports OpenZeppelin by version (`@openzeppelin/contracts@4.8.3/...`, a Foundry remapping);
// package.json installs those versions under npm aliases (`@openzeppelin/contracts-4.8.3`).
subtask(TASK_COMPILE_GET_REMAPPINGS).setAction(async (_args, _hre, runSuper) => ({
  ...(await runSuper()),
  "@openzeppelin/contracts@4.8.3/": "@openzeppelin/contracts-4.8.3/",
  "@openzeppelin/contracts@5.0.2/": "@openzeppelin/contracts-5.0.2/",
}));

// Hyperlane's sources are written for OpenZeppelin 4.9 (`security/Pausable`, initializer semantics), while
// everything else here uses 5.x. Compile Hyperlane's own files against the aliased 4.9.3 copies; no other
// file is touched.
const HYPERLANE_SOURCES = `${path.sep}node_modules${path.sep}@hyperlane-xyz${path.sep}core${path.sep}`;
subtask(TASK_COMPILE_SOLIDITY_READ_FILE).setAction(
  async (args: { absolutePath: string }, _hre, runSuper): Promise<string> => {
    const content: string = await runSuper(args);
    if (!args.absolutePath.includes(HYPERLANE_SOURCES)) return content;
    return content
      .replaceAll('"@openzeppelin/contracts/', '"@openzeppelin/contracts-4.9.3/')
      .replaceAll('"@openzeppelin/contracts-upgradeable/', '"@openzeppelin/contracts-upgradeable-4.9.3/');
  },
);

const chainId = Number(process.env.XMARGIN_CHAIN_ID ?? 31337);

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      { version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "cancun" } },
    ],
  },
  networks: {
    hardhat: { chainId },
  },
  gasReporter: { enabled: process.env.REPORT_GAS === "1" },
  mocha: { timeout: 120_000 },
};

export default config;
