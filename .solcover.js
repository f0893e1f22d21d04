// solidity-coverage (`npm run coverage`; see scripts/coverage.ts for which tests run and why).
module.exports = {
  // Test doubles and the bridges' local harnesses (contracts/mocks/bridges/) are not product code.
  skipFiles: ["mocks/"],
  // Instrumentation turns the optimizer off; LayerZero's EndpointV2 port then fails with "stack too deep".
  // Running the Yul optimizer with stack allocation (and nothing else) compiles it.
  configureYulOptimizer: true,
  istanbulReporter: ["text-summary", "json-summary", "html"],
};
