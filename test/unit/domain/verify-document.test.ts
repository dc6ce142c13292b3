import { describe, expect, it } from "vitest";
import { jwkThumbprint, signClaim } from "../../../services/adapters/signing/es256.ts";
import { encodeClaim, unixSeconds } from "../../../services/domain/claim.ts";
import { fieldDigest } from "../../../services/domain/document-hash.ts";
import type { EProofDocument, Hex, JsonValue } from "../../../services/domain/types.ts";
import { CHECK_ORDER, type CheckName } from "../../../services/domain/verdict.ts";
import type { VerificationRecord } from "../../../services/domain/verification-record.ts";
import { EProofError } from "../../../services/errors.ts";
import { type VerificationResult, type VerifyDeps, verificationResultSchema, verifyDocument } from "../../../services/use-cases/verify-document.ts";
import {
  ANCHORED_AT,
  anchorAlone,
  anchoredLicence,
  CHAIN_ID,
  copy,
  type FakeLedger,
  fakeLedger,
  issue,
  issueBatch,
  ledgerRecord,
  makeSigningKey,
  REGISTRY,
  seededRandom,
  typicalLicence,
  verifyDeps,
} from "./fixtures.ts";

/** Verifies and checks what every result must satisfy: six checks in order, at most one chain read. */
async function verify(input: unknown, ledger: FakeLedger, overrides: Partial<VerifyDeps> = {}): Promise<VerificationResult> {
  const result = await verifyDocument(input, verifyDeps(ledger, overrides));
  expect(result.checks.map((c) => c.name)).toEqual(CHECK_ORDER);
  expect(verificationResultSchema.safeParse(result).success, "the result has its published JSON shape").toBe(true);
  expect(ledger.calls.length).toBeLessThanOrEqual(1);
  return result;
}

function check(result: VerificationResult, name: CheckName) {
  return result.checks.find((c) => c.name === name);
}

async function verdictWith(doc: unknown, record: VerificationRecord, overrides: Partial<VerifyDeps> = {}): Promise<VerificationResult> {
  return verify(doc, fakeLedger(record), overrides);
}

const successor = "5e".repeat(16);

