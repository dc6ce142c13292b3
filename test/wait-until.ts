/**
 * Waiting in tests for something TO happen: poll the condition until it holds, with a deadline
 * generous enough for a busy machine (the thing waited for is an event, not a duration under test).
 * A test that measures time (a limit, a timeout) measures it separately and says so.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
