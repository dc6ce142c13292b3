/**
 * Department signing keys kept as private JWK files (mode 0600) in `$EPROOF_DATA_DIR/keys`: the
 * embedded profile's key custody (production would mount that folder from a secret store, or
 * replace this adapter with an HSM one). The private key is never logged nor stored in the database.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EProofError } from "../../errors.ts";
import type { DocumentSigner } from "../../ports.ts";
import { signClaim } from "./es256.ts";

export interface SigningKey {
  department: string;
  keyNumber: number;
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, string>;
}

function publicJwkOf(privateKey: KeyObject): Record<string, string> {
  const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}

export class FileKeyRing implements DocumentSigner {
  readonly #dir: string;
  /** The newest key of each department signs. */
  readonly #current = new Map<string, SigningKey>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const file of readdirSync(dir).sort()) {
      const match = /^([A-Z0-9-]+)-(\d+)\.private\.jwk\.json$/.exec(file);
      if (!match) continue;
      const department = String(match[1]);
      const keyNumber = Number(match[2]);
      const privateKey = createPrivateKey({ key: JSON.parse(readFileSync(join(dir, file), "utf8")), format: "jwk" });
      const key = { department, keyNumber, kid: `${department}-${keyNumber}`, privateKey, publicJwk: publicJwkOf(privateKey) };
      const known = this.#current.get(department);
      if (!known || known.keyNumber < keyNumber) this.#current.set(department, key);
    }
  }

  current(department: string): SigningKey | undefined {
    return this.#current.get(department);
  }

  /** Creates the department's next key (number = current + 1) and makes it current. */
  createKey(department: string): SigningKey {
    const keyNumber = (this.#current.get(department)?.keyNumber ?? 0) + 1;
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const path = join(this.#dir, `${department}-${keyNumber}.private.jwk.json`);
    if (existsSync(path)) throw new EProofError("INTERNAL", `signing key file ${path} already exists`);
    writeFileSync(path, JSON.stringify(privateKey.export({ format: "jwk" })), { mode: 0o600 });
    const key = { department, keyNumber, kid: `${department}-${keyNumber}`, privateKey, publicJwk: publicJwkOf(privateKey) };
    this.#current.set(department, key);
    return key;
  }

  /** For the issuance workers (issuance-workers.ts): the key sign() would use now. */
  async usableSigningKey(department: string): Promise<{ kid: string; publicJwk: Record<string, string>; privateKey: KeyObject }> {
    const key = this.#current.get(department);
    if (!key) throw new EProofError("FORBIDDEN", `department ${department} has no signing key on this service`);
    return key;
  }

  async sign(department: string, claimBytes: Uint8Array): Promise<{ jws: string; jwk: Record<string, string> }> {
    const key = this.#current.get(department);
    if (!key) throw new EProofError("FORBIDDEN", `department ${department} has no signing key on this service`);
    return { jws: await signClaim(claimBytes, key.privateKey, key.kid), jwk: key.publicJwk };
  }
}
