import { describe, expect, it } from "vitest";
import { DepartmentDirectory } from "../../../services/use-cases/department-directory.ts";

/** The directory only compares times: the real clock is enough here. */
const clock = { now: () => Date.now() };
const FEHD = { code: "FEHD", name: { en: "Food and Environmental Hygiene Department", zhHK: "食物環境衞生署" } };

function chain(departments: Array<typeof FEHD>) {
  let reads = 0;
  let fail = false;
  return {
    governance: {
      departments: async () => {
        reads += 1;
        if (fail) throw new Error("chain unreachable");
        return departments;
      },
    },
    reads: () => reads,
    failNext: (value: boolean) => {
      fail = value;
    },
  };
}

describe("DepartmentDirectory", () => {
  it("names every department the chain records after a refresh, without a chain read per lookup", async () => {
    const ledger = chain([FEHD]);
    const directory = new DepartmentDirectory(ledger.governance, { clock });
    await directory.refresh();
    expect(directory.name("FEHD")).toEqual(FEHD.name);
    expect(directory.name("FEHD")).toEqual(FEHD.name);
    expect(ledger.reads()).toBe(1);
  });

  it("answers the code for a department it does not know yet and reads the chain in the background, at most once per interval", async () => {
    const departments: Array<typeof FEHD> = [];
    const ledger = chain(departments);
    const directory = new DepartmentDirectory(ledger.governance, { clock, refreshMinMs: 60_000 });
    await directory.refresh();
    departments.push(FEHD);
    expect(directory.name("FEHD")).toEqual({ en: "FEHD", zhHK: "FEHD" });
    expect(ledger.reads()).toBe(1); // the refresh just ran: no second read within the interval

    const eager = new DepartmentDirectory(ledger.governance, { clock, refreshMinMs: 0 });
    expect(eager.name("FEHD")).toEqual({ en: "FEHD", zhHK: "FEHD" });
    await eager.refresh();
    expect(eager.name("FEHD")).toEqual(FEHD.name);
  });

  it("keeps the names it knows when the chain cannot be read, and reports the failure instead of throwing", async () => {
    const ledger = chain([FEHD]);
    const errors: unknown[] = [];
    const directory = new DepartmentDirectory(ledger.governance, { clock, onError: (error) => errors.push(error) });
    await directory.refresh();
    ledger.failNext(true);
    await directory.refresh();
    expect(errors).toHaveLength(1);
    expect(directory.name("FEHD")).toEqual(FEHD.name);
  });
});
