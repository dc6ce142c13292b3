/**
 * The departments' status lists (issue 15): a document's place in them (StatusListPositions, which the
 * SD-JWT VC and VC-JWT exports ask for), and the signed lists themselves, a Token Status List
 * (draft-ietf-oauth-status-list, `statuslist+jwt`) and two Bitstring Status List credentials
 * (revocation, suspension; `vc+jwt`) per list, which follow the documents' statuses in the store (the
 * officer routes and the chain follower write them).
 *
 * Places: a document gets its place right after issuance, never on the issuance path (issuance pays
 * nothing): the officer instances' loop first places, in bulk and in seq order, every document that
 * has none (placeNew), then signs the lists. The place is its department's next ordinal, permuted
 * (domain/status-list-index.ts), so the index says nothing of when it was issued. An export asked for
 * before the loop came by places its document on the spot (entryOf): the same counter, the same
 * permutation.
 *
 * Lists: built from the entries whose document is not ACTIVE, signed with the department's key, kept
 * in memory and in the shared store, and built again when the store's status-list version moved (a
 * status changed, or a place was given) or half the list's lifetime has passed. An instance with
 * keys (officer) builds; an instance without (public) serves what an officer instance stored, which
 * the officer instances' refresh loop keeps current every few seconds.
 */

import { issuerUrl } from "../domain/credential-locations.ts";
import {
  bitstringStatusListCredential,
  encodeBitstringStatusList,
  encodeTokenStatusList,
  type StatusPurpose,
  tokenStatusListPayload,
} from "../domain/status-list-formats.ts";
import { statusListPlace } from "../domain/status-list-index.ts";
import { bitstringStatusListUri, STATUS_LIST_SIZE, tokenStatusListUri } from "../domain/status-list-location.ts";
import { EProofError, isEProofError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Clock, JoseSigner, PublishedStatusList, Random, StatusListEntry, StatusListPositions, StatusListRecords } from "../ports.ts";

export type StatusListFormat = "token" | StatusPurpose;
export const STATUS_LIST_FORMATS: readonly StatusListFormat[] = ["token", "revocation", "suspension"];

export interface StatusListDeps {
  records: StatusListRecords;
  /** The department keys; absent on an instance that holds none (it serves stored lists only). */
  signer?: JoseSigner;
  clock: Clock;
  random: Random;
  /** The service's public URL: the lists' URIs and the issuer URLs. */
  publicUrl: string;
  logger: Logger;
}

export interface StatusListOptions {
  /** How long a relying party may cache a list (`ttl`, Cache-Control max-age), in seconds. */
  ttlSeconds?: number;
  /** `exp - iat` of a signed list, in seconds; a list is signed again after half of it even if nothing changed. */
  lifetimeSeconds?: number;
  /** How long the store's version is trusted before it is read again, in ms. */
  versionCacheMs?: number;
}

export interface ServedStatusList {
  jws: string;
  contentType: string;
  issuedAt: number;
  expiresAt: number;
  ttlSeconds: number;
}

const CONTENT_TYPE: Record<StatusListFormat, string> = {
  token: "application/statuslist+jwt",
  revocation: "application/vc+jwt",
  suspension: "application/vc+jwt",
};

/**
 * Documents placed per transaction of the bulk placement, and at most per loop run (then the lists are
 * signed). A place costs some 10–20 µs of CPU (16 SHA-256 rounds of the permutation, on average) on
 * the event loop, so a chunk of 2,000 holds it for a few tens of ms at most between database calls.
 */
const PLACE_CHUNK = 2_000;
const PLACE_PER_RUN = 200_000;
/**
 * How far below the highest seq already looked at the next run looks again: on PostgreSQL a document's
 * seq is taken before its transaction commits, so a lower seq can appear after a higher one. One that
 * appears later still is placed by its first export (entryOf).
 */
const LATE_COMMIT_WINDOW = 50_000;

