import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { verifyJws } from "../../../services/adapters/signing/es256.ts";
import { IssuanceWorkers, type SigningKeySource } from "../../../services/adapters/signing/issuance-workers.ts";
import { SqliteStore } from "../../../services/adapters/store/sqlite-store.ts";
import { decodeClaim } from "../../../services/domain/claim.ts";
import { computeDocumentHash } from "../../../services/domain/document-hash.ts";
import { merkleLeaf } from "../../../services/domain/merkle.ts";
import type { EProofDocument } from "../../../services/domain/types.ts";
import { EProofError, isEProofError } from "../../../services/errors.ts";
import { ISSUED_AT, typicalLicence } from "../domain/fixtures.ts";

const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = privateKey.export({ format: "jwk" });
const publicJwk = { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };

/** A key source that answers `usable` times, then refuses as custody does for a compromised key. */
function keySource(usable = Number.POSITIVE_INFINITY): SigningKeySource & { asked: number } {
  const source = {
    asked: 0,
    async usableSigningKey(department: string) {
      source.asked += 1;
      if (source.asked > usable) throw new EProofError("FORBIDDEN", `department ${department}'s signing key DEMO-1 was reported compromised`);
      return { kid: "DEMO-1", publicJwk, privateKey };
    },
  };
  return source;
}

const text = (json: string | Uint8Array) => (typeof json === "string" ? json : new TextDecoder().decode(json));
const items = (count: number): Record<string, unknown>[] =>
  Array.from({ length: count }, (_, i) => ({ ...typicalLicence(), documentNumber: `FFL-2026-${String(i).padStart(6, "0")}` }));
const pools: IssuanceWorkers[] = [];
function workers(keys: SigningKeySource): IssuanceWorkers {
  const pool = new IssuanceWorkers({ keys, threads: 2, sliceSize: 10 });
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

describe("issuance on worker threads", () => {
  it("hands back, for every item built, a signed file whose hash, claim and leaf agree", async () => {
    const build = items(35).map((_, i) => i !== 7);
    const { problems, documents } = await workers(keySource()).build({ department: "DEMO", type: "licence", issuedAt: ISSUED_AT, items: items(35), build });
    expect(problems).toEqual([]);
    expect(documents[7]).toBeUndefined();
    const ids = new Set<string>();
    for (const [i, built] of documents.entries()) {
      if (i === 7) continue;
      if (!built) throw new Error(`item ${i} not built`);
      const file = JSON.parse(text(built.documentJson)) as EProofDocument;
      expect(file.header.id).toBe(built.id);
      expect(file.data.documentNumber).toBe(`FFL-2026-${String(i).padStart(6, "0")}`);
      const checked = await verifyJws(file.signature.jws, file.signature.jwk);
      if (!checked.ok) throw new Error(checked.reason);
      const hash = computeDocumentHash(file);
      expect(decodeClaim(checked.claimBytes).documentHash).toBe(hash);
      expect(built.leaf).toBe(merkleLeaf(hash));
      ids.add(built.id);
    }
    expect(ids.size).toBe(34);

    // The files come as UTF-8 bytes; the store keeps them as the JSON text they encode.
    const store = new SqliteStore(":memory:");
    const accepted = documents.flatMap((built) => (built ? [{ ...built, department: "DEMO", type: "licence", issuedAt: ISSUED_AT }] : []));
    await store.insertDocuments(accepted);
    for (const built of accepted) {
      const stored = await store.getDocument(built.id);
      expect(typeof stored?.documentJson).toBe("string");
      expect(stored?.documentJson).toBe(text(built.documentJson));
      expect(JSON.parse(String(stored?.documentJson)).data.holder.name["zh-HK"]).toBe(
        (typicalLicence() as { holder: { name: { "zh-HK": string } } }).holder.name["zh-HK"],
      );
    }
    await store.close();
  });

  it("lists every item's problems by its index in the whole request, across slices, and builds none", async () => {
    const request = items(30);
    request[3] = { ...request[3], validFrom: "2026-02-30" };
    request[25] = { ...request[25], colour: "red" };
    const { problems, documents } = await workers(keySource()).build({
      department: "DEMO",
      type: "licence",
      issuedAt: ISSUED_AT,
      items: request,
      build: request.map(() => true),
    });
    expect(problems.map((p) => p.path)).toEqual(["items[3].validFrom", "items[25].colour"]);
    expect(documents).toEqual([]);
  });

  it("asks key custody for the key again for each slice, and signs no further slice once the key is refused", async () => {
    const keys = keySource(2);
    const pool = workers(keys);
    const failure = await pool
      .build({ department: "DEMO", type: "licence", issuedAt: ISSUED_AT, items: items(100), build: items(100).map(() => true) })
      .catch((error: unknown) => error);
    expect(isEProofError(failure, "FORBIDDEN")).toBe(true);
    // 10 slices: two were given the key, the third ask was refused, and no slice was dispatched after that.
    expect(keys.asked).toBeLessThanOrEqual(2 + 3);
    expect(keys.asked).toBeLessThan(10);
  });
});
