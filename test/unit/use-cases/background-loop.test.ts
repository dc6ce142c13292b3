import { describe, expect, it } from "vitest";
import { BackgroundLoop } from "../../../services/use-cases/background-loop.ts";
import { waitUntil } from "../../wait-until.ts";

describe("BackgroundLoop", () => {
  it("runs turns back to back while they ask for no wait, and lets the turn in flight finish on stop", async () => {
    let turns = 0;
    let finished = 0;
    const loop = new BackgroundLoop(async () => {
      turns += 1;
      await new Promise((r) => setTimeout(r, 5));
      finished += 1;
      return turns < 3 ? 0 : 60_000;
    });
    loop.start();
    await waitUntil(() => finished === 3, "three turns back to back");
    // The third turn asked for a 60 s wait: no fourth turn comes.
    await new Promise((r) => setTimeout(r, 50));
    expect(turns).toBe(3);
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(finished).toBe(turns);
    expect(loop.running).toBe(false);
  });

  it("wake() ends a long wait at once; start() twice runs one loop", async () => {
    let turns = 0;
    const loop = new BackgroundLoop(async () => {
      turns += 1;
      return 60_000;
    });
    loop.start();
    loop.start();
    await waitUntil(() => turns >= 1, "the first turn");
    await new Promise((r) => setTimeout(r, 20));
    expect(turns).toBe(1);
    loop.wake();
    // Well short of the 60 s wait: the wake ended it.
    await waitUntil(() => turns >= 2, "a turn after wake()", 10_000);
    expect(turns).toBe(2);
    await loop.stop();
  });
});
