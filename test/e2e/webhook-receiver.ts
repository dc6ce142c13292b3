/** A relying party's webhook receiver on this machine, for the end-to-end tests of subscriptions. */
import { createServer, type Server } from "node:http";

export interface Received {
  path: string;
  deliveryId: string;
  attempt: number;
  body: string;
  answered: number;
  at: number;
}

/** A relying party's webhook receiver: answers 503 to the first `failures[path]` requests, then 204. */
export class Receiver {
  readonly requests: Received[] = [];
  readonly failures = new Map<string, number>();
  #server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const path = req.url ?? "/";
        const left = this.failures.get(path) ?? 0;
        const answered = left > 0 ? 503 : 204;
        if (left > 0) this.failures.set(path, left - 1);
        this.requests.push({
          path,
          deliveryId: String(req.headers["x-eproof-delivery-id"]),
          attempt: Number(req.headers["x-eproof-attempt"]),
          body: Buffer.concat(chunks).toString("utf8"),
          answered,
          at: Date.now(),
        });
        res.statusCode = answered;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    this.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  /** What a receiver that deduplicates by delivery id processes: each accepted delivery once. */
  accepted(path: string): Received[] {
    return this.requests.filter((r) => r.path === path && r.answered === 204);
  }

  async waitFor(path: string, count: number, timeoutMs = 30_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.accepted(path).length >= count) return this.accepted(path);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`receiver ${path} got ${this.accepted(path).length} of ${count} notifications within ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/** The claims of a notification (a compact JWS), unverified: what the tests read the event from. */
export function payloadOf(jws: string): any {
  return JSON.parse(Buffer.from(String(jws.split(".")[1]), "base64url").toString("utf8"));
}
