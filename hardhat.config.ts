import { extendEnvironment, HardhatUserConfig, subtask } from "hardhat/config";
import type { HttpNetworkUserConfig, NetworksUserConfig } from "hardhat/types";
import {
  TASK_COMPILE_GET_REMAPPINGS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_COMPILE_SOLIDITY_READ_FILE,
} from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import { HardhatPluginError } from "hardhat/plugins";
import path from "path";
import { NETWORK_ENTRIES } from "./deploy/networks";
import { configVariable, DEPLOYER_KEY_VAR, EXPLORER_KEY_VAR, howToSet } from "./deploy/networks/secrets";
import "./tasks";
// `npx hardhat docgen` (npm run docs:contracts): the contract reference from the NatSpec, in docs/contracts/ (not
// committed). The plugin only adds its task and a config key; compile and test do not run it.
import "solidity-docgen";

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

// Public networks, generated from the address book (deploy/networks): adding a network is one book entry and one line
// in its NETWORK_ENTRIES list. URLs and keys come from the environment or `npx hardhat vars set NAME`; a network whose
// URL is unset keeps a placeholder that fails only when that network is used (see the extendEnvironment below), so
// compile, tests and the other networks never need it.
const MISSING_URL = "http://127.0.0.1:1/missing-rpc-url";
// A malformed key must not break compile or tests either: it is left out here and reported when a book network is used.
const rawDeployerKey = configVariable(DEPLOYER_KEY_VAR);
const deployerKey =
  rawDeployerKey !== undefined && /^(0x)?[0-9a-fA-F]{64}$/.test(rawDeployerKey) ? rawDeployerKey : undefined;
const bookNetworks: NetworksUserConfig = Object.fromEntries(
  NETWORK_ENTRIES.map((entry): [string, HttpNetworkUserConfig] => [
    entry.name,
    {
      chainId: entry.chainId,
      url: configVariable(entry.rpcUrlVar) ?? MISSING_URL,
      ...(deployerKey === undefined ? {} : { accounts: [deployerKey] }),
    },
  ]),
);

// The devnet (`npm run devnet`, scripts/devnet.ts): one node per chain on consecutive ports from 8545, unlocked
// accounts. `npx hardhat xm:position --network devnetHub` reads deployments/devnet.json.
const devnetNetworks: NetworksUserConfig = {
  devnetHub: { chainId: 31337, url: "http://127.0.0.1:8545" },
  devnetAlpha: { chainId: 31338, url: "http://127.0.0.1:8546" },
  devnetBeta: { chainId: 31339, url: "http://127.0.0.1:8547" },
};

extendEnvironment((hre) => {
  const entry = NETWORK_ENTRIES.find((n) => n.name === hre.network.name);
  if (entry !== undefined && configVariable(entry.rpcUrlVar) === undefined) {
    throw new HardhatPluginError("xmargin", `network ${entry.name} has no RPC URL: ${howToSet(entry.rpcUrlVar)}`);
  }
  if (entry !== undefined && rawDeployerKey !== undefined && deployerKey === undefined) {
    throw new HardhatPluginError("xmargin", `${DEPLOYER_KEY_VAR} is not a 32-byte hex private key`);
  }
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      { version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "cancun" } },
    ],
  },
  networks: {
    hardhat: { chainId },
    ...bookNetworks,
    ...devnetNetworks,
  },
  // hardhat-verify through Etherscan's v2 API: one key for every chain (a single string selects v2).
  etherscan: {
    apiKey: configVariable(EXPLORER_KEY_VAR) ?? "",
    customChains: NETWORK_ENTRIES.map((n) => ({
      network: n.name,
      chainId: n.chainId,
      urls: { apiURL: n.explorer.apiUrl, browserURL: n.explorer.browserUrl },
    })),
  },
  sourcify: { enabled: false },
  gasReporter: { enabled: process.env.REPORT_GAS === "1" },
  mocha: { timeout: 120_000 },
  // One page per source file (interfaces carry the NatSpec; implementations say @inheritdoc); mocks are left out.
  docgen: { outputDir: "docs/contracts", pages: "files", exclude: ["mocks"] },
};

export default config;
