/**
 * The registries a verifier trusts (GET /.well-known/eproof.json `registries`): the current
 * DocumentRegistry and those it succeeded, each with the period (block time) in which its anchorings
 * count. A contract upgrade so never orphans documents: a document anchored in an earlier registry
 * while it was current keeps verifying; one anchored there after its period ended does not.
 */
import type { Hex } from "./types.ts";

export interface TrustedRegistryPeriod {
  registry: Hex;
  /** The IssuerRegistry it reads governance from (shown for verifiers; the DocumentRegistry names it too). */
  issuerRegistry?: Hex;
  /** ISO 8601 start of its period, inclusive; null: since its deployment. */
  from: string | null;
  /** ISO 8601 end of its period, exclusive; null: still current. */
  until: string | null;
}

/** What a verifier pins: a chain and its trusted registries (`registry` is the current one). */
export interface TrustList {
  chainId: number;
  /** The current DocumentRegistry: new documents are anchored here. */
  registry: Hex;
  /** Every trusted registry with its period, oldest first; absent: `registry` alone, for ever. */
  registries?: TrustedRegistryPeriod[];
}

const secondsOf = (iso: string | null): number | null => (iso === null ? null : Math.floor(Date.parse(iso) / 1000));

/** The trusted registry at `address` (any case), or null when the list does not name it. */
export function trustedRegistryOf(trust: TrustList, address: string): TrustedRegistryPeriod | null {
  const wanted = address.toLowerCase();
  if (trust.registries) return trust.registries.find((r) => r.registry.toLowerCase() === wanted) ?? null;
  return trust.registry.toLowerCase() === wanted ? { registry: trust.registry, from: null, until: null } : null;
}

/** Whether block time `seconds` lies in the registry's period [from, until). */
export function withinPeriod(period: TrustedRegistryPeriod, seconds: number): boolean {
  const from = secondsOf(period.from);
  const until = secondsOf(period.until);
  return (from === null || seconds >= from) && (until === null || seconds < until);
}

/** The registry whose period holds block time `seconds` (where a batch anchored then lives): the current one by default. */
export function registryAt(trust: TrustList, seconds: number): Hex {
  return trust.registries?.find((period) => period.until !== null && withinPeriod(period, seconds))?.registry ?? trust.registry;
}

/** The trust list of a service: the registries it succeeded (each with its period), then the current one from the last `until`. */
export function trustListOf(chainId: number, registry: Hex, issuerRegistry: Hex, earlier: readonly TrustedRegistryPeriod[]): TrustList {
  const sorted = [...earlier].sort((a, b) => String(a.until).localeCompare(String(b.until)));
  const from = sorted.at(-1)?.until ?? null;
  return { chainId, registry, registries: [...sorted, { registry, issuerRegistry, from, until: null }] };
}

/** Block time (unix seconds) from which the current registry holds the anchorings: 0 when it always did. */
export function currentRegistrySince(trust: TrustList): number {
  const current = trustedRegistryOf(trust, trust.registry);
  return secondsOf(current?.from ?? null) ?? 0;
}
