/**
 * Migrations whose SQL text is the same in both dialects, written once and listed by both
 * PG_MIGRATIONS and SQLITE_MIGRATIONS. Frozen like every shipped migration: the text is checksummed
 * (migrations.ts), so changing a byte here stops every database, of either dialect, that ran it.
 */
import type { Migration } from "./migrations.ts";

/**
 * Which reason codes each department publishes in public verify answers (none by default): the
 * reasons themselves never leave the department's store otherwise, and never go on chain.
 */
export const DEPARTMENT_POLICIES_MIGRATION: Migration = {
  name: "department publication policies",
  sql: `
  CREATE TABLE department_policies (
    department TEXT PRIMARY KEY,
    publishable_reason_codes TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
};
