/**
 * End-to-end issuance: `POST /api/v1/batches` from `clients` concurrent clients, `requests` requests of
 * `perRequest` licences in all (each client sends its share one after another), timed from the first
 * request sent to the last 202: accepted means signed, batched and stored durably, not yet anchored.
 */
export interface HttpIssuance {
  documents: number;
  ms: number;
  perSecond: number;
  /** Slowest single request, ms. */
  slowestMs: number;
}

export async function benchHttpIssuance(options: {
  base: string;
  apiKey: string;
  clients: number;
  requests: number;
  perRequest: number;
  /** The licence data of item `i` of request `r`; must be distinct across the whole run. */
  item: (r: number, i: number) => Record<string, unknown>;
}): Promise<HttpIssuance> {
  const { base, apiKey, clients, requests, perRequest, item } = options;
  // Bodies built beforehand: the load generator's own JSON work is not the service's.
  const bodies = Array.from({ length: requests }, (_, r) =>
    JSON.stringify({ type: "licence", items: Array.from({ length: perRequest }, (_, i) => item(r, i)) }),
  );
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  let next = 0;
  let slowestMs = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let r = next++; r < requests; r = next++) {
        const t = performance.now();
        const response = await fetch(`${base}/api/v1/batches`, { method: "POST", headers, body: bodies[r] });
        const answer = (await response.json()) as { count?: number; error?: { code?: string } };
        if (response.status !== 202 || answer.count !== perRequest) {
          throw new Error(
            `POST /api/v1/batches answered ${response.status} ${answer.error?.code ?? ""} (${answer.count} documents), not 202 with ${perRequest}`,
          );
        }
        slowestMs = Math.max(slowestMs, performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  const documents = requests * perRequest;
  return { documents, ms, perSecond: (documents / ms) * 1000, slowestMs };
}
