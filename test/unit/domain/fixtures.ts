/**
 * Real documents built through the real issuance path (prepareDocument → signClaim →
 * assembleDocument → buildMerkleTree), a fake ledger that answers with a VerificationRecord each
 * test states for itself, and a seeded random source so failures can be replayed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { exportJWK, generateKeyPair } from "jose";
import { es256, signClaim } from "../../../services/adapters/signing/es256.ts";
import { unixSeconds } from "../../../services/domain/claim.ts";
import { makeSalts } from "../../../services/domain/document-hash.ts";
import { assembleDocument, type PreparedDocument, prepareDocument } from "../../../services/domain/issue-document.ts";
import { buildMerkleTree, merkleLeaf } from "../../../services/domain/merkle.ts";
import type { EProofDocument, Hex, JsonValue, PublicJwk } from "../../../services/domain/types.ts";
import type { VerificationRecord } from "../../../services/domain/verification-record.ts";
import type { VerificationQuery } from "../../../services/ports.ts";
import type { VerifyDeps } from "../../../services/use-cases/verify-document.ts";

/** The typical licence of docs/examples/licence.json: `{ type, data }`. */
const EXAMPLE = JSON.parse(readFileSync(new URL("../../../docs/examples/licence.json", import.meta.url), "utf8")) as {
  type: string;
  data: Record<string, JsonValue>;
};

/** A fresh deep copy of the typical licence's data, so a test may change it freely. */
export function typicalLicence(): Record<string, JsonValue> {
  return structuredClone(EXAMPLE.data);
}

export const CHAIN_ID = 852;
export const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Hex;
export const ISSUED_AT = "2026-11-22T10:00:00Z";
/** Block time of the batch: five minutes after issuance. */
export const ANCHORED_AT = unixSeconds("2026-11-22T10:05:00Z");
export const KEY_VALID_FROM = unixSeconds("2026-01-01T00:00:00Z");
/** Inside the typical licence's validity (2026-01-01 .. 2027-12-31). */
export const NOW = Date.parse("2027-06-01T02:00:00Z");

