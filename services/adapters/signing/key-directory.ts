/**
 * Public signing keys of every department as a JWKS, with their validity windows, so that offline
 * verifiers can judge a signature as of issuance. Read from the store (which mirrors the chain's
 * registrations) and cached briefly.
 */
import type { SigningKeyMirror, SigningKeyRecord } from "../../ports.ts";

export interface PublishedKey extends Record<string, unknown> {
  kid: string;
  kty: string;
  crv: string;
  x: string;
  y: string;
  use: "sig";
  alg: "ES256";
  dept: string;
  thumbprint: string;
  validFrom: string;
  validUntil: string | null;
  compromisedAt: string | null;
}

export class KeyDirectory {
  readonly #store: SigningKeyMirror;
  #cache: { keys: SigningKeyRecord[]; until: number } | null = null;

  constructor(store: SigningKeyMirror) {
    this.#store = store;
  }

  invalidate(): void {
    this.#cache = null;
  }

  async #keys(): Promise<SigningKeyRecord[]> {
    if (!this.#cache || this.#cache.until < Date.now()) {
      this.#cache = { keys: await this.#store.signingKeys(), until: Date.now() + 5_000 };
    }
    return this.#cache.keys;
  }

  async jwks(): Promise<{ keys: PublishedKey[] }> {
    return {
      keys: (await this.#keys()).map((k) => ({
        kid: k.kid,
        kty: String(k.publicJwk.kty),
        crv: String(k.publicJwk.crv),
        x: String(k.publicJwk.x),
        y: String(k.publicJwk.y),
        use: "sig",
        alg: "ES256",
        dept: k.department,
        thumbprint: k.thumbprint,
        validFrom: k.validFrom,
        validUntil: k.validUntil,
        compromisedAt: k.compromisedAt,
      })),
    };
  }

  async publicKey(kid: string): Promise<Record<string, string> | undefined> {
    return (await this.#keys()).find((k) => k.kid === kid)?.publicJwk;
  }
}
