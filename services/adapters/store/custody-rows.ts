/** Rows of the key-custody table as both stores return them (the same columns in SQLite and PostgreSQL). */
import type { CustodyKeyKind, CustodyKeyState, StoredCustodyKey } from "../../ports.ts";

type Row = Record<string, unknown>;

export function toCustodyKey(row: Row): StoredCustodyKey {
  return {
    kind: row.kind as CustodyKeyKind,
    department: String(row.department),
    number: Number(row.key_number),
    publicPart: String(row.public_part),
    sealed: String(row.sealed),
    state: row.state as CustodyKeyState,
    createdAt: String(row.created_at),
    version: Number(row.version),
  };
}
