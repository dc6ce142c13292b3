/**
 * Refuses, at the API, issuance that the ledger would refuse to anchor or that would never verify:
 * a suspended or unknown department, a type not granted to it, or a signing key that is not
 * registered, retired or reported compromised. Without it such documents would wait in the outbox
 * for ever (PENDING) instead of the officer hearing why at once.
 *
 * The chain is the authority; its answers are cached for a few seconds per department and dropped
 * whenever the administrator changes something. When the chain cannot be read, issuance is not
 * blocked (the documents queue, as everywhere else): the contract still refuses a bad anchoring.
 */
import { EProofError, isEProofError } from "../errors.ts";
import type { IssuanceGate, IssuerGovernance, KeyCustody, SigningKeyMirror, SigningKeyRecord } from "../ports.ts";

interface DepartmentView {
  /** UNREADABLE: the chain could not be read (remembered briefly, so an outage does not slow every issuance). */
  status: "ACTIVE" | "SUSPENDED" | "UNKNOWN" | "UNREADABLE";
  granted: Set<string>;
  until: number;
}

const CACHE_MS = 5_000;
/** A key the cached mirror does not know reads the mirror again: a key not seen missing before at once, the same key at most this often. */
const MISS_REREAD_MS = 250;

export class ChainIssuanceGate implements IssuanceGate {
  readonly #governance: Pick<IssuerGovernance, "department" | "documentTypes">;
  readonly #store: Pick<SigningKeyMirror, "signingKeys">;
  readonly #keys: Pick<KeyCustody, "currentSigningKey">;
  readonly #now: () => number;
  readonly #onDepartment: (code: string, name: { en: string; zhHK: string }) => void;
  readonly #cache = new Map<string, DepartmentView>();
  #keyMirror: { keys: SigningKeyRecord[]; readAt: number; until: number; missing?: string } | null = null;

  constructor(deps: {
    governance: Pick<IssuerGovernance, "department" | "documentTypes">;
    /** The mirror of the chain's signing keys, only read here. */
    store: Pick<SigningKeyMirror, "signingKeys">;
    keys: Pick<KeyCustody, "currentSigningKey">;
    now: () => number;
    /** Told each department's bilingual name as read from the chain (e.g. for PDF headings). */
    onDepartment?: (code: string, name: { en: string; zhHK: string }) => void;
  }) {
    this.#governance = deps.governance;
    this.#store = deps.store;
    this.#keys = deps.keys;
    this.#now = deps.now;
    this.#onDepartment = deps.onDepartment ?? (() => undefined);
  }

  invalidate(): void {
    this.#cache.clear();
    this.#keyMirror = null;
  }

  async assertMayIssue(department: string, type: string): Promise<void> {
    const view = await this.#department(department);
    if (view) {
      if (view.status === "UNKNOWN") throw new EProofError("FORBIDDEN", `department ${department} is not registered on the ledger`);
      if (view.status === "SUSPENDED") {
        throw new EProofError("FORBIDDEN", `department ${department} is suspended: it cannot issue new documents (those already issued keep their status)`);
      }
      if (!view.granted.has(type)) throw new EProofError("FORBIDDEN", `department ${department} is not authorised to issue ${type} documents`);
    }
    const current = await this.#keys.currentSigningKey(department);
    if (!current) throw new EProofError("FORBIDDEN", `department ${department} has no signing key on this service; ask the administrator to register one`);
    // A key registered through another instance is missing from a mirror read before: read it
    // again before refusing, or every other instance refuses issuance for CACHE_MS after a rotation.
    const record = (await this.#mirror()).find((k) => k.kid === current.kid) ?? (await this.#mirror(current.kid)).find((k) => k.kid === current.kid);
    const nowIso = new Date(this.#now()).toISOString();
    if (!record) throw new EProofError("FORBIDDEN", `signing key ${current.kid} is not registered on the ledger yet; ask the administrator to register it`);
    if (record.compromisedAt !== null || current.state === "COMPROMISED")
      throw new EProofError("FORBIDDEN", `signing key ${current.kid} was reported compromised; ask the administrator to rotate it`);
    if (record.validUntil !== null && record.validUntil <= nowIso) {
      throw new EProofError("FORBIDDEN", `signing key ${current.kid} was retired; ask the administrator to register a new one`);
    }
  }

  /** The store's signing keys, cached; `missing` is a kid the cache lacks, which reads them again. */
  async #mirror(missing?: string): Promise<SigningKeyRecord[]> {
    const now = this.#now();
    let mirror = this.#keyMirror;
    const reread = missing !== undefined && mirror !== null && (mirror.missing !== missing || now - mirror.readAt >= MISS_REREAD_MS);
    if (!mirror || mirror.until < now || reread) {
      mirror = { keys: await this.#store.signingKeys(), readAt: now, until: now + CACHE_MS, ...(missing ? { missing } : {}) };
      this.#keyMirror = mirror;
    }
    return mirror.keys;
  }

  /** null when the chain cannot be read now. */
  async #department(code: string): Promise<DepartmentView | null> {
    const cached = this.#cache.get(code);
    if (cached && cached.until >= this.#now()) return cached.status === "UNREADABLE" ? null : cached;
    try {
      const department = await this.#governance.department(code);
      if (department) this.#onDepartment(code, department.name);
      const granted = department ? (await this.#governance.documentTypes(code)).filter((t) => t.grantedAt !== 0 && t.withdrawnAt === 0).map((t) => t.type) : [];
      const view: DepartmentView = { status: department ? department.status : "UNKNOWN", granted: new Set(granted), until: this.#now() + CACHE_MS };
      this.#cache.set(code, view);
      return view;
    } catch (error) {
      if (isEProofError(error, "CHAIN_UNAVAILABLE")) {
        this.#cache.set(code, { status: "UNREADABLE", granted: new Set(), until: this.#now() + CACHE_MS });
        return null;
      }
      throw error;
    }
  }
}
