/**
 * What the adversarial suite's attackers use: raw JSON-RPC (as an attacker speaks to a node), the
 * registries' ABIs, funded wallets, documents forged offline with the public domain code, and the two
 * ways a victim's document is judged (the verify API and the self-sufficient CLI verifier). Every
 * wait polls against a deadline: on a busy machine a test waits longer, it never passes by sleeping.
 */
import { type KeyObject, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type ContractRunner, Interface, type JsonRpcProvider, Wallet } from "ethers";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { signClaim } from "../../services/adapters/signing/es256.ts";
import { makeSalts } from "../../services/domain/document-hash.ts";
import { assembleDocument, prepareDocument } from "../../services/domain/issue-document.ts";
import { buildMerkleTree, merkleLeaf } from "../../services/domain/merkle.ts";
import type { EProofDocument, Hex, JsonValue } from "../../services/domain/types.ts";
import type { CustodyRecords } from "../../services/ports.ts";
import { api, downloadEProof, runEproof, stealFromCustody, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "../e2e/test-service.ts";
import { minedReceipt } from "../mined-receipt.ts";

export const documentRegistryAbi = new Interface(loadArtifact("DocumentRegistry").abi);
export const issuerRegistryAbi = new Interface(loadArtifact("IssuerRegistry").abi);

/** `DocumentStatus` in DocumentRegistry.sol. */
export const ON_CHAIN = { Active: 0, Suspended: 1, Revoked: 2, Superseded: 3 } as const;

/** A department code or type id as the contracts take it (bytes32). */
export const b32 = (text: string): Hex => toBytes32String(text, "id");
/** A document id as the contracts take it (bytes16). */
export const b16 = (id: string): Hex => `0x${id}` as Hex;

export function documentRegistry(address: string, runner: ContractRunner): Contract {
  return new Contract(address, documentRegistryAbi, runner);
}

export function issuerRegistry(address: string, runner: ContractRunner): Contract {
  return new Contract(address, issuerRegistryAbi, runner);
}

/** One raw JSON-RPC call; a node's error comes back as a thrown Error carrying the node's message. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message?: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
  return body.result as T;
}

/** Polls `probe` until it answers something truthy; fails with `what` at the deadline. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The custom error a contract call reverts with (static call: nothing is sent). */
export async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: unknown[] }> {
  const outcome = await call.then(
    () => null,
    (error: unknown) => error,
  );
  const revert = (outcome as { revert?: { name: string; args: unknown[] } } | null)?.revert;
  if (!revert) throw new Error(`expected a custom-error revert, got ${outcome === null ? "success" : String(outcome)}`);
  return { name: revert.name, args: [...revert.args] };
}

/** A wallet with 1,000 ETH of dev gas money (anvil_setBalance), fresh unless `privateKey` is given. */
export async function fundedWallet(provider: JsonRpcProvider, privateKey?: string): Promise<Wallet> {
  const wallet = new Wallet(privateKey ?? Wallet.createRandom().privateKey, provider);
  await provider.send("anvil_setBalance", [wallet.address, "0x3635C9ADC5DEA00000"]);
  return wallet;
}

/** Sends `method(...args)` with a fixed gas limit (no estimate: a refused call is mined, and reverts). */
export async function sendAnyway(registry: Contract, method: string, args: unknown[]): Promise<{ hash: Hex; status: number; blockNumber: number }> {
  const tx = await registry.getFunction(method).send(...args, { gasLimit: 400_000 });
  const provider = (registry.runner as Wallet).provider as JsonRpcProvider;
  const receipt = await minedReceipt(provider, tx.hash);
  return { hash: tx.hash as Hex, status: receipt.status ?? -1, blockNumber: receipt.blockNumber };
}

export interface Verdict {
  verdict: string;
  checks: Array<{ name: string; status: string; code?: string; reason: string }>;
  evidence: { chainId: number; contract: string; root: string; txHash: string; blockNumber: number; anchoredAt: string } | null;
  [key: string]: unknown;
}

