/**
 * Issuance: validate every item, build and sign each document, and accept them all into the durable
 * outbox in one transaction. Anchoring happens later, in batches (anchor-batches.ts); until then the
 * documents verify as PENDING.
 */
import { makeSalts } from "../domain/document-hash.ts";
import { getDocumentType, validateDocumentData } from "../domain/document-types.ts";
import { assembleDocument, prepareDocument } from "../domain/issue-document.ts";
import { merkleLeaf } from "../domain/merkle.ts";
import type { JsonValue, SignatureBlock } from "../domain/types.ts";
import { EProofError, type Problem } from "../errors.ts";
import type { Clock, DocumentSigner, DocumentStore, IssuanceGate, NewDocument, Random } from "../ports.ts";

export interface IssuanceDeps {
  store: DocumentStore;
  signer: DocumentSigner;
  clock: Clock;
  random: Random;
  /** Refuses a suspended department, a type not granted, an unusable signing key (optional: tools that sign offline have none). */
  gate?: IssuanceGate;
}

export interface IssueRequest {
  department: string;
  type: string;
  items: unknown[];
  /** Optional per-item idempotency keys (same length as items). */
  idempotencyKeys?: (string | undefined)[];
}

export interface IssuedDocument {
  id: string;
  type: string;
  issuedAt: string;
  /** True when an earlier request with the same idempotency key already issued it. */
  replayed: boolean;
}

const SIGNING_WINDOW = 256;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Issue time at whole seconds: the claim carries unix seconds, so the header must too. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export async function issueDocuments(deps: IssuanceDeps, request: IssueRequest): Promise<IssuedDocument[]> {
  const type = getDocumentType(request.type);
  await deps.gate?.assertMayIssue(request.department, type.id);
  const problems: Problem[] = [];
  const validated: Record<string, JsonValue>[] = [];
  request.items.forEach((item, index) => {
    const result = validateDocumentData(type.id, item);
    if (result.ok) validated.push(result.data);
    else {
      const prefix = request.items.length === 1 ? "" : `items[${index}]`;
      for (const p of result.problems) problems.push({ path: [prefix, p.path].filter(Boolean).join("."), message: p.message });
    }
  });
  if (problems.length > 0) {
    throw new EProofError("INVALID_DOCUMENT", `the ${type.id} data has ${problems.length} problem(s)`, { problems });
  }

  const keys = request.idempotencyKeys ?? [];
  const given = keys.filter((k): k is string => !!k);
  if (new Set(given).size !== given.length) throw new EProofError("BAD_REQUEST", "idempotencyKeys must not repeat within a request");
  const known = await deps.store.findByIdempotencyKey(
    request.department,
    keys.filter((k): k is string => !!k),
  );
  const issuedAt = isoSeconds(deps.clock.now());
  // A replay answers with the document issued first, as it was issued (not with this request's time).
  const earlierDocuments = new Map(await Promise.all([...new Set(known.values())].map(async (id) => [id, await deps.store.getDocument(id)] as const)));
  const results: IssuedDocument[] = [];
  const prepared: Array<{ document: ReturnType<typeof prepareDocument>; key: string | undefined }> = [];
  for (const [index, data] of validated.entries()) {
    const key = keys[index];
    const earlier = key ? known.get(key) : undefined;
    if (earlier) {
      const stored = earlierDocuments.get(earlier);
      results.push({ id: earlier, type: stored?.type ?? type.id, issuedAt: stored?.issuedAt ?? issuedAt, replayed: true });
      continue;
    }
    const id = hex(deps.random.bytes(16));
    const document = prepareDocument({
      type: type.id,
      data,
      issuer: request.department,
      issuedAt,
      id,
      salts: makeSalts(Object.keys(data), (n) => deps.random.bytes(n)),
    });
    prepared.push({ document, key });
    results.push({ id, type: type.id, issuedAt, replayed: false });
  }
  // Signatures run on the thread pool: a few hundred in flight keep every core busy.
  const accepted: NewDocument[] = [];
  for (let start = 0; start < prepared.length; start += SIGNING_WINDOW) {
    const window = prepared.slice(start, start + SIGNING_WINDOW);
    const signatures = await Promise.all(window.map(({ document }) => deps.signer.sign(request.department, document.claimBytes)));
    window.forEach(({ document, key }, i) => {
      accepted.push({
        id: document.header.id,
        department: request.department,
        type: type.id,
        issuedAt,
        leaf: merkleLeaf(document.documentHash),
        documentJson: JSON.stringify(assembleDocument(document, signatures[i] as SignatureBlock)),
        ...(key ? { idempotencyKey: key } : {}),
      });
    });
  }
  // Another request with the same idempotency key that won the race makes the store throw
  // EProofError("DUPLICATE_REQUEST"), and nothing of this one is stored: the caller retries for its result.
  await deps.store.insertDocuments(accepted);
  return results;
}