export class StatusLists implements StatusListPositions {
  readonly #deps: StatusListDeps;
  readonly #ttl: number;
  readonly #lifetime: number;
  readonly #versionCacheMs: number;
  readonly #versions = new Map<string, { current: { ordinals: number; version: string }; until: number }>();
  readonly #served = new Map<string, PublishedStatusList>();
  readonly #building = new Map<string, Promise<PublishedStatusList>>();
  /** The highest seq the bulk placement has looked at (documents at or below it had places, but for late commits). */
  #placedThrough = 0;

  constructor(deps: StatusListDeps, options: StatusListOptions = {}) {
    this.#deps = deps;
    this.#ttl = options.ttlSeconds ?? 5;
    this.#lifetime = options.lifetimeSeconds ?? 3_600;
    this.#versionCacheMs = options.versionCacheMs ?? 1_000;
  }

  /** Whether this instance signs lists (it holds department keys). */
  get signs(): boolean {
    return this.#deps.signer !== undefined;
  }

  async entryOf(documentId: string): Promise<StatusListEntry | null> {
    const { records, random } = this.#deps;
    const existing = await records.statusListEntry(documentId);
    if (existing) return existing;
    const secret = Buffer.from(random.bytes(32)).toString("hex");
    return records.allocateStatusListEntry(documentId, secret, (ordinal, departmentSecret) => statusListPlace(departmentSecret, ordinal));
  }