describe("verifyDocument: VALID", () => {
  it("reports VALID for the typical licence, with all six checks VALID, one ledger read and the evidence", async () => {
    const key = await makeSigningKey();
    const doc = await anchoredLicence("valid", key);
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(copy(doc), ledger);
    expect(result.verdict).toBe("VALID");
    expect(result.checks.map((c) => c.status)).toEqual(["VALID", "VALID", "VALID", "VALID", "VALID", "VALID"]);
    // The record of the batch the document's own issuer anchored (the chain keeps one per (department, root)),
    // in the registry the document names.
    expect(ledger.calls).toEqual([
      {
        registry: doc.anchor?.registry,
        department: doc.header.issuer,
        root: doc.anchor?.root,
        documentId: doc.header.id,
        keyFingerprint: await jwkThumbprint(key.jwk),
      },
    ]);
    expect(result.evidence).toEqual({
      chainId: CHAIN_ID,
      contract: REGISTRY,
      root: doc.anchor?.root,
      txHash: doc.anchor?.txHash,
      blockNumber: 12,
      anchoredAt: "2026-11-22T10:05:00.000Z",
    });
    const data = typicalLicence();
    expect(result.document).toEqual({
      header: doc.header,
      facts: { documentNumber: data.documentNumber, holder: data.holder, validFrom: data.validFrom, validUntil: data.validUntil },
      hidden: [],
    });
    expect(Object.keys(result.document?.header ?? {})).toEqual(["id", "type", "typeVersion", "issuer", "issuedAt"]);
    expect(result).not.toHaveProperty("successor");
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("reports VALID for every document of a batch, each with its own proof", async () => {
    const batch = await issueBatch({ key: await makeSigningKey(), random: seededRandom("whole-batch"), count: 7 });
    for (const doc of batch.documents) expect((await verify(copy(doc), fakeLedger(ledgerRecord()))).verdict).toBe("VALID");
  });

  it("compares the trusted registry address without regard to case", async () => {
    const doc = await anchoredLicence("registry-case");
    const result = await verify(doc, fakeLedger(ledgerRecord()), { trust: { chainId: CHAIN_ID, registry: REGISTRY.toLowerCase() as Hex } });
    expect(result.verdict).toBe("VALID");
  });
});

describe("verifyDocument: TAMPERED", () => {
  it("reports TAMPERED for changed data, a disclosed field or a key fact", async () => {
    const doc = await anchoredLicence("tamper-data");
    const changes: [string, JsonValue][] = [
      ["documentNumber", "FFL-2026-004218"],
      ["premises", { en: "Somewhere else", "zh-HK": "別處" }],
      ["conditions", ["Maximum 200 workers on the premises", "Display this licence at the entrance"]],
      ["validUntil", "2099-12-31"],
    ];
    for (const [field, value] of changes) {
      const tampered = copy(doc);
      tampered.data[field] = value;
      const result = await verify(tampered, fakeLedger(ledgerRecord()));
      expect(result.verdict, field).toBe("TAMPERED");
      expect(check(result, "integrity")).toMatchObject({ status: "INVALID", code: "HASH" });
    }
  });

  it("asks the ledger nothing for a document that is not what its issuer signed", async () => {
    const tampered = copy(await anchoredLicence("tamper-no-rpc"));
    tampered.data.documentNumber = "FFL-2026-004218";
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(tampered, ledger);
    expect(result.verdict).toBe("TAMPERED");
    expect(ledger.calls).toHaveLength(0);
    expect(result.checks.map((c) => c.status)).toEqual(["INVALID", "VALID", "SKIPPED", "SKIPPED", "SKIPPED", "VALID"]);
  });

  it("reports TAMPERED for a header carrying a field its issuer did not sign", async () => {
    const doc = copy(await anchoredLicence("tamper-header-extra")) as unknown as { header: Record<string, unknown> };
    doc.header.approvedBy = "Director of Food and Environmental Hygiene";
    const result = await verify(doc, fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")).toMatchObject({ status: "INVALID", code: "SHAPE" });
    expect(check(result, "integrity")?.reason).toContain("approvedBy");
  });

  it("reports TAMPERED for a changed salt", async () => {
    const tampered = copy(await anchoredLicence("tamper-salt"));
    tampered.salts.premises = "00112233445566778899aabbccddeeff";
    const result = await verify(tampered, fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("HASH");
  });

  it("reports TAMPERED for a changed header", async () => {
    const doc = await anchoredLicence("tamper-header");
    const changes = [{ issuedAt: "2026-11-21T10:00:00Z" }, { id: "0".repeat(32) }, { typeVersion: 2 }, { issuer: "OTHER" }, { type: "permit" }];
    for (const change of changes) {
      const tampered = copy(doc);
      Object.assign(tampered.header, change);
      const result = await verify(tampered, fakeLedger(ledgerRecord()));
      expect(result.verdict, JSON.stringify(change)).toBe("TAMPERED");
      expect(check(result, "integrity")?.status).toBe("INVALID");
    }
  });

  it("reports TAMPERED for a proof that leads to another batch's root, or another document's proof", async () => {
    const key = await makeSigningKey();
    const random = seededRandom("tamper-root");
    const mine = await issueBatch({ key, random });
    const theirs = await issueBatch({ key, random });
    const doc = copy(mine.documents[0] as EProofDocument);
    (doc.anchor as { root: Hex }).root = theirs.root;
    const result = await verify(doc, fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("MERKLE");

    const swapped = copy(mine.documents[0] as EProofDocument);
    (swapped.anchor as { proof: Hex[] }).proof = (mine.documents[1] as EProofDocument).anchor?.proof as Hex[];
    expect((await verify(swapped, fakeLedger(ledgerRecord()))).verdict).toBe("TAMPERED");
  });

  it("reports TAMPERED when the JWK is swapped for another key's: the signature does not verify", async () => {
    const doc = copy(await anchoredLicence("tamper-jwk"));
    doc.signature.jwk = (await makeSigningKey()).jwk;
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(doc, ledger);
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.status).toBe("VALID");
    expect(check(result, "signature")).toMatchObject({ status: "INVALID", code: "BAD_SIGNATURE" });
    expect(ledger.calls).toHaveLength(0);
  });

  it("reports TAMPERED for a signed claim whose key facts disagree with the data", async () => {
    const key = await makeSigningKey();
    const { prepared } = await issue({ key, random: seededRandom("tamper-facts") });
    // The issuer's key signed the right document hash, but facts that say something else.
    const claim = { ...prepared.claim, facts: { ...prepared.claim.facts, validUntil: "2099-12-31" } };
    const jws = await signClaim(encodeClaim(claim), key.privateKey, key.kid);
    const result = await verify(anchorAlone(prepared, jws, key.jwk), fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")).toMatchObject({ status: "INVALID", code: "FACTS" });
    expect(check(result, "signature")?.status).toBe("VALID");
  });

  it("reports TAMPERED for a signed claim whose header disagrees with the document's", async () => {
    const key = await makeSigningKey();
    const { prepared } = await issue({ key, random: seededRandom("tamper-claim-header") });
    const claim = { ...prepared.claim, issuedAt: unixSeconds("2026-01-01T00:00:00Z") };
    const jws = await signClaim(encodeClaim(claim), key.privateKey, key.kid);
    const result = await verify(anchorAlone(prepared, jws, key.jwk), fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("HEADER");
  });

  it("reports TAMPERED for a document signed with another department's key id", async () => {
    const key = await makeSigningKey("OTHER-1");
    const { prepared, jws } = await issue({ key, random: seededRandom("tamper-kid") });
    const result = await verify(anchorAlone(prepared, jws, key.jwk), fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("KID");
  });

  it("reports TAMPERED for a key id of another department whose code begins like the issuer's", async () => {
    const key = await makeSigningKey("DEMO-X-1");
    const { prepared, jws } = await issue({ key, random: seededRandom("tamper-kid-prefix") });
    const result = await verify(anchorAlone(prepared, jws, key.jwk), fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("KID");
  });

  it("reports TAMPERED when a key fact is withheld with its true digest", async () => {
    const doc = copy(await anchoredLicence("tamper-hide-holder"));
    doc.hidden = { holder: fieldDigest("holder", doc.data.holder as JsonValue, doc.salts.holder as string) };
    delete doc.data.holder;
    delete doc.salts.holder;
    const result = await verify(doc, fakeLedger(ledgerRecord()));
    expect(result.verdict).toBe("TAMPERED");
    expect(check(result, "integrity")?.code).toBe("FACTS");
  });

  it("reports TAMPERED for a field added under a name like __proto__", async () => {
    const doc = await anchoredLicence("tamper-proto");
    const text = JSON.stringify(doc)
      .replace('"data":{', '"data":{"__proto__":{"en":"Also licensed to sell alcohol"},')
      .replace('"salts":{', '"salts":{"__proto__":"00112233445566778899aabbccddeeff",');
    const tampered = JSON.parse(text) as EProofDocument;
    expect(Object.hasOwn(tampered.data, "__proto__")).toBe(true);
    expect((await verify(tampered, fakeLedger(ledgerRecord()))).verdict).toBe("TAMPERED");
  });
});

describe("verifyDocument: UNKNOWN_ISSUER (trust as of issuance)", () => {
  const cases: [string, Parameters<typeof ledgerRecord>[0], string][] = [
    ["the key is not registered", { key: { registered: false, validFrom: 0, validUntil: 0 } }, "signature"],
    ["the key was reported compromised before anchoring", { key: { compromisedAt: ANCHORED_AT - 60 } }, "signature"],
    ["the key was reported compromised as of the anchoring block", { key: { compromisedAt: ANCHORED_AT } }, "signature"],
    ["the key's window ended before anchoring", { key: { validUntil: ANCHORED_AT - 1 } }, "signature"],
    ["the key's window began after anchoring", { key: { validFrom: ANCHORED_AT + 1 } }, "signature"],
    ["the type was never granted", { typeGrant: { grantedAt: 0, withdrawnAt: 0 } }, "issuerAuthorised"],
    ["the type was granted after anchoring", { typeGrant: { grantedAt: ANCHORED_AT + 1 } }, "issuerAuthorised"],
    ["the type was withdrawn before anchoring", { typeGrant: { withdrawnAt: ANCHORED_AT - 1 } }, "issuerAuthorised"],
    ["the batch was anchored by another department", { batch: { department: "OTHER" } }, "issuerAuthorised"],
    ["the batch was anchored for another type", { batch: { docType: "permit" } }, "issuerAuthorised"],
    ["the department is not registered", { department: { registered: false } }, "issuerAuthorised"],
  ];
  for (const [situation, patch, failing] of cases) {
    it(`reports UNKNOWN_ISSUER when ${situation}`, async () => {
      const doc = await anchoredLicence(`unknown-issuer-${situation}`);
      const result = await verdictWith(doc, ledgerRecord(patch));
      expect(result.verdict).toBe("UNKNOWN_ISSUER");
      expect(check(result, failing as CheckName)?.status).toBe("INVALID");
      expect(result.evidence).not.toBeNull();
    });
  }

  it("reports VALID when the key was retired, compromised or the type withdrawn only AFTER anchoring", async () => {
    const doc = await anchoredLicence("retired-after");
    const after = ANCHORED_AT + 1;
    for (const patch of [
      { key: { validUntil: after } },
      { key: { compromisedAt: after } },
      { typeGrant: { withdrawnAt: after } },
      { key: { validFrom: ANCHORED_AT } },
    ]) {
      expect((await verdictWith(doc, ledgerRecord(patch))).verdict, JSON.stringify(patch)).toBe("VALID");
    }
  });

  it("reports VALID for a document of a department suspended after issuance: suspension stops new issuance only", async () => {
    const doc = await anchoredLicence("department-suspended");
    expect((await verdictWith(doc, ledgerRecord({ department: { suspended: true } }))).verdict).toBe("VALID");
  });

  it("reports UNKNOWN_ISSUER for a consistent document signed by a key the chain does not know", async () => {
    const stranger = await makeSigningKey("DEMO-1");
    const { prepared, jws } = await issue({ key: stranger, random: seededRandom("stranger") });
    const ledger = fakeLedger(ledgerRecord({ key: { registered: false, validFrom: 0 } }));
    const result = await verify(anchorAlone(prepared, jws, stranger.jwk), ledger);
    expect(result.verdict).toBe("UNKNOWN_ISSUER");
    expect(ledger.calls[0]?.keyFingerprint).toBe(await jwkThumbprint(stranger.jwk));
  });
});

describe("verifyDocument: NOT_ANCHORED and PENDING", () => {
  it("reports NOT_ANCHORED, without asking the ledger, for a document naming another registry", async () => {
    const doc = copy(await anchoredLicence("wrong-registry"));
    (doc.anchor as { registry: Hex }).registry = "0x0000000000000000000000000000000000000bad";
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(doc, ledger);
    expect(result.verdict).toBe("NOT_ANCHORED");
    expect(check(result, "anchored")).toMatchObject({ status: "INVALID", code: "WRONG_LEDGER" });
    expect(ledger.calls).toHaveLength(0);
    expect(result.evidence).toBeNull();
  });

  it("reports NOT_ANCHORED, without asking the ledger, for a document naming another chain", async () => {
    const doc = copy(await anchoredLicence("wrong-chain"));
    (doc.anchor as { chainId: number }).chainId = 1;
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(doc, ledger);
    expect(result.verdict).toBe("NOT_ANCHORED");
    expect(ledger.calls).toHaveLength(0);
  });

  it("reports NOT_ANCHORED for a root the chain does not know", async () => {
    const doc = await anchoredLicence("unknown-root");
    const ledger = fakeLedger(ledgerRecord({ batch: { anchored: false, department: "", docType: "", count: 0, blockNumber: 0, anchoredAt: 0 } }));
    const result = await verify(doc, ledger);
    expect(result.verdict).toBe("NOT_ANCHORED");
    expect(check(result, "anchored")).toMatchObject({ status: "INVALID", code: "NOT_ANCHORED" });
    expect(ledger.calls).toHaveLength(1);
    expect(result.evidence).toBeNull();
  });

  it("reports PENDING for a document without anchor that the issuer has queued", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("pending") });
    const doc = copy({ eproof: 1, header: prepared.header, data: prepared.data, salts: prepared.salts, signature: { jws, jwk: key.jwk } });
    const asked: string[] = [];
    const ledger = fakeLedger(ledgerRecord());
    const result = await verify(doc, ledger, {
      isPending: (id) => {
        asked.push(id);
        return true;
      },
    });
    expect(result.verdict).toBe("PENDING");
    expect(asked).toEqual([prepared.header.id]);
    expect(ledger.calls).toHaveLength(0);
    expect(check(result, "signature")?.status).toBe("VALID");
    expect(result.document?.header).toEqual(prepared.header);
  });

  it("reports NOT_ANCHORED for a document without anchor that nobody has queued", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("not-pending") });
    const doc = { eproof: 1, header: prepared.header, data: prepared.data, salts: prepared.salts, signature: { jws, jwk: key.jwk } };
    expect((await verify(doc, fakeLedger(ledgerRecord()), { isPending: async () => false })).verdict).toBe("NOT_ANCHORED");
    expect((await verify(doc, fakeLedger(ledgerRecord()))).verdict).toBe("NOT_ANCHORED");
  });

  it("reports TAMPERED, not PENDING, for a queued document whose data was changed", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("pending-tampered") });
    const doc = copy({ eproof: 1, header: prepared.header, data: prepared.data, salts: prepared.salts, signature: { jws, jwk: key.jwk } });
    doc.data.documentNumber = "FFL-2026-999999";
    expect((await verify(doc, fakeLedger(ledgerRecord()), { isPending: () => true })).verdict).toBe("TAMPERED");
  });

  it("reports PENDING for an anchor whose root is not yet on chain but the issuer has it queued", async () => {
    const doc = await anchoredLicence("pending-root");
    const ledger = fakeLedger(ledgerRecord({ batch: { anchored: false, department: "", docType: "", anchoredAt: 0 } }));
    expect((await verify(doc, ledger, { isPending: () => true })).verdict).toBe("PENDING");
  });
});

