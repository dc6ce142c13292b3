/**
 * The platform administrator's governance: departments, document-type grants, signing keys, anchoring
 * accounts (all on chain, through IssuerGovernance) and officer API keys (in the store). Every
 * action that succeeds is appended to the audit log with the administrator's key id.
 *
 * Signing keys and anchoring accounts are in this service's custody (the KeyCustody port: generated
 * there, shared by every instance, private parts never leave it); the chain holds only the keys'
 * JWK thumbprints with their windows and the accounts' addresses, one department per account. The
 * store mirrors the public keys for /.well-known/jwks.json.
 */
import { getDocumentType } from "../domain/document-types.ts";
import { isReasonCode } from "../domain/reason-codes.ts";
import { EProofError } from "../errors.ts";
import type {
  ApiKeyRecord,
  ApiKeyRecords,
  ApiKeyRole,
  ApiKeys,
  AuditEntry,
  AuditLog,
  DepartmentPolicies,
  Hex,
  IssuerGovernance,
  KeyCustody,
  PreparedSigningKey,
  Random,
  SignatureChecker,
  SigningKeyMirror,
  SigningKeyRecord,
} from "../ports.ts";

export interface AdminDeps {
  governance: IssuerGovernance;
  /** The API keys the store keeps (their hashes) and the mirror of the chain's signing keys. */
  apiKeyRecords: ApiKeyRecords;
  signingKeyMirror: SigningKeyMirror;
  audit: AuditLog;
  keys: Pick<KeyCustody, "currentSigningKey" | "prepareSigningKey" | "setSigningKeyState" | "currentAnchoringAccount" | "createAnchoringAccount">;
  /** Which reason codes each department publishes in verify answers. */
  policies: DepartmentPolicies;
  /** New API-key secrets and the hash the store keeps of them. */
  apiKeys: ApiKeys;
  /** The random part of a new API key's id. */
  random: Random;
  /** Thumbprints of new signing keys, as registered on chain. */
  signatures: Pick<SignatureChecker, "thumbprint">;
  /** Gives a new anchoring account what it needs to send (dev chain: ether; a zero-gas network: nothing). */
  fundAnchorer?: (account: Hex) => Promise<void>;
  /** Called after signing keys, grants, department status or publication policy change (JWKS, issuance and policy caches). */
  onGovernanceChanged: () => void;
  /** Called after an API key is revoked (the auth cache). */
  onApiKeyRevoked: () => void;
}

/** Whoever acts: the administrator's API key id. */
export interface Actor {
  keyId: string;
}

const DEPARTMENT_CODE = /^[A-Z0-9-]{2,31}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** A retired key stays valid this long by default, so that documents it signed and that wait in the outbox still anchor inside its window. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 600;

function assertDepartmentCode(code: string): void {
  if (!DEPARTMENT_CODE.test(code)) throw new EProofError("BAD_REQUEST", `department code "${code}" must be 2-31 of A-Z, 0-9 and "-"`);
}

