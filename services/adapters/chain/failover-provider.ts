/**
 * Several JSON-RPC endpoints of one chain behind one ethers provider (EPROOF_RPC_URL="a,b,c").
 *
 * Every request (read or write) goes to the first endpoint, in configured order, that is not
 * cooling down after a failure. A transport failure (connection refused, no answer within the
 * timeout, an HTTP error status) marks that endpoint down for `cooldownMs` and the same request is
 * tried on the next one. A JSON-RPC error answer (a revert, "nonce too low") is an answer, not a
 * failure: it is returned as is and never retried elsewhere. When every endpoint is cooling down,
 * all are tried anyway (in order), so a recovered node is found without waiting for the cooldown.
 *
 * Writes are safe to fail over: a signed transaction has one hash whichever node relays it, so a
 * node that took it before timing out and the next node that is sent it again mine it at most once
 * (the second answer is "already known" or "nonce too low", and the sender reconciles by receipt).
 */
import { FetchRequest, type JsonRpcPayload, JsonRpcProvider, type JsonRpcResult } from "ethers";
import { EProofError } from "../../errors.ts";
import { jsonRpcCall } from "./json-rpc-call.ts";

export interface FailoverOptions {
  /** Longest wait for one endpoint's answer before trying the next, ms (default 5 000). */
  timeoutMs?: number;
  /** How long an endpoint that failed is skipped, ms (default 5 000). */
  cooldownMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** What /healthz reports about one endpoint (its URL without credentials). */
export interface RpcEndpointHealth {
  url: string;
  healthy: boolean;
  lastError?: string;
}

interface Endpoint {
  url: string;
  label: string;
  downUntil: number;
  lastError?: string;
}

/** The URL with any user:password removed, safe for logs and health reports. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid url)";
  }
}

export class FailoverRpcProvider extends JsonRpcProvider {
  readonly #endpoints: Endpoint[];
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;

  constructor(urls: readonly string[], chainId?: number, options: FailoverOptions = {}) {
    const first = urls[0];
    if (first === undefined) throw new EProofError("CONFIG_INVALID", "EPROOF_RPC_URL must name at least one JSON-RPC endpoint");
    super(first, chainId, { staticNetwork: chainId !== undefined, batchMaxCount: 1, cacheTimeout: -1 });
    this.pollingInterval = 250;
    this.#endpoints = urls.map((url) => ({ url, label: redactUrl(url), downUntil: 0 }));
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#cooldownMs = options.cooldownMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /** The endpoints' state as last seen (no request is made). */
  endpointHealth(): RpcEndpointHealth[] {
    const now = this.#now();
    return this.#endpoints.map((e) => ({
      url: e.label,
      healthy: e.downUntil <= now,
      ...(e.lastError === undefined ? {} : { lastError: e.lastError }),
    }));
  }

  /**
   * Asks every endpoint (not just the first healthy one) for its chain id: at boot, one node of
   * another network among the endpoints must stop the service. null where an endpoint did not answer.
   */
  async chainIds(): Promise<Array<{ url: string; chainId: number | null }>> {
    return Promise.all(
      this.#endpoints.map(async (endpoint) => {
        try {
          const reported = await jsonRpcCall(endpoint.url, "eth_chainId", [], this.#timeoutMs);
          this.#succeeded(endpoint);
          return { url: endpoint.label, chainId: Number(reported) };
        } catch (error) {
          this.#failed(endpoint, error);
          return { url: endpoint.label, chainId: null };
        }
      }),
    );
  }

  /** Healthy endpoints first (configured order), then those cooling down (configured order). */
  #order(): Endpoint[] {
    const now = this.#now();
    const up = this.#endpoints.filter((e) => e.downUntil <= now);
    const down = this.#endpoints.filter((e) => e.downUntil > now);
    return [...up, ...down];
  }

  #failed(endpoint: Endpoint, error: unknown): void {
    endpoint.downUntil = this.#now() + this.#cooldownMs;
    const message = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
    // Messages can echo the URL; keep only the redacted label in what is reported.
    endpoint.lastError = this.#redact(message).slice(0, 200);
  }

  #redact(message: string): string {
    return this.#endpoints.reduce((text, e) => text.split(e.url).join(e.label), message);
  }

  #succeeded(endpoint: Endpoint): void {
    endpoint.downUntil = 0;
    delete endpoint.lastError;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const body = JSON.stringify(payload);
    let lastError: unknown;
    for (const endpoint of this.#order()) {
      const request = new FetchRequest(endpoint.url);
      request.body = body;
      request.setHeader("content-type", "application/json");
      request.timeout = this.#timeoutMs;
      request.retryFunc = async () => false;
      try {
        const response = await request.send();
        response.assertOk();
        // Error answers travel in the same array (ethers' own JsonRpcProvider types them the same way).
        const answer = response.bodyJson as JsonRpcResult | JsonRpcResult[];
        this.#succeeded(endpoint);
        return Array.isArray(answer) ? answer : [answer];
      } catch (error) {
        this.#failed(endpoint, error);
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * One raw JSON-RPC request on the verify hot path (node:http, keep-alive; see json-rpc-call.ts),
   * with the same failover. The view it serves never reverts, so here an error answer also counts
   * as the endpoint failing (a node without the state, a wrong chain) and the next one is asked. Throws CHAIN_UNAVAILABLE when no endpoint answers.
   */
  async fastCall(method: string, params: unknown[]): Promise<unknown> {
    let lastError: unknown;
    for (const endpoint of this.#order()) {
      try {
        const result = await jsonRpcCall(endpoint.url, method, params, this.#timeoutMs);
        this.#succeeded(endpoint);
        return result;
      } catch (error) {
        this.#failed(endpoint, error);
        lastError = error;
      }
    }
    throw new EProofError(
      "CHAIN_UNAVAILABLE",
      `no JSON-RPC endpoint answered ${method} (${this.#endpoints.length} tried); last: ${this.#redact(lastError instanceof Error ? lastError.message : String(lastError))}`,
      { cause: lastError },
    );
  }
}