describe("verifyDocument: status", () => {
  it("reports REVOKED for a document revoked after issuance, saying when and giving no reason (the chain holds none)", async () => {
    const doc = await anchoredLicence("revoked");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "REVOKED", changedAt: ANCHORED_AT + 86_400 } }));
    expect(result.verdict).toBe("REVOKED");
    expect(check(result, "status")?.reason).toBe(`revoked on ${new Date((ANCHORED_AT + 86_400) * 1000).toISOString()}`);
    expect(result.evidence).not.toBeNull();
  });

  it("gives the revocation's block time as statusChange, with no reason code, for the verify page to word", async () => {
    const doc = await anchoredLicence("revoked-status-change");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "REVOKED", changedAt: ANCHORED_AT + 86_400 } }));
    // toStrictEqual: a reasonCode key, even undefined, would fail (only the issuing service adds a publishable one).
    expect(result.statusChange).toStrictEqual({
      status: "REVOKED",
      scope: "document",
      changedAt: new Date((ANCHORED_AT + 86_400) * 1000).toISOString(),
    });
    const batchWide = await verdictWith(doc, ledgerRecord({ batch: { status: "SUSPENDED" } }));
    expect(batchWide.statusChange).toStrictEqual({ status: "SUSPENDED", scope: "batch" });
    expect(check(batchWide, "status")?.reason).toBe("its whole batch is suspended");
    expect((await verdictWith(doc, ledgerRecord({}))).statusChange).toBeUndefined();
  });

  it("reports SUSPENDED for a suspended document", async () => {
    const doc = await anchoredLicence("suspended");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "SUSPENDED", changedAt: ANCHORED_AT + 60 } }));
    expect(result.verdict).toBe("SUSPENDED");
    expect(check(result, "status")?.reason).toBe(`suspended on ${new Date((ANCHORED_AT + 60) * 1000).toISOString()}`);
  });

  it("reports SUPERSEDED, naming the successor, for a replaced document", async () => {
    const doc = await anchoredLicence("superseded");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "SUPERSEDED", changedAt: ANCHORED_AT + 60, successor } }));
    expect(result.verdict).toBe("SUPERSEDED");
    expect(result.successor).toBe(successor);
    expect(check(result, "status")?.reason).toContain(successor);
  });

  it("reports REVOKED or SUSPENDED when the whole batch is", async () => {
    const doc = await anchoredLicence("batch-status");
    const revoked = await verdictWith(doc, ledgerRecord({ batch: { status: "REVOKED" } }));
    expect(revoked.verdict).toBe("REVOKED");
    expect(check(revoked, "status")?.reason).toBe("its whole batch was revoked");
    expect((await verdictWith(doc, ledgerRecord({ batch: { status: "SUSPENDED" } }))).verdict).toBe("SUSPENDED");
  });

  it("lets a revocation outweigh a suspension, whichever of document and batch carries it", async () => {
    const doc = await anchoredLicence("revoked-outweighs");
    expect((await verdictWith(doc, ledgerRecord({ document: { status: "SUSPENDED" }, batch: { status: "REVOKED" } }))).verdict).toBe("REVOKED");
    expect((await verdictWith(doc, ledgerRecord({ document: { status: "REVOKED" }, batch: { status: "SUSPENDED" } }))).verdict).toBe("REVOKED");
  });

  it("reports REVOKED, still naming the successor, for a superseded document whose whole batch was revoked", async () => {
    const doc = await anchoredLicence("superseded-batch-revoked");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "SUPERSEDED", successor }, batch: { status: "REVOKED" } }));
    expect(result.verdict).toBe("REVOKED");
    expect(result.successor).toBe(successor);
  });

  it("reports REVOKED rather than EXPIRED for a revoked document past its validity", async () => {
    const doc = await anchoredLicence("revoked-expired");
    const result = await verdictWith(doc, ledgerRecord({ document: { status: "REVOKED" } }), { now: () => Date.parse("2030-01-01T00:00:00Z") });
    expect(result.verdict).toBe("REVOKED");
    expect(check(result, "validityWindow")?.code).toBe("EXPIRED");
  });
});

