/**
 * The key-encryption key (KEK) of key custody, and sealing with it: every private key kept in the
 * store is AES-256-GCM ciphertext bound to the key's identity (kind, department, number) as
 * additional data, so a sealed blob copied onto another row does not open there. The KEK comes
 * from EPROOF_CUSTODY_KEY or a file beside the data (created on first start); it never goes into
 * the database, a log line or an error message.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { EProofError } from "../../errors.ts";
import type { CustodyKeyIdentity } from "../../ports.ts";

export const CUSTODY_KEY_BYTES = 32;
/** Format tag of a sealed blob: `v1.<iv>.<tag>.<ciphertext>`, each base64url. */
const SEALED_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** The KEK as text (64 hex digits, or base64 / base64url of 32 bytes), or null when it is neither. */
function parseCustodyKey(text: string): Buffer | null {
  const value = text.trim();
  if (HEX_KEY.test(value)) return Buffer.from(value, "hex");
  if (BASE64_KEY.test(value)) {
    const bytes = Buffer.from(value.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (bytes.length === CUSTODY_KEY_BYTES) return bytes;
  }
  return null;
}

/**
 * The KEK: `value` (the EPROOF_CUSTODY_KEY setting) when given, else the key in `filePath`, created
 * there (mode 0600, folder 0700) with 32 random bytes on first start. Every instance that shares a
 * database must be given the same KEK. Throws EProofError("CONFIG_INVALID") for a malformed key,
 * without repeating it.
 */
export function loadOrCreateCustodyKey(options: { value?: string; filePath: string }): Buffer {
  if (options.value !== undefined && options.value !== "") {
    const key = parseCustodyKey(options.value);
    if (!key) {
      throw new EProofError(
        "CONFIG_INVALID",
        "EPROOF_CUSTODY_KEY must be 64 hex digits or the base64 of 32 bytes (e.g. the output of `openssl rand -hex 32`); the value given is neither",
      );
    }
    return key;
  }
  let text: string;
  try {
    text = readFileSync(options.filePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    text = createKeyFile(options.filePath);
  }
  const key = parseCustodyKey(text);
  if (!key) {
    throw new EProofError(
      "CONFIG_INVALID",
      `the custody key file ${options.filePath} must hold 64 hex digits or the base64 of 32 bytes; restore it, or set EPROOF_CUSTODY_KEY`,
    );
  }
  return key;
}

function createKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = `${randomBytes(CUSTODY_KEY_BYTES).toString("hex")}\n`;
  try {
    writeFileSync(path, text, { mode: 0o600, flag: "wx" });
    return text;
  } catch (error) {
    // Another process sharing the folder created it first: use that one.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(path, "utf8");
    throw error;
  }
}

/** The KEK as a node:crypto secret key (checked to be 32 bytes). */
export function custodyKeyObject(kek: Uint8Array | KeyObject): KeyObject {
  const key = kek instanceof Uint8Array ? createSecretKey(kek) : kek;
  if (key.type !== "secret" || key.symmetricKeySize !== CUSTODY_KEY_BYTES) {
    throw new EProofError("CONFIG_INVALID", `the custody key-encryption key must be ${CUSTODY_KEY_BYTES} bytes`);
  }
  return key;
}

function additionalData(identity: CustodyKeyIdentity): Buffer {
  return Buffer.from(JSON.stringify(["eproof-custody", SEALED_VERSION, identity.kind, identity.department, identity.number]));
}

const describe = (identity: CustodyKeyIdentity) => `${identity.kind} key ${identity.department} #${identity.number}`;

/** Encrypts a private key (text) for the custody row `identity`. */
export function sealPrivateKey(kek: KeyObject, identity: CustodyKeyIdentity, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(identity));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [SEALED_VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/**
 * Decrypts what sealPrivateKey sealed for the same `identity`. Throws EProofError("CONFIG_INVALID")
 * when it does not open: another KEK sealed it, or the row was altered or moved.
 */
export function openPrivateKey(kek: KeyObject, identity: CustodyKeyIdentity, sealed: string): string {
  const parts = sealed.split(".");
  try {
    if (parts.length !== 4 || parts[0] !== SEALED_VERSION) throw new Error("not a sealed custody key");
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, "base64url")) as [Buffer, Buffer, Buffer];
    // A fixed tag length: GCM would otherwise accept a truncated (forgeable) tag.
    const decipher = createDecipheriv("aes-256-gcm", kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(identity));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new EProofError(
      "CONFIG_INVALID",
      `the ${describe(identity)} in the store does not open with this service's custody key: give every instance the same EPROOF_CUSTODY_KEY (or data/custody.key), or the row was altered`,
      { cause: error },
    );
  }
}
