/**
 * Measures the gas of the e-Proof contracts on Hardhat's in-process network and prints it beside the
 * OpenAttestation DocumentStore (the peer: issue 47,886, revoke 47,980 gas per document), then where
 * the gas of one anchorBatch goes, from its opcode trace (what binding a batch to its department costs).
 * Run: `npm run gas` (= `node scripts/gas.ts`, Node 24).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Contract, type ContractTransactionReceipt, type ContractTransactionResponse, encodeBytes32String, id } from "ethers";
import hre from "hardhat";

const OA_ISSUE = 47_886;
const OA_REVOKE = 47_980;
const ADMIN_DELAY = 2 * 24 * 3600;
const Status = { Suspended: 1, Revoked: 2 } as const;

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
execFileSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"], { cwd: repoRoot, stdio: "inherit" });

const { ethers } = await hre.network.create();
const [admin, anchorer, govAnchorer] = await ethers.getSigners();
if (admin === undefined || anchorer === undefined || govAnchorer === undefined) throw new Error("Hardhat gave no signers");

const DEMO = encodeBytes32String("DEMO");
const LICENCE = encodeBytes32String("licence");
const documentId = (n: number): string => `0x${n.toString(16).padStart(32, "0")}`;

async function receiptOf(sent: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await sent).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return receipt;
}

async function gasOf(sent: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await receiptOf(sent)).gasUsed);
}

async function deployGas(contract: Contract): Promise<number> {
  const receipt = await contract.deploymentTransaction()?.wait();
  if (receipt == null) throw new Error("no deployment receipt");
  return Number(receipt.gasUsed);
}

type Registry = Contract & Record<string, any>;

// The admin is also the registrar here; in production it is a timelock from the start.
const issuerRegistry = (await ethers.deployContract("IssuerRegistry", [ADMIN_DELAY, admin.address, admin.address])) as Registry;
const documentRegistry = (await ethers.deployContract("DocumentRegistry", [await issuerRegistry.getAddress(), ADMIN_DELAY, admin.address])) as Registry;
const asAnchorer = documentRegistry.connect(anchorer) as Registry;

await (await issuerRegistry.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
await (await issuerRegistry.grantDocumentType(DEMO, LICENCE, id("licence@1"))).wait();
await (await issuerRegistry.addAnchorer(DEMO, anchorer.address)).wait();
await (await issuerRegistry.registerSigningKey(DEMO, id("key-1"), 0n, 0n)).wait();

interface Row {
  operation: string;
  gas: number;
  documents: number;
  peer?: number;
}
const rows: Row[] = [];
rows.push({ operation: "deploy IssuerRegistry", gas: await deployGas(issuerRegistry), documents: 0 });
rows.push({ operation: "deploy DocumentRegistry", gas: await deployGas(documentRegistry), documents: 0 });

let firstAnchoring: ContractTransactionReceipt | undefined;
for (const count of [1, 1_000, 100_000]) {
  const receipt = await receiptOf(asAnchorer.anchorBatch(DEMO, LICENCE, id(`root-${count}`), count));
  firstAnchoring ??= receipt;
  rows.push({
    operation: `anchorBatch (${count.toLocaleString("en")} document${count === 1 ? "" : "s"})`,
    gas: Number(receipt.gasUsed),
    documents: count,
    peer: OA_ISSUE * count,
  });
}
rows.push({
  operation: "revoke 1 document (changeDocumentStatus)",
  gas: await gasOf(asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked)),
  documents: 1,
  peer: OA_REVOKE,
});
const ids200 = Array.from({ length: 200 }, (_, i) => documentId(1_000 + i));
rows.push({
  operation: "revoke 200 documents in one call",
  gas: await gasOf(asAnchorer.changeDocumentStatus(DEMO, ids200, Status.Revoked)),
  documents: 200,
  peer: OA_REVOKE * 200,
});
rows.push({
  operation: "supersede 1 document",
  gas: await gasOf(asAnchorer.supersede(DEMO, documentId(2), documentId(3))),
  documents: 1,
  peer: OA_REVOKE,
});
rows.push({
  operation: "suspend a whole batch (changeBatchStatus)",
  gas: await gasOf(asAnchorer.changeBatchStatus(DEMO, id("root-1000"), Status.Suspended)),
  documents: 1_000,
  peer: OA_REVOKE * 1_000,
});
const viewGas = await ethers.provider.estimateGas({
  to: await documentRegistry.getAddress(),
  data: documentRegistry.interface.encodeFunctionData("verificationRecord", [DEMO, id("root-1000"), documentId(2), id("key-1")]),
});
rows.push({ operation: "verificationRecord view (estimateGas, 1 eth_call)", gas: Number(viewGas), documents: 1 });

// Governance (the platform administrator's transactions), on a second department.
const GOV = encodeBytes32String("GOV");
for (const [operation, call] of [
  ["registerDepartment (bilingual name)", () => issuerRegistry.registerDepartment(GOV, "Governance Test Department", "管治測試部門")],
  ["grantDocumentType (schema hash)", () => issuerRegistry.grantDocumentType(GOV, LICENCE, id("licence@1"))],
  ["addAnchorer", () => issuerRegistry.addAnchorer(GOV, govAnchorer.address)],
  ["removeAnchorer", () => issuerRegistry.removeAnchorer(GOV, govAnchorer.address)],
  ["registerSigningKey (valid from now)", () => issuerRegistry.registerSigningKey(GOV, id("gov-key-1"), 0n, 0n)],
  ["retireSigningKey (rotation)", async () => issuerRegistry.retireSigningKey(GOV, id("gov-key-1"), (await latestTime()) + 600n)],
  ["markSigningKeyCompromised", async () => issuerRegistry.markSigningKeyCompromised(GOV, id("gov-key-1"), await latestTime())],
  ["setDepartmentSuspended", () => issuerRegistry.setDepartmentSuspended(GOV, true)],
  ["beginDefaultAdminTransfer (admin handover, step 1)", () => issuerRegistry.beginDefaultAdminTransfer(govAnchorer.address)],
] as const) {
  rows.push({ operation, gas: await gasOf(call()), documents: 0 });
}
await ethers.provider.send("evm_increaseTime", [ADMIN_DELAY + 1]);
rows.push({
  operation: "acceptDefaultAdminTransfer (step 2, after the delay)",
  gas: await gasOf((issuerRegistry.connect(govAnchorer) as Registry).acceptDefaultAdminTransfer()),
  documents: 0,
});

async function latestTime(): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en");

function printTable(header: string[], table: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => (cells[column] ?? "").length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((width, column) => `${"-".repeat(width + 1)}${column === 0 ? "-" : ":"}`).join("|")}|`);
  for (const cells of table) console.log(line(cells));
}

printTable(
  ["operation", "e-Proof gas", "per document", "OpenAttestation DocumentStore", "e-Proof / OA"],
  rows.map((row) => [
    row.operation,
    fmt(row.gas),
    row.documents > 0 ? fmt(row.gas / row.documents) : "",
    row.peer === undefined ? "" : `${fmt(row.peer)}${row.documents > 1 ? ` (${row.documents.toLocaleString("en")} × ${fmt(row.peer / row.documents)})` : ""}`,
    row.peer === undefined ? "" : `${(row.gas / row.peer).toFixed(row.gas / row.peer < 0.01 ? 6 : 2)}×`,
  ]),
);

// ---------------------------------------------------------------- where anchorBatch's gas goes

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}
if (firstAnchoring === undefined) throw new Error("no anchoring measured");
const trace = (await ethers.provider.send("debug_traceTransaction", [firstAnchoring.hash, {}])) as { gas: number; structLogs: StructLog[] };
const steps = trace.structLogs;
const top = steps.filter((step) => step.depth === 1);
const executed = (steps[0]?.gas ?? 0) - ((top.at(-1)?.gas ?? 0) - (top.at(-1)?.gasCost ?? 0));
const parts = new Map<string, { gas: number; ops: number }>();
const add = (part: string, gas: number): void => {
  const entry = parts.get(part) ?? { gas: 0, ops: 0 };
  parts.set(part, { gas: entry.gas + gas, ops: entry.ops + 1 });
};
const BATCH_SLOT = "batch record slot: cold read, new-slot write, packed re-write (SLOAD/SSTORE)";
const CLOSED_FLAG = "anchoringClosedAt read: the closed flag (1 cold SLOAD)";
const KEYS = "mapping keys (KECCAK256): _batches[department][root], nested";
const CONTEXT = "IssuerRegistry.anchorContext (1 STATICCALL, cold account + its SLOADs)";
const EVENT = "BatchAnchored event (LOG4: department, root, docType; count, anchorer)";
let closedFlagSlot: bigint | undefined;
for (let i = 0; i < steps.length; i++) {
  const step = steps[i];
  if (step === undefined || step.depth !== 1) continue;
  const key = step.stack?.at(-1);
  if (step.op === "STATICCALL") {
    const back = steps.slice(i + 1).find((next) => next.depth === 1);
    add(CONTEXT, step.gas - (back?.gas ?? step.gas));
  } else if (step.op === "SLOAD" && key !== undefined && BigInt(key) < 256n) {
    closedFlagSlot = BigInt(key);
    add(CLOSED_FLAG, step.gasCost);
  } else if (step.op === "SLOAD" || step.op === "SSTORE") add(BATCH_SLOT, step.gasCost);
  else if (step.op === "KECCAK256") add(KEYS, step.gasCost);
  else if (step.op === "LOG4") add(EVENT, step.gasCost);
  else add("the rest: dispatch, checks, calldata and ABI decoding, memory", step.gasCost);
}
const gasUsed = Number(firstAnchoring.gasUsed);
const breakdown: string[][] = [["intrinsic: 21,000 + calldata", fmt(gasUsed - executed), ""]];
for (const [part, { gas, ops }] of parts) breakdown.push([part, fmt(gas), String(ops)]);
breakdown.push(["total (anchorBatch of 1 document)", fmt(gasUsed), ""]);
console.log("\nWhere the gas of one anchorBatch goes (debug_traceTransaction of the 1-document batch above):\n");
printTable(["part", "gas", "opcodes"], breakdown);

// Prove the closed-flag slot is what the breakdown says: close anchoring and read that slot.
await (await documentRegistry.closeAnchoring()).wait();
if (closedFlagSlot === undefined) throw new Error("no closed-flag read in the anchoring trace");
const stored = BigInt(await ethers.provider.getStorage(await documentRegistry.getAddress(), closedFlagSlot));
if (stored !== BigInt(await documentRegistry.anchoringClosedAt())) throw new Error(`slot ${closedFlagSlot} is not anchoringClosedAt`);

const keccak = parts.get(KEYS);
console.log(
  "\nDepartment binding: the nested key costs one extra KECCAK256 per access of _batches" +
    ` (${fmt((keccak?.gas ?? 0) / 2)} of the ${fmt(keccak?.gas ?? 0)} gas above would go with a root-only mapping),` +
    ` and the closed flag costs ${fmt(parts.get(CLOSED_FLAG)?.gas ?? 0)} (slot ${closedFlagSlot}, cold).` +
    "\nOpenAttestation DocumentStore reference: issue 47,886 gas and revoke 47,980 gas per document (one root per document)." +
    "\nsolc 0.8.28, optimizer 200 runs, evm cancun, Hardhat in-process network (EDR).",
);
