/** What the config tests hand loadConfig besides the setting under test. */

/** The file reader of a test that has no secret files: any read is a bug in the test or in config.ts. */
export const noFiles = (path: string): string => {
  throw new Error(`unexpected read of ${path}`);
};

/** The three settings of an external chain (the production profile). */
export const EXTERNAL_CHAIN = {
  EPROOF_RPC_URL: "http://127.0.0.1:8545",
  EPROOF_DOCUMENT_REGISTRY: `0x${"11".repeat(20)}`,
  EPROOF_ISSUER_REGISTRY: `0x${"22".repeat(20)}`,
};
