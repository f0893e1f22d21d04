import { expect } from "chai";
import fs from "fs";
import hre from "hardhat";
import { getAddress } from "ethers";
import { EndpointId, endpointIdToNetwork } from "@layerzerolabs/lz-definitions";
import { ADDRESS_BOOK, NETWORK_ENTRIES, networkByChainId, networkByName } from "../../deploy/networks";
import type { NetworkEntry } from "../../deploy/types";

/**
 * Cross-checks the address book against the bridges' own published packages, so that a value changed upstream (or a
 * typo here) fails CI:
 * - LayerZero: eids from `@layerzerolabs/lz-definitions`; EndpointV2, ULN 302 libraries, executor and LayerZero Labs'
 *   DVN from `@layerzerolabs/lz-evm-sdk-v2/deployments/<network>/*.json`.
 * - CCIP: router, chain selector and LINK from `@chainlink/local`'s `src/ccip/Register.sol` (keyed by chain id).
 * - Hyperlane: mailbox, IGP, domain and chain id from `@hyperlane-xyz/registry/chains/<chain>/{addresses,metadata}.json`.
 */

/** How each book network is named in the packages that do not key by chain id. Adding a network adds a row. */
const PACKAGE_NAMES: Record<string, { lzEndpointKey: keyof typeof EndpointId; hyperlaneChain: string }> = {
  sepolia: { lzEndpointKey: "SEPOLIA_V2_TESTNET", hyperlaneChain: "sepolia" },
  arbitrumSepolia: { lzEndpointKey: "ARBSEP_V2_TESTNET", hyperlaneChain: "arbitrumsepolia" },
  baseSepolia: { lzEndpointKey: "BASESEP_V2_TESTNET", hyperlaneChain: "basesepolia" },
  optimismSepolia: { lzEndpointKey: "OPTSEP_V2_TESTNET", hyperlaneChain: "optimismsepolia" },
};

function readJson<T>(request: string): T {
  return JSON.parse(fs.readFileSync(require.resolve(request), "utf8")) as T;
}

/** The LayerZero deployment address of `contract` on the LayerZero network `lzNetwork` (e.g. `sepolia-testnet`). */
function lzDeployment(lzNetwork: string, contract: string): string {
  return readJson<{ address: string }>(`@layerzerolabs/lz-evm-sdk-v2/deployments/${lzNetwork}/${contract}.json`)
    .address;
}

interface RegisterEntry {
  chainSelector: string;
  router: string;
  link: string;
}

/** Parses `s_networkDetails[<chainId>] = NetworkDetails({...})` blocks out of @chainlink/local's Register.sol. */
function ccipRegister(): Map<number, RegisterEntry> {
  const source = fs.readFileSync(require.resolve("@chainlink/local/src/ccip/Register.sol"), "utf8");
  const out = new Map<number, RegisterEntry>();
  const block = /s_networkDetails\[(\d+)\]\s*=\s*NetworkDetails\(\{([\s\S]*?)\}\);/g;
  for (const m of source.matchAll(block)) {
    const field = (name: string): string => {
      const f = new RegExp(`${name}:\\s*(?:address\\()?(0x[0-9a-fA-F]{40}|\\d+)`).exec(m[2]);
      if (f === null) throw new Error(`Register.sol: no ${name} for chain ${m[1]}`);
      return f[1];
    };
    out.set(Number(m[1]), {
      chainSelector: field("chainSelector"),
      router: field("routerAddress"),
      link: field("linkAddress"),
    });
  }
  return out;
}

/** Every address-looking string in an entry, with its path, for the checksum check. */
function addressesIn(value: unknown, at: string): [string, string][] {
  if (typeof value === "string") return /^0x[0-9a-fA-F]{40}$/.test(value) ? [[at, value]] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => addressesIn(v, `${at}.${k}`));
}

