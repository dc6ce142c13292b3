/**
 * Fuzzing the public verify API with fast-check: mutated e-Proof files, QR texts and PDFs, all made
 * from a real document issued and anchored by the running service. Whatever comes in, the service
 * answers with a verdict or a 4xx problem JSON, never a 5xx, and never says VALID for anything that
 * is not, by the definition below, the same document.
 *
 * "The same document" (a semantic no-op), precisely:
 * - e-Proof JSON: equal `semanticKey` — the canonical JSON (keys sorted) of eproof, header, data,
 *   salts, hidden (absent ≡ {}), signature.jws, the key members of signature.jwk (kty, crv, x, y; the
 *   thumbprint is taken over these only), and the anchor's chainId, registry, root and proof with hex
 *   compared case-insensitively. A missing anchor counts as the original anchor, because the service
 *   fills it from its own store for a document it issued. anchor.txHash and anchor.blockNumber are
 *   left out: they are pointers for a person, not checked on chain (blockNumber in the result comes
 *   from the chain; txHash is repeated in the result's evidence as the file states it, labelled there
 *   as not checked on chain, next to the root that is).
 * - QR text: decodes (decodeQrFragment) to the same key number, claim bytes and signature.
 * - PDF: its embedded eproof.json has the same semanticKey as the original file.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractEProofJson } from "../../services/adapters/pdf/document-pdf.ts";
import { canonicalJson } from "../../services/domain/canonical-json.ts";
import { decodeQrFragment } from "../../services/domain/qr-payload.ts";
import type { JsonValue } from "../../services/domain/types.ts";
import { VERDICTS } from "../../services/domain/verdict.ts";
import { propertyOptions } from "../property-seed.ts";
import { api, downloadEProof, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const JSON_RUNS = 5_800;
const QR_RUNS = 3_000;
const PDF_RUNS = 1_200;

const KNOWN_VERDICTS = new Set<string>(VERDICTS);

type Json = JsonValue;
type Path = Array<string | number>;

// ---- the no-op oracle --------------------------------------------------------------------------

function lowerHex(value: unknown): unknown {
  return typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
}

function semanticKey(input: unknown, original: any): string | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return null;
  const d = input as Record<string, any>;
  const jwk = d.signature?.jwk;
  const pickJwk = jwk && typeof jwk === "object" ? Object.fromEntries(["kty", "crv", "x", "y"].map((k) => [k, jwk[k] ?? null])) : jwk;
  let anchor = d.anchor;
  if (anchor === undefined && d.header?.id === original.header.id) anchor = original.anchor;
  const anchorKey =
    anchor && typeof anchor === "object"
      ? {
          chainId: anchor.chainId ?? null,
          registry: lowerHex(anchor.registry) ?? null,
          root: lowerHex(anchor.root) ?? null,
          proof: Array.isArray(anchor.proof) ? anchor.proof.map(lowerHex) : (anchor.proof ?? null),
        }
      : (anchor ?? null);
  try {
    return canonicalJson({
      eproof: d.eproof ?? null,
      header: d.header ?? null,
      data: d.data ?? null,
      salts: d.salts ?? null,
      hidden: d.hidden ?? {},
      jws: d.signature?.jws ?? null,
      jwk: pickJwk ?? null,
      anchor: anchorKey,
    } as JsonValue);
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- JSON mutations ----------------------------------------------------------------------------

function pathsOf(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  } else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: any = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}

/** Sets an own property, even "__proto__" (plain assignment would change the prototype instead). */
function setOwn(target: any, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type Mutation =
  | { kind: "set"; at: number; value: Json }
  | { kind: "delete"; at: number }
  | { kind: "rename"; at: number; name: string }
  | { kind: "add"; at: number; name: string; value: Json }
  | { kind: "flipChar"; at: number; index: number; char: string }
  | { kind: "truncateString"; at: number; keep: number }
  | { kind: "tweakNumber"; at: number; delta: number }
  | { kind: "swap"; at: number; other: number }
  | { kind: "shuffleKeys"; at: number; seed: number }
  | { kind: "hexCase"; at: number };

const HOSTILE_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  "",
  "0x",
  `0x${"0".repeat(64)}`,
  `0x${"f".repeat(64)}`,
  "A".repeat(5000),
  [],
  {},
  true,
  false,
  "__proto__",
  "constructor",
  { __proto__: null } as unknown as Json,
  "\u0000",
  "\ud800",
  "e\u0301",
  "é",
  "2026-01-01",
  "9999-12-31",
  "DEMO",
  "licence",
  // Nested past the service's depth limit (64): refused with 400, never a stack overflow.
  JSON.parse(`${"[".repeat(200)}${"]".repeat(200)}`),
  JSON.parse(`${'{"a":'.repeat(60)}1${"}".repeat(60)}`),
];

