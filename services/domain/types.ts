/** The shapes of an e-Proof document (docs/design.md, "The e-Proof file"). */
/** 0x-prefixed hexadecimal (hashes, addresses, roots): the domain's own type, re-exported by the ports. */
export type Hex = `0x${string}`;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A document id: 16 random bytes as 32 lowercase hex characters (docs/design.md, "Identifiers"). */
export function isDocumentId(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{32}$/.test(value);
}

export interface DocumentHeader {
  /** 16 random bytes as 32 lowercase hex characters. */
  id: string;
  type: string;
  typeVersion: number;
  /** Department code, e.g. "DEMO". */
  issuer: string;
  /** ISO 8601 UTC at whole seconds, e.g. "2026-11-22T10:00:00Z". */
  issuedAt: string;
}

/** A public EC P-256 JWK. */
export type PublicJwk = Record<string, string>;

export interface SignatureBlock {
  /** Compact ES256 JWS whose payload is the claim (CBOR). */
  jws: string;
  jwk: PublicJwk;
}

export interface AnchorBlock {
  chainId: number;
  registry: Hex;
  root: Hex;
  proof: Hex[];
  txHash: Hex;
  blockNumber: number;
}

export interface EProofDocument {
  eproof: 1;
  header: DocumentHeader;
  data: Record<string, JsonValue>;
  salts: Record<string, string>;
  /** Fields withheld in a redacted copy: name → field digest. */
  hidden?: Record<string, Hex>;
  signature: SignatureBlock;
  anchor?: AnchorBlock;
}
