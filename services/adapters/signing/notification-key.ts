/**
 * The service's webhook-notification key (ES256): a private JWK file (mode 0600) in the data folder,
 * created on first start. It signs notifications only; it is published apart from the
 * document-signing keys (/.well-known/webhook-jwks.json) so that it can never pass for a department's key.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CompactSign, calculateJwkThumbprint, type JWK } from "jose";

/** `typ` of every notification JWS: a receiver checks it so no other e-Proof JWS is taken for a notification. */
export const NOTIFICATION_JWS_TYPE = "eproof-notification+jws";

export class NotificationKey {
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicJwk: Record<string, string>;

  private constructor(privateKey: KeyObject, publicJwk: Record<string, string>, kid: string) {
    this.#privateKey = privateKey;
    this.#publicJwk = publicJwk;
    this.kid = kid;
  }

  /** Loads the key at `path`, or creates it there. */
  static async loadOrCreate(path: string): Promise<NotificationKey> {
    let privateKey: KeyObject;
    if (existsSync(path)) {
      privateKey = createPrivateKey({ key: JSON.parse(readFileSync(path, "utf8")), format: "jwk" });
    } else {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
      writeFileSync(path, JSON.stringify(privateKey.export({ format: "jwk" })), { mode: 0o600, flag: "wx" });
    }
    const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
    const publicJwk = { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
    const kid = `webhook-${await calculateJwkThumbprint(publicJwk as JWK, "sha256")}`;
    return new NotificationKey(privateKey, publicJwk, kid);
  }

  /** A compact JWS of `payload` (JSON). */
  sign(payload: object): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "ES256", kid: this.kid, typ: NOTIFICATION_JWS_TYPE })
      .sign(this.#privateKey);
  }

  jwks(): { keys: Array<Record<string, string>> } {
    return { keys: [{ ...this.#publicJwk, kid: this.kid, alg: "ES256", use: "sig" }] };
  }
}