const keyName = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "anchor", "hidden", "salts", "data", "jws", "jwk", "id", "x", ""),
  fc.string({ maxLength: 12 }),
);
const anyValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: anyValue }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("rename" as const), at: fc.nat(), name: keyName }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(), name: keyName, value: anyValue }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("flipChar" as const),
      at: fc.nat(),
      index: fc.nat(),
      char: fc.oneof(fc.constantFrom(..."0123456789abcdefABCDEF-_.=+/ "), fc.string({ minLength: 1, maxLength: 1, unit: "grapheme" })),
    }),
  },
  fc.record({ kind: fc.constant("truncateString" as const), at: fc.nat(), keep: fc.nat() }),
  fc.record({ kind: fc.constant("tweakNumber" as const), at: fc.nat(), delta: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true })) }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant("shuffleKeys" as const), at: fc.nat(), seed: fc.nat() }),
  fc.record({ kind: fc.constant("hexCase" as const), at: fc.nat() }),
);

/** Paths worth aiming at more often than their share of the tree: the security-relevant fields. */
const HOT_PATHS: Path[] = [
  ["signature", "jws"],
  ["signature", "jwk", "x"],
  ["signature", "jwk", "y"],
  ["signature", "jwk"],
  ["anchor", "root"],
  ["anchor", "proof"],
  ["anchor", "proof", 0],
  ["anchor", "proof", 1],
  ["anchor", "registry"],
  ["anchor", "chainId"],
  ["header", "id"],
  ["header", "issuer"],
  ["header", "issuedAt"],
  ["header", "type"],
  ["header", "typeVersion"],
  ["salts"],
  ["data", "validUntil"],
  ["data", "validFrom"],
  ["data", "holder", "name", "en"],
  ["hidden"],
];

function pickPath(doc: Json, at: number): Path {
  const all = pathsOf(doc);
  const salts = Object.keys((getAt(doc, ["salts"]) as Record<string, Json> | undefined) ?? {}).map((k) => ["salts", k]);
  const hot = [...HOT_PATHS, ...salts].filter((p) => getAt(doc, p) !== undefined);
  // Half the time a hot path, half the time anywhere in the tree.
  const pool = at % 2 === 0 && hot.length > 0 ? hot : all;
  return pool[Math.floor(at / 2) % pool.length] ?? [];
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function mutate(original: Json, mutations: Mutation[]): Json {
  let doc = structuredClone(original);
  for (const m of mutations) {
    const path = pickPath(doc, m.at);
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1];
    const parent = getAt(doc, parentPath) as any;
    const current = getAt(doc, path);
    const replace = (value: Json) => {
      if (key === undefined) doc = value;
      else if (Array.isArray(parent) && typeof key === "number") parent[key] = value;
      else setOwn(parent, key, value);
    };
    switch (m.kind) {
      case "set":
        replace(structuredClone(m.value));
        break;
      case "delete":
        if (key === undefined) doc = null;
        else if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case "rename":
        if (key !== undefined && !Array.isArray(parent) && current !== undefined) {
          delete parent[key];
          setOwn(parent, m.name, current);
        }
        break;
      case "add":
        if (current !== null && typeof current === "object" && !Array.isArray(current)) setOwn(current, m.name, structuredClone(m.value));
        else if (Array.isArray(current)) current.push(structuredClone(m.value));
        else replace(structuredClone(m.value));
        break;
      case "flipChar":
        if (typeof current === "string") {
          const index = current.length === 0 ? 0 : m.index % current.length;
          replace(current.slice(0, index) + m.char + current.slice(index + 1));
        }
        break;
      case "truncateString":
        if (typeof current === "string") replace(current.slice(0, m.keep % Math.max(1, current.length)));
        break;
      case "tweakNumber":
        if (typeof current === "number" && Number.isFinite(current + m.delta)) replace(current + m.delta);
        break;
      case "swap": {
        const other = getAt(doc, pickPath(doc, m.other));
        if (other !== undefined) replace(structuredClone(other));
        break;
      }
      case "shuffleKeys":
        if (current !== null && typeof current === "object" && !Array.isArray(current)) {
          const entries = shuffled(Object.entries(current), m.seed);
          replace(Object.fromEntries(entries) as Json);
        }
        break;
      case "hexCase":
        if (typeof current === "string" && /^0x[0-9a-f]+$/i.test(current)) {
          replace(`0x${current.slice(2).toUpperCase() === current.slice(2) ? current.slice(2).toLowerCase() : current.slice(2).toUpperCase()}`);
        }
        break;
    }
  }
  return doc;
}

