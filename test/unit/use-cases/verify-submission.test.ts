/**
 * The service's verify use case when the chain has lost blocks (a dev chain restarted from an older
 * state file): a document this service issued and believes anchored is PENDING, not NOT_ANCHORED,
 * and the anchoring worker is asked to reconcile at once. The happy path reads no store.
 */

import { describe, expect, it } from "vitest";
import { es256 } from "../../../services/adapters/signing/es256.ts";
import { encodeQrFragment } from "../../../services/domain/qr-payload.ts";
import { splitJws } from "../../../services/domain/signature.ts";
import type { EProofDocument } from "../../../services/domain/types.ts";
import type { DocumentStore, StoredBatch, StoredDocument } from "../../../services/ports.ts";
import { type VerifySubmissionDeps, verifyQrText, verifySubmittedDocument } from "../../../services/use-cases/verify-submission.ts";
import { CHAIN_ID, copy, fakeLedger, issueBatch, ledgerRecord, makeSigningKey, NOW, REGISTRY, seededRandom } from "../domain/fixtures.ts";

/** What the service's store holds for `doc`: the file without its anchor, in a batch of the given state. */
function storedAs(doc: EProofDocument, state: StoredBatch["state"]): StoredDocument {
  const { anchor, ...withoutAnchor } = doc;
  if (!anchor) throw new Error("fixture documents are anchored");
  const anchored = state === "ANCHORED";
  return {
    id: doc.header.id,
    department: "DEMO",
    type: "licence",
    issuedAt: doc.header.issuedAt,
    leaf: `0x${"00".repeat(32)}`,
    documentJson: JSON.stringify(withoutAnchor),
    batch: {
      id: 1,
      department: "DEMO",
      type: "licence",
      root: anchor.root,
      count: 4,
      state,
      txHash: anchored ? anchor.txHash : null,
      blockNumber: anchored ? anchor.blockNumber : null,
      blockTime: anchored ? 1_800_000_000 : null,
    },
    merkleProof: anchor.proof,
    status: { status: "ACTIVE", reason: null, reasonCode: 0, changedAt: null, successor: null },
  };
}

function harness(stored: StoredDocument | null, chainKnowsRoot: boolean) {
  const reads: string[] = [];
  let nudges = 0;
  const store = {
    async getDocument(id: string) {
      reads.push(id);
      return stored && stored.id === id ? stored : null;
    },
  } as unknown as DocumentStore;
  const ledger = fakeLedger(ledgerRecord(chainKnowsRoot ? {} : { batch: { anchored: false, blockNumber: 0, anchoredAt: 0 } }));
  const deps: VerifySubmissionDeps = {
    store,
    ledger,
    signatures: es256,
    trust: { chainId: CHAIN_ID, registry: REGISTRY },
    clock: { now: () => NOW },
    publicKey: async () => undefined,
    onAnchorMissing: () => {
      nudges += 1;
    },
  };
  return { deps, ledger, reads, nudges: () => nudges };
}

