/**
 * Group commit (adapters/store/group-commit.ts): writes asked for while one is in flight are written
 * together in one call, each answered only once that call has committed, and a group that fails is
 * written again one write at a time so that only the write at fault fails.
 */
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../../services/adapters/store/group-commit.ts";

/** A store write that the test settles by hand, recording what each call was given. */
function manualStore(refuse: (items: string[]) => Error | null = () => null) {
  const calls: Array<{ items: string[]; settle: () => void }> = [];
  const write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({
        items,
        settle: () => {
          const error = refuse(items);
          if (error) reject(error);
          else resolve();
        },
      });
    });
  return { calls, write };
}

/** Lets pending promise callbacks run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

function state(promise: Promise<void>): { done: boolean; error: unknown } {
  const seen = { done: false, error: undefined as unknown };
  promise.then(
    () => {
      seen.done = true;
    },
    (error: unknown) => {
      seen.done = true;
      seen.error = error;
    },
  );
  return seen;
}

describe("group commit", () => {
  it("writes a write that finds none in flight at once, alone", async () => {
    const store = manualStore();
    const group = new GroupCommit(store.write);
    const first = state(group.write(["a"]));
    expect(store.calls.map((c) => c.items)).toEqual([["a"]]);
    store.calls[0]?.settle();
    await settled();
    expect(first).toEqual({ done: true, error: undefined });
  });

  it("writes the writes asked for during a write together, in one call, and answers each only once that call has committed", async () => {
    const store = manualStore();
    const group = new GroupCommit(store.write);
    const first = state(group.write(["a"]));
    const second = state(group.write(["b", "c"]));
    const third = state(group.write(["d"]));
    await settled();
    expect(store.calls.map((c) => c.items)).toEqual([["a"]]);
    store.calls[0]?.settle();
    await settled();
    expect(first.done).toBe(true);
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["b", "c", "d"]]);
    // Not answered before their transaction has committed.
    expect(second.done).toBe(false);
    expect(third.done).toBe(false);
    store.calls[1]?.settle();
    await settled();
    expect(second).toEqual({ done: true, error: undefined });
    expect(third).toEqual({ done: true, error: undefined });
  });

  it("fails only the write the store refuses: a failed group is written again one write at a time", async () => {
    const refused = new Error("duplicate idempotency key");
    const store = manualStore((items) => (items.includes("bad") ? refused : null));
    const group = new GroupCommit(store.write);
    const first = state(group.write(["a"]));
    const good = state(group.write(["b"]));
    const bad = state(group.write(["bad"]));
    const alsoGood = state(group.write(["c"]));
    store.calls[0]?.settle();
    await settled();
    expect(first.done).toBe(true);
    store.calls[1]?.settle(); // the group b + bad + c: refused as a whole
    await settled();
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
    for (const call of store.calls.slice(2)) call.settle();
    await settled();
    expect(good).toEqual({ done: true, error: undefined });
    expect(bad).toEqual({ done: true, error: refused });
    expect(alsoGood).toEqual({ done: true, error: undefined });
  });

  it("fails a write that was alone with the store's error, and goes on with the writes that waited", async () => {
    const refused = new Error("database unreachable");
    const store = manualStore((items) => (items.includes("a") ? refused : null));
    const group = new GroupCommit(store.write);
    const first = state(group.write(["a"]));
    const next = state(group.write(["b"]));
    store.calls[0]?.settle();
    await settled();
    expect(first).toEqual({ done: true, error: refused });
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["b"]]);
    store.calls[1]?.settle();
    await settled();
    expect(next).toEqual({ done: true, error: undefined });
  });

  it("keeps each group within maxItems, and sends a write of maxItems or more alone at once, even while another is in flight", async () => {
    const store = manualStore();
    const group = new GroupCommit(store.write, { maxItems: 3 });
    void group.write(["a"]);
    void group.write(["b", "c"]);
    void group.write(["d", "e"]);
    void group.write(["big1", "big2", "big3"]);
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["big1", "big2", "big3"]]);
    store.calls[0]?.settle();
    await settled();
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["big1", "big2", "big3"], ["b", "c"]]);
    store.calls[2]?.settle();
    await settled();
    expect(store.calls.map((c) => c.items)).toEqual([["a"], ["big1", "big2", "big3"], ["b", "c"], ["d", "e"]]);
  });

  it("answers an empty write at once without writing", async () => {
    const store = manualStore();
    const group = new GroupCommit(store.write);
    await group.write([]);
    expect(store.calls).toEqual([]);
  });
});
