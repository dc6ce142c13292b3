/**
 * OpenAttestation's side of the verification bench, on the bench's own chain: its DocumentStore
 * contract (@govtechsg/document-store) deployed there, a batch of OA v2 documents wrapped with
 * `wrapDocuments` and issued with `issue(merkleRoot)`, then verified with @govtechsg/oa-verify.
 *
 * The verifier runs the checks that can work offline: document integrity (OpenAttestationHash) and
 * document status on the DocumentStore (OpenAttestationEthereumDocumentStoreStatus: issued, and not
 * revoked, which OA asks of the target hash, every proof node and the root). Its issuer identity
 * checks (DNS-TXT, DNS-DID) resolve DNS records over the internet and are left out; the other status
 * verifiers (token registry, DID-signed) do not apply to a DocumentStore document.
 */
import { DocumentStoreFactory } from "@govtechsg/document-store";
import {
  isValid,
  openAttestationEthereumDocumentStoreStatus,
  openAttestationHash,
  utils,
  type VerificationFragment,
  verificationBuilder,
} from "@govtechsg/oa-verify";
import { type v2, wrapDocuments } from "@govtechsg/open-attestation";
import { ContractFactory, type ContractTransactionResponse, JsonRpcProvider, Wallet } from "ethers";
import { percentile } from "./percentile.ts";

/** The fragment types that must be VALID for a bench document: the two the offline verifier runs. */
const CHECKED = ["DOCUMENT_INTEGRITY", "DOCUMENT_STATUS"] as const;

export interface OaIssuedBatch {
  documentStore: string;
  documents: v2.WrappedDocument<v2.OpenAttestationDocument>[];
  merkleRoot: string;
  /** Gas of the one `issue(merkleRoot)` transaction. */
  issueGas: bigint;
}

/** Deploys a DocumentStore from a fresh funded account, wraps `items` as OA v2 documents and issues their root. */
export async function issueOaBatch(rpcUrl: string, chainId: number, items: Array<Record<string, unknown>>): Promise<OaIssuedBatch> {
  // No response cache: a nonce read within 250 ms of the last one must not come back stale.
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, cacheTimeout: -1 });
  try {
    // An account of its own: the service's accounts keep their nonces to themselves.
    const wallet = Wallet.createRandom().connect(provider);
    await provider.send("anvil_setBalance", [wallet.address, "0x3635C9ADC5DEA00000"]);
    // OA's bytecode and ABI, deployed with our ethers: the package's typed factory is CommonJS ethers, ours ESM.
    const factory = new ContractFactory(DocumentStoreFactory.abi, DocumentStoreFactory.bytecode, wallet);
    const store = await factory.deploy("e-Proof bench: OpenAttestation", wallet.address);
    await store.waitForDeployment();
    const documentStore = await store.getAddress();
    const raw = items.map(
      (data) =>
        ({
          $template: { name: "FFL", type: "EMBEDDED_RENDERER", url: "https://renderer.example" },
          issuers: [{ name: "DEMO", documentStore, identityProof: { type: "DNS-TXT", location: "example.gov.hk" } }],
          ...data,
        }) as unknown as v2.OpenAttestationDocument,
    );
    const documents = wrapDocuments(raw);
    const merkleRoot = `0x${documents[0]?.signature.merkleRoot}`;
    const receipt = await ((await store.getFunction("issue")(merkleRoot)) as ContractTransactionResponse).wait();
    if (receipt?.status !== 1) throw new Error("OpenAttestation DocumentStore.issue failed");
    return { documentStore, documents, merkleRoot, issueGas: receipt.gasUsed };
  } finally {
    provider.destroy();
  }
}

type OaVerify = (document: v2.WrappedDocument<v2.OpenAttestationDocument>) => Promise<VerificationFragment[]>;

/** OA's verifier with the provider OA's own `utils.generateProvider` makes for a JSON-RPC URL. */
export function oaVerifier(rpcUrl: string): OaVerify {
  const provider = utils.generateProvider({ url: rpcUrl });
  const verify = verificationBuilder([openAttestationHash, openAttestationEthereumDocumentStoreStatus], { provider });
  return (document) => verify(document);
}

/** Throws unless OA's verifier says the document is valid on integrity and status. */
export async function assertOaValid(verify: OaVerify, document: v2.WrappedDocument<v2.OpenAttestationDocument>): Promise<void> {
  const fragments = await verify(document);
  if (!isValid(fragments, [...CHECKED])) {
    const summary = fragments
      .map((f) => {
        const reason = (f as { reason?: { message?: string } }).reason;
        return `${f.name} ${f.status}${reason ? ` (${reason.message})` : ""}`;
      })
      .join("; ");
    throw new Error(`OpenAttestation's verifier does not find the bench document valid: ${summary}`);
  }
}

export interface OaVerifyLoad {
  verifications: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Verifications that did not come out valid on integrity and status (must be 0). */
  notValid: number;
  /** Verifications that threw. */
  errors: number;
}

/** `inFlight` verifications at a time over `documents` (round robin) for `durationMs`. */
export async function oaVerifyLoad(
  verify: OaVerify,
  documents: v2.WrappedDocument<v2.OpenAttestationDocument>[],
  inFlight: number,
  durationMs: number,
): Promise<OaVerifyLoad> {
  const latencies: number[] = [];
  let next = 0;
  let notValid = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const document = documents[next % documents.length] as v2.WrappedDocument<v2.OpenAttestationDocument>;
        next += 1;
        const t = performance.now();
        try {
          if (!isValid(await verify(document), [...CHECKED])) notValid += 1;
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    verifications: latencies.length,
    perSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    notValid,
    errors,
  };
}