/** A deterministic byte source (SHA-256 in counter mode over a seed). */
export function seededRandom(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  return (length: number) => {
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; counter += 1) {
      const block = createHash("sha256").update(`${seed}/${counter}`).digest();
      const take = Math.min(block.length, length - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: PublicJwk;
  kid: string;
}

/** A department's P-256 signing key, made as a department would: jose's generateKeyPair("ES256"). */
export async function makeSigningKey(kid = "DEMO-1"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk: { kty: String(kty), crv: String(crv), x: String(x), y: String(y) }, kid };
}

export interface IssueOptions {
  key: SigningKey;
  random: (length: number) => Uint8Array;
  type?: string;
  data?: Record<string, JsonValue>;
  issuer?: string;
  issuedAt?: string;
}

export interface SignedDocument {
  prepared: PreparedDocument;
  jws: string;
}

/** prepareDocument with fresh salts and id, then the department's signature. */
export async function issue(options: IssueOptions): Promise<SignedDocument> {
  const data = options.data ?? typicalLicence();
  const prepared = prepareDocument({
    type: options.type ?? "licence",
    data,
    issuer: options.issuer ?? "DEMO",
    issuedAt: options.issuedAt ?? ISSUED_AT,
    id: hex(options.random(16)),
    salts: makeSalts(Object.keys(data), options.random),
  });
  return { prepared, jws: await signClaim(prepared.claimBytes, options.key.privateKey, options.key.kid) };
}

export interface Batch {
  documents: EProofDocument[];
  root: Hex;
}

/**
 * A batch of `count` licences (the first is the typical licence, the others differ by number and
 * holder), anchored together: every document carries its own Merkle proof to the batch's root.
 */
export async function issueBatch(options: {
  key: SigningKey;
  random: (length: number) => Uint8Array;
  count?: number;
  first?: Record<string, JsonValue>;
}): Promise<Batch> {
  const count = options.count ?? 4;
  const signed: SignedDocument[] = [];
  for (let i = 0; i < count; i += 1) {
    const data = i === 0 ? (options.first ?? typicalLicence()) : typicalLicence();
    if (i > 0) {
      data.documentNumber = `FFL-2026-${String(4217 + i).padStart(6, "0")}`;
      (data.holder as { idMasked: string }).idMasked = `B${100 + i}***(${i % 10})`;
    }
    signed.push(await issue({ key: options.key, random: options.random, data }));
  }
  const tree = buildMerkleTree(signed.map((s) => merkleLeaf(s.prepared.documentHash)));
  const txHash = `0x${hex(options.random(32))}` as Hex;
  const documents = signed.map((s, i) =>
    assembleDocument(
      s.prepared,
      { jws: s.jws, jwk: options.key.jwk },
      { chainId: CHAIN_ID, registry: REGISTRY, root: tree.root, proof: tree.proofs[i] as Hex[], txHash, blockNumber: 12 },
    ),
  );
  return { documents, root: tree.root };
}

/** The typical licence, anchored in a batch of four. */
export async function anchoredLicence(seed: string, key?: SigningKey): Promise<EProofDocument> {
  const batch = await issueBatch({ key: key ?? (await makeSigningKey()), random: seededRandom(seed) });
  return batch.documents[0] as EProofDocument;
}

/** A JSON copy, as a holder's file would arrive: nothing shared with the original. */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type Patch = { [K in keyof VerificationRecord]?: Partial<VerificationRecord[K]> };

/**
 * What the chain says about a healthy document: its batch anchored by DEMO for licences at
 * ANCHORED_AT, the key registered since 2026-01-01 and never retired, the type granted, all ACTIVE.
 */
export function ledgerRecord(patch: Patch = {}): VerificationRecord {
  return {
    batch: {
      anchored: true,
      department: "DEMO",
      docType: "licence",
      count: 4,
      blockNumber: 12,
      anchoredAt: ANCHORED_AT,
      status: "ACTIVE",
      ...patch.batch,
    },
    document: { status: "ACTIVE", changedAt: 0, successor: null, ...patch.document },
    department: { registered: true, suspended: false, ...patch.department },
    typeGrant: { grantedAt: KEY_VALID_FROM, withdrawnAt: 0, ...patch.typeGrant },
    key: { registered: true, validFrom: KEY_VALID_FROM, validUntil: 0, compromisedAt: 0, registeredBlock: 3, ...patch.key },
  };
}

export interface FakeLedger {
  calls: VerificationQuery[];
  verificationRecord: VerifyDeps["ledger"]["verificationRecord"];
}

/** Answers every query with `answer` (or throws what `answer` throws), counting the calls. */
export function fakeLedger(answer: VerificationRecord | (() => VerificationRecord)): FakeLedger {
  const calls: FakeLedger["calls"] = [];
  return {
    calls,
    async verificationRecord(query) {
      calls.push(query);
      return typeof answer === "function" ? answer() : answer;
    },
  };
}

export function verifyDeps(ledger: FakeLedger, overrides: Partial<VerifyDeps> = {}): VerifyDeps {
  return { ledger, signatures: es256, trust: { chainId: CHAIN_ID, registry: REGISTRY }, now: () => NOW, ...overrides };
}

/** A document anchored in a batch of its own (proof []), for claims a test signs itself. */
export function anchorAlone(prepared: PreparedDocument, jws: string, jwk: PublicJwk): EProofDocument {
  const tree = buildMerkleTree([merkleLeaf(prepared.documentHash)]);
  const txHash = `0x${createHash("sha256").update(jws).digest("hex")}` as Hex;
  return assembleDocument(
    prepared,
    { jws, jwk },
    { chainId: CHAIN_ID, registry: REGISTRY, root: tree.root, proof: tree.proofs[0] as Hex[], txHash, blockNumber: 12 },
  );
}