// ---- byte / text mutations ---------------------------------------------------------------------

type TextMutation =
  | { kind: "flip"; index: number; char: string }
  | { kind: "truncate"; keep: number }
  | { kind: "insert"; index: number; text: string }
  | { kind: "delete"; index: number; length: number }
  | { kind: "case"; upper: boolean }
  | { kind: "wrap"; prefix: string; suffix: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("flip" as const),
      index: fc.nat(),
      char: fc.oneof(fc.constantFrom(..."0123456789#%/:"), fc.string({ minLength: 1, maxLength: 1 })),
    }),
  },
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), index: fc.nat(), text: fc.oneof(fc.stringMatching(/^[0-9]{1,40}$/), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant("delete" as const), index: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant("case" as const), upper: fc.boolean() }),
  fc.record({
    kind: fc.constant("wrap" as const),
    prefix: fc.constantFrom("", " ", "#", "%23", "https://evil.example/verify#", "\n"),
    suffix: fc.constantFrom("", " ", "#", "0", "\t"),
  }),
);

function mutateText(text: string, m: TextMutation): string {
  const at = (i: number) => (text.length === 0 ? 0 : i % text.length);
  switch (m.kind) {
    case "flip":
      return text.slice(0, at(m.index)) + m.char + text.slice(at(m.index) + 1);
    case "truncate":
      return text.slice(0, m.keep % Math.max(1, text.length));
    case "insert":
      return text.slice(0, at(m.index)) + m.text + text.slice(at(m.index));
    case "delete":
      return text.slice(0, at(m.index)) + text.slice(at(m.index) + m.length);
    case "case":
      return m.upper ? text.toUpperCase() : text.toLowerCase();
    case "wrap":
      return m.prefix + text + m.suffix;
  }
}

type ByteMutation =
  | { kind: "truncate"; keep: number }
  | { kind: "flip"; flips: Array<{ index: number; xor: number }> }
  | { kind: "splice"; index: number; bytes: Uint8Array }
  | { kind: "random"; bytes: Uint8Array; pdfHeader: boolean };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("flip" as const),
      flips: fc.array(fc.record({ index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }),
    }),
  },
  fc.record({ kind: fc.constant("splice" as const), index: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant("random" as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 2048 }), pdfHeader: fc.boolean() }),
);

/** Byte flips land at the end (trailer, xref) more often: that is where a PDF parser starts. */
function mutateBytes(pdf: Uint8Array, m: ByteMutation): Uint8Array {
  switch (m.kind) {
    case "truncate":
      return pdf.slice(0, m.keep % pdf.length);
    case "flip": {
      const out = pdf.slice();
      for (const { index, xor } of m.flips) {
        const i = index % 3 === 0 ? out.length - 1 - (index % Math.min(out.length, 2048)) : index % out.length;
        out[i] = (out[i] as number) ^ xor;
      }
      return out;
    }
    case "splice": {
      const i = m.index % pdf.length;
      return new Uint8Array([...pdf.subarray(0, i), ...m.bytes, ...pdf.subarray(i)]);
    }
    case "random":
      return m.pdfHeader ? new Uint8Array([...new TextEncoder().encode("%PDF-1.7\n"), ...m.bytes]) : m.bytes;
  }
}

// ---- the test ----------------------------------------------------------------------------------

