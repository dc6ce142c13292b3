/**
 * The verify API's chain-free checks on worker threads give exactly the verdicts the event loop
 * gives (checkChainFree with es256), for good and bad files alike, and a stopped pool never fails a
 * verification: it is checked on the event loop instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { es256, verifyJws, verifyJwsSync } from "../../../services/adapters/signing/es256.ts";
import { VerificationWorkers } from "../../../services/adapters/signing/verification-workers.ts";
import { checkChainFree } from "../../../services/use-cases/verify-document.ts";
import { anchoredLicence, copy, makeSigningKey, NOW } from "../domain/fixtures.ts";

const workers = new VerificationWorkers(2);
beforeAll(() => workers.ready());
afterAll(() => workers.close());

async function variants(): Promise<Array<[string, unknown]>> {
  const doc = await anchoredLicence("verification-workers");
  const tampered = copy(doc);
  (tampered.data as Record<string, unknown>).documentNumber = "FFL-2026-999999";
  const otherKey = copy(doc);
  otherKey.signature.jwk = (await makeSigningKey("DEMO-1")).jwk;
  const badPath = copy(doc);
  if (badPath.anchor) badPath.anchor.proof = [...badPath.anchor.proof].reverse();
  const expired = copy(doc);
  (expired.data as Record<string, unknown>).validUntil = "2026-12-01";
  return [
    ["a good file", doc],
    ["a tampered field", tampered],
    ["another key's JWK", otherKey],
    ["a wrong Merkle path", badPath],
    ["an expired validity", expired],
    ["not a document", { header: "nope" }],
    ["null", null],
  ];
}

describe("VerificationWorkers", () => {
  it("gives the same chain-free verdict as the event loop for good and bad files, submitted together", async () => {
    const cases = await variants();
    const onThreads = await Promise.all(cases.map(([, input]) => workers.check(input, NOW)));
    for (const [i, [name, input]] of cases.entries()) {
      const inline = await checkChainFree(input, { signatures: es256, now: () => NOW });
      expect(onThreads[i], name).toEqual(inline);
    }
    // The good file goes on to the chain checks; every bad one is decided here, each by its own check.
    expect("outcome" in (onThreads[0] as object)).toBe(true);
    const decided = onThreads.slice(1, 4).map((verdict) => ("result" in verdict ? verdict.result.checks.find((c) => c.status === "INVALID")?.code : null));
    expect(decided).toEqual(["HASH", "BAD_SIGNATURE", "MERKLE"]);
  });

  it("spreads a burst larger than one batch over the threads and answers each request with its own verdict", async () => {
    const cases = await variants();
    const burst = Array.from({ length: 100 }, (_, i) => cases[i % cases.length] as [string, unknown]);
    const verdicts = await Promise.all(burst.map(([, input]) => workers.check(input, NOW)));
    for (const [i, [, input]] of burst.entries()) {
      expect(verdicts[i]).toEqual(await checkChainFree(input, { signatures: es256, now: () => NOW }));
    }
  });

  it("checks on the event loop before its threads are up, with the same verdict", async () => {
    const starting = new VerificationWorkers(1);
    const [[, doc]] = (await variants()) as [[string, unknown]];
    expect(await starting.check(doc, NOW)).toEqual(await checkChainFree(doc, { signatures: es256, now: () => NOW }));
    await starting.close();
  });

  it("checks on the event loop once closed, with the same verdict", async () => {
    const closed = new VerificationWorkers(1);
    await closed.ready();
    await closed.close();
    const [[, doc]] = (await variants()) as [[string, unknown]];
    expect(await closed.check(doc, NOW)).toEqual(await checkChainFree(doc, { signatures: es256, now: () => NOW }));
  });
});

describe("verifyJwsSync", () => {
  it("agrees with verifyJws on a good, an altered and a malformed JWS", async () => {
    const doc = await anchoredLicence("verify-jws-sync");
    const altered = `${doc.signature.jws.slice(0, -4)}AAAA`;
    for (const jws of [doc.signature.jws, altered, "a.b", 42]) {
      expect(verifyJwsSync(jws, doc.signature.jwk)).toEqual(await verifyJws(jws, doc.signature.jwk));
    }
    expect(verifyJwsSync(doc.signature.jws, { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" })).toEqual(
      await verifyJws(doc.signature.jws, { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }),
    );
  });
});
