/**
 * The SSRF guard around webhook destinations, applied twice: when a subscription is registered
 * (early, clear 400) and when each notification is sent, on the very addresses the connection
 * uses (a host that resolved to a public address at registration may resolve to 127.0.0.1 later:
 * DNS rebinding).
 */
import { type LookupAddress, lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { classifyAddress, isLocalhostName, WebhookDestinationRefused } from "./webhook-address.ts";

export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolveHost: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => lookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** Refuses a host that is, or is named as, a non-public address without asking DNS; null when DNS must decide. */
export function refusedHost(hostname: string): WebhookDestinationRefused | null {
  if (isLocalhostName(hostname)) return new WebhookDestinationRefused("localhost");
  const kind = classifyAddress(hostname);
  if (kind !== null && kind !== "public") return new WebhookDestinationRefused(kind);
  return null;
}

function refusedAddresses(addresses: Array<{ address: string }>): WebhookDestinationRefused | null {
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind !== "public") return new WebhookDestinationRefused(kind ?? "reserved");
  }
  return null;
}

/**
 * Throws WebhookDestinationRefused when `url`'s host is, or resolves to, any non-public address.
 * A name that does not resolve now is let through: it may later, and the delivery checks again.
 */
export async function assertPublicDestination(url: URL, resolveHost: ResolveHost = systemResolveHost): Promise<void> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const early = refusedHost(hostname);
  if (early) throw early;
  if (classifyAddress(hostname) !== null) return;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveHost(hostname);
  } catch {
    return;
  }
  const refused = refusedAddresses(addresses);
  if (refused) throw refused;
}

/**
 * A `lookup` for node:http(s) requests that fails the connection when the host resolves to any
 * non-public address: the addresses checked are the ones connected to.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    const refused = refusedAddresses(addresses) ?? (addresses.length === 0 ? new WebhookDestinationRefused("unspecified") : null);
    if (refused) return callback(refused as NodeJS.ErrnoException, "", 4);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses as [LookupAddress];
    callback(null, first.address, first.family);
  });
};
