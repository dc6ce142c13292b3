/** Loopback helpers of `npm run bench`: a free port, and a JSON-RPC proxy that counts calls by method. */
import { createServer, request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export interface CountingProxy {
  url: string;
  /** Calls seen so far by JSON-RPC method (a batch counts each of its calls). */
  counts: Map<string, number>;
  /** The calls seen so far, all methods. */
  total: () => number;
  /** Forgets the calls seen so far, so that one proxy can count several runs apart. */
  reset: () => void;
  close: () => void;
}

/** A JSON-RPC proxy in front of `target` that counts the calls going through it by method. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString()) as { method?: string } | Array<{ method?: string }>;
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) counts.set(String(call.method), (counts.get(String(call.method)) ?? 0) + 1);
      } catch {
        // forward as is
      }
      const upstream = httpRequest(target, { method: "POST", headers: { "content-type": "application/json" } }, (up) => {
        res.writeHead(up.statusCode ?? 502, { "content-type": "application/json" });
        up.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `eth_call ×100, eth_chainId ×12`: the methods seen, most called first. */
export function describeCalls(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ×${n}`)
    .join(", ");
}
