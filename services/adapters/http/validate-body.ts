import type { z } from "zod";
import { EProofError } from "../../errors.ts";

/** Parses a request body with a zod schema; a mismatch is the caller's mistake (400 with the problems). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== "object") {
    throw new EProofError("BAD_REQUEST", "send a JSON object body with Content-Type: application/json");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw new EProofError("BAD_REQUEST", `the request body is not as expected: ${problems.map((p) => `${p.path || "(body)"}: ${p.message}`).join("; ")}`, {
    problems,
  });
}
