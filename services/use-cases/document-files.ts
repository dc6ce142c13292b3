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

/** What a download finds: the document with its complete anchor, or how long to wait for it. */
export type AnchoredCopy =
  | { anchored: true; stored: StoredDocument; anchor: AnchorBlock }
  | { anchored: false; stored: StoredDocument; retryAfterSeconds: number };

/**
 * The stored document once its batch is anchored, waiting up to `waitMs` for that (the outbox seals a
 * batch within about a second): a copy handed out is then complete, verifiable with the chain alone.
 * Otherwise says when to come back. `lookup` re-reads the document (another instance may anchor it).
 */
export async function awaitAnchoredCopy(
  lookup: () => Promise<StoredDocument>,
  trust: TrustAnchor,
  options: { waitMs: number; clock: { now(): number }; pollMs?: number },
): Promise<AnchoredCopy> {
  const deadline = options.clock.now() + options.waitMs;
  for (;;) {
    const stored = await lookup();
    const anchor = anchorOf(stored, trust);
    if (anchor) return { anchored: true, stored, anchor };
    const left = deadline - options.clock.now();
    if (left <= 0) return { anchored: false, stored, retryAfterSeconds: 2 };
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 100, left)));
  }
}
