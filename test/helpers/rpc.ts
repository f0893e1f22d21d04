/**
 * Serves in-process chains over HTTP JSON-RPC on 127.0.0.1 (random ports), so that tools which take RPC URLs
 * (Hardhat tasks, another process importing the SDK) reach a world created in the test process.
 */
import http from "http";
import type { AddressInfo } from "net";
import type { Chain } from "../../scripts/lib/chain";

interface RpcRequest {
  id: number | string | null;
  method: string;
  params?: unknown[];
}

async function answer(chain: Chain, req: RpcRequest) {
  try {
    const result = await chain.send(req.method, req.params ?? []);
    return { jsonrpc: "2.0", id: req.id, result };
  } catch (e) {
    const err = e as { code?: number; message?: string; data?: unknown };
    return {
      jsonrpc: "2.0",
      id: req.id,
      error: { code: err.code ?? -32603, message: err.message ?? String(e), data: err.data },
    };
  }
}

export interface Served {
  /** URL per chain name. */
  rpc: Record<string, string>;
  close(): Promise<void>;
}

export async function serveChains(chains: Chain[]): Promise<Served> {
  const servers: http.Server[] = [];
  const rpc: Record<string, string> = {};
  for (const chain of chains) {
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (d) => (body += d));
      request.on("end", async () => {
        const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
        const out = Array.isArray(parsed)
          ? await Promise.all(parsed.map((r) => answer(chain, r)))
          : await answer(chain, parsed);
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    rpc[chain.name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    rpc,
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
