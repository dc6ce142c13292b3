/**
 * What the service hands out for one stored document: the e-Proof file (with its anchor once the
 * batch is on chain) and the QR link that carries the signed claim.
 */

import { encodeQrFragment, qrUrl } from "../domain/qr-payload.ts";
import { splitJws } from "../domain/signature.ts";
import { registryAt, type TrustList } from "../domain/trust-list.ts";
import type { AnchorBlock, EProofDocument } from "../domain/types.ts";
import type { StoredDocument } from "../ports.ts";

/** The trusted registries: a batch's anchor names the registry that was current when it was anchored. */
export type TrustAnchor = TrustList;

export function anchorOf(stored: StoredDocument, trust: TrustAnchor): AnchorBlock | undefined {
  const batch = stored.batch;
  if (batch?.state !== "ANCHORED" || !stored.merkleProof || !batch.txHash || batch.blockNumber === null) return undefined;
  return {
    chainId: trust.chainId,
    registry: registryAt(trust, batch.blockTime ?? Number.MAX_SAFE_INTEGER),
    root: batch.root,
    proof: stored.merkleProof,
    txHash: batch.txHash,
    blockNumber: batch.blockNumber,
  };
}

/** The e-Proof file as issued, with the anchor filled in when its batch is on chain. */
export function eproofFile(stored: StoredDocument, trust: TrustAnchor): EProofDocument {
  const document = JSON.parse(stored.documentJson) as EProofDocument;
  const anchor = anchorOf(stored, trust);
  return anchor ? { ...document, anchor } : document;
}

/** The QR's URL: the verify page with the key number, claim and signature in the fragment. */
export function qrLinkOf(document: EProofDocument, publicUrl: string): string {
  const { kid, claimBytes, signature } = splitJws(document.signature.jws);
  const keyNumber = Number(kid.slice(kid.lastIndexOf("-") + 1));
  return qrUrl(publicUrl, encodeQrFragment({ keyNumber, claimBytes, signature }));
}