describe("verifyDocument: validity period in Hong Kong calendar dates", () => {
  it("reports VALID on the last day until midnight Hong Kong time, and EXPIRED from then", async () => {
    const doc = await anchoredLicence("expiry");
    expect((await verdictWith(doc, ledgerRecord(), { now: () => Date.parse("2027-12-31T15:59:59Z") })).verdict).toBe("VALID");
    const expired = await verdictWith(doc, ledgerRecord(), { now: () => Date.parse("2027-12-31T16:00:00Z") });
    expect(expired.verdict).toBe("EXPIRED");
    expect(check(expired, "validityWindow")).toMatchObject({ status: "INVALID", code: "EXPIRED" });
  });

  it("reports NOT_YET_VALID before midnight Hong Kong time of the first day, and VALID from then", async () => {
    const key = await makeSigningKey();
    const batch = await issueBatch({ key, random: seededRandom("not-yet"), first: { ...typicalLicence(), validFrom: "2027-01-01" } });
    const doc = batch.documents[0] as EProofDocument;
    const early = await verdictWith(doc, ledgerRecord(), { now: () => Date.parse("2026-12-31T15:59:59Z") });
    expect(early.verdict).toBe("NOT_YET_VALID");
    expect(check(early, "validityWindow")?.code).toBe("NOT_YET_VALID");
    expect((await verdictWith(doc, ledgerRecord(), { now: () => Date.parse("2026-12-31T16:00:00Z") })).verdict).toBe("VALID");
  });
});

