/** The domain core's public surface: pure functions, no I/O. */
export * from "./canonical-json.ts";
export * from "./checks.ts";
export * from "./claim.ts";
export * from "./document-hash.ts";
export * from "./document-types.ts";
export * from "./issue-document.ts";
export * from "./keccak.ts";
export * from "./merkle.ts";
export * from "./reason-codes.ts";
export * from "./redact.ts";
export * from "./signature.ts";
export * from "./types.ts";
export * from "./verdict.ts";
export * from "./verification-record.ts";
