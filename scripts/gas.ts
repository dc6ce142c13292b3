/**
 * Measures the gas of the e-Proof contracts on Hardhat's in-process network and prints it beside the
 * OpenAttestation DocumentStore (the peer: issue 47,886, revoke 47,980 gas per document).
 * Run: `npm run gas` (= `node scripts/gas.ts`, Node 24).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Contract, type ContractTransactionResponse, encodeBytes32String, id } from "ethers";
import hre from "hardhat";

const OA_ISSUE = 47_886;
const OA_REVOKE = 47_980;

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
execFileSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"], { cwd: repoRoot, stdio: "inherit" });

const { ethers } = await hre.network.create();
const [admin, anchorer] = await ethers.getSigners();
if (admin === undefined || anchorer === undefined) throw new Error("Hardhat gave no signers");

const DEMO = encodeBytes32String("DEMO");
const LICENCE = encodeBytes32String("licence");
const documentId = (n: number): string => `0x${n.toString(16).padStart(32, "0")}`;

async function gasOf(sent: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await sent).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return Number(receipt.gasUsed);
}

async function deployGas(contract: Contract): Promise<number> {
  const receipt = await contract.deploymentTransaction()?.wait();
  if (receipt == null) throw new Error("no deployment receipt");
  return Number(receipt.gasUsed);
}

type Registry = Contract & Record<string, any>;

const issuerRegistry = (await ethers.deployContract("IssuerRegistry", [admin.address, admin.address])) as Registry;
const documentRegistry = (await ethers.deployContract("DocumentRegistry", [await issuerRegistry.getAddress()])) as Registry;
const asAnchorer = documentRegistry.connect(anchorer) as Registry;

await (await issuerRegistry.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
await (await issuerRegistry.grantDocumentType(DEMO, LICENCE, id("licence@1"))).wait();
await (await issuerRegistry.addAnchorer(DEMO, anchorer.address)).wait();
await (await issuerRegistry.registerSigningKey(DEMO, id("key-1"), 1n, 0n)).wait();

interface Row {
  operation: string;
  gas: number;
  documents: number;
  peer?: number;
}
const rows: Row[] = [];
rows.push({
  operation: "deploy IssuerRegistry",
  gas: await deployGas(issuerRegistry),
  documents: 0,
});
rows.push({
  operation: "deploy DocumentRegistry",
  gas: await deployGas(documentRegistry),
  documents: 0,
});

for (const count of [1, 1_000, 100_000]) {
  const gas = await gasOf(asAnchorer.anchorBatch(DEMO, LICENCE, id(`root-${count}`), count));
  rows.push({
    operation: `anchorBatch (${count.toLocaleString("en")} document${count === 1 ? "" : "s"})`,
    gas,
    documents: count,
    peer: OA_ISSUE * count,
  });
}
rows.push({
  operation: "revoke 1 document (changeDocumentStatus)",
  gas: await gasOf(asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], 2, 1)),
  documents: 1,
  peer: OA_REVOKE,
});
const ids200 = Array.from({ length: 200 }, (_, i) => documentId(1_000 + i));
rows.push({
  operation: "revoke 200 documents in one call",
  gas: await gasOf(asAnchorer.changeDocumentStatus(DEMO, ids200, 2, 1)),
  documents: 200,
  peer: OA_REVOKE * 200,
});
rows.push({
  operation: "supersede 1 document",
  gas: await gasOf(asAnchorer.supersede(DEMO, documentId(2), documentId(3), 4)),
  documents: 1,
  peer: OA_REVOKE,
});
rows.push({
  operation: "suspend a whole batch (changeBatchStatus)",
  gas: await gasOf(asAnchorer.changeBatchStatus(id("root-1000"), 1, 5)),
  documents: 1_000,
  peer: OA_REVOKE * 1_000,
});
const viewGas = await ethers.provider.estimateGas({
  to: await documentRegistry.getAddress(),
  data: documentRegistry.interface.encodeFunctionData("verificationRecord", [id("root-1000"), documentId(2), id("key-1")]),
});
rows.push({
  operation: "verificationRecord view (estimateGas, 1 eth_call)",
  gas: Number(viewGas),
  documents: 1,
});

// Governance (the platform administrator's transactions), on a second department.
const GOV = encodeBytes32String("GOV");
const now = BigInt((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
for (const [operation, call] of [
  ["registerDepartment (bilingual name)", () => issuerRegistry.registerDepartment(GOV, "Governance Test Department", "管治測試部門")],
  ["grantDocumentType (schema hash)", () => issuerRegistry.grantDocumentType(GOV, LICENCE, id("licence@1"))],
  ["addAnchorer", () => issuerRegistry.addAnchorer(GOV, anchorer.address)],
  ["registerSigningKey", () => issuerRegistry.registerSigningKey(GOV, id("gov-key-1"), now, 0n)],
  ["retireSigningKey (rotation)", () => issuerRegistry.retireSigningKey(GOV, id("gov-key-1"), now + 600n)],
  ["markSigningKeyCompromised", () => issuerRegistry.markSigningKeyCompromised(GOV, id("gov-key-1"), now)],
  ["setDepartmentSuspended", () => issuerRegistry.setDepartmentSuspended(GOV, true)],
] as const) {
  rows.push({ operation, gas: await gasOf(call()), documents: 0 });
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en");
const header = ["operation", "e-Proof gas", "per document", "OpenAttestation DocumentStore", "e-Proof / OA"];
const table = rows.map((row) => [
  row.operation,
  fmt(row.gas),
  row.documents > 0 ? fmt(row.gas / row.documents) : "",
  row.peer === undefined ? "" : `${fmt(row.peer)}${row.documents > 1 ? ` (${row.documents.toLocaleString("en")} × ${fmt(row.peer / row.documents)})` : ""}`,
  row.peer === undefined ? "" : `${(row.gas / row.peer).toFixed(row.gas / row.peer < 0.01 ? 6 : 2)}×`,
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => (cells[column] ?? "").length)));
const line = (cells: string[]): string =>
  `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
for (const cells of table) console.log(line(cells));
console.log(
  "\nOpenAttestation DocumentStore reference: issue 47,886 gas and revoke 47,980 gas per document (one root per document)." +
    "\nsolc 0.8.28, optimizer 200 runs, evm cancun, Hardhat in-process network (EDR).",
);
