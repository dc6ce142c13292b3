/**
 * The credential exports against implementations nobody here wrote: @sd-jwt/sd-jwt-vc verifies our
 * SD-JWT VC and a presentation of part of it that the library itself builds (with a Key Binding JWT
 * signed by a wallet key), jose verifies the VC-JWT; and our verifier gives the same verdicts for
 * both as for the e-Proof file they came from, ledger checks included.
 */
import { digest, ES256, generateSalt } from "@sd-jwt/crypto-nodejs";
import { createHeaderAndPayload, StatusList } from "@sd-jwt/jwt-status-list";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import fc from "fast-check";
import { exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { es256, signCompactJws } from "../../../services/adapters/signing/es256.ts";
import { fieldDigest } from "../../../services/domain/document-hash.ts";
import { getDocumentType } from "../../../services/domain/document-types.ts";
import { merkleLeaf } from "../../../services/domain/merkle.ts";
import { decodeDisclosure, splitSdJwt } from "../../../services/domain/sd-jwt.ts";
import { bitstringStatusListUri, tokenStatusListUri } from "../../../services/domain/status-list-location.ts";
import type { EProofDocument, Hex, JsonValue } from "../../../services/domain/types.ts";
import { CHECK_ORDER } from "../../../services/domain/verdict.ts";
import type { VerificationRecord } from "../../../services/domain/verification-record.ts";
import type { StoredDocument } from "../../../services/ports.ts";
import { CredentialExporter } from "../../../services/use-cases/credential-exports.ts";
import { type VerificationResult, verificationResultSchema, verifyDocument } from "../../../services/use-cases/verify-document.ts";
import { verifySdJwtVc, verifyVcJwt } from "../../../services/use-cases/verify-export.ts";
import {
  ANCHORED_AT,
  anchoredLicence,
  fakeLedger,
  KEY_VALID_FROM,
  ledgerRecord,
  makeSigningKey,
  NOW,
  type SigningKey,
  verifyDeps,
} from "../domain/fixtures.ts";

const PUBLIC_URL = "https://eproof.example.gov.hk";
const STATUS = { department: "DEMO", list: 0, index: 4711 };

function storedOf(doc: EProofDocument): StoredDocument {
  const { anchor, ...file } = doc;
  if (!anchor) throw new Error("the fixture is anchored");
  return {
    id: doc.header.id,
    department: doc.header.issuer,
    type: doc.header.type,
    issuedAt: doc.header.issuedAt,
    leaf: merkleLeaf("0x00" as Hex),
    documentJson: JSON.stringify(file),
    batch: {
      id: 1,
      department: "DEMO",
      type: "licence",
      root: anchor.root,
      count: 4,
      state: "ANCHORED",
      txHash: anchor.txHash,
      blockNumber: anchor.blockNumber,
      blockTime: ANCHORED_AT,
    },
    merkleProof: anchor.proof,
    status: { status: "ACTIVE", reason: null, reasonCode: 0, changedAt: null, successor: null },
  };
}

async function exporterFor(doc: EProofDocument, key: SigningKey, options: { statusKnown?: boolean } = {}): Promise<CredentialExporter> {
  const stored = storedOf(doc);
  return new CredentialExporter({
    store: { getDocument: async (id) => (id === stored.id ? stored : null) },
    signer: {
      signJws: async (_department, header, payload) => ({ jws: await signCompactJws(header, payload, key.privateKey, key.kid), kid: key.kid, jwk: key.jwk }),
    },
    keys: { currentSigningKey: async (department) => ({ department, kid: key.kid, keyNumber: 1, publicJwk: key.jwk, state: "ACTIVE" }) },
    trust: { chainId: doc.anchor?.chainId ?? 0, registry: doc.anchor?.registry ?? ("0x" as Hex) },
    clock: { now: () => NOW },
    publicUrl: PUBLIC_URL,
    ...(options.statusKnown === false ? {} : { statusLists: { entryOf: async (id) => (id === stored.id ? STATUS : null) } }),
  });
}

async function exportDeps(record: VerificationRecord = ledgerRecord()) {
  const ledger = fakeLedger(record);
  return { ledger, deps: { ...verifyDeps(ledger), jws: es256 } };
}

function shaped(result: VerificationResult): VerificationResult {
  expect(result.checks.map((c) => c.name)).toEqual(CHECK_ORDER);
  expect(verificationResultSchema.safeParse(result).success, "the result has its published JSON shape").toBe(true);
  return result;
}

/**
 * A Token Status List JWT signed by the department's key, made with @sd-jwt/jwt-status-list, with
 * `revoked` set to 1 (the status lists themselves are the status-list helper's: this one stands in).
 */
async function statusListJwt(key: SigningKey, uri: string, revoked: number[] = []): Promise<string> {
  const list = new StatusList(new Array(131_072).fill(0), 1);
  for (const index of revoked) list.setStatus(index, 1);
  const { header, payload } = createHeaderAndPayload(
    list,
    { iss: `${PUBLIC_URL}/issuers/DEMO`, sub: uri, iat: Math.floor(NOW / 1000) },
    { alg: "ES256", typ: "statuslist+jwt" },
  );
  return signCompactJws(header, new TextEncoder().encode(JSON.stringify(payload)), key.privateKey, key.kid);
}

/** @sd-jwt/sd-jwt-vc configured as a third-party verifier or wallet would: its own hasher, ES256 and salts. */
async function library(key: SigningKey, holder?: { privateJwk: object; publicJwk: object }, revoked: number[] = []) {
  return new SDJwtVcInstance({
    hasher: digest,
    hashAlg: "sha-256",
    saltGenerator: generateSalt,
    verifier: await ES256.getVerifier(key.jwk),
    statusListFetcher: (uri) => statusListJwt(key, uri, revoked),
    ...(holder ? { kbSigner: await ES256.getSigner(holder.privateJwk), kbSignAlg: "ES256", kbVerifier: await ES256.getVerifier(holder.publicJwk) } : {}),
  });
}

describe("SD-JWT VC export", () => {
  it("is verified by @sd-jwt/sd-jwt-vc, with every data field disclosable and the e-Proof id, hash, status and anchor in clear", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-library", key);
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id);
    const verified = await (await library(key)).verify(sdJwt, { currentDate: Math.floor(NOW / 1000) });
    const { payload, header } = verified;
    expect(header).toMatchObject({ typ: "dc+sd-jwt", alg: "ES256", kid: "DEMO-1" });
    expect(payload.iss).toBe(`${PUBLIC_URL}/issuers/DEMO`);
    expect(payload.vct).toBe(`${PUBLIC_URL}/credentials/types/licence/1`);
    expect(payload.iat).toBe(Math.floor(NOW / 1000));
    // The typical licence is valid 2026-01-01 .. 2027-12-31, Hong Kong dates (UTC+8).
    expect(payload.nbf).toBe(Date.parse("2026-01-01T00:00:00+08:00") / 1000);
    expect(payload.exp).toBe(Date.parse("2028-01-01T00:00:00+08:00") / 1000);
    expect(payload.status).toEqual({ status_list: { idx: STATUS.index, uri: tokenStatusListUri(PUBLIC_URL, "DEMO", STATUS.list) } });
    expect(payload.eproof_id).toBe(doc.header.id);
    expect(payload.document_hash).toMatch(/^0x[0-9a-f]{64}$/);
    for (const [name, value] of Object.entries(doc.data)) expect(payload[name], name).toEqual(value);
    // The library reads the status list the SD-JWT VC points to: a revoked index fails its verification.
    await expect((await library(key, undefined, [STATUS.index])).verify(sdJwt, { currentDate: Math.floor(NOW / 1000) })).rejects.toThrow();
    const { disclosures } = splitSdJwt(sdJwt);
    expect(disclosures).toHaveLength(Object.keys(doc.data).length);
    // Each disclosure's salt is the field's e-Proof salt: [salt, name, value] reproduces the anchored field digest.
    const eproof = payload.eproof as { fieldDigests: Record<string, Hex>; anchor: unknown };
    for (const encoded of disclosures) {
      const [salt, name, value] = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as [string, string, JsonValue];
      expect(fieldDigest(name, value, salt)).toBe(eproof.fieldDigests[name]);
    }
    expect(eproof.anchor).toEqual(doc.anchor);
  });

  it("a presentation of two fields, built by the library with a Key Binding JWT, verifies with the library and gets VALID from our verifier", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-present", key);
    const holder = await ES256.generateKeyPair();
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id, { holderJwk: holder.publicKey as Record<string, unknown> });
    const wallet = await library(key, { privateJwk: holder.privateKey, publicJwk: holder.publicKey });
    const presentation = await wallet.present(sdJwt, { documentNumber: true, validUntil: true } as never, {
      kb: { payload: { iat: Math.floor(NOW / 1000), aud: "https://bank.example", nonce: "n-0S6_WzA2Mj" } },
    });
    expect(splitSdJwt(presentation).disclosures).toHaveLength(2);
    const seen = await wallet.verify(presentation, { currentDate: Math.floor(NOW / 1000), keyBindingNonce: "n-0S6_WzA2Mj" } as never);
    expect(seen.payload.documentNumber).toBe(doc.data.documentNumber);
    expect(seen.payload.holder).toBeUndefined();
    expect((seen.payload.cnf as { jwk: unknown }).jwk).toEqual(holder.publicKey);

    const { ledger, deps } = await exportDeps();
    const result = shaped(await verifySdJwtVc(presentation, deps));
    expect(result.verdict).toBe("VALID");
    expect(result.checks.map((c) => c.status)).toEqual(["VALID", "VALID", "VALID", "VALID", "VALID", "VALID"]);
    expect(result.document?.hidden.sort()).toEqual(
      Object.keys(doc.data)
        .filter((n) => n !== "documentNumber" && n !== "validUntil")
        .sort(),
    );
    expect(result.document?.facts).toEqual({ documentNumber: doc.data.documentNumber, validUntil: doc.data.validUntil });
    expect(ledger.calls).toHaveLength(1);
    expect(ledger.calls[0]).toMatchObject({ department: "DEMO", documentId: doc.header.id, root: doc.anchor?.root });
  });

  it("gives the same verdict and evidence as the e-Proof file it was made from", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-same", key);
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id);
    for (const record of [
      ledgerRecord(),
      ledgerRecord({ document: { status: "REVOKED", changedAt: ANCHORED_AT + 60 } }),
      ledgerRecord({ batch: { status: "SUSPENDED" } }),
    ]) {
      const file = await verifyDocument(doc, verifyDeps(fakeLedger(record)));
      const exported = shaped(await verifySdJwtVc(sdJwt, (await exportDeps(record)).deps));
      expect(exported.verdict).toBe(file.verdict);
      expect(exported.evidence).toEqual(file.evidence);
      expect(exported.statusChange).toEqual(file.statusChange);
    }
  });

  it("reports TAMPERED for a disclosure whose value was changed, and for a withheld field's digest changed, without asking the chain", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-tamper", key);
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const forged = disclosures.map((d) => {
      const [salt, name] = JSON.parse(Buffer.from(d, "base64url").toString("utf8")) as [string, string];
      return name === "documentNumber" ? Buffer.from(JSON.stringify([salt, name, "FFL-2026-999999"])).toString("base64url") : d;
    });
    const { ledger, deps } = await exportDeps();
    const result = shaped(await verifySdJwtVc(`${[jwt, ...forged].join("~")}~`, deps));
    expect(result.verdict).toBe("TAMPERED");
    expect(result.checks[0]).toMatchObject({ name: "integrity", status: "INVALID", code: "DISCLOSURE" });
    expect(result.checks[1]).toMatchObject({ name: "signature", status: "VALID" });
    // The payload changed (a withheld field's digest): the export's signature no longer verifies.
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    payload.eproof.fieldDigests.premises = `0x${"ab".repeat(32)}`;
    const reSigned = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}~`;
    const second = shaped(await verifySdJwtVc(reSigned, deps));
    expect(second.verdict).toBe("TAMPERED");
    expect(second.checks.find((c) => c.name === "signature")?.code).toBe("BAD_SIGNATURE");
    expect(ledger.calls).toHaveLength(0);
  });

  it("reports TAMPERED for a Key Binding JWT made for another presentation", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-kb", key);
    const holder = await ES256.generateKeyPair();
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id, { holderJwk: holder.publicKey as Record<string, unknown> });
    const wallet = await library(key, { privateJwk: holder.privateKey, publicJwk: holder.publicKey });
    const kbOptions = { kb: { payload: { iat: Math.floor(NOW / 1000), aud: "https://bank.example", nonce: "n1" } } };
    const two = await wallet.present(sdJwt, { documentNumber: true, validUntil: true } as never, kbOptions);
    const one = await wallet.present(sdJwt, { documentNumber: true } as never, kbOptions);
    const spliced = `${two.slice(0, two.lastIndexOf("~") + 1)}${one.slice(one.lastIndexOf("~") + 1)}`;
    const result = shaped(await verifySdJwtVc(spliced, (await exportDeps()).deps));
    expect(result.verdict).toBe("TAMPERED");
    expect(result.checks[0]?.code).toBe("KEY_BINDING");
  });

  it("judges the export's key as of the export: a key retired after the export keeps it VALID, a compromised key does not", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-key", key);
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id);
    const exportedAt = Math.floor(NOW / 1000);
    const retiredLater = await verifySdJwtVc(sdJwt, (await exportDeps(ledgerRecord({ key: { validUntil: exportedAt + 10 } }))).deps);
    expect(retiredLater.verdict).toBe("VALID");
    const retiredBefore = await verifySdJwtVc(sdJwt, (await exportDeps(ledgerRecord({ key: { validUntil: exportedAt - 10 } }))).deps);
    expect(retiredBefore.verdict).toBe("UNKNOWN_ISSUER");
    const compromised = await verifySdJwtVc(sdJwt, (await exportDeps(ledgerRecord({ key: { compromisedAt: exportedAt + 3600 } }))).deps);
    expect(compromised.verdict).toBe("UNKNOWN_ISSUER");
    // A key registered after the batch (rotation) may sign exports of older documents.
    const newerKey = await verifySdJwtVc(
      sdJwt,
      (await exportDeps(ledgerRecord({ key: { registeredBlock: 500, validFrom: KEY_VALID_FROM + 86_400 * 200 } }))).deps,
    );
    expect(newerKey.verdict).toBe("VALID");
  });

  it("judges the validity window from nbf/exp when the holder withholds validFrom and validUntil", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-window", key);
    const sdJwt = await (await exporterFor(doc, key)).sdJwtVc(doc.header.id);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const onlyNumber = disclosures.filter((d) => decodeDisclosure(d).name === "documentNumber");
    const presentation = `${[jwt, ...onlyNumber].join("~")}~`;
    const { deps } = await exportDeps();
    expect((await verifySdJwtVc(presentation, deps)).verdict).toBe("VALID");
    // The typical licence is valid until 2027-12-31 (Hong Kong): on 2028-01-01 at 00:30 Hong Kong time it has expired.
    const later = await verifySdJwtVc(presentation, { ...deps, now: () => Date.parse("2028-01-01T00:30:00+08:00") });
    expect(later.verdict).toBe("EXPIRED");
    const lastDay = await verifySdJwtVc(presentation, { ...deps, now: () => Date.parse("2027-12-31T23:30:00+08:00") });
    expect(lastDay.verdict).toBe("VALID");
  });

  it("signs with the key that is current when it signs: a rotation between reading the key and signing gives the new key in the header", async () => {
    const oldKey = await makeSigningKey("DEMO-1");
    const newKey = await makeSigningKey("DEMO-2");
    const doc = await anchoredLicence("sd-jwt-rotation", oldKey);
    const stored = storedOf(doc);
    const exporter = new CredentialExporter({
      store: { getDocument: async () => stored },
      signer: {
        signJws: async (_d, header, payload) => ({
          jws: await signCompactJws(header, payload, newKey.privateKey, newKey.kid),
          kid: newKey.kid,
          jwk: newKey.jwk,
        }),
      },
      keys: { currentSigningKey: async (department) => ({ department, kid: oldKey.kid, keyNumber: 1, publicJwk: oldKey.jwk, state: "ACTIVE" }) },
      trust: { chainId: doc.anchor?.chainId ?? 0, registry: doc.anchor?.registry ?? ("0x" as Hex) },
      clock: { now: () => NOW },
      publicUrl: PUBLIC_URL,
    });
    const vcJwt = await exporter.vcJwt(doc.header.id);
    const { protectedHeader } = await jwtVerify(vcJwt, await importJWK({ ...newKey.jwk, alg: "ES256" }, "ES256"), { currentDate: new Date(NOW) });
    expect(protectedHeader).toMatchObject({ kid: "DEMO-2", jwk: newKey.jwk });
    expect((await verifyVcJwt(vcJwt, (await exportDeps()).deps)).verdict).toBe("VALID");
  });

  it("omits the status claim when no status list position is known, and reads the holder key only as a public JWK", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-nostatus", key);
    const exporter = await exporterFor(doc, key, { statusKnown: false });
    const payload = JSON.parse(Buffer.from(splitSdJwt(await exporter.sdJwtVc(doc.header.id)).jwt.split(".")[1] as string, "base64url").toString("utf8"));
    expect(payload.status).toBeUndefined();
    const holder = await ES256.generateKeyPair();
    await expect(exporter.sdJwtVc(doc.header.id, { holderJwk: holder.privateKey as Record<string, unknown> })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(exporter.sdJwtVc("00".repeat(16))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("never throws and is never VALID for arbitrary text or for an export with a disclosure or a part replaced", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("sd-jwt-fuzz", key);
    const exporter = await exporterFor(doc, key);
    const sdJwt = await exporter.sdJwtVc(doc.header.id);
    const vcJwt = await exporter.vcJwt(doc.header.id);
    const { deps } = await exportDeps();
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(fc.string(), token, fc.nat(), async (text, part, at) => {
        expect(["TAMPERED", "UNKNOWN_ISSUER", "NOT_ANCHORED"]).toContain((await verifySdJwtVc(text, deps)).verdict);
        expect((await verifyVcJwt(text, deps)).verdict).not.toBe("VALID");
        const pieces = sdJwt.split("~");
        const index = at % (pieces.length - 1);
        if (pieces[index] !== part) {
          pieces[index] = part;
          expect((await verifySdJwtVc(pieces.join("~"), deps)).verdict).not.toBe("VALID");
        }
        const jwtParts = vcJwt.split(".");
        const jwtIndex = at % 3;
        if (jwtParts[jwtIndex] !== part) {
          jwtParts[jwtIndex] = part;
          expect((await verifyVcJwt(jwtParts.join("."), deps)).verdict).not.toBe("VALID");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reports TAMPERED (never throws) for text that is no SD-JWT VC", async () => {
    const { ledger, deps } = await exportDeps();
    for (const text of ["", "~", "not-a-jwt~", "a.b.c~", "e30.e30.AA~x~"]) expect(shaped(await verifySdJwtVc(text, deps)).verdict, text).toBe("TAMPERED");
    expect(ledger.calls).toHaveLength(0);
  });
});

describe("VC 2.0 VC-JWT export", () => {
  it("is verified by jose with the department's key, with the fields of VC 2.0 and an anchor reference", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("vc-jose", key);
    const vcJwt = await (await exporterFor(doc, key)).vcJwt(doc.header.id);
    const { payload, protectedHeader } = await jwtVerify(vcJwt, await importJWK({ ...key.jwk, alg: "ES256" }, "ES256"), {
      typ: "vc+jwt",
      currentDate: new Date(NOW),
    });
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: "DEMO-1", typ: "vc+jwt" });
    expect(payload["@context"]).toEqual(["https://www.w3.org/ns/credentials/v2", `${PUBLIC_URL}/credentials/context/v1`]);
    expect(payload.type).toEqual(["VerifiableCredential", "LicenceCredential"]);
    expect(payload.issuer).toBe(`${PUBLIC_URL}/issuers/DEMO`);
    expect(payload.validFrom).toBe("2026-01-01T00:00:00+08:00");
    expect(payload.validUntil).toBe("2027-12-31T23:59:59+08:00");
    expect(payload.credentialSubject).toEqual(doc.data);
    expect(payload.credentialSchema).toEqual({
      id: `${PUBLIC_URL}/credentials/schemas/licence/1`,
      type: "JsonSchema",
      schemaHash: getDocumentType("licence").schemaHash,
    });
    expect(payload.credentialStatus).toEqual(
      (["revocation", "suspension"] as const).map((purpose) => ({
        id: `${bitstringStatusListUri(PUBLIC_URL, "DEMO", 0, purpose)}#${STATUS.index}`,
        type: "BitstringStatusListEntry",
        statusPurpose: purpose,
        statusListIndex: String(STATUS.index),
        statusListCredential: bitstringStatusListUri(PUBLIC_URL, "DEMO", 0, purpose),
      })),
    );
    const [evidence] = payload.evidence as Array<Record<string, unknown>>;
    expect(evidence).toMatchObject({ type: ["EProofLedgerAnchor"], eproofId: doc.header.id, chainId: doc.anchor?.chainId, registry: doc.anchor?.registry });
  });

  it("gets VALID from our verifier, REVOKED when the chain says so, and TAMPERED for a changed subject", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("vc-verify", key);
    const vcJwt = await (await exporterFor(doc, key)).vcJwt(doc.header.id);
    expect(shaped(await verifyVcJwt(vcJwt, (await exportDeps()).deps)).verdict).toBe("VALID");
    expect((await verifyVcJwt(vcJwt, (await exportDeps(ledgerRecord({ document: { status: "REVOKED", changedAt: ANCHORED_AT } }))).deps)).verdict).toBe(
      "REVOKED",
    );
    // A credential re-signed by someone else's key over a changed subject: the key is not the department's on chain.
    const other = await generateKeyPair("ES256");
    const [h, p] = vcJwt.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    payload.credentialSubject.documentNumber = "FFL-2026-999999";
    const header = { ...JSON.parse(Buffer.from(h, "base64url").toString("utf8")), jwk: await exportJWK(other.publicKey) };
    const forged = await signCompactJws(header, new TextEncoder().encode(JSON.stringify(payload)), other.privateKey, "DEMO-1");
    const { ledger, deps } = await exportDeps();
    const result = shaped(await verifyVcJwt(forged, deps));
    expect(result.verdict).toBe("TAMPERED");
    expect(result.checks[0]?.code).toBe("HASH");
    expect(ledger.calls).toHaveLength(0);
  });
});