/** POST /api/v1/verify with the e-Proof file (no authentication: the public verify API). */
export async function verdictByApi(service: { url: string }, document: unknown): Promise<Verdict> {
  const { status, body } = await api({ url: service.url, apiKey: "" }, "POST", "/api/v1/verify", { document });
  if (status !== 200) throw new Error(`verify answered ${status}: ${JSON.stringify(body)}`);
  return body as Verdict;
}

/** `eproof verify <file> --rpc <url> --registry <address>`: the verifier without the service (exit 0 only for VALID). */
export async function verdictByCli(document: unknown, rpcUrl: string, registry: string): Promise<{ exitCode: number; verdict: string; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), "eproof-adversarial-")), "eproof.json");
  writeFileSync(file, JSON.stringify(document));
  const { code, stdout, stderr } = await runEproof(["verify", file, "--rpc", rpcUrl, "--registry", registry]);
  let verdict = "";
  try {
    verdict = String((JSON.parse(stdout) as { verdict: string }).verdict);
  } catch {
    throw new Error(`eproof verify printed no verdict (exit ${code}): ${stderr.slice(0, 500)}`);
  }
  return { exitCode: code, verdict, stdout };
}

/** Issues one licence through the officer API, waits for its anchoring and returns its e-Proof file. */
export async function issueAnchored(service: TestService, data: Record<string, unknown> = TYPICAL_LICENCE.data): Promise<{ id: string; file: EProofDocument }> {
  const issued = await api(service, "POST", "/api/v1/documents", { type: "licence", data });
  if (issued.status !== 202) throw new Error(`issuance answered ${issued.status}: ${JSON.stringify(issued.body)}`);
  const id = String(issued.body.id);
  await waitUntilAnchored(service, id, 30_000);
  return { id, file: (await downloadEProof(service, id)) as EProofDocument };
}

export const FORGED_LICENCE: Record<string, JsonValue> = {
  ...(TYPICAL_LICENCE.data as Record<string, JsonValue>),
  documentNumber: "FFL-2026-666666",
  holder: { name: { en: "MALLORY Forger", "zh-HK": "偽造者" }, idMasked: "Z999***(9)" },
};

export function publicJwkOf(privateKey: KeyObject): Record<string, string> {
  const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}

/** A licence an attacker builds offline with the public domain code and whatever signing key it holds. */
export async function forgeLicence(options: {
  issuer: string;
  kid: string;
  privateKey: KeyObject;
  publicJwk?: Record<string, string>;
}): Promise<{ document: EProofDocument; documentHash: Hex }> {
  const prepared = prepareDocument({
    type: "licence",
    data: FORGED_LICENCE,
    issuer: options.issuer,
    issuedAt: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    id: randomBytes(16).toString("hex"),
    salts: makeSalts(Object.keys(FORGED_LICENCE), (n) => new Uint8Array(randomBytes(n))),
  });
  const jws = await signClaim(prepared.claimBytes, options.privateKey, options.kid);
  const document = assembleDocument(prepared, { jws, jwk: options.publicJwk ?? publicJwkOf(options.privateKey) });
  return { document, documentHash: prepared.documentHash };
}

/** A two-leaf batch (the forgery and a decoy), so that the Merkle proof is real and non-empty. */
export function batchOf(documentHash: Hex): { root: Hex; proof: Hex[] } {
  const { root, proofs } = buildMerkleTree([merkleLeaf(documentHash), merkleLeaf(`0x${randomBytes(32).toString("hex")}`)]);
  return { root, proof: proofs[0] as Hex[] };
}

/** DEMO's newest anchoring key, stolen from the service's custody: where the chain attacks start. */
export async function stealDemoAnchorKey(service: TestService): Promise<string> {
  const stolen = await stealFromCustody(service.store as unknown as CustodyRecords, join(service.dataDir, "custody.key"), "DEMO");
  return stolen.anchoringKeys.at(-1) as string;
}
