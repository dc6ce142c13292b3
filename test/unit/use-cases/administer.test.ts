import { describe, expect, it } from "vitest";
import { apiKeySecrets } from "../../../services/adapters/http/api-key-secrets.ts";
import { es256 } from "../../../services/adapters/signing/es256.ts";
import { EProofError } from "../../../services/errors.ts";
import type { AuditEntry, CustodyAnchoringAccount, CustodySigningKey, Hex, IssuerGovernance, SigningKeyRecord, TxReceipt } from "../../../services/ports.ts";
import { type AdminDeps, Administration } from "../../../services/use-cases/administer.ts";

const CHAIN_TIME = 1_800_000_000;
const receipt = (n: number): TxReceipt => ({ txHash: `0x${n.toString(16).padStart(64, "0")}` as Hex, blockNumber: n, blockTime: CHAIN_TIME });

/** A fake IssuerGovernance that records calls and can be told to refuse one method. */
function setup(options: { refuse?: keyof IssuerGovernance } = {}) {
  const calls: Array<[string, unknown[]]> = [];
  let tx = 0;
  const departments = new Map<string, "ACTIVE" | "SUSPENDED">([["DEMO", "ACTIVE"]]);
  const anchorersOf = new Map<string, string[]>();
  const write =
    (method: keyof IssuerGovernance) =>
    async (...args: unknown[]): Promise<TxReceipt> => {
      if (options.refuse === method) throw new EProofError("CHAIN_REJECTED", `The chain refused ${method}`);
      calls.push([method, args]);
      if (method === "registerDepartment") departments.set(String(args[0]), "ACTIVE");
      if (method === "setDepartmentSuspended") departments.set(String(args[0]), args[1] ? "SUSPENDED" : "ACTIVE");
      const held = anchorersOf.get(String(args[0])) ?? [];
      if (method === "addAnchorer") anchorersOf.set(String(args[0]), [...held, String(args[1])]);
      if (method === "removeAnchorer")
        anchorersOf.set(
          String(args[0]),
          held.filter((a) => a !== String(args[1])),
        );
      tx += 1;
      return receipt(tx);
    };
  const governance: IssuerGovernance = {
    registerDepartment: write("registerDepartment"),
    setDepartmentSuspended: write("setDepartmentSuspended"),
    grantDocumentType: write("grantDocumentType"),
    withdrawDocumentType: write("withdrawDocumentType"),
    registerSigningKey: write("registerSigningKey"),
    retireSigningKey: write("retireSigningKey"),
    markKeyCompromised: write("markKeyCompromised"),
    addAnchorer: write("addAnchorer"),
    removeAnchorer: write("removeAnchorer"),
    department: async (code) => {
      const status = departments.get(code);
      return status ? { code, name: { en: code, zhHK: code }, status, registeredAt: CHAIN_TIME - 100 } : null;
    },
    departments: async () => [...departments.keys()].map((code) => ({ code, name: { en: code, zhHK: code } })),
    documentTypes: async () => [],
    signingKeys: async () => [],
    anchorers: async (code) => anchorersOf.get(code) ?? [],
    chainTime: async () => CHAIN_TIME,
  };
  const mirror: SigningKeyRecord[] = [];
  const windows: Array<[string, unknown]> = [];
  const audit: AuditEntry[] = [];
  // Key custody as the port describes it: numbers never reused, the newest key is the current one.
  const signingKeys: CustodySigningKey[] = [];
  const accounts: CustodyAnchoringAccount[] = [];
  const funded: Hex[] = [];
  const custody: AdminDeps["keys"] = {
    currentSigningKey: async (department) => signingKeys.filter((k) => k.department === department).at(-1),
    // In memory until committed: a key that is never committed (its chain registration failed) never becomes current.
    prepareSigningKey: async (department, floor = 0) => {
      const keyNumber = Math.max(floor, ...signingKeys.filter((k) => k.department === department).map((k) => k.keyNumber), 0) + 1;
      const key: CustodySigningKey = { department, kid: `${department}-${keyNumber}`, keyNumber, publicJwk: jwk(keyNumber), state: "ACTIVE" };
      return {
        publicJwk: key.publicJwk,
        commit: async () => {
          signingKeys.push(key);
          return key;
        },
      };
    },
    setSigningKeyState: async (kid, state) => {
      const key = signingKeys.find((k) => k.kid === kid);
      if (key) key.state = state;
    },
    currentAnchoringAccount: async (department) => accounts.filter((a) => a.department === department).at(-1),
    createAnchoringAccount: async (department) => {
      const number = accounts.filter((a) => a.department === department).length + 1;
      const account: CustodyAnchoringAccount = { department, number, address: `0x${String(number).repeat(40)}` as Hex, state: "ACTIVE" };
      accounts.push(account);
      return account;
    },
  };
  const policies = new Map<string, number[]>();
  const administration = new Administration({
    governance,
    apiKeys: apiKeySecrets,
    signatures: es256,
    random: { bytes: (length) => new Uint8Array(length).fill(7) },
    policies: {
      publishableReasonCodes: async (department) => policies.get(department) ?? [],
      setPublishableReasonCodes: async (department, codes) => void policies.set(department, codes),
    },
    apiKeyRecords: {
      insertApiKey: async () => undefined,
      findApiKey: async () => null,
      listApiKeys: async () => [],
      revokeApiKey: async () => true,
    },
    signingKeyMirror: {
      insertSigningKey: async (key) => void mirror.push(key),
      signingKeys: async () => mirror,
      updateSigningKeyWindow: async (kid, window) => {
        windows.push([kid, window]);
        const key = mirror.find((k) => k.kid === kid);
        if (key && window.validUntil) key.validUntil = window.validUntil;
      },
    },
    audit: { append: async (entries) => void audit.push(...entries), list: async () => [] },
    keys: custody,
    fundAnchorer: async (account) => void funded.push(account),
    onGovernanceChanged: () => undefined,
    onApiKeyRevoked: () => undefined,
  });
  return { administration, calls, audit, mirror, windows, signingKeys, accounts, funded };
}