function assertAddress(account: string): void {
  if (!ADDRESS.test(account)) throw new EProofError("BAD_REQUEST", `"${account}" is not an account address (0x + 40 hex)`);
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export class Administration {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  async #audit(actor: Actor, action: string, department: string | null, details: AuditEntry["details"], documentId: string | null = null): Promise<void> {
    await this.#deps.audit.append([{ actor: actor.keyId, role: "admin", action, department, documentId, details }]);
  }

  async #existing(code: string) {
    assertDepartmentCode(code);
    const department = await this.#deps.governance.department(code);
    if (!department) throw new EProofError("NOT_FOUND", `no department ${code} is registered; onboard it first`);
    return department;
  }

  /**
   * Registers a department, grants it `types`, gives it an anchoring account of its own (generated in
   * custody) and a signing key.
   */
  async onboardDepartment(
    actor: Actor,
    input: { code: string; name: { en: string; zhHK: string }; types?: string[]; anchorer?: boolean; signingKey?: boolean },
  ) {
    assertDepartmentCode(input.code);
    const types = (input.types ?? []).map((t) => getDocumentType(t).id);
    if (await this.#deps.governance.department(input.code)) {
      throw new EProofError("DUPLICATE_REQUEST", `department ${input.code} is already registered`);
    }
    const receipt = await this.#deps.governance.registerDepartment(input.code, input.name);
    await this.#audit(actor, "department.onboard", input.code, { txHash: receipt.txHash });
    for (const type of types) await this.grantType(actor, input.code, type);
    if (input.anchorer ?? true) await this.provideAnchoringAccount(actor, input.code);
    if (input.signingKey ?? true) await this.registerSigningKey(actor, input.code);
    this.#deps.onGovernanceChanged();
    return this.describeDepartment(input.code);
  }

  async setDepartmentSuspended(actor: Actor, code: string, suspended: boolean) {
    const department = await this.#existing(code);
    if ((department.status === "SUSPENDED") === suspended) {
      throw new EProofError("INVALID_STATUS_CHANGE", `department ${code} is already ${suspended ? "suspended" : "active"}`);
    }
    const receipt = await this.#deps.governance.setDepartmentSuspended(code, suspended);
    await this.#audit(actor, suspended ? "department.suspend" : "department.reinstate", code, { txHash: receipt.txHash });
    this.#deps.onGovernanceChanged();
    return { code, status: suspended ? "SUSPENDED" : "ACTIVE", txHash: receipt.txHash };
  }

  /** Grants a built-in type; its schema hash (keccak256 of its canonical JSON schema) goes on chain. */
  async grantType(actor: Actor, code: string, typeId: string) {
    await this.#existing(code);
    const type = getDocumentType(typeId);
    const receipt = await this.#deps.governance.grantDocumentType(code, type.id, type.schemaHash);
    await this.#audit(actor, "type.grant", code, { type: type.id, schemaHash: type.schemaHash, txHash: receipt.txHash });
    this.#deps.onGovernanceChanged();
    return { code, type: type.id, schemaHash: type.schemaHash, txHash: receipt.txHash };
  }

  async withdrawType(actor: Actor, code: string, typeId: string) {
    await this.#existing(code);
    const type = getDocumentType(typeId);
    const receipt = await this.#deps.governance.withdrawDocumentType(code, type.id);
    await this.#audit(actor, "type.withdraw", code, { type: type.id, txHash: receipt.txHash });
    this.#deps.onGovernanceChanged();
    return { code, type: type.id, txHash: receipt.txHash };
  }

  /**
   * Registers the department's signing key on chain, valid from its registration's block time. If the
   * custody holds a current key that is not registered yet (an earlier attempt failed on chain),
   * that key is registered; otherwise a new key is generated (and becomes the signing key).
   */
  async registerSigningKey(actor: Actor, code: string): Promise<SigningKeyRecord> {
    await this.#existing(code);
    const mirror = await this.#deps.signingKeyMirror.signingKeys();
    const current = await this.#deps.keys.currentSigningKey(code);
    // A number the chain already lists a key for is never handed out again (say a store restored from an old backup).
    const onChain = (await this.#deps.governance.signingKeys(code)).length;
    // A key left unregistered by a failed attempt is registered; otherwise a new one is prepared,
    // registered on chain, and only then committed to custody, where every instance starts signing
    // with it: no instance signs with a key the chain does not know yet.
    const unregistered = current && current.state === "ACTIVE" && !mirror.some((k) => k.kid === current.kid) ? current : null;
    const prepared = unregistered ? null : await this.#deps.keys.prepareSigningKey(code, onChain);
    const publicJwk = unregistered?.publicJwk ?? (prepared as PreparedSigningKey).publicJwk;
    const thumbprint = (await this.#deps.signatures.thumbprint(publicJwk)) as Hex;
    // Valid from the block that registers it: the contract refuses a start in the past (no backdating).
    const receipt = await this.#deps.governance.registerSigningKey(code, thumbprint, 0, 0);
    const key = unregistered ?? (await (prepared as PreparedSigningKey).commit());
    const validFrom = receipt.blockTime;
    const record: SigningKeyRecord = {
      department: code,
      kid: key.kid,
      keyNumber: key.keyNumber,
      thumbprint,
      publicJwk: key.publicJwk,
      validFrom: iso(validFrom),
      validUntil: null,
      compromisedAt: null,
    };
    await this.#deps.signingKeyMirror.insertSigningKey(record);
    await this.#audit(actor, "key.register", code, { kid: key.kid, thumbprint, validFrom: record.validFrom, txHash: receipt.txHash });
    this.#deps.onGovernanceChanged();
    return record;
  }

  /**
   * Rotation: a new key signs from now on; the previous keys still open on chain are retired as of
   * the chain time plus `graceSeconds` (what is already signed and queued still anchors inside their
   * window). Documents anchored while a key was valid stay VALID for ever after.
   */
  async rotateSigningKey(actor: Actor, code: string, graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS) {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 60 || graceSeconds > 30 * 86400) {
      throw new EProofError("BAD_REQUEST", "graceSeconds must be a whole number from 60 to 2592000 (30 days)");
    }
    const before = (await this.#deps.signingKeyMirror.signingKeys()).filter((k) => k.department === code && k.validUntil === null);
    const added = await this.registerSigningKey(actor, code);
    const validUntil = (await this.#deps.governance.chainTime()) + graceSeconds;
    const retired: Array<{ kid: string; validUntil: string; txHash: Hex }> = [];
    for (const old of before) {
      const receipt = await this.#deps.governance.retireSigningKey(code, old.thumbprint, validUntil);
      await this.#deps.signingKeyMirror.updateSigningKeyWindow(old.kid, { validUntil: iso(validUntil) });
      await this.#deps.keys.setSigningKeyState(old.kid, "RETIRED");
      await this.#audit(actor, "key.retire", code, { kid: old.kid, thumbprint: old.thumbprint, validUntil: iso(validUntil), txHash: receipt.txHash });
      retired.push({ kid: old.kid, validUntil: iso(validUntil), txHash: receipt.txHash });
    }
    this.#deps.onGovernanceChanged();
    return { code, current: { kid: added.kid, thumbprint: added.thumbprint, validFrom: added.validFrom }, retired };
  }

  /**
   * Marks a key compromised as of `at` (may be in the past, once): every batch anchored at or after
   * `at` fails the signature check; what was anchored before stays VALID. While the compromised key
   * is the department's signing key, issuance is refused until the key is rotated.
   */
  async markKeyCompromised(actor: Actor, code: string, kid: string, at: string) {
    await this.#existing(code);
    const key = (await this.#deps.signingKeyMirror.signingKeys()).find((k) => k.kid === kid && k.department === code);
    if (!key) throw new EProofError("NOT_FOUND", `no signing key ${kid} of ${code}`);
    const ms = Date.parse(at);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(ms)) throw new EProofError("BAD_REQUEST", `"at" must be an ISO 8601 time, e.g. 2026-11-25T10:00:00Z`);
    const seconds = Math.floor(ms / 1000);
    if (seconds <= 0) throw new EProofError("BAD_REQUEST", `"at" must be after 1970`);
    const receipt = await this.#deps.governance.markKeyCompromised(code, key.thumbprint, seconds);
    await this.#deps.signingKeyMirror.updateSigningKeyWindow(kid, { compromisedAt: iso(seconds) });
    // Every instance stops signing with it within seconds (custody is shared and polled).
    await this.#deps.keys.setSigningKeyState(kid, "COMPROMISED");
    await this.#audit(actor, "key.compromised", code, { kid, thumbprint: key.thumbprint, compromisedAt: iso(seconds), txHash: receipt.txHash });
    this.#deps.onGovernanceChanged();
    return { code, kid, compromisedAt: iso(seconds), txHash: receipt.txHash };
  }

  /**
   * The department's own anchoring account: the one in custody, or a new one generated there, funded
   * where the chain needs it and added as the department's anchorer on chain (an account anchors for
   * one department only, so a stolen key of one department reaches no other).
   */
  async provideAnchoringAccount(actor: Actor, code: string) {
    await this.#existing(code);
    const account = (await this.#deps.keys.currentAnchoringAccount(code)) ?? (await this.#deps.keys.createAnchoringAccount(code));
    await this.#deps.fundAnchorer?.(account.address);
    if ((await this.#deps.governance.anchorers(code)).some((a) => a.toLowerCase() === account.address.toLowerCase())) {
      return { code, account: account.address, txHash: null };
    }
    return this.addAnchorer(actor, code, account.address);
  }

  /**
   * A new anchoring account for the department (say its key may have leaked): generated in custody,
   * where it becomes current for every instance within seconds, funded where needed, added on chain;
   * then the department's earlier accounts that this custody held are removed on chain, so the old
   * key can no longer anchor or change a status. A batch in flight from an old account is refused
   * and sent again from the new one.
   */
  async rotateAnchoringAccount(actor: Actor, code: string) {
    await this.#existing(code);
    const previous = await this.#deps.keys.currentAnchoringAccount(code);
    const account = await this.#deps.keys.createAnchoringAccount(code);
    await this.#deps.fundAnchorer?.(account.address);
    const added = await this.addAnchorer(actor, code, account.address);
    const removed: string[] = [];
    const onChain = (await this.#deps.governance.anchorers(code)).map((a) => a.toLowerCase());
    if (previous && onChain.includes(previous.address.toLowerCase())) {
      await this.removeAnchorer(actor, code, previous.address);
      removed.push(previous.address);
    }
    return { code, account: account.address, txHash: added.txHash, removed };
  }

  async addAnchorer(actor: Actor, code: string, account: string) {
    assertAddress(account);
    await this.#existing(code);
    const receipt = await this.#deps.governance.addAnchorer(code, account);
    await this.#audit(actor, "anchorer.add", code, { account, txHash: receipt.txHash });
    return { code, account, txHash: receipt.txHash };
  }

  async removeAnchorer(actor: Actor, code: string, account: string) {
    assertAddress(account);
    await this.#existing(code);
    const receipt = await this.#deps.governance.removeAnchorer(code, account);
    await this.#audit(actor, "anchorer.remove", code, { account, txHash: receipt.txHash });
    return { code, account, txHash: receipt.txHash };
  }

  /**
   * Which reason codes the public verify answer may name for the department's documents (none by
   * default). For codes that say nothing about the person, e.g. 8 "surrendered by the holder"; the
   * reasons never go on chain whatever is chosen here.
   */
  async setPublishableReasons(actor: Actor, code: string, reasonCodes: number[]) {
    await this.#existing(code);
    const unknown = reasonCodes.filter((reasonCode) => !isReasonCode(reasonCode));
    if (unknown.length > 0) throw new EProofError("BAD_REQUEST", `unknown reason codes ${unknown.join(", ")}; see x-reason-codes in /openapi.json`);
    const codes = [...new Set(reasonCodes)].sort((a, b) => a - b);
    await this.#deps.policies.setPublishableReasonCodes(code, codes);
    await this.#audit(actor, "department.publishable_reasons", code, { reasonCodes: codes.join(",") });
    this.#deps.onGovernanceChanged();
    return { code, publishableReasonCodes: codes };
  }

  /** What the chain says about a department, with the kids this service knows its keys by. */
  async describeDepartment(code: string) {
    const department = await this.#existing(code);
    const [types, chainKeys, anchorers, mirror, publishableReasonCodes] = await Promise.all([
      this.#deps.governance.documentTypes(code),
      this.#deps.governance.signingKeys(code),
      this.#deps.governance.anchorers(code),
      this.#deps.signingKeyMirror.signingKeys(),
      this.#deps.policies.publishableReasonCodes(code),
    ]);
    const optional = (seconds: number) => (seconds === 0 ? null : iso(seconds));
    return {
      code,
      name: department.name,
      status: department.status,
      registeredAt: iso(department.registeredAt),
      types: types.map((t) => ({
        type: t.type,
        schemaHash: t.schemaHash,
        grantedAt: optional(t.grantedAt),
        withdrawnAt: optional(t.withdrawnAt),
        granted: t.grantedAt !== 0 && t.withdrawnAt === 0,
      })),
      signingKeys: chainKeys.map((k) => ({
        kid: mirror.find((m) => m.thumbprint.toLowerCase() === k.thumbprint.toLowerCase())?.kid ?? null,
        thumbprint: k.thumbprint,
        validFrom: iso(k.validFrom),
        validUntil: optional(k.validUntil),
        compromisedAt: optional(k.compromisedAt),
      })),
      anchorers,
      publishableReasonCodes,
    };
  }

  /**
   * Creates an API key. The secret is returned once and stored only as a hash. An officer key is
   * scoped to one registered department and optionally to some of its types; an admin or relying-party key to none.
   */
  async createApiKey(actor: Actor, input: { role?: ApiKeyRole; department?: string; label: string; types?: string[] }) {
    const role = input.role ?? "officer";
    let department = "*";
    let types: string[] = [];
    if (role === "officer") {
      if (!input.department) throw new EProofError("BAD_REQUEST", "an officer key needs the department it acts for");
      await this.#existing(input.department);
      department = input.department;
      types = [...new Set((input.types ?? []).map((t) => getDocumentType(t).id))];
    } else if (input.department || (input.types ?? []).length > 0) {
      throw new EProofError("BAD_REQUEST", `${role === "admin" ? "an admin" : "a relying-party"} key has no department or types`);
    }
    const secret = this.#deps.apiKeys.newSecret();
    const record: ApiKeyRecord = {
      id: `${role === "relying-party" ? "RP" : department === "*" ? "ADMIN" : department}-${role}-${hex(this.#deps.random.bytes(4))}`,
      department,
      label: input.label,
      types,
      revoked: false,
      role,
    };
    await this.#deps.apiKeyRecords.insertApiKey(record, this.#deps.apiKeys.hash(secret));
    await this.#audit(actor, "apikey.create", role === "officer" ? department : null, { keyId: record.id, role, types: types.join(",") });
    return { ...record, apiKey: secret };
  }

  async revokeApiKey(actor: Actor, id: string) {
    if (id === actor.keyId) throw new EProofError("BAD_REQUEST", "an administrator cannot revoke the key they are using");
    const key = (await this.#deps.apiKeyRecords.listApiKeys()).find((k) => k.id === id);
    if (!key) throw new EProofError("NOT_FOUND", `no API key ${id}`);
    if (key.revoked) throw new EProofError("INVALID_STATUS_CHANGE", `API key ${id} is already revoked`);
    await this.#deps.apiKeyRecords.revokeApiKey(id);
    this.#deps.onApiKeyRevoked();
    await this.#audit(actor, "apikey.revoke", key.department === "*" ? null : key.department, { keyId: id });
    return { id, revoked: true };
  }

  async listApiKeys() {
    return this.#deps.apiKeyRecords.listApiKeys();
  }
}