describe("address book", () => {
  const register = ccipRegister();

  it("keys every entry by its own name and gives every network a distinct chain id", () => {
    expect(Object.keys(ADDRESS_BOOK)).to.deep.equal(NETWORK_ENTRIES.map((n) => n.name));
    for (const [key, entry] of Object.entries(ADDRESS_BOOK)) expect(entry.name, key).to.equal(key);
    const ids = NETWORK_ENTRIES.map((n) => n.chainId);
    expect(new Set(ids).size, `chain ids ${ids.join(", ")}`).to.equal(ids.length);
  });

  it("writes every address checksummed (EIP-55)", () => {
    const checksummed = (a: string): string => getAddress(a.toLowerCase());
    const bad = NETWORK_ENTRIES.flatMap((n) => addressesIn(n, n.name)).filter(([, a]) => checksummed(a) !== a);
    expect(bad.map(([at, a]) => `${at}: ${a} should be ${checksummed(a)}`)).to.deep.equal([]);
  });

  for (const entry of NETWORK_ENTRIES) {
    describe(entry.name, () => {
      const names = PACKAGE_NAMES[entry.name];

      it("is named in the cross-check table", () => {
        expect(names, `add ${entry.name} to PACKAGE_NAMES in this test`).to.not.equal(undefined);
      });

      it("matches @layerzerolabs/lz-definitions and lz-evm-sdk-v2 (eid, EndpointV2, libraries, executor, DVN)", () => {
        const lz = entry.layerzero;
        if (lz === undefined) return;
        expect(lz.eid, `EndpointId.${names.lzEndpointKey}`).to.equal(EndpointId[names.lzEndpointKey]);
        const lzNetwork = endpointIdToNetwork(lz.eid);
        expect(lz.endpointV2, "EndpointV2").to.equal(lzDeployment(lzNetwork, "EndpointV2"));
        if (lz.sendLib302 !== undefined)
          expect(lz.sendLib302, "SendUln302").to.equal(lzDeployment(lzNetwork, "SendUln302"));
        if (lz.receiveLib302 !== undefined) {
          expect(lz.receiveLib302, "ReceiveUln302").to.equal(lzDeployment(lzNetwork, "ReceiveUln302"));
        }
        if (lz.executor !== undefined) expect(lz.executor, "Executor").to.equal(lzDeployment(lzNetwork, "Executor"));
        if (lz.dvns?.layerzeroLabs !== undefined) {
          expect(lz.dvns.layerzeroLabs, "DVN (LayerZero Labs)").to.equal(lzDeployment(lzNetwork, "DVN"));
        }
      });

      it("matches @chainlink/local's CCIP register (router, chain selector, LINK)", () => {
        const ccip = entry.ccip;
        if (ccip === undefined) return;
        const published = register.get(entry.chainId);
        expect(published, `Register.sol has no chain ${entry.chainId}`).to.not.equal(undefined);
        expect(ccip.router, "router").to.equal(published!.router);
        expect(ccip.chainSelector, "chain selector").to.equal(published!.chainSelector);
        if (ccip.linkToken !== undefined) expect(ccip.linkToken, "LINK").to.equal(published!.link);
        if (entry.tokens.LINK !== undefined) expect(entry.tokens.LINK.address, "tokens.LINK").to.equal(published!.link);
      });

      it("matches @hyperlane-xyz/registry (chain id, domain, mailbox, IGP)", () => {
        const hl = entry.hyperlane;
        if (hl === undefined) return;
        const chain = names.hyperlaneChain;
        const metadata = readJson<{ chainId: number; domainId: number }>(
          `@hyperlane-xyz/registry/chains/${chain}/metadata.json`,
        );
        const addresses = readJson<{ mailbox: string; interchainGasPaymaster: string }>(
          `@hyperlane-xyz/registry/chains/${chain}/addresses.json`,
        );
        expect(metadata.chainId, "registry chainId").to.equal(entry.chainId);
        expect(hl.domain, "domain").to.equal(metadata.domainId);
        expect(hl.mailbox, "mailbox").to.equal(addresses.mailbox);
        expect(hl.interchainGasPaymaster, "interchainGasPaymaster").to.equal(addresses.interchainGasPaymaster);
      });

      it("waits at least as many blocks as Hyperlane's validators (the registry's blocks.reorgPeriod)", () => {
        // The LocalAdapter relayer's depth should be no shallower than what a bridge's own verifiers treat as safe
        // from reorgs on this chain (docs/operating.md#finality-confirmation-depth-per-chain).
        const metadata = readJson<{ blocks: { reorgPeriod: number | string } }>(
          `@hyperlane-xyz/registry/chains/${names.hyperlaneChain}/metadata.json`,
        );
        const reorgPeriod = metadata.blocks.reorgPeriod;
        expect(typeof reorgPeriod, "a reorg period in blocks, not a block tag").to.equal("number");
        expect(entry.confirmations).to.be.at.least(reorgPeriod as number);
      });

      it("names a source for every value no package publishes, and points its explorer at Etherscan v2", () => {
        for (const [key, feed] of Object.entries(entry.feeds)) {
          expect(feed.source, `feeds.${key}.source`).to.match(/^https:\/\//);
          expect(feed.pair.replace(/ /g, ""), `feeds.${key}.pair`).to.equal(key);
          expect(feed.heartbeat, `feeds.${key}.heartbeat`).to.be.greaterThan(0);
        }
        for (const [symbol, token] of Object.entries(entry.tokens)) {
          expect(token.symbol, `tokens.${symbol}.symbol`).to.equal(symbol);
          expect(token.source, `tokens.${symbol}.source`).to.match(/^(https:\/\/|@)/);
        }
        if (entry.sequencerUptimeFeed !== undefined) expect(entry.sequencerUptimeFeed.source).to.match(/^https:\/\//);
        expect(entry.explorer.apiUrl).to.equal(`https://api.etherscan.io/v2/api?chainid=${entry.chainId}`);
        expect(entry.confirmations).to.be.greaterThan(0);
        expect(entry.rpcUrlVar).to.match(/^[A-Z][A-Z0-9_]*_RPC_URL$/);
      });
    });
  }

  it("lists in hardhat.config.ts exactly the networks of the book, with their chain ids", () => {
    // devnetHub / devnetAlpha / devnetBeta are the local devnet's chains (npm run devnet), not book networks.
    const configured = Object.entries(hre.config.networks).filter(
      ([name]) => name !== "hardhat" && name !== "localhost" && !name.startsWith("devnet"),
    );
    expect(configured.map(([name]) => name).sort()).to.deep.equal(Object.keys(ADDRESS_BOOK).sort());
    for (const [name, network] of configured) expect(network.chainId, name).to.equal(ADDRESS_BOOK[name].chainId);
  });

  it("finds entries by name and chain id, and names what it cannot find", () => {
    const entry: NetworkEntry = networkByName("sepolia");
    expect(networkByChainId(entry.chainId)).to.equal(entry);
    expect(() => networkByName("mainnet")).to.throw(/unknown network "mainnet".*sepolia/);
    expect(() => networkByChainId(1)).to.throw(/unknown chain id 1:.*sepolia \(11155111\)/);
  });
});