// Two fixed P-256 public keys (any valid coordinates do for a thumbprint).
function jwk(n: number): Record<string, string> {
  return { kty: "EC", crv: "P-256", x: Buffer.alloc(32, n).toString("base64url"), y: Buffer.alloc(32, n + 100).toString("base64url") };
}

const actor = { keyId: "ADMIN-admin-1" };

describe("Administration", () => {
  it("onboards a department: registers it, grants each type with its schema hash, gives it an anchoring account of its own and registers a key valid from its registration block", async () => {
    const { administration, calls, audit, mirror, accounts, funded } = setup();
    await administration.onboardDepartment(actor, { code: "LANDSD", name: { en: "Lands Department", zhHK: "地政總署" }, types: ["licence"] });
    expect(calls.map(([method]) => method)).toEqual(["registerDepartment", "grantDocumentType", "addAnchorer", "registerSigningKey"]);
    expect(calls[1]?.[1]?.[2]).toMatch(/^0x[0-9a-f]{64}$/);
    // The account is generated in custody for LANDSD alone, funded, then added on chain.
    expect(accounts).toEqual([{ department: "LANDSD", number: 1, address: `0x${"1".repeat(40)}`, state: "ACTIVE" }]);
    expect(funded).toEqual([accounts[0]?.address]);
    expect(calls[2]?.[1]).toEqual(["LANDSD", accounts[0]?.address]);
    // validFrom 0: "this block's time" (the contract refuses a backdated key); the mirror takes the receipt's block time.
    expect(calls[3]?.[1]?.[2]).toBe(0);
    expect(mirror[0]).toMatchObject({ kid: "LANDSD-1", validFrom: new Date(CHAIN_TIME * 1000).toISOString(), validUntil: null });
    expect(audit.map((e) => e.action)).toEqual(["department.onboard", "type.grant", "anchorer.add", "key.register"]);
    expect(audit.every((e) => e.actor === "ADMIN-admin-1" && e.role === "admin")).toBe(true);
  });

  it("writes no audit entry when the chain refuses the change", async () => {
    const { administration, audit } = setup({ refuse: "setDepartmentSuspended" });
    await expect(administration.setDepartmentSuspended(actor, "DEMO", true)).rejects.toMatchObject({ code: "CHAIN_REJECTED" });
    expect(audit).toEqual([]);
  });

  it("rotates: registers a new key and retires every open key at chain time plus the grace", async () => {
    const { administration, calls, mirror, windows, signingKeys } = setup();
    await administration.registerSigningKey(actor, "DEMO");
    const rotated = await administration.rotateSigningKey(actor, "DEMO", 120);
    expect(signingKeys.map((k) => [k.kid, k.state])).toEqual([
      ["DEMO-1", "RETIRED"],
      ["DEMO-2", "ACTIVE"],
    ]);
    expect(rotated.current.kid).toBe("DEMO-2");
    const retire = calls.find(([method]) => method === "retireSigningKey");
    expect(retire?.[1]).toEqual(["DEMO", mirror[0]?.thumbprint, CHAIN_TIME + 120]);
    expect(windows).toEqual([["DEMO-1", { validUntil: new Date((CHAIN_TIME + 120) * 1000).toISOString() }]]);
    await expect(administration.rotateSigningKey(actor, "DEMO", 5)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("never makes current a key whose chain registration failed; the next attempt registers a new key under the free number", async () => {
    const options: { refuse?: keyof IssuerGovernance } = { refuse: "registerSigningKey" };
    const { administration, mirror, signingKeys } = setup(options);
    await expect(administration.registerSigningKey(actor, "DEMO")).rejects.toMatchObject({ code: "CHAIN_REJECTED" });
    expect(mirror).toEqual([]);
    expect(signingKeys).toEqual([]);
    options.refuse = undefined;
    expect((await administration.registerSigningKey(actor, "DEMO")).kid).toBe("DEMO-1");
    expect((await administration.registerSigningKey(actor, "DEMO")).kid).toBe("DEMO-2");
  });

  it("marks a key compromised as of a past time, and refuses an unknown key or a time that is not ISO 8601", async () => {
    const { administration, calls, windows, signingKeys } = setup();
    await administration.registerSigningKey(actor, "DEMO");
    await expect(administration.markKeyCompromised(actor, "DEMO", "DEMO-9", "2026-01-01T00:00:00Z")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(administration.markKeyCompromised(actor, "DEMO", "DEMO-1", "last week")).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await administration.markKeyCompromised(actor, "DEMO", "DEMO-1", "2026-01-01T00:00:00Z");
    expect(calls.at(-1)?.[1]?.[2]).toBe(Date.parse("2026-01-01T00:00:00Z") / 1000);
    expect(windows).toEqual([["DEMO-1", { compromisedAt: "2026-01-01T00:00:00.000Z" }]]);
    // Custody stops every instance signing with it.
    expect(signingKeys.find((k) => k.kid === "DEMO-1")?.state).toBe("COMPROMISED");
  });

  it("rotates a department's anchoring account: a new one in custody is added on chain, then the previous one removed", async () => {
    const { administration, calls, accounts, funded } = setup();
    await administration.onboardDepartment(actor, { code: "TRD", name: { en: "Trade", zhHK: "貿易" }, types: ["licence"] });
    const first = accounts.at(-1)?.address as Hex;
    const rotated = await administration.rotateAnchoringAccount(actor, "TRD");
    const second = accounts.at(-1)?.address as Hex;
    expect(second).not.toBe(first);
    expect(rotated).toMatchObject({ code: "TRD", account: second, removed: [first] });
    expect(funded).toEqual([first, second]);
    const anchorerCalls = calls.filter(([method]) => method === "addAnchorer" || method === "removeAnchorer");
    expect(anchorerCalls).toEqual([
      ["addAnchorer", ["TRD", first]],
      ["addAnchorer", ["TRD", second]],
      ["removeAnchorer", ["TRD", first]],
    ]);
  });

  it("records which reason codes a department publishes, refuses unknown codes, and shows them with the department", async () => {
    const { administration } = setup();
    await administration.onboardDepartment(actor, { code: "TRD", name: { en: "Trade", zhHK: "貿易" }, types: ["licence"] });
    expect(await administration.setPublishableReasons(actor, "TRD", [8, 2, 8])).toEqual({ code: "TRD", publishableReasonCodes: [2, 8] });
    expect((await administration.describeDepartment("TRD")).publishableReasonCodes).toEqual([2, 8]);
    await expect(administration.setPublishableReasons(actor, "TRD", [999])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(administration.setPublishableReasons(actor, "NOPE", [2])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses an officer key without a department, for an unknown department, and an admin key with one", async () => {
    const { administration } = setup();
    await expect(administration.createApiKey(actor, { label: "x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(administration.createApiKey(actor, { label: "x", department: "NOWHERE" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(administration.createApiKey(actor, { label: "x", role: "admin", department: "DEMO" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const created = await administration.createApiKey(actor, { label: "x", department: "DEMO", types: ["licence", "licence"] });
    expect(created).toMatchObject({ role: "officer", department: "DEMO", types: ["licence"], apiKey: expect.stringMatching(/^ep_/) });
  });
});