  /**
   * Gives a place to every document that has none yet (the officer instances' loop, right after
   * issuance), in chunks of PLACE_CHUNK, at most PLACE_PER_RUN a run; answers how many it placed.
   * A run ends at the first chunk that was not full: the documents issued while it ran wait for the
   * next run. (Going on while any were found kept the loop busy for as long as issuance went on, a
   * transaction on the department's counter row for every few documents, and the lists unsigned.)
   */
  async placeNew(): Promise<number> {
    const { records, random } = this.#deps;
    const place = (ordinal: number, departmentSecret: string) => statusListPlace(departmentSecret, ordinal);
    let after = Math.max(0, this.#placedThrough - LATE_COMMIT_WINDOW);
    let placed = 0;
    while (placed < PLACE_PER_RUN) {
      const secret = Buffer.from(random.bytes(32)).toString("hex");
      const chunk = await records.placeDocumentsWithoutEntry(after, PLACE_CHUNK, secret, place);
      if (chunk.lastSeq === null) break;
      placed += chunk.placed;
      after = chunk.lastSeq;
      this.#placedThrough = Math.max(this.#placedThrough, chunk.lastSeq);
      if (chunk.looked < PLACE_CHUNK) break;
    }
    return placed;
  }

  /** The list as served now. EProofError NOT_FOUND for a list the department does not have (or, on an instance without keys, not yet published). */
  async current(department: string, list: number, format: StatusListFormat): Promise<ServedStatusList> {
    const { ordinals } = await this.#version(department);
    if (!Number.isSafeInteger(list) || list < 0 || list >= Math.ceil(ordinals / STATUS_LIST_SIZE)) {
      throw new EProofError("NOT_FOUND", `department ${department} has no status list ${list}`);
    }
    const published = await this.#fresh(department, list, format);
    return { jws: published.jws, contentType: CONTENT_TYPE[format], issuedAt: published.issuedAt, expiresAt: published.expiresAt, ttlSeconds: this.#ttl };
  }

  /** Builds again every list whose statuses changed (the officer instances' loop); answers how many it signed. */
  async refreshAll(): Promise<number> {
    let signed = 0;
    for (const { department, ordinals } of await this.#deps.records.statusListDepartments()) {
      this.#versions.delete(department);
      for (let list = 0; list < Math.ceil(ordinals / STATUS_LIST_SIZE); list++) {
        for (const format of STATUS_LIST_FORMATS) {
          try {
            const before = this.#served.get(keyOf(department, list, format));
            const after = await this.#fresh(department, list, format);
            if (after !== before) signed++;
          } catch (error) {
            // A department without a usable signing key: its lists wait for the administrator.
            if (!isEProofError(error, "FORBIDDEN")) throw error;
            this.#deps.logger.warn(
              { event: "status_lists.cannot_sign", department },
              "a department's status lists cannot be signed: it has no usable signing key",
            );
            break;
          }
        }
      }
    }
    return signed;
  }

  async #version(department: string): Promise<{ ordinals: number; version: string }> {
    const now = this.#deps.clock.now();
    const hit = this.#versions.get(department);
    if (hit && hit.until > now) return hit.current;
    const current = await this.#deps.records.statusListVersion(department);
    // Anyone may ask for any department code: the cache forgets rather than grows without bound.
    if (this.#versions.size >= 1_000) this.#versions.clear();
    this.#versions.set(department, { current, until: now + this.#versionCacheMs });
    return current;
  }

  #usable(published: PublishedStatusList | null | undefined, version: string): published is PublishedStatusList {
    if (!published) return false;
    const now = Math.floor(this.#deps.clock.now() / 1000);
    return published.version === version && now < published.issuedAt + (published.expiresAt - published.issuedAt) / 2;
  }

  async #fresh(department: string, list: number, format: StatusListFormat): Promise<PublishedStatusList> {
    const key = keyOf(department, list, format);
    // The version is read before the statuses it vouches for (StatusListRecords.statusListVersion).
    const { version } = await this.#version(department);
    const served = this.#served.get(key);
    if (this.#usable(served, version)) return served;
    const stored = await this.#deps.records.publishedStatusList(department, list, format);
    // Without keys, what an officer instance stored is served until it expires (their loop keeps it current).
    const servable = stored !== null && !this.#deps.signer && stored.expiresAt > this.#deps.clock.now() / 1000;
    if (stored && (this.#usable(stored, version) || servable)) {
      this.#served.set(key, stored);
      return stored;
    }
    if (!this.#deps.signer)
      throw new EProofError("NOT_FOUND", `department ${department}'s status list ${list} is not published yet; try again in a few seconds`);
    let building = this.#building.get(key);
    if (!building) {
      building = this.#build(department, list, format, version).finally(() => this.#building.delete(key));
      this.#building.set(key, building);
    }
    return building;
  }

  async #build(department: string, list: number, format: StatusListFormat, version: string): Promise<PublishedStatusList> {
    const { records, signer, clock, publicUrl } = this.#deps;
    if (!signer) throw new EProofError("INTERNAL", "status lists are built only by an instance with department keys");
    const marks = await records.statusListMarks(department, list);
    const issuedAt = Math.floor(clock.now() / 1000);
    const expiresAt = issuedAt + this.#lifetime;
    const issuer = issuerUrl(publicUrl, department);
    let header: Record<string, unknown>;
    let payload: unknown;
    if (format === "token") {
      header = { typ: "statuslist+jwt" };
      const uri = tokenStatusListUri(publicUrl, department, list);
      payload = tokenStatusListPayload({ uri, issuer, iat: issuedAt, exp: expiresAt, ttl: this.#ttl, lst: encodeTokenStatusList(marks, STATUS_LIST_SIZE) });
    } else {
      header = { typ: "vc+jwt", cty: "vc" };
      const uri = bitstringStatusListUri(publicUrl, department, list, format);
      payload = bitstringStatusListCredential({
        uri,
        issuer,
        validFrom: issuedAt,
        validUntil: expiresAt,
        ttlMs: this.#ttl * 1000,
        purpose: format,
        encodedList: encodeBitstringStatusList(marks, STATUS_LIST_SIZE, format),
      });
    }
    const { jws } = await signer.signJws(department, header, new TextEncoder().encode(JSON.stringify(payload)));
    const published: PublishedStatusList = { department, list, format, jws, version, issuedAt, expiresAt };
    await records.savePublishedStatusList(published);
    this.#served.set(keyOf(department, list, format), published);
    return published;
  }
}

function keyOf(department: string, list: number, format: StatusListFormat): string {
  return `${department}\n${list}\n${format}`;
}