describe("verifyDocument: UNAVAILABLE", () => {
  const chainDown = () => {
    throw new EProofError("CHAIN_UNAVAILABLE", "cannot reach the RPC endpoint");
  };

  it("reports UNAVAILABLE, not an invalid verdict, when the ledger cannot be read", async () => {
    const doc = await anchoredLicence("unavailable");
    const ledger = fakeLedger(chainDown);
    const result = await verify(doc, ledger);
    expect(result.verdict).toBe("UNAVAILABLE");
    expect(ledger.calls).toHaveLength(1);
    expect(result.checks.map((c) => c.status)).toEqual(["VALID", "ERROR", "ERROR", "ERROR", "ERROR", "VALID"]);
    expect(result.evidence).toBeNull();
  });

  it("reports UNAVAILABLE, never throws, when the ledger fails in an unexpected way", async () => {
    const doc = await anchoredLicence("unavailable-bug");
    const result = await verify(
      doc,
      fakeLedger(() => {
        throw new TypeError("cannot read properties of undefined");
      }),
    );
    expect(result.verdict).toBe("UNAVAILABLE");
  });

  it("reports UNAVAILABLE, not NOT_ANCHORED, when the service cannot tell whether it queued the document", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("pending-unknown") });
    const doc = { eproof: 1, header: prepared.header, data: prepared.data, salts: prepared.salts, signature: { jws, jwk: key.jwk } };
    const result = await verify(doc, fakeLedger(ledgerRecord()), {
      isPending: async () => {
        throw new Error("database is locked");
      },
    });
    expect(result.verdict).toBe("UNAVAILABLE");
    expect(check(result, "anchored")?.status).toBe("ERROR");
  });

  it("reports TAMPERED, not UNAVAILABLE, when the data was tampered with and the ledger is down", async () => {
    const doc = copy(await anchoredLicence("unavailable-tampered"));
    doc.data.documentNumber = "FFL-2026-999999";
    const result = await verify(doc, fakeLedger(chainDown));
    expect(result.verdict).toBe("TAMPERED");
  });
});

