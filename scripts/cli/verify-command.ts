/**
 * `eproof verify <file> --rpc <url> --registry <address>`: the self-sufficient verifier. The same
 * domain code as the service, a read-only connection to any RPC endpoint of the chain, no service.
 */
import { readFileSync } from "node:fs";
import { EthersLedger } from "../../services/adapters/chain/ethers-ledger.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { es256 } from "../../services/adapters/signing/es256.ts";
import { parseTrustList, type TrustList } from "../../services/domain/trust-list.ts";
import { EProofError } from "../../services/errors.ts";
import type { Hex } from "../../services/ports.ts";
import { verifyDocument } from "../../services/use-cases/verify-document.ts";
import { verifySdJwtVc, verifyVcJwt } from "../../services/use-cases/verify-export.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";
import { completeCopy, readEProofText } from "./eproof-file.ts";

export const VERIFY_USAGE = `usage: eproof verify <file.json|file.pdf|file.sd-jwt|file.vc-jwt> --rpc <url> (--registry <address> | --trust <file|url>) [--chain-id <id>] [--service <url>]

Verifies an e-Proof file or PDF, or a credential export (an SD-JWT VC or a holder's presentation
of it, .sd-jwt; a VC 2.0 VC-JWT, .vc-jwt) against the chain, without the service: the same checks
as the service (signature, issuer's key, anchor, status), reading the chain through any JSON-RPC
endpoint. Prints the verdict and its checks as JSON.

options:
  --rpc <url>            a JSON-RPC endpoint of the chain
  --registry <address>   the DocumentRegistry you trust
  --trust <file|url>     or a trust list (a saved or live /.well-known/eproof.json): every registry
                         with its period, so documents anchored before a registry move keep verifying
  --chain-id <id>        the chain id, if the endpoint should not be asked
  --service <url>        the issuing service: completes a copy saved before anchoring with its anchor
                         (from the public /api/v1/public/documents/{id}/proof; the chain still decides)
  -h, --help             this text

Exit code 0 only for VALID, 1 for any other verdict, 2 for bad usage.`;

/**
 * Which credential export a file holds, if any: by its extension (.sd-jwt, .vc-jwt), else by its
 * text (a compact SD-JWT holds "~"; a compact JWS is three base64url parts). null: an e-Proof file.
 */
export function exportKindOf(file: string, text: string): "sd-jwt" | "vc-jwt" | null {
  if (/\.sd-jwt$/i.test(file)) return "sd-jwt";
  if (/\.vc-jwt$/i.test(file) || /\.jwt$/i.test(file)) return "vc-jwt";
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~/.test(trimmed)) return "sd-jwt";
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(trimmed)) return "vc-jwt";
  return null;
}

/** eth_chainId with a short timeout (ethers would retry network detection and print to stdout). */
async function rpcChainId(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== "string") throw new Error("no chain id");
  return Number(body.result);
}

/** A trust list from a file or an http(s) URL (a saved or live /.well-known/eproof.json). */
async function loadTrustList(source: string): Promise<TrustList> {
  let text: string;
  try {
    if (/^https?:\/\//.test(source)) {
      const response = await fetch(source, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } else {
      text = readFileSync(source, "utf8");
    }
  } catch (error) {
    throw new EProofError("BAD_REQUEST", `cannot read the trust list ${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseTrustList(JSON.parse(text));
  } catch (error) {
    throw new EProofError("BAD_REQUEST", `the trust list ${source} is not usable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function verifyCommand(options: {
  file?: string;
  rpc?: string;
  registry?: string;
  trust?: string;
  chainId?: string;
  service?: string;
}): Promise<number> {
  if (!options.file) throw new UsageError("verify", "name the e-Proof file (.json) or PDF to verify");
  if (!options.rpc) throw new UsageError("verify", "--rpc <url> is required: a JSON-RPC endpoint of the chain");
  if (options.trust && options.registry) throw new UsageError("verify", "give either --registry <address> or --trust <file|url>, not both");
  if (!options.trust && (!options.registry || !/^0x[0-9a-fA-F]{40}$/.test(options.registry))) {
    throw new UsageError(
      "verify",
      "--registry <address> (the DocumentRegistry you trust) or --trust <file|url> (a trust list: /.well-known/eproof.json) is required",
    );
  }
  const trustList = options.trust ? await loadTrustList(options.trust) : null;
  const text = await readEProofText(options.file);
  const exportKind = exportKindOf(options.file, text);
  let parsed: unknown;
  try {
    parsed = exportKind ? text : JSON.parse(text);
  } catch {
    parsed = text; // the verifier reports a non-JSON file as TAMPERED
  }
  // An export always carries its anchor (the service makes exports of anchored documents only).
  const { document, hint } = exportKind ? { document: parsed } : await completeCopy(parsed, options.service);
  if (hint) console.error(hint);

  let chainId: number;
  try {
    chainId = trustList ? trustList.chainId : options.chainId ? Number(options.chainId) : await rpcChainId(options.rpc);
  } catch {
    // Unreachable chain: take the document's own chain id so that the verdict says UNAVAILABLE
    // (the one chain read will fail), never an invalid verdict for a chain we could not ask.
    const named = (document as { anchor?: { chainId?: unknown } } | null)?.anchor?.chainId;
    chainId = typeof named === "number" ? named : 0;
  }
  const provider = createRpcProvider(options.rpc, chainId);
  const trust: TrustList = trustList ?? { chainId, registry: (options.registry as string).toLowerCase() as Hex };
  const ledger = new EthersLedger({ provider, documentRegistry: trust.registry, chainId }); // read-only: no account
  const deps = { ledger, signatures: es256, jws: es256, trust, now: () => Date.now() };
  const result =
    exportKind === "sd-jwt" ? await verifySdJwtVc(text, deps) : exportKind === "vc-jwt" ? await verifyVcJwt(text, deps) : await verifyDocument(document, deps);
  provider.destroy();
  console.log(JSON.stringify(result, null, 2));
  return result.verdict === "VALID" ? 0 : 1;
}

export const verifyCli: CliCommand = {
  name: "verify",
  summary: "verify an e-Proof file, PDF, SD-JWT VC or VC-JWT against the chain, without the service",
  usage: VERIFY_USAGE,
  async run(args) {
    const { help, values, positionals } = parseCommandLine(
      "verify",
      args,
      { rpc: { type: "string" }, registry: { type: "string" }, trust: { type: "string" }, "chain-id": { type: "string" }, service: { type: "string" } },
      1,
    );
    if (help) {
      console.log(VERIFY_USAGE);
      return 0;
    }
    return verifyCommand({
      file: positionals[0],
      rpc: stringOption(values, "rpc"),
      registry: stringOption(values, "registry"),
      trust: stringOption(values, "trust"),
      chainId: stringOption(values, "chain-id"),
      service: stringOption(values, "service"),
    });
  },
};
