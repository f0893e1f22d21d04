import { expect } from "chai";
import type { Provider } from "ethers";
import { queryRange } from "../../scripts/lib/events";

describe("queryRange (bounded eth_getLogs)", () => {
  it("covers [from, to] in contiguous ranges of at most `step` blocks, in order", async () => {
    const ranges: [number, number][] = [];
    const provider = { getBlockNumber: async () => 12_345 } as unknown as Provider;
    const out = await queryRange(
      provider,
      async (a, b) => {
        ranges.push([a, b]);
        return [a];
      },
      100,
      undefined,
      5_000,
    );
    expect(ranges).to.deep.equal([
      [100, 5_099],
      [5_100, 10_099],
      [10_100, 12_345],
    ]);
    expect(out).to.deep.equal([100, 5_100, 10_100]);
    expect(await queryRange(provider, async () => [1], 20_000)).to.deep.equal([]);
  });
});