describe("verifySubmittedDocument after the chain lost blocks", () => {
  it("reports PENDING, not NOT_ANCHORED, for a file this service issued whose anchored batch the chain forgot, and asks for a reconciliation", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("lost-batch") })).documents as [EProofDocument];
    const { deps, ledger, reads, nudges } = harness(storedAs(doc, "ANCHORED"), false);
    const result = await verifySubmittedDocument(deps, copy(doc));
    expect(result.verdict).toBe("PENDING");
    expect(result.checks.find((c) => c.name === "anchored")).toMatchObject({ status: "INVALID", code: "PENDING" });
    expect(nudges()).toBe(1);
    expect(ledger.calls).toHaveLength(1);
    expect(reads).toEqual([doc.header.id]);
  });

  it("reports PENDING for the holder's file without anchor too (the store's anchor is used, the chain does not know it)", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("lost-no-anchor") })).documents as [EProofDocument];
    const { anchor: _anchor, ...saved } = copy(doc);
    const { deps, ledger, nudges } = harness(storedAs(doc, "ANCHORED"), false);
    expect((await verifySubmittedDocument(deps, saved)).verdict).toBe("PENDING");
    expect(nudges()).toBe(1);
    expect(ledger.calls).toHaveLength(1);
  });

  it("still reports NOT_ANCHORED, and asks for nothing, for a file under the same id and root signed by someone else", async () => {
    const seed = "impostor";
    const [issued] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom(seed) })).documents as [EProofDocument];
    // Same id, data, salts and so root; another key's signature.
    const [impostor] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom(seed) })).documents as [EProofDocument];
    expect(impostor.header.id).toBe(issued.header.id);
    expect(impostor.anchor?.root).toBe(issued.anchor?.root);
    const { deps, nudges } = harness(storedAs(issued, "ANCHORED"), false);
    const result = await verifySubmittedDocument(deps, copy(impostor));
    expect(result.checks.find((c) => c.name === "anchored")).toMatchObject({ code: "NOT_ANCHORED" });
    expect(nudges()).toBe(0);
  });

  it("reports NOT_ANCHORED for a document this service does not hold", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("foreign") })).documents as [EProofDocument];
    const { deps, nudges } = harness(null, false);
    expect((await verifySubmittedDocument(deps, copy(doc))).verdict).toBe("NOT_ANCHORED");
    expect(nudges()).toBe(0);
  });

  it("reports PENDING without asking for a reconciliation for a batch the worker already re-queued (SEALED)", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("requeued") })).documents as [EProofDocument];
    const { deps, nudges } = harness(storedAs(doc, "SEALED"), false);
    expect((await verifySubmittedDocument(deps, copy(doc))).verdict).toBe("PENDING");
    expect(nudges()).toBe(0);
  });

  it("reads neither the store nor asks anything more on the happy path: one chain read, no store read", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("happy") })).documents as [EProofDocument];
    const { deps, ledger, reads, nudges } = harness(storedAs(doc, "ANCHORED"), true);
    expect((await verifySubmittedDocument(deps, copy(doc))).verdict).toBe("VALID");
    expect(ledger.calls).toHaveLength(1);
    expect(reads).toEqual([]);
    expect(nudges()).toBe(0);
  });

  it("verifies a QR text with one store read (the document it names) and one chain read", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("qr-once") })).documents as [EProofDocument];
    const { deps, ledger, reads } = harness(storedAs(doc, "ANCHORED"), true);
    const { kid, claimBytes, signature } = splitJws(doc.signature.jws);
    const keyNumber = Number(kid.split("-").at(-1));
    const withKey: VerifySubmissionDeps = { ...deps, publicKey: async (asked) => (asked === kid ? (doc.signature.jwk as Record<string, string>) : undefined) };
    const result = await verifyQrText(withKey, `https://verify.example/verify#${encodeQrFragment({ keyNumber, claimBytes, signature })}`);
    expect(result.verdict).toBe("VALID");
    expect(reads).toEqual([doc.header.id]);
    expect(ledger.calls).toHaveLength(1);
  });

  it("checks a QR text's signature once when the stored file carries the same JWS and key, and still names a bad QR signature BAD_SIGNATURE", async () => {
    const [doc] = (await issueBatch({ key: await makeSigningKey(), random: seededRandom("qr-one-signature") })).documents as [EProofDocument];
    const { deps } = harness(storedAs(doc, "ANCHORED"), true);
    const { kid, claimBytes, signature } = splitJws(doc.signature.jws);
    const keyNumber = Number(kid.split("-").at(-1));
    let signatureChecks = 0;
    const counted: VerifySubmissionDeps = {
      ...deps,
      signatures: {
        ...es256,
        verifyJws: (jws, jwk) => {
          signatureChecks += 1;
          return es256.verifyJws(jws, jwk);
        },
      },
      publicKey: async (asked) => (asked === kid ? (doc.signature.jwk as Record<string, string>) : undefined),
    };
    const qr = (sig: Uint8Array) => `https://verify.example/verify#${encodeQrFragment({ keyNumber, claimBytes, signature: sig })}`;
    expect((await verifyQrText(counted, qr(signature))).verdict).toBe("VALID");
    expect(signatureChecks).toBe(1);

    // A QR code whose signature was altered does not match the stored file: checked on its own, as before.
    const forged = Uint8Array.from(signature);
    forged[5] = (forged[5] as number) ^ 0xff;
    const result = await verifyQrText(counted, qr(forged));
    expect(result.checks.find((c) => c.name === "signature")).toMatchObject({ status: "INVALID", code: "BAD_SIGNATURE" });
  });
});
