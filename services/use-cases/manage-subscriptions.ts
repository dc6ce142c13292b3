/**
 * Webhook subscriptions: register, list, read, delete, and the delivery log. Who may subscribe to what:
 * - a relying-party key: any document ids (those it holds) and any department's document type
 *   (`department` is then required, as the key has none);
 * - an officer key: only within its department: its department's documents and types;
 * - an admin key: nothing; administration and watching documents are kept apart (the HTTP adapter
 *   admits only the two roles above).
 * A subscription belongs to the key that made it, and only that key sees or deletes it. Creating and
 * deleting one are audited (ids only: the receiver's URL may carry a token).
 */
import { documentTypes } from "../domain/document-types.ts";
import { EProofError } from "../errors.ts";
import type { AuditEntry, AuditLog, Clock, DeliveryRecord, DocumentStore, Random, SubscriptionRecord, Subscriptions, WebhookUrlCheck } from "../ports.ts";

/** The API key asking: an officer (of one department) or a relying party (department "*"). */
export interface Subscriber {
  keyId: string;
  role: "officer" | "relying-party";
  /** The officer's department; "*" for a relying party. */
  department: string;
}

/** A new subscription as the caller asks for it: document ids, or a department's document type. */
export interface SubscriptionRequest {
  url: string;
  documentIds?: string[];
  docType?: string;
  department?: string;
}

export interface SubscriptionDeps {
  subscriptions: Subscriptions;
  store: DocumentStore;
  audit?: AuditLog;
  clock: Clock;
  random: Random;
  /** The receiver's URL, checked (https, a public address) and normalised. */
  checkUrl: WebhookUrlCheck;
  maxSubscriptionsPerKey?: number;
}

const DEFAULT_MAX_PER_KEY = 100;

export async function createSubscription(deps: SubscriptionDeps, caller: Subscriber, request: SubscriptionRequest): Promise<SubscriptionRecord> {
  if (request.docType !== undefined && !documentTypes.has(request.docType)) {
    throw new EProofError("UNKNOWN_TYPE", `unknown document type ${request.docType}; built-in types: ${[...documentTypes.keys()].join(", ")}`);
  }
  const maxPerKey = deps.maxSubscriptionsPerKey ?? DEFAULT_MAX_PER_KEY;
  if ((await deps.subscriptions.subscriptionsOf(caller.keyId)).length >= maxPerKey) {
    throw new EProofError("BAD_REQUEST", `an API key may hold at most ${maxPerKey} subscriptions; delete one first`);
  }
  const record: SubscriptionRecord = {
    id: uuidV4(deps.random.bytes(16)),
    owner: caller.keyId,
    url: await deps.checkUrl(request.url),
    documentIds: [...new Set(request.documentIds ?? [])],
    department: await departmentOf(deps, caller, request),
    docType: request.docType ?? null,
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  await deps.subscriptions.createSubscription(record);
  await audited(deps, caller, "subscription.create", record.id);
  return record;
}

export async function listSubscriptions(deps: SubscriptionDeps, caller: Subscriber): Promise<SubscriptionRecord[]> {
  return deps.subscriptions.subscriptionsOf(caller.keyId);
}

/** The caller's own subscription; NOT_FOUND for anyone else's, as for one that does not exist. */
export async function ownSubscription(deps: SubscriptionDeps, caller: Subscriber, id: string): Promise<SubscriptionRecord> {
  const found = /^[\w-]{1,64}$/.test(id) ? await deps.subscriptions.getSubscription(id) : null;
  if (!found || found.owner !== caller.keyId) throw new EProofError("NOT_FOUND", `no subscription ${id} of this API key`);
  return found;
}

export async function deleteSubscription(deps: SubscriptionDeps, caller: Subscriber, id: string): Promise<void> {
  await ownSubscription(deps, caller, id);
  await deps.subscriptions.deleteSubscription(caller.keyId, id);
  await audited(deps, caller, "subscription.delete", id);
}

export async function deliveriesOf(deps: SubscriptionDeps, caller: Subscriber, id: string): Promise<{ subscriptionId: string; deliveries: DeliveryRecord[] }> {
  const subscription = await ownSubscription(deps, caller, id);
  return { subscriptionId: subscription.id, deliveries: await deps.subscriptions.deliveriesOf(subscription.id) };
}

/** An officer watches only its own department; a relying party any department (which it must name). */
async function departmentOf(deps: SubscriptionDeps, caller: Subscriber, request: SubscriptionRequest): Promise<string | null> {
  if (caller.role === "relying-party") {
    if (request.docType !== undefined && request.department === undefined) {
      throw new EProofError("BAD_REQUEST", "give the issuing department of docType (a relying-party key has no department)");
    }
    return request.docType === undefined ? null : (request.department ?? null);
  }
  if (request.docType !== undefined) {
    if (request.department !== undefined && request.department !== caller.department) {
      throw new EProofError("FORBIDDEN", `an officer key may subscribe only to its own department's (${caller.department}) types; use a relying-party key`);
    }
    return caller.department;
  }
  for (const id of request.documentIds ?? []) {
    if ((await deps.store.getDocument(id))?.department !== caller.department) {
      throw new EProofError("FORBIDDEN", `document ${id} is not one of your department's; an officer key may follow only its department's documents`);
    }
  }
  return null;
}

async function audited(deps: SubscriptionDeps, caller: Subscriber, action: string, subscriptionId: string): Promise<void> {
  const entry: AuditEntry = {
    actor: caller.keyId,
    role: caller.role,
    action,
    department: caller.department === "*" ? null : caller.department,
    documentId: null,
    details: { subscriptionId },
  };
  await deps.audit?.append([entry]);
}

/** An RFC 9562 version 4 UUID from 16 random bytes (the subscription id's format since the start). */
function uuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
