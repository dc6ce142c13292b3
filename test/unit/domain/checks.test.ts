import { describe, expect, it } from "vitest";
import {
  checkAnchored,
  checkIssuerAuthorised,
  checkSignatureWindow,
  checkStatus,
  type LedgerAnswer,
  type TrustedLedger,
} from "../../../services/domain/checks.ts";
import type { AnchorBlock, Hex } from "../../../services/domain/types.ts";
import { ANCHORED_AT, CHAIN_ID, ledgerRecord, REGISTRY } from "./fixtures.ts";

const trust: TrustedLedger = { chainId: CHAIN_ID, registry: REGISTRY };
const anchor: AnchorBlock = {
  chainId: CHAIN_ID,
  registry: REGISTRY,
  root: `0x${"11".repeat(32)}`,
  proof: [],
  txHash: `0x${"22".repeat(32)}`,
  blockNumber: 12,
};
const down: LedgerAnswer = { unavailable: true, reason: "cannot reach the ledger" };
const unanchored = ledgerRecord({ batch: { anchored: false, department: "", docType: "", anchoredAt: 0, blockNumber: 0 } });

describe("the chain checks", () => {
  it("are ERROR, never INVALID, when the ledger could not be read", () => {
    for (const check of [checkSignatureWindow(down, "DEMO-1"), checkIssuerAuthorised(down, "DEMO", "licence"), checkStatus(down)]) {
      expect(check).toMatchObject({ status: "ERROR", reason: "cannot reach the ledger" });
    }
    expect(checkAnchored({ anchor, trust, answer: down, pending: false }).status).toBe("ERROR");
  });

  it("are SKIPPED while the root is not anchored, whatever the rest of the record says", () => {
    const record = { ...unanchored, key: { registered: false, validFrom: 0, validUntil: 0, compromisedAt: 0, registeredBlock: 0 } };
    expect(checkSignatureWindow(record, "DEMO-1").status).toBe("SKIPPED");
    expect(checkIssuerAuthorised(record, "DEMO", "licence").status).toBe("SKIPPED");
    expect(checkStatus(record).status).toBe("SKIPPED");
  });

  it("judge the key at the block time: valid from validFrom, invalid from validUntil and from compromisedAt", () => {
    const at = (key: Partial<ReturnType<typeof ledgerRecord>["key"]>) => checkSignatureWindow(ledgerRecord({ key }), "DEMO-1").status;
    expect(at({ validFrom: ANCHORED_AT })).toBe("VALID");
    expect(at({ validFrom: ANCHORED_AT + 1 })).toBe("INVALID");
    expect(at({ validUntil: ANCHORED_AT + 1 })).toBe("VALID");
    expect(at({ validUntil: ANCHORED_AT })).toBe("INVALID");
    expect(at({ compromisedAt: ANCHORED_AT + 1 })).toBe("VALID");
    expect(at({ compromisedAt: ANCHORED_AT })).toBe("INVALID");
    expect(at({ registered: false })).toBe("INVALID");
  });

  it("counts a key only for batches anchored in a block after its registration, even at the same block time", () => {
    const record = (registeredBlock: number) => ledgerRecord({ key: { validFrom: ANCHORED_AT, registeredBlock } });
    // The batch is in block 12 (the fixture); its time equals the key's validFrom.
    expect(checkSignatureWindow(record(11), "DEMO-1").status).toBe("VALID");
    expect(checkSignatureWindow(record(12), "DEMO-1")).toMatchObject({ status: "INVALID", code: "KEY_NOT_VALID" });
    expect(checkSignatureWindow(record(12), "DEMO-1").reason).toMatch(/block 12, not after the registration of signing key DEMO-1 \(block 12\)/);
    expect(checkSignatureWindow(record(13), "DEMO-1").status).toBe("INVALID");
  });
});

describe("the anchored check", () => {
  it("is PENDING or NOT_ANCHORED without an anchor, as the issuer's queue says, and ERROR when it cannot say", () => {
    expect(checkAnchored({ anchor: undefined, trust, answer: null, pending: true })).toMatchObject({ status: "INVALID", code: "PENDING" });
    expect(checkAnchored({ anchor: undefined, trust, answer: null, pending: false })).toMatchObject({ status: "INVALID", code: "NOT_ANCHORED" });
    expect(checkAnchored({ anchor: undefined, trust, answer: null, pending: null }).status).toBe("ERROR");
  });

  it("names both ledgers when the document names another chain or registry", () => {
    const other = "0x0000000000000000000000000000000000000bad" as Hex;
    const check = checkAnchored({ anchor: { ...anchor, registry: other }, trust, answer: null, pending: false });
    expect(check).toMatchObject({ status: "INVALID", code: "WRONG_LEDGER" });
    expect(check.reason).toBe(`the document names chain ${CHAIN_ID} / registry ${other}; this verifier trusts chain ${CHAIN_ID} / registry ${REGISTRY}`);
    expect(checkAnchored({ anchor: { ...anchor, chainId: 1 }, trust, answer: null, pending: false }).code).toBe("WRONG_LEDGER");
  });

  it("is VALID for a root the trusted registry has anchored, and PENDING or NOT_ANCHORED for one it has not", () => {
    expect(checkAnchored({ anchor, trust, answer: ledgerRecord(), pending: false }).status).toBe("VALID");
    expect(checkAnchored({ anchor, trust, answer: unanchored, pending: false }).code).toBe("NOT_ANCHORED");
    expect(checkAnchored({ anchor, trust, answer: unanchored, pending: true }).code).toBe("PENDING");
  });
});
