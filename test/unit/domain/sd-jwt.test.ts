/** The SD-JWT encoder (RFC 9901) in the domain: the RFC's own disclosure example, the compact form, and what it refuses. */
import { describe, expect, it } from "vitest";
import {
  decodeDisclosure,
  disclosedClaims,
  disclosureDigest,
  encodeDisclosure,
  joinSdJwt,
  SD_ALG,
  sdHash,
  splitSdJwt,
} from "../../../services/domain/sd-jwt.ts";
import { isEProofError } from "../../../services/errors.ts";

// RFC 9901 §4.2.1 and §4.2.3: the disclosure of family_name "Möbius" (written with ", " as the RFC's issuer did) and its digest.
const RFC_DISCLOSURE = "WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
const RFC_DIGEST = "uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY";

function refused(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    return isEProofError(error, "INVALID_DOCUMENT");
  }
}

describe("SD-JWT disclosures (RFC 9901)", () => {
  it("computes the RFC's digest for the RFC's disclosure, and reads it back", () => {
    expect(disclosureDigest(RFC_DISCLOSURE)).toBe(RFC_DIGEST);
    expect(decodeDisclosure(RFC_DISCLOSURE)).toMatchObject({ salt: "6qMQvRL5haj", name: "family_name", value: "Möbius" });
  });

  it("encodes [salt, name, value] as base64url JSON that decodes to the same parts, non-ASCII included", () => {
    const encoded = encodeDisclosure("0123456789abcdef0123456789abcdef", "holder", { name: { "zh-HK": "陳大文" } });
    expect(encoded.encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDisclosure(encoded.encoded)).toEqual(encoded);
  });

  it("refuses disclosures that are not [salt, name, value] or that name _sd", () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const bad of ["", "not base64!", b64({}), b64(["salt", "name"]), b64(["salt", 5, "v"]), b64(["salt", "_sd", []]), b64(["salt", "...", 1])]) {
      expect(
        refused(() => decodeDisclosure(bad)),
        bad,
      ).toBe(true);
    }
  });

  it("splits the compact form into the JWT, the disclosures and the KB-JWT, and hashes what the KB-JWT covers", () => {
    const compact = joinSdJwt("h.p.s", ["d1", "d2"]);
    expect(compact).toBe("h.p.s~d1~d2~");
    expect(splitSdJwt(compact)).toEqual({ jwt: "h.p.s", disclosures: ["d1", "d2"], kbJwt: null, presented: "h.p.s~d1~d2~" });
    expect(splitSdJwt(`${compact}k.b.j`)).toMatchObject({ kbJwt: "k.b.j", presented: "h.p.s~d1~d2~" });
    expect(sdHash("h.p.s~d1~d2~")).toBe(disclosureDigest("h.p.s~d1~d2~"));
    expect(refused(() => splitSdJwt("h.p.s"))).toBe(true);
    expect(refused(() => splitSdJwt("h.p.s~d1~d1~"))).toBe(true);
    expect(refused(() => splitSdJwt("h.p.s~~d1~"))).toBe(true);
  });

  it("lists as unsigned a disclosure whose digest is not in _sd, and refuses a claim disclosed twice or another _sd_alg", () => {
    const a = encodeDisclosure("s1", "a", 1);
    const b = encodeDisclosure("s2", "b", 2);
    const payload = { _sd: [disclosureDigest(a.encoded)], _sd_alg: SD_ALG, c: 3 };
    expect(disclosedClaims(payload, [a])).toEqual({ claims: { a: 1 }, unsigned: [] });
    expect(disclosedClaims(payload, [a, b])).toEqual({ claims: { a: 1, b: 2 }, unsigned: ["b"] });
    expect(refused(() => disclosedClaims(payload, [encodeDisclosure("s3", "c", 4)]))).toBe(true);
    expect(refused(() => disclosedClaims({ ...payload, _sd_alg: "sha-512" }, [a]))).toBe(true);
    expect(refused(() => disclosedClaims({ _sd_alg: SD_ALG }, [a]))).toBe(true);
  });
});
