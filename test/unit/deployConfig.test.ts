import { expect } from "chai";
import { ADDRESS_BOOK } from "../../deploy/networks";
import { ENVIRONMENTS, loadEnvironment } from "../../deploy/config";
import { testnet } from "../../deploy/config/testnet";
import { assertValidEnvironment, validateEnvironment } from "../../deploy/config/validate";
import type { EnvironmentConfig, NetworkEntry } from "../../deploy/types";

type Book = Record<string, NetworkEntry>;

/** A deep copy of the testnet config and the book, broken by `mutate`, validated. */
function problemsAfter(mutate: (config: EnvironmentConfig, book: Book) => void): string[] {
  const config = structuredClone(testnet);
  const book = structuredClone(ADDRESS_BOOK);
  mutate(config, book);
  return validateEnvironment(config, book);
}

describe("environment config", () => {
  it("testnet is valid against the address book", () => {
    expect(validateEnvironment(testnet, ADDRESS_BOOK)).to.deep.equal([]);
    expect(() => assertValidEnvironment(testnet, ADDRESS_BOOK)).to.not.throw();
  });

  it("testnet has a route for every spoke, credit caps >= deposit caps, markets priced on the hub", () => {
    expect(Object.keys(testnet.routes).sort()).to.deep.equal([...testnet.spokes].sort());
    for (const m of testnet.markets) {
      expect(Number(m.creditCap), `${m.network}/${m.token}`).to.be.at.least(Number(m.depositCap));
      expect(ADDRESS_BOOK[testnet.hub].feeds[m.feed], m.feed).to.not.equal(undefined);
    }
  });

  it("loadEnvironment finds testnet and names an unknown environment", () => {
    expect(loadEnvironment("testnet")).to.equal(ENVIRONMENTS.testnet);
    expect(() => loadEnvironment("mainnet")).to.throw(/unknown environment "mainnet".*testnet/);
  });

  describe("each rule reports exactly its own line", () => {
    const cases: [string, (c: EnvironmentConfig, b: Book) => void, string][] = [
      [
        "unknown spoke network",
        (c) => {
          c.spokes[0] = "goerli";
          c.routes.goerli = c.routes.arbitrumSepolia;
          delete c.routes.arbitrumSepolia;
          c.markets = c.markets.filter((m) => m.network !== "arbitrumSepolia");
        },
        'spoke goerli: unknown network "goerli" (not in the address book)',
      ],
      ["unknown hub network", (c) => (c.hub = "goerli"), 'hub: unknown network "goerli" (not in the address book)'],
      [
        "k > n",
        (c) => (c.routes.baseSepolia.k = 4),
        "route baseSepolia: k = 4 must be between 1 and n = 3 (the number of adapters)",
      ],
      [
        "k = 0",
        (c) => (c.routes.baseSepolia.k = 0),
        "route baseSepolia: k = 0 must be between 1 and n = 3 (the number of adapters)",
      ],
      [
        "adapter missing on the spoke",
        (_c, b) => delete b.optimismSepolia.hyperlane,
        "route optimismSepolia: adapter hyperlane is not available on optimismSepolia (no hyperlane entry in its address book)",
      ],
      [
        "adapter missing on the hub",
        (c, b) => {
          delete b.sepolia.ccip;
          for (const s of ["baseSepolia", "optimismSepolia"])
            c.routes[s] = { adapters: ["layerzero", "hyperlane"], k: 2 };
        },
        "route arbitrumSepolia: adapter ccip is not available on sepolia (no ccip entry in its address book)",
      ],
      [
        "market without a feed on the hub",
        (_c, b) => delete b.sepolia.feeds["LINK/USD"],
        // one line per spoke's LINK market; the first one is checked below with the count
        'market LINK on arbitrumSepolia: no feed "LINK/USD" on the hub sepolia (feeds in its address book)',
      ],
      [
        "market token missing from its network's book",
        (_c, b) => delete b.baseSepolia.tokens.LINK,
        "market LINK on baseSepolia: token LINK is not in the address book of baseSepolia",
      ],
      [
        "vault deposit cap above the hub credit cap",
        (c) => (c.markets.find((m) => m.network === "baseSepolia" && m.token === "WETH")!.depositCap = "100.5"),
        "market WETH on baseSepolia: vault deposit cap 100.5 is above the hub credit cap 100",
      ],
      [
        "uncapped deposits under a capped credit",
        (c) => (c.markets.find((m) => m.network === "baseSepolia" && m.token === "USDC")!.depositCap = "0"),
        "market USDC on baseSepolia: vault deposit cap 0 (no cap) is above the hub credit cap 1000000",
      ],
      [
        "hub that is also a spoke",
        (c) => {
          c.spokes.push("sepolia");
          c.routes.sepolia = { adapters: ["layerzero"], k: 1 };
        },
        'spokes: "sepolia" is the hub; a hub cannot also be a spoke',
      ],
      [
        "duplicate chain ids",
        (_c, b) => (b.optimismSepolia.chainId = b.baseSepolia.chainId),
        "networks: baseSepolia and optimismSepolia have the same chain id 84532",
      ],
      [
        "route missing for a spoke",
        (c) => delete c.routes.arbitrumSepolia,
        "route arbitrumSepolia: missing (every spoke needs a route)",
      ],
      ["duplicate market", (c) => c.markets.push({ ...c.markets[0] }), "market WETH on arbitrumSepolia: listed twice"],
      [
        "borrow factor above the liquidation threshold",
        (c) => (c.markets[0].borrowFactorBps = 8600),
        "market WETH on arbitrumSepolia: need borrowFactorBps (8600) <= liquidationThresholdBps (8500) < 10000",
      ],
      [
        "liquidation threshold of 100%",
        (c) => {
          c.markets[0].liquidationThresholdBps = 10_000;
          c.markets[0].liquidationBonusBps = 0;
        },
        "market WETH on arbitrumSepolia: need borrowFactorBps (8000) <= liquidationThresholdBps (10000) < 10000",
      ],
      [
        "threshold x (1 + bonus) above 100%",
        (c) => (c.markets[0].liquidationBonusBps = 1800),
        "market WETH on arbitrumSepolia: threshold 8500 x (1 + bonus 1800) exceeds 100% (a liquidation would seize more than the debt covers)",
      ],
      [
        "bps out of range",
        (c) => (c.markets[0].liquidationBonusBps = -1),
        "market WETH on arbitrumSepolia: bps values must be integers in [0, 10000] (borrow 8000, threshold 8500, bonus -1)",
      ],
      [
        "deliveryGas of 0",
        (c) => (c.deliveryGas = 0),
        "deliveryGas: 0 must be a positive integer (gas each destination gives a delivery)",
      ],
    ];

    for (const [name, mutate, line] of cases) {
      it(name, () => {
        const problems = problemsAfter(mutate);
        expect(problems[0]).to.equal(line);
        if (name === "market without a feed on the hub") {
          expect(problems).to.have.length(testnet.spokes.length);
        } else {
          expect(problems).to.deep.equal([line]);
        }
      });
    }

    it("assertValidEnvironment lists every problem in its error", () => {
      const config = structuredClone(testnet);
      config.deliveryGas = 0;
      config.routes.baseSepolia.k = 0;
      expect(() => assertValidEnvironment(config, ADDRESS_BOOK)).to.throw(
        /environment "testnet" is invalid \(2 problems\):\n {2}- route baseSepolia: k = 0.*\n {2}- deliveryGas: 0/,
      );
    });
  });
});
