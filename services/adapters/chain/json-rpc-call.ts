/**
 * One JSON-RPC request over node:http with a keep-alive agent. Used for the verify hot path's
 * single eth_call: measured here (CPU per verificationRecord call, 32 in flight), ethers' provider
 * stack costs ~330 µs, fetch (undici) ~650 µs, and this ~250 µs. Any failure is the chain being
 * unavailable, never a verdict.
 */
import { Agent, request } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { EProofError } from "../../errors.ts";

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

export function jsonRpcCall(url: string, method: string, params: unknown[], timeoutMs = 5_000): Promise<unknown> {
  const payload = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise((resolve, reject) => {
    const unavailable = (why: string, cause?: unknown) =>
      reject(new EProofError("CHAIN_UNAVAILABLE", `cannot read the chain at ${url}: ${why}`, cause === undefined ? undefined : { cause }));
    const secure = url.startsWith("https:");
    const req = (secure ? httpsRequest : request)(
      url,
      {
        method: "POST",
        agent: secure ? httpsAgent : agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => unavailable(error.message, error));
        res.on("end", () => {
          if (res.statusCode !== 200) return unavailable(`HTTP ${res.statusCode}`);
          let body: { result?: unknown; error?: { message?: string } };
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
          } catch (error) {
            return unavailable("the answer is not JSON", error);
          }
          if (body.error) return unavailable(`${method} failed: ${body.error.message ?? "unknown error"}`);
          resolve(body.result);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => unavailable(error.message, error));
    req.end(payload);
  });
}
