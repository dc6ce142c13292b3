import type { BaseContract, ContractTransactionReceipt, Interface, Result } from "ethers";
import { expect } from "vitest";

/** Finds the revert data (0x + selector + args) anywhere in an ethers / Hardhat error. */
export function revertDataOf(error: unknown, seen = new Set<unknown>()): string | undefined {
  if (typeof error !== "object" || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const record = error as Record<string, unknown>;
  if (typeof record.data === "string" && /^0x[0-9a-fA-F]*$/.test(record.data) && record.data.length >= 10) {
    return record.data;
  }
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const found = revertDataOf(record[key], seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Deep-converts an ethers Result to plain arrays so it compares with `toEqual`. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, plain);
  return value;
}

/**
 * Awaits `action` (a call, or a transaction that is then mined) and asserts that it reverted with the
 * custom error `name` of `contract`'s interface, with exactly `args` (addresses compared
 * case-insensitively, numbers as bigint).
 */
export async function expectRevert(action: Promise<unknown>, contract: BaseContract | Interface, name: string, args: unknown[] = []): Promise<void> {
  const iface = "interface" in contract ? contract.interface : contract;
  let caught: unknown;
  try {
    const result = await action;
    if (typeof result === "object" && result !== null && "wait" in result && typeof result.wait === "function") {
      await result.wait();
    }
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`expected a revert with ${name}(…) but the call succeeded`);
  const data = revertDataOf(caught);
  if (data === undefined) throw new Error(`expected ${name}(…) but the error carried no revert data: ${String(caught)}`);
  const parsed = iface.parseError(data);
  if (parsed === null) throw new Error(`expected ${name}(…) but revert data ${data} is not an error of this interface`);
  expect(parsed.name).toBe(name);
  expect(normalise(plain(parsed.args) as unknown[])).toEqual(normalise(args));
}

function normalise(values: unknown[]): unknown[] {
  return values.map((value) => {
    if (typeof value === "number") return BigInt(value);
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
    if (Array.isArray(value)) return normalise(value);
    return value;
  });
}

/** The events named `name` that `contract` emitted in `receipt`, as their decoded argument lists. */
export function eventsOf(receipt: ContractTransactionReceipt | null, contract: BaseContract, name: string): unknown[][] {
  if (receipt === null) throw new Error("no receipt");
  const address = (contract.target as string).toLowerCase();
  const out: unknown[][] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = contract.interface.parseLog({
      topics: [...log.topics],
      data: log.data,
    });
    if (parsed !== null && parsed.name === name) out.push(normalise(plain(parsed.args as Result) as unknown[]));
  }
  return out;
}

/** Asserts that `receipt` holds exactly these `name` events with these args, in order. */
export function expectEvents(receipt: ContractTransactionReceipt | null, contract: BaseContract, name: string, expected: unknown[][]): void {
  expect(eventsOf(receipt, contract, name)).toEqual(expected.map(normalise));
}
