import { describe, expect, it } from "vitest";
import { EProofError } from "../../../services/errors.ts";
import type { CustodySigningKey, IssuerGovernance, SigningKeyRecord } from "../../../services/ports.ts";
import { ChainIssuanceGate } from "../../../services/use-cases/issuance-gate.ts";

type Reads = Pick<IssuerGovernance, "department" | "documentTypes">;

const key = (overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
  department: "DEMO",
  kid: "DEMO-1",
  keyNumber: 1,
  thumbprint: `0x${"11".repeat(32)}`,
  publicJwk: {},
  validFrom: "2026-01-01T00:00:00.000Z",
  validUntil: null,
  compromisedAt: null,
  ...overrides,
});

function gate(options: {
  status?: "ACTIVE" | "SUSPENDED" | null;
  granted?: string[];
  withdrawn?: string[];
  keys?: SigningKeyRecord[];
  current?: string | null;
  /** The current key's state in key custody (shared by every instance). */
  currentState?: CustodySigningKey["state"];
  chainDown?: boolean;
}) {
  let reads = 0;
  const governance: Reads = {
    department: async (code) => {
      reads += 1;
      if (options.chainDown) throw new EProofError("CHAIN_UNAVAILABLE", "down");
      return options.status === null ? null : { code, name: { en: code, zhHK: code }, status: options.status ?? "ACTIVE", registeredAt: 1 };
    },
    documentTypes: async () => [
      ...(options.granted ?? ["licence"]).map((type) => ({ type, schemaHash: "0x00" as const, grantedAt: 1, withdrawnAt: 0 })),
      ...(options.withdrawn ?? []).map((type) => ({ type, schemaHash: "0x00" as const, grantedAt: 1, withdrawnAt: 2 })),
    ],
  };
  const current = options.current === undefined ? "DEMO-1" : options.current;
  const subject = new ChainIssuanceGate({
    governance,
    store: { signingKeys: async () => options.keys ?? [key()] },
    keys: {
      currentSigningKey: async (department) =>
        current ? { department, kid: current, keyNumber: 1, publicJwk: {}, state: options.currentState ?? "ACTIVE" } : undefined,
    },
    now: () => Date.parse("2026-11-25T00:00:00Z"),
  });
  return { subject, reads: () => reads };
}

async function refusal(promise: Promise<void>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EProofError);
    expect((error as EProofError).code).toBe("FORBIDDEN");
    return (error as EProofError).message;
  }
  throw new Error("expected a refusal");
}

describe("ChainIssuanceGate", () => {
  it("lets an active department with the type granted and a registered key issue", async () => {
    await expect(gate({}).subject.assertMayIssue("DEMO", "licence")).resolves.toBeUndefined();
  });

  it("refuses an unknown department, a suspended one, and a type not granted or withdrawn", async () => {
    expect(await refusal(gate({ status: null }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/not registered/);
    expect(await refusal(gate({ status: "SUSPENDED" }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/suspended/);
    expect(await refusal(gate({}).subject.assertMayIssue("DEMO", "permit"))).toMatch(/not authorised to issue permit/);
    expect(await refusal(gate({ granted: [], withdrawn: ["licence"] }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/not authorised/);
  });

  it("refuses when the signing key is missing, unregistered, compromised or retired", async () => {
    expect(await refusal(gate({ current: null }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/no signing key/);
    expect(await refusal(gate({ keys: [] }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/not registered on the ledger yet/);
    expect(await refusal(gate({ keys: [key({ compromisedAt: "2026-11-01T00:00:00.000Z" })] }).subject.assertMayIssue("DEMO", "licence"))).toMatch(
      /compromised/,
    );
    expect(await refusal(gate({ keys: [key({ validUntil: "2026-11-01T00:00:00.000Z" })] }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/retired/);
    // Marked compromised in custody through another instance, before the chain's window reached this one's mirror.
    expect(await refusal(gate({ currentState: "COMPROMISED" }).subject.assertMayIssue("DEMO", "licence"))).toMatch(/compromised/);
    await expect(gate({ keys: [key({ validUntil: "2026-12-01T00:00:00.000Z" })] }).subject.assertMayIssue("DEMO", "licence")).resolves.toBeUndefined();
  });

  it("does not block issuance when the chain cannot be read (documents queue; the contract still refuses a bad anchoring)", async () => {
    const { subject, reads } = gate({ chainDown: true });
    await expect(subject.assertMayIssue("DEMO", "licence")).resolves.toBeUndefined();
    // The outage is remembered for a few seconds: issuance does not wait on the dead chain each time.
    await expect(subject.assertMayIssue("DEMO", "licence")).resolves.toBeUndefined();
    expect(reads()).toBe(1);
  });

  it("caches the chain's answer until invalidated", async () => {
    const { subject, reads } = gate({});
    await subject.assertMayIssue("DEMO", "licence");
    await subject.assertMayIssue("DEMO", "licence");
    expect(reads()).toBe(1);
    subject.invalidate();
    await subject.assertMayIssue("DEMO", "licence");
    expect(reads()).toBe(2);
  });

  it("tells the department's bilingual name as the chain records it", async () => {
    const seen: Array<[string, { en: string; zhHK: string }]> = [];
    const subject = new ChainIssuanceGate({
      governance: {
        department: async (code) => ({ code, name: { en: "Lands Department", zhHK: "地政總署" }, status: "ACTIVE", registeredAt: 1 }),
        documentTypes: async () => [{ type: "licence", schemaHash: "0x00", grantedAt: 1, withdrawnAt: 0 }],
      },
      store: { signingKeys: async () => [key({ department: "LANDSD", kid: "LANDSD-1" })] },
      keys: { currentSigningKey: async (department) => ({ department, kid: "LANDSD-1", keyNumber: 1, publicJwk: {}, state: "ACTIVE" }) },
      now: () => 0,
      onDepartment: (code, name) => seen.push([code, name]),
    });
    await subject.assertMayIssue("LANDSD", "licence");
    expect(seen).toEqual([["LANDSD", { en: "Lands Department", zhHK: "地政總署" }]]);
  });
});
