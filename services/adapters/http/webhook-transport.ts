/**
 * Sends webhook notifications with node:http(s): no redirects followed, a bounded wait, and (unless
 * private addresses are allowed) only to public addresses, checked on the addresses connected to.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { WebhookTransport } from "../../ports.ts";
import { WebhookDestinationRefused } from "./webhook-address.ts";
import { publicOnlyLookup, refusedHost } from "./webhook-destination.ts";

export interface WebhookTransportOptions {
  /** Deliver to loopback, private and other non-public addresses, and over plain http (tests, local development). */
  allowPrivateAddresses: boolean;
  timeoutMs?: number;
}

export function guardedWebhookTransport(options: WebhookTransportOptions): WebhookTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    post(url, body, headers) {
      const target = new URL(url);
      if (!options.allowPrivateAddresses) {
        if (target.protocol !== "https:") return Promise.reject(new WebhookDestinationRefused("plain-http"));
        // An address literal never goes through `lookup`: judged here.
        const refused = refusedHost(target.hostname.replace(/^\[(.*)\]$/, "$1"));
        if (refused) return Promise.reject(refused);
      }
      const request = target.protocol === "https:" ? httpsRequest : httpRequest;
      return new Promise<number>((resolve, reject) => {
        const req = request(
          target,
          {
            method: "POST",
            headers: { "user-agent": "e-Proof-webhooks/1", ...headers, "content-length": Buffer.byteLength(body) },
            signal: AbortSignal.timeout(timeoutMs),
            ...(options.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }),
          },
          (res) => {
            // The status is the answer; the body is drained (not read) so the connection can be reused.
            resolve(res.statusCode ?? 0);
            res.on("error", () => undefined);
            res.resume();
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    },
  };
}
