import { expect } from "chai";
import hre from "hardhat";
import type { HttpNetworkConfig } from "hardhat/types";
import { DEFAULT_SPOKES, HUB_CHAIN_ID } from "../../scripts/lib/world";

describe("devnet networks of the config", () => {
  it("name the devnet's chains (npm run devnet: hub, then the source chains, on ports from 8545)", () => {
    const expected = [
      { name: "devnetHub", chainId: HUB_CHAIN_ID },
      ...DEFAULT_SPOKES.map((s) => ({
        name: `devnet${s.name[0].toUpperCase()}${s.name.slice(1)}`,
        chainId: s.chainId,
      })),
    ];
    expected.forEach(({ name, chainId }, i) => {
      const net = hre.config.networks[name] as HttpNetworkConfig;
      expect(net, name).to.not.equal(undefined);
      expect(BigInt(net.chainId!), name).to.equal(chainId);
      expect(net.url, name).to.equal(`http://127.0.0.1:${8545 + i}`);
    });
  });
});
