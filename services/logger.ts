/**
 * Structured logs (pino). Personal data and secrets never belong in a log line: request bodies are
 * not logged, and the redact list below blanks fields that could carry them if someone logs an
 * object by mistake.
 */
import { type Logger, pino } from "pino";

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "eproof" },
      redact: {
        paths: [
          "apiKey",
          "*.apiKey",
          "authorization",
          "*.authorization",
          "req.headers.authorization",
          "data",
          "*.data",
          "holder",
          "*.holder",
          "privateKey",
          "*.privateKey",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
