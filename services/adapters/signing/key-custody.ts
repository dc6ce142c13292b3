/**
 * Key custody in the shared store: every department's ES256 document-signing keys and its EVM
 * anchoring accounts, the private parts sealed with AES-256-GCM under the KEK (custody-key.ts).
 *
 * Each instance keeps the rows it has seen, and the decrypted current signing key of each
 * department as a KeyObject, in memory: signing never touches the database. It notices changes
 * made through any instance by polling one number, the store's custody version, every `refreshMs`;
 * a signature for a department it has no usable key for reloads at once (at most every 250 ms per
 * department), so a key created elsewhere is used without waiting for the poll.
 *
 * Key numbers are allocated by the store's primary key (kind, department, number): a number
 * already taken, through any instance and ever, is never handed out again.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type {
  Clock,
  CustodyAnchoringAccount,
  CustodyKeyIdentity,
  CustodyKeyKind,
  CustodyRecords,
  CustodySigningKey,
  Hex,
  KeyCustody,
  NewCustodyKey,
  PreparedSigningKey,
  StoredCustodyKey,
} from "../../ports.ts";
import { BackgroundLoop } from "../../use-cases/background-loop.ts";
import { custodyKeyObject, openPrivateKey, sealPrivateKey } from "./custody-key.ts";
import { signClaim, signCompactJws } from "./es256.ts";

export interface StoreKeyCustodyOptions {
  records: CustodyRecords;
  /** The key-encryption key (32 bytes, from loadOrCreateCustodyKey): the same on every instance. */
  kek: Uint8Array;
  /** How often the custody version is polled, ms (default 1000). */
  refreshMs?: number;
  clock?: Clock;
  /** Where a failed poll is reported (it is retried at the next one). */
  logger?: Logger;
}

/** A signature that finds no usable key reloads custody at most this often per department. */
const MISS_RELOAD_INTERVAL_MS = 250;
/** Numbers taken concurrently by other instances are skipped; this many in a row means something is wrong. */
const MAX_ALLOCATION_ATTEMPTS = 100;
const DEPARTMENT_CODE = /^[A-Z0-9-]{2,31}$/;
const LEGACY_KEY_FILE = /^([A-Z0-9-]+)-(\d+)\.private\.jwk\.json$/;

/** The newest signing key of a department, ready to sign (or the reason it cannot be opened). */
interface Signer {
  key: CustodySigningKey;
  privateKey: KeyObject | null;
  problem: EProofError | null;
}

const rowKey = (identity: CustodyKeyIdentity) => `${identity.kind}|${identity.department}|${identity.number}`;
const kidOf = (department: string, number: number) => `${department}-${number}`;

function publicJwkOf(privateKey: KeyObject): Record<string, string> {
  const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}

function assertP256PrivateKey(key: KeyObject, where: string): void {
  if (key.type !== "private" || key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new EProofError("CONFIG_INVALID", `${where} is not a P-256 private key`);
  }
}

function assertDepartment(department: string): void {
  if (!DEPARTMENT_CODE.test(department)) throw new EProofError("BAD_REQUEST", `department code "${department}" must be 2-31 of A-Z, 0-9 and "-"`);
}

export class StoreKeyCustody implements KeyCustody {
  readonly #records: CustodyRecords;
  readonly #kek: KeyObject;
  readonly #refreshMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #loop: BackgroundLoop;
  /** Every custody row seen, by kind|department|number. */
  readonly #rows = new Map<string, StoredCustodyKey>();
  readonly #signers = new Map<string, Signer>();
  readonly #missReloads = new Map<string, number>();
  /** The custody version the rows above reflect; -1 before the first load. */
  #version = -1;
  #loading: Promise<void> | null = null;
  #nextLoad: Promise<void> | null = null;

