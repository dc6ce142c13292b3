/**
 * What every store that keeps the audit log and API key administration must do (SQLite and
 * PostgreSQL run the same suite); the database-specific append-only guard is tested beside each.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlStore } from "../../services/adapters/store/sql-store.ts";
import type { AuditEntry } from "../../services/ports.ts";

export type AdminStore = SqlStore;

export const auditEntry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: "DEMO-officer-1",
  role: "officer",
  action: "document.issue",
  department: "DEMO",
  documentId: `${"0".repeat(31)}1`,
  details: { type: "licence" },
  ...overrides,
});

export function auditLogContract(name: string, open: { create(): Promise<AdminStore>; destroy(): Promise<void> }): void {
  describe(`${name}: audit log and API key administration`, () => {
    let store: AdminStore;
    beforeEach(async () => {
      store = await open.create();
    });
    afterEach(async () => {
      await store.close();
      await open.destroy();
    });

    it("appends entries in order and filters them by department, actor, action, document and position", async () => {
      await store.audit.append([auditEntry(), auditEntry({ action: "document.revoke", details: { reasonCode: 3 } })]);
      await store.audit.append([
        auditEntry({ actor: "ADMIN-admin-1", role: "admin", action: "department.suspend", department: "OTHER", documentId: null, details: {} }),
      ]);
      const all = await store.audit.list({});
      expect(all.map((e) => e.action)).toEqual(["document.issue", "document.revoke", "department.suspend"]);
      expect(all[1]).toMatchObject({ actor: "DEMO-officer-1", role: "officer", details: { reasonCode: 3 }, at: expect.stringMatching(/^\d{4}-/) });
      expect((await store.audit.list({ department: "OTHER" })).map((e) => e.role)).toEqual(["admin"]);
      expect((await store.audit.list({ action: "document.revoke", actor: "DEMO-officer-1" })).length).toBe(1);
      expect((await store.audit.list({ documentId: `${"0".repeat(31)}1` })).length).toBe(2);
      expect((await store.audit.list({ after: all[0]?.seq ?? 0, limit: 1 })).map((e) => e.action)).toEqual(["document.revoke"]);
    });

    it("stores a key's role, lists keys, and revokes a key for good", async () => {
      await store.insertApiKey({ id: "a1", department: "*", label: "platform admin", types: [], revoked: false, role: "admin" }, "hash-a");
      await store.insertApiKey({ id: "o1", department: "DEMO", label: "officer", types: [], revoked: false }, "hash-o");
      expect((await store.findApiKey("hash-a"))?.role).toBe("admin");
      expect((await store.listApiKeys()).map((k) => [k.id, k.role, k.revoked]).sort()).toEqual([
        ["a1", "admin", false],
        ["o1", "officer", false],
      ]);
      expect(await store.revokeApiKey("o1")).toBe(true);
      expect(await store.revokeApiKey("missing")).toBe(false);
      expect((await store.findApiKey("hash-o"))?.revoked).toBe(true);
    });

    it("updates a signing key's window in the mirror that the JWKS publishes", async () => {
      await store.insertSigningKey({
        department: "DEMO",
        kid: "DEMO-1",
        keyNumber: 1,
        thumbprint: `0x${"11".repeat(32)}`,
        publicJwk: { kty: "EC" },
        validFrom: "2026-01-01T00:00:00.000Z",
        validUntil: null,
        compromisedAt: null,
      });
      await store.updateSigningKeyWindow("DEMO-1", { compromisedAt: "2026-06-01T00:00:00.000Z" });
      await store.updateSigningKeyWindow("DEMO-1", { validUntil: "2026-07-01T00:00:00.000Z" });
      expect((await store.signingKeys())[0]).toMatchObject({ validUntil: "2026-07-01T00:00:00.000Z", compromisedAt: "2026-06-01T00:00:00.000Z" });
    });
  });
}