describe("verifyDocument: malformed input", () => {
  async function expectTampered(input: unknown, because: string, ledger = fakeLedger(ledgerRecord())): Promise<VerificationResult> {
    let result: VerificationResult | undefined;
    try {
      result = await verify(input, ledger);
    } catch (error) {
      throw new Error(`${because}: verifyDocument threw ${String(error)}`);
    }
    expect(result.verdict, because).toBe("TAMPERED");
    expect([check(result, "integrity")?.status, check(result, "signature")?.status], because).toContain("INVALID");
    return result;
  }

  it("reports TAMPERED, never throws, for inputs that are not e-Proof documents", async () => {
    const inputs: unknown[] = [null, undefined, 42, "x", true, [], {}, { eproof: 1 }, { eproof: "1" }, [{ eproof: 1 }]];
    for (const input of inputs) {
      const ledger = fakeLedger(ledgerRecord());
      const result = await expectTampered(input, JSON.stringify(input) ?? "undefined", ledger);
      expect(check(result, "integrity")?.code).toBe("SHAPE");
      expect(result.document).toBeNull();
      expect(ledger.calls).toHaveLength(0);
    }
  });

  it("reports TAMPERED for a document that says it is not e-Proof format 1", async () => {
    const doc = copy(await anchoredLicence("format-2")) as unknown as Record<string, unknown>;
    doc.eproof = 2;
    await expectTampered(doc, "eproof: 2");
  });

  it("reports TAMPERED for a 65-element Merkle proof, and for a 64-element proof that leads nowhere", async () => {
    const doc = await anchoredLicence("long-proof");
    const sibling = doc.anchor?.proof[0] as Hex;
    const long = copy(doc);
    (long.anchor as { proof: Hex[] }).proof = Array.from({ length: 65 }, () => sibling);
    expect(check(await expectTampered(long, "65 siblings"), "integrity")?.code).toBe("SHAPE");
    const deep = copy(doc);
    (deep.anchor as { proof: Hex[] }).proof = Array.from({ length: 64 }, () => sibling);
    expect(check(await expectTampered(deep, "64 siblings"), "integrity")?.code).toBe("MERKLE");
  });

  it("reports TAMPERED, never throws, for a wrong type at any place in the document", async () => {
    const doc = await anchoredLicence("wrong-types");
    const paths = [
      "eproof",
      "header",
      "header.id",
      "header.type",
      "header.typeVersion",
      "header.issuer",
      "header.issuedAt",
      "data",
      "data.documentNumber",
      "data.holder",
      "data.holder.name",
      "data.validFrom",
      "data.validUntil",
      "salts",
      "salts.documentNumber",
      "hidden",
      "hidden.premises",
      "signature",
      "signature.jws",
      "signature.jwk",
      "signature.jwk.x",
      "signature.jwk.crv",
      "anchor",
      "anchor.chainId",
      "anchor.registry",
      "anchor.root",
      "anchor.proof",
      "anchor.proof.0",
      "anchor.txHash",
      "anchor.blockNumber",
    ];
    const values: unknown[] = [null, 42, -1, 1.5, "x", "", true, [], {}, [1, 2], { a: 1 }, 10n];
    /** The few wrong values after which the document is still well-formed and another verdict is right. */
    const otherVerdict = (path: string, value: unknown): string | undefined => {
      if (path === "anchor.chainId" && Number.isSafeInteger(value)) return "NOT_ANCHORED"; // another chain
      if (path === "anchor.registry" && typeof value === "string") return "NOT_ANCHORED"; // another registry
      // The evidence takes the block number from the chain, not from the document.
      if (path === "anchor.blockNumber" && Number.isSafeInteger(value) && (value as number) >= 0) return "VALID";
      if (path === "hidden" && typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return "VALID"; // nothing withheld
      return undefined;
    };
    for (const path of paths) {
      for (const value of values) {
        const mutated = copy(doc) as unknown as Record<string, unknown>;
        const keys = path.split(".");
        let parent = mutated;
        for (const k of keys.slice(0, -1)) {
          if (typeof parent[k] !== "object" || parent[k] === null) parent[k] = {};
          parent = parent[k] as Record<string, unknown>;
        }
        parent[keys.at(-1) as string] = value;
        const because = `${path} = ${typeof value === "bigint" ? `${value}n` : JSON.stringify(value)}`;
        const expected = otherVerdict(path, value);
        if (expected) {
          expect((await verify(mutated, fakeLedger(ledgerRecord()))).verdict, because).toBe(expected);
        } else {
          await expectTampered(mutated, because);
        }
      }
    }
  });

  it("reports TAMPERED, never throws, for data that JSON cannot hold (cycles, deep nesting)", async () => {
    const doc = await anchoredLicence("exotic");
    const cyclic = copy(doc);
    (cyclic.data as Record<string, unknown>).self = cyclic.data;
    await expectTampered(cyclic, "cyclic data");
    const deep = copy(doc);
    let nested: unknown = "bottom";
    for (let i = 0; i < 50_000; i += 1) nested = [nested];
    (deep.data as Record<string, unknown>).conditions = nested;
    await expectTampered(deep, "50,000 nested arrays");
  });
});