  constructor(options: StoreKeyCustodyOptions) {
    this.#records = options.records;
    this.#kek = custodyKeyObject(options.kek);
    this.#refreshMs = options.refreshMs ?? 1000;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#logger = options.logger;
    this.#loop = new BackgroundLoop(async () => {
      try {
        await this.refresh();
      } catch (error) {
        this.#logger?.warn({ event: "custody.refresh_failed", err: error }, "could not read key custody; keeping the keys already loaded");
      }
      return this.#refreshMs;
    });
  }

  /** Starts polling the store for custody changes (the first poll runs at once). */
  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  async sign(department: string, claimBytes: Uint8Array): Promise<{ jws: string; jwk: Record<string, string> }> {
    const { key, privateKey } = await this.#usableSigner(department);
    return { jws: await signClaim(claimBytes, privateKey, key.kid), jwk: key.publicJwk };
  }

  async signJws(department: string, header: Record<string, unknown>, payload: Uint8Array): Promise<{ jws: string; kid: string; jwk: Record<string, string> }> {
    const { key, privateKey } = await this.#usableSigner(department);
    return { jws: await signCompactJws(header, payload, privateKey, key.kid), kid: key.kid, jwk: key.publicJwk };
  }

  /**
   * For the issuance workers (issuance-workers.ts), asked once per slice of documents: the key that
   * sign() would use now, with its private part, after the same checks.
   */
  async usableSigningKey(department: string): Promise<{ kid: string; publicJwk: Record<string, string>; privateKey: KeyObject }> {
    const { key, privateKey } = await this.#usableSigner(department);
    return { kid: key.kid, publicJwk: key.publicJwk, privateKey };
  }

  /** The department's ACTIVE signing key with its private part; EProofError("FORBIDDEN") when it has none that may sign. */
  async #usableSigner(department: string): Promise<{ key: CustodySigningKey; privateKey: KeyObject }> {
    let signer = this.#signers.get(department);
    if (signer?.key.state !== "ACTIVE") signer = await this.#reloadOnMiss(department);
    if (!signer) throw new EProofError("FORBIDDEN", `department ${department} has no signing key; the administrator must create one`);
    const { key, privateKey } = signer;
    if (key.state === "COMPROMISED") {
      throw new EProofError(
        "FORBIDDEN",
        `department ${department}'s signing key ${key.kid} was reported compromised and no longer signs; the administrator must rotate the department's key before documents can be issued`,
      );
    }
    if (key.state === "RETIRED") {
      throw new EProofError("FORBIDDEN", `department ${department}'s signing key ${key.kid} is retired; the administrator must rotate the department's key`);
    }
    if (!privateKey) throw signer.problem ?? new EProofError("INTERNAL", `signing key ${key.kid} is not loaded`);
    return { key, privateKey };
  }

  async currentSigningKey(department: string): Promise<CustodySigningKey | undefined> {
    await this.#loaded();
    // As in sign(): the issuance gate asks first, so a key created or rotated through another
    // instance must be found here without waiting for the poll, or the gate refuses it.
    let signer = this.#signers.get(department);
    if (signer?.key.state !== "ACTIVE") signer = await this.#reloadOnMiss(department);
    return signer ? { ...signer.key } : undefined;
  }

  async createSigningKey(department: string, floor = 0): Promise<CustodySigningKey> {
    return (await this.prepareSigningKey(department, floor)).commit();
  }

  async prepareSigningKey(department: string, floor = 0): Promise<PreparedSigningKey> {
    assertDepartment(department);
    if (!Number.isSafeInteger(floor) || floor < 0) throw new EProofError("BAD_REQUEST", `the key-number floor must be a whole number ≥ 0, got ${floor}`);
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const publicJwk = publicJwkOf(privateKey);
    let committed: Promise<CustodySigningKey> | undefined;
    const commit = async (): Promise<CustodySigningKey> => {
      const privateJwk = JSON.stringify(privateKey.export({ format: "jwk" }));
      const number = await this.#allocate("SIGNING", department, floor, (identity) => ({
        ...identity,
        publicPart: JSON.stringify(publicJwk),
        sealed: sealPrivateKey(this.#kek, identity, privateJwk),
        state: "ACTIVE",
        createdAt: new Date(this.#clock.now()).toISOString(),
      }));
      this.#logger?.info({ event: "custody.signing_key_created", department, kid: kidOf(department, number) }, "signing key created");
      const stored = this.#rows.get(rowKey({ kind: "SIGNING", department, number }));
      return stored ? this.#signingKeyOf(stored) : { department, kid: kidOf(department, number), keyNumber: number, publicJwk, state: "ACTIVE" };
    };
    // Committed once, however often it is asked.
    return { publicJwk, commit: () => (committed ??= commit()) };
  }

  async setSigningKeyState(kid: string, state: "RETIRED" | "COMPROMISED"): Promise<void> {
    let row = this.#signingRowByKid(kid);
    if (!row) {
      await this.refresh();
      row = this.#signingRowByKid(kid);
    }
    if (!row) throw new EProofError("NOT_FOUND", `there is no signing key ${kid} in key custody`);
    // COMPROMISED is final: the store keeps it when asked to retire such a key.
    await this.#records.setCustodyKeyState(row, state);
    await this.refresh();
    this.#logger?.info({ event: "custody.signing_key_state", department: row.department, kid, state }, "signing key state changed");
  }

  async signingKeys(department?: string): Promise<CustodySigningKey[]> {
    await this.#loaded();
    return this.#sorted("SIGNING", department).map((row) => this.#signingKeyOf(row));
  }

  async currentAnchoringAccount(department: string): Promise<CustodyAnchoringAccount | undefined> {
    await this.#loaded();
    const row = this.#currentAnchoringRow(department);
    return row ? this.#anchoringAccountOf(row) : undefined;
  }

  async createAnchoringAccount(department: string): Promise<CustodyAnchoringAccount> {
    assertDepartment(department);
    const wallet = new Wallet(`0x${randomBytes(32).toString("hex")}`);
    const number = await this.#allocate("ANCHORING", department, 0, (identity) => this.#anchoringRow(identity, wallet));
    await this.#retireOlderAnchoringAccounts(department, number);
    this.#logger?.info({ event: "custody.anchoring_account_created", department, number, address: wallet.address }, "anchoring account created");
    return this.#anchoringAccountOf(this.#rows.get(rowKey({ kind: "ANCHORING", department, number })) as StoredCustodyKey);
  }

  async anchoringAccounts(department?: string): Promise<CustodyAnchoringAccount[]> {
    await this.#loaded();
    return this.#sorted("ANCHORING", department).map((row) => this.#anchoringAccountOf(row));
  }

  /**
   * The private key (0x + 64 hex) of the department's current anchoring account, for the chain
   * adapter's signer only: deliberately not part of the KeyCustody port.
   */
  async anchoringPrivateKey(department: string): Promise<string | undefined> {
    await this.#loaded();
    const row = this.#currentAnchoringRow(department);
    return row ? openPrivateKey(this.#kek, row, row.sealed) : undefined;
  }

  refresh(): Promise<void> {
    if (!this.#loading) return this.#startLoad();
    // The load under way may have read the version before the caller's change: one more after it,
    // shared by every caller that arrives meanwhile.
    this.#nextLoad ??= this.#loading
      .catch(() => undefined)
      .then(() => {
        this.#nextLoad = null;
        return this.#startLoad();
      });
    return this.#nextLoad;
  }

  /**
   * One-time import of FileKeyRing's `<DEPT>-<n>.private.jwk.json` files: each key whose
   * (department, number) custody does not hold yet is sealed into it, as ACTIVE. Idempotent, and
   * safe when several instances import at once. Returns the kids imported.
   */
  async importLegacyKeyFiles(dir: string): Promise<string[]> {
    let files: string[];
    try {
      files = readdirSync(dir).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    await this.refresh();
    const imported: string[] = [];
    for (const file of files) {
      const match = LEGACY_KEY_FILE.exec(file);
      if (!match) continue;
      const identity: CustodyKeyIdentity = { kind: "SIGNING", department: String(match[1]), number: Number(match[2]) };
      if (identity.number < 1 || this.#rows.has(rowKey(identity))) continue;
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey({ key: JSON.parse(readFileSync(join(dir, file), "utf8")), format: "jwk" });
      } catch (error) {
        throw new EProofError("CONFIG_INVALID", `the legacy signing key file ${join(dir, file)} is not a private JWK`, { cause: error });
      }
      assertP256PrivateKey(privateKey, `the legacy signing key file ${join(dir, file)}`);
      const result = await this.#records.insertCustodyKey({
        ...identity,
        publicPart: JSON.stringify(publicJwkOf(privateKey)),
        sealed: sealPrivateKey(this.#kek, identity, JSON.stringify(privateKey.export({ format: "jwk" }))),
        state: "ACTIVE",
        createdAt: new Date(this.#clock.now()).toISOString(),
      });
      if (result === "inserted") imported.push(kidOf(identity.department, identity.number));
    }
    if (imported.length > 0) {
      await this.refresh();
      this.#logger?.info({ event: "custody.legacy_keys_imported", kids: imported }, "legacy signing key files imported into key custody");
    }
    return imported;
  }

  /**
   * Import of an anchoring account provisioned outside the service (EPROOF_ANCHOR_KEYS) as
   * `department`'s current account. Does nothing when custody already holds this account for the
   * department; another one becomes the department's current account (the earlier ones are retired).
   * Returns true when it imported.
   */
  async importAnchoringKey(department: string, privateKeyHex: string): Promise<boolean> {
    assertDepartment(department);
    const hex = privateKeyHex.startsWith("0x") ? privateKeyHex : `0x${privateKeyHex}`;
    let wallet: Wallet;
    try {
      if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error("not 32 bytes of hex");
      wallet = new Wallet(hex);
    } catch (error) {
      throw new EProofError("CONFIG_INVALID", `the anchoring private key to import for ${department} must be a secp256k1 private key (0x + 64 hex digits)`, {
        cause: error,
      });
    }
    await this.refresh();
    const held = this.#sorted("ANCHORING", department).map((row) => this.#anchoringAccountOf(row));
    const same = held.find((account) => account.address.toLowerCase() === wallet.address.toLowerCase());
    if (same && same.number === this.#currentAnchoringRow(department)?.number) return false;
    if (same) {
      throw new EProofError(
        "CONFIG_INVALID",
        `the anchoring account ${wallet.address} of ${department} was replaced by a newer one in key custody; remove it from EPROOF_ANCHOR_KEYS`,
      );
    }
    const number = await this.#allocate("ANCHORING", department, 0, (identity) => this.#anchoringRow(identity, wallet));
    await this.#retireOlderAnchoringAccounts(department, number);
    this.#logger?.info({ event: "custody.anchoring_key_imported", department, address: wallet.address }, "anchoring account imported into key custody");
    return true;
  }

  /**
   * Inserts the row `build` makes under the department's next free number (> every number custody
   * holds, and > floor), skipping numbers other instances take meanwhile. Returns the number.
   */
  async #allocate(kind: CustodyKeyKind, department: string, floor: number, build: (identity: CustodyKeyIdentity) => NewCustodyKey): Promise<number> {
    await this.refresh();
    const highest = this.#sorted(kind, department).at(-1)?.number ?? 0;
    let number = Math.max(highest, floor) + 1;
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++, number++) {
      if ((await this.#records.insertCustodyKey(build({ kind, department, number }))) === "inserted") {
        await this.refresh();
        return number;
      }
    }
    throw new EProofError("INTERNAL", `could not allocate a ${kind.toLowerCase()} key number for ${department} after ${MAX_ALLOCATION_ATTEMPTS} attempts`);
  }

  #anchoringRow(identity: CustodyKeyIdentity, wallet: Wallet): NewCustodyKey {
    return {
      ...identity,
      publicPart: wallet.address,
      sealed: sealPrivateKey(this.#kek, identity, wallet.privateKey),
      state: "ACTIVE",
      createdAt: new Date(this.#clock.now()).toISOString(),
    };
  }

  async #retireOlderAnchoringAccounts(department: string, newest: number): Promise<void> {
    const older = this.#sorted("ANCHORING", department).filter((row) => row.number < newest && row.state === "ACTIVE");
    for (const row of older) await this.#records.setCustodyKeyState(row, "RETIRED");
    if (older.length > 0) await this.refresh();
  }

  async #reloadOnMiss(department: string): Promise<Signer | undefined> {
    const now = this.#clock.now();
    const last = this.#missReloads.get(department);
    if (last === undefined || now - last >= MISS_RELOAD_INTERVAL_MS) {
      if (this.#missReloads.size > 1_000) this.#missReloads.clear();
      this.#missReloads.set(department, now);
      await this.refresh();
    }
    return this.#signers.get(department);
  }

  async #loaded(): Promise<void> {
    if (this.#version < 0) await this.refresh();
  }

  #startLoad(): Promise<void> {
    const load = this.#load().finally(() => {
      if (this.#loading === load) this.#loading = null;
    });
    this.#loading = load;
    return load;
  }

  async #load(): Promise<void> {
    const version = await this.#records.custodyVersion();
    if (version === this.#version) return;
    // A version that went back means another database (a restore): start again from nothing.
    const full = version < this.#version;
    const rows = await this.#records.custodyKeys(full ? 0 : Math.max(this.#version, 0));
    if (full) {
      this.#rows.clear();
      this.#signers.clear();
    }
    const departments = new Set<string>();
    let seen = version;
    for (const row of rows) {
      this.#rows.set(rowKey(row), row);
      if (row.kind === "SIGNING") departments.add(row.department);
      seen = Math.max(seen, row.version);
    }
    for (const department of departments) this.#loadSigner(department);
    this.#version = seen;
  }

  /** Makes the department's newest signing key its signer, decrypting it unless it already is. */
  #loadSigner(department: string): void {
    const newest = this.#sorted("SIGNING", department).at(-1);
    if (!newest) return;
    const key = this.#signingKeyOf(newest);
    const known = this.#signers.get(department);
    if (known?.privateKey && known.key.keyNumber === key.keyNumber) {
      this.#signers.set(department, { ...known, key });
      return;
    }
    try {
      const privateKey = createPrivateKey({ key: JSON.parse(openPrivateKey(this.#kek, newest, newest.sealed)), format: "jwk" });
      assertP256PrivateKey(privateKey, `signing key ${key.kid}`);
      this.#signers.set(department, { key, privateKey, problem: null });
    } catch (error) {
      const problem = error instanceof EProofError ? error : new EProofError("INTERNAL", `signing key ${key.kid} cannot be loaded`, { cause: error });
      this.#signers.set(department, { key, privateKey: null, problem });
      this.#logger?.error({ event: "custody.signing_key_unusable", department, kid: key.kid, err: problem }, "a signing key in custody cannot be opened");
    }
  }

  /** The rows of one kind (optionally one department), by department then number. */
  #sorted(kind: CustodyKeyKind, department?: string): StoredCustodyKey[] {
    return [...this.#rows.values()]
      .filter((row) => row.kind === kind && (department === undefined || row.department === department))
      .sort((a, b) => (a.department === b.department ? a.number - b.number : a.department < b.department ? -1 : 1));
  }

  #signingRowByKid(kid: string): StoredCustodyKey | undefined {
    return this.#sorted("SIGNING").find((row) => kidOf(row.department, row.number) === kid);
  }

  #signingKeyOf(row: StoredCustodyKey): CustodySigningKey {
    return {
      department: row.department,
      kid: kidOf(row.department, row.number),
      keyNumber: row.number,
      publicJwk: JSON.parse(row.publicPart) as Record<string, string>,
      state: row.state,
    };
  }

  /** The newest ACTIVE anchoring account of the department. */
  #currentAnchoringRow(department: string): StoredCustodyKey | undefined {
    return this.#sorted("ANCHORING", department)
      .filter((row) => row.state === "ACTIVE")
      .at(-1);
  }

  #anchoringAccountOf(row: StoredCustodyKey): CustodyAnchoringAccount {
    // Only the newest ACTIVE account is current, even while an older one's retirement is in flight.
    const current = this.#currentAnchoringRow(row.department)?.number === row.number;
    return { department: row.department, number: row.number, address: row.publicPart as Hex, state: current ? "ACTIVE" : "RETIRED" };
  }
}
