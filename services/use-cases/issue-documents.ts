/**
 * Issuance: validate every item, build and sign each document, and accept them all into the durable
 * outbox in one transaction. Anchoring happens later, in batches (anchor-batches.ts); until then the
 * documents verify as PENDING.
 */
import { getDocumentType } from "../domain/document-types.ts";
import { type BuiltDocument, builtDocument, prepareItems } from "../domain/issue-document.ts";
import type { SignatureBlock } from "../domain/types.ts";
import { EProofError } from "../errors.ts";
import type { Clock, DocumentBuilder, DocumentSigner, DocumentStore, IssuanceGate, NewDocument, Random } from "../ports.ts";

export interface IssuanceDeps {
  store: Pick<DocumentStore, "insertDocuments" | "findByIdempotencyKey" | "getDocument">;
  signer: DocumentSigner;
  clock: Clock;
  random: Random;
  /** Refuses a suspended department, a type not granted, an unusable signing key (optional: tools that sign offline have none). */
  gate?: IssuanceGate;
  /** Builds and signs on every core (services/main.ts gives one); without it, this thread builds and `signer` signs. */
  builder?: DocumentBuilder;
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
  /**
   * The e-Proof file as issued (without its anchor), as stored: what the caller needs of the document
   * (its QR link) without reading it back. Absent only for a replay whose earlier document is gone.
   */
  documentJson?: string | Uint8Array;
}

const SIGNING_WINDOW = 256;
/** Fewer items than this build on the event loop even with a builder: the hop to a worker costs more than it saves. */
const INLINE_BELOW = 16;

/** Issue time at whole seconds: the claim carries unix seconds, so the header must too. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The DocumentBuilder on this thread: deps.random draws, deps.signer signs (a window of signatures in flight). */
function inlineBuilder(signer: DocumentSigner, random: Random): DocumentBuilder {
  return {
    async build(request) {
      const { problems, prepared } = prepareItems({
        type: request.type,
        issuer: request.department,
        issuedAt: request.issuedAt,
        items: request.items,
        build: request.build,
        first: 0,
        single: request.items.length === 1,
        random: (n) => random.bytes(n),
      });
      if (problems.length > 0) return { problems, documents: [] };
      const documents: Array<BuiltDocument | undefined> = new Array(prepared.length);
      for (let start = 0; start < prepared.length; start += SIGNING_WINDOW) {
        const window = prepared.slice(start, start + SIGNING_WINDOW);
        const signatures = await Promise.all(window.map((document) => document && signer.sign(request.department, document.claimBytes)));
        window.forEach((document, i) => {
          if (document) documents[start + i] = builtDocument(document, signatures[i] as SignatureBlock);
        });
      }
      return { problems, documents };
    },
  };
}

export async function issueDocuments(deps: IssuanceDeps, request: IssueRequest): Promise<IssuedDocument[]> {
  const type = getDocumentType(request.type);
  await deps.gate?.assertMayIssue(request.department, type.id);
  const keys = request.idempotencyKeys ?? [];
  const given = keys.filter((k): k is string => !!k);
  const known = given.length === 0 ? new Map<string, string>() : await deps.store.findByIdempotencyKey(request.department, [...new Set(given)]);
  const issuedAt = isoSeconds(deps.clock.now());
  const builder = deps.builder && request.items.length >= INLINE_BELOW ? deps.builder : inlineBuilder(deps.signer, deps.random);
  const { problems, documents } = await builder.build({
    department: request.department,
    type: type.id,
    issuedAt,
    items: request.items,
    build: request.items.map((_, index) => !known.has(keys[index] ?? "")),
  });
  if (problems.length > 0) {
    throw new EProofError("INVALID_DOCUMENT", `the ${type.id} data has ${problems.length} problem(s)`, { problems });
  }
  if (new Set(given).size !== given.length) throw new EProofError("BAD_REQUEST", "idempotencyKeys must not repeat within a request");

  // A replay answers with the document issued first, as it was issued (not with this request's time).
  const earlierDocuments = new Map(await Promise.all([...new Set(known.values())].map(async (id) => [id, await deps.store.getDocument(id)] as const)));
  const results: IssuedDocument[] = [];
  const accepted: NewDocument[] = [];
  request.items.forEach((_, index) => {
    const key = keys[index];
    const earlier = key ? known.get(key) : undefined;
    if (earlier) {
      const stored = earlierDocuments.get(earlier);
      results.push({
        id: earlier,
        type: stored?.type ?? type.id,
        issuedAt: stored?.issuedAt ?? issuedAt,
        replayed: true,
        ...(stored ? { documentJson: stored.documentJson } : {}),
      });
      return;
    }
    const document = documents[index];
    if (!document) throw new EProofError("INTERNAL", `item ${index} was not built`);
    accepted.push({ ...document, department: request.department, type: type.id, issuedAt, ...(key ? { idempotencyKey: key } : {}) });
    results.push({ id: document.id, type: type.id, issuedAt, replayed: false, documentJson: document.documentJson });
  });
  // Another request with the same idempotency key that won the race makes the store throw
  // EProofError("DUPLICATE_REQUEST"), and nothing of this one is stored: the caller retries for its result.
  await deps.store.insertDocuments(accepted);
  return results;
}
