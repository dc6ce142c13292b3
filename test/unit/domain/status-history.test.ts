import { describe, expect, it } from "vitest";
import { collapseHistory } from "../../../services/domain/status-history.ts";

describe("collapseHistory", () => {
  it("shows the officer's entry, in the place of the first, when the follower recorded the same transaction before the officer's record", () => {
    const shown = collapseHistory([
      { txHash: "0xAA", actor: "chain", reason: "recorded from the chain" },
      { txHash: "0xbb", actor: "chain", reason: "second change" },
      { txHash: "0xaa", actor: "officer-key", reason: "inspection" },
    ]);
    expect(shown.map((e) => e.reason)).toEqual(["inspection", "second change"]);
  });

  it("keeps every entry of distinct transactions, in order", () => {
    const entries = [
      { txHash: "0x1", actor: "k" },
      { txHash: "0x2", actor: "chain" },
      { txHash: "0x3", actor: "k" },
    ];
    expect(collapseHistory(entries)).toEqual(entries);
  });
});
