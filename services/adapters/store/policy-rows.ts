/** Row mapping of department_policies, shared by the SQLite and PostgreSQL stores. */

/** The stored JSON list of publishable reason codes; anything unreadable publishes nothing. */
export function reasonCodesOf(stored: string): number[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((code): code is number => Number.isInteger(code)) : [];
  } catch {
    return [];
  }
}
