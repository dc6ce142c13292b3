/**
 * One seed per test file for everything random in the tests (fast-check properties and the few
 * loops that need a random number), so a failure can be replayed: EPROOF_TEST_SEED=N fixes it,
 * otherwise one is drawn and printed when a test that used it fails.
 */
import { randomInt } from "node:crypto";
import type { Parameters } from "fast-check";
import { onTestFailed } from "vitest";

function seedFromEnv(): number {
  const text = process.env.EPROOF_TEST_SEED;
  if (text === undefined || text === "") return randomInt(2 ** 31);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`EPROOF_TEST_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed | 0;
}

/** This file's seed (a 32-bit integer, as fast-check takes it). */
export const TEST_SEED = seedFromEnv();

/** Call inside a test: if the test fails, says which seed to replay it with. */
function printSeedOnFailure(): void {
  onTestFailed(() => {
    console.error(`property seed: ${TEST_SEED} (replay with EPROOF_TEST_SEED=${TEST_SEED})`);
  });
}

/**
 * Options for `fc.assert`, seeded with TEST_SEED; call inside the test. fast-check's own failure
 * message also carries the seed and the shrunk counterexample's path.
 */
export function propertyOptions<T>(options: Parameters<T> = {}): Parameters<T> {
  printSeedOnFailure();
  return { ...options, seed: TEST_SEED };
}

/**
 * A seeded stand-in for Math.random (mulberry32) for tests that need a random number outside a
 * property, e.g. when to kill a process; call inside the test. Each call starts a new sequence
 * from TEST_SEED and `stream`, so two uses in one file do not share one.
 */
export function seededRandom(stream = 0): () => number {
  printSeedOnFailure();
  let state = (TEST_SEED ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