describe("fuzzing the verify API", () => {
  let service: TestService;
  let original: any;
  let originalKey: string;
  let verifyUrl: string;
  let pdf: Uint8Array;
  const verdicts = new Map<string, number>();
  const statuses = new Map<number, number>();

  async function verify(body: string | Uint8Array, contentType = "application/json") {
    const response = await fetch(`${service.url}/api/v1/verify`, { method: "POST", headers: { "content-type": contentType }, body: body as BodyInit });
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    expect(response.status, text.slice(0, 300)).toBeLessThan(500);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const parsed = JSON.parse(text);
    if (response.status === 200) {
      expect(KNOWN_VERDICTS.has(parsed.verdict)).toBe(true);
      verdicts.set(parsed.verdict, (verdicts.get(parsed.verdict) ?? 0) + 1);
      return parsed.verdict as string;
    }
    expect([400, 413, 422]).toContain(response.status);
    expect(parsed.error.code).toEqual(expect.any(String));
    expect(text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
    return null;
  }

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_AUTH_FAILURE_LIMIT: "0" } });
    // A batch of several, so that the document's Merkle proof has steps to tamper with.
    const items = Array.from({ length: 5 }, (_, i) => ({ ...TYPICAL_LICENCE.data, documentNumber: `FFL-2026-90000${i}` }));
    const batch = await api(service, "POST", "/api/v1/batches", { type: "licence", items });
    expect(batch.status).toBe(202);
    const id = batch.body.documents[2].id as string;
    await waitUntilAnchored(service, id);
    original = await downloadEProof(service, id);
    expect(original.anchor.proof.length).toBeGreaterThan(0);
    originalKey = semanticKey(original, original) as string;
    verifyUrl = (await api(service, "GET", `/api/v1/documents/${id}`)).body.verifyUrl;
    const pdfResponse = await api(service, "GET", `/api/v1/documents/${id}/pdf`);
    pdf = new Uint8Array(pdfResponse.body as Buffer);
    // The originals themselves are VALID: otherwise "no false VALID" would hold trivially.
    expect(await verify(JSON.stringify({ document: original }))).toBe("VALID");
    expect(await verify(JSON.stringify({ qr: verifyUrl }))).toBe("VALID");
    expect(await verify(pdf, "application/pdf")).toBe("VALID");
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    console.info(`fuzz-verify: statuses ${JSON.stringify(Object.fromEntries(statuses))}, verdicts ${JSON.stringify(Object.fromEntries(verdicts))}`);
  });

  it(`never crashes nor says VALID for a mutated e-Proof file (${JSON_RUNS} runs)`, async () => {
    let validNoOps = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.option(textMutation, { freq: 8 }), async (mutations, textual) => {
        const mutated = mutate(original, mutations);
        let body = JSON.stringify({ document: mutated });
        let sent: unknown = mutated;
        if (textual) {
          body = mutateText(body, textual);
          try {
            sent = (JSON.parse(body) as { document?: unknown }).document;
          } catch {
            sent = undefined;
          }
        }
        const verdict = await verify(body);
        if (verdict) seen.set(verdict, (seen.get(verdict) ?? 0) + 1);
        if (verdict === "VALID") {
          expect(semanticKey(sent, original), `VALID for a changed document: ${body.slice(0, 400)}`).toBe(originalKey);
          validNoOps += 1;
        }
      }),
      propertyOptions({ numRuns: JSON_RUNS }),
    );
    // The fuzzer reaches past the shape check: no-ops come back VALID, and tampering is told apart.
    expect(validNoOps).toBeGreaterThan(0);
    expect(seen.get("TAMPERED") ?? 0).toBeGreaterThan(JSON_RUNS / 4);
    expect(seen.size).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it("verifies a re-serialised file with its keys in another order and hex in upper case as VALID (the no-ops are real)", async () => {
    const reversed = Object.fromEntries(Object.entries(original).reverse());
    const upperHex = structuredClone(original);
    upperHex.anchor.registry = `0x${original.anchor.registry.slice(2).toUpperCase()}`;
    upperHex.anchor.root = `0x${original.anchor.root.slice(2).toUpperCase()}`;
    for (const doc of [reversed, upperHex]) {
      expect(semanticKey(doc, original)).toBe(originalKey);
    }
    expect(await verify(JSON.stringify({ document: reversed }, null, 2))).toBe("VALID");
    expect(await verify(JSON.stringify({ document: upperHex }))).toBe("VALID");
  });

  it(`never crashes nor says VALID for a random or mutated QR text (${QR_RUNS} runs)`, async () => {
    const originalPayload = decodeQrFragment(verifyUrl);
    const qrText = fc.oneof(
      { weight: 5, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce(mutateText, verifyUrl)) },
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 200, unit: "grapheme" }),
      fc.stringMatching(/^1[0-9]{0,600}$/).map((digits) => `https://x/verify#${digits}`),
    );
    await fc.assert(
      fc.asyncProperty(qrText, async (text) => {
        const verdict = await verify(JSON.stringify({ qr: text }));
        if (verdict === "VALID") {
          const decoded = decodeQrFragment(text);
          const same =
            decoded.keyNumber === originalPayload.keyNumber &&
            sameBytes(decoded.claimBytes, originalPayload.claimBytes) &&
            sameBytes(decoded.signature, originalPayload.signature);
          expect(same, `VALID for a changed QR text: ${text}`).toBe(true);
        }
      }),
      propertyOptions({ numRuns: QR_RUNS }),
    );
  }, 300_000);

  it(`never crashes nor says VALID for a truncated, damaged or random PDF (${PDF_RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(byteMutation, async (m) => {
        const bytes = mutateBytes(pdf, m);
        const verdict = await verify(bytes, "application/pdf");
        if (verdict === "VALID") {
          const embedded = JSON.parse(await extractEProofJson(bytes));
          expect(semanticKey(embedded, original), `VALID for a PDF whose e-Proof changed (${m.kind})`).toBe(originalKey);
        }
      }),
      propertyOptions({ numRuns: PDF_RUNS }),
    );
  }, 300_000);
});
