/** Sends webhook notifications with fetch: no redirects followed, a bounded wait. */
import type { WebhookTransport } from "../../use-cases/deliver-webhooks.ts";

export function fetchWebhookTransport(timeoutMs = 10_000): WebhookTransport {
  return {
    async post(url, body, headers) {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "user-agent": "e-Proof-webhooks/1", ...headers },
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection can be reused; its content is not needed.
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    },
  };
}
