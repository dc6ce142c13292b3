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

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function periodBound(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Error(`${where} must be an ISO 8601 time or null`);
  }
  return new Date(Date.parse(value)).toISOString();
}

/**
 * A trust list as published at /.well-known/eproof.json (or saved from there): `chainId`, the
 * current `registry`, and optionally `registries` with their periods. Throws an Error naming what is
 * wrong; a registry of another chain in the list is refused (one list, one chain).
 */
export function parseTrustList(json: unknown): TrustList {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("a trust list is a JSON object");
  const t = json as Record<string, unknown>;
  if (!Number.isSafeInteger(t.chainId) || (t.chainId as number) <= 0) throw new Error("the trust list has no chainId");
  if (typeof t.registry !== "string" || !ADDRESS.test(t.registry)) throw new Error("the trust list has no registry address");
  const chainId = t.chainId as number;
  const registry = t.registry.toLowerCase() as Hex;
  if (t.registries === undefined) return { chainId, registry };
  if (!Array.isArray(t.registries) || t.registries.length === 0) throw new Error("the trust list's registries must be a non-empty array");
  const registries = t.registries.map((entry: unknown, i): TrustedRegistryPeriod => {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof e.registry !== "string" || !ADDRESS.test(e.registry)) throw new Error(`registries[${i}].registry is not an address`);
    if (e.chainId !== undefined && e.chainId !== chainId) throw new Error(`registries[${i}] is on chain ${String(e.chainId)}, not ${chainId}`);
    const from = periodBound(e.from, `registries[${i}].from`);
    const until = periodBound(e.until, `registries[${i}].until`);
    if (from !== null && until !== null && from >= until) throw new Error(`registries[${i}]: from must be before until`);
    return {
      registry: e.registry.toLowerCase() as Hex,
      ...(typeof e.issuerRegistry === "string" && ADDRESS.test(e.issuerRegistry) ? { issuerRegistry: e.issuerRegistry.toLowerCase() as Hex } : {}),
      from,
      until,
    };
  });
  if (!registries.some((r) => r.registry === registry)) throw new Error("the trust list's registries do not include its current registry");
  return { chainId, registry, registries };
}

/** The trust list as /.well-known/eproof.json publishes it: every registry with its chain id and period. */
export function publishedRegistries(
  trust: TrustList,
): Array<{ chainId: number; registry: Hex; issuerRegistry: Hex | null; from: string | null; until: string | null }> {
  const periods = trust.registries ?? [{ registry: trust.registry, from: null, until: null }];
  return periods.map((p) => ({ chainId: trust.chainId, registry: p.registry, issuerRegistry: p.issuerRegistry ?? null, from: p.from, until: p.until }));
}
