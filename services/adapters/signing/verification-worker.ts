/**
 * The chain-free part of verifications, on a worker thread of VerificationWorkers
 * (verification-workers.ts): a batch of submitted files in, a batch of ChainFreeVerdicts out. The
 * signature arithmetic runs here, on this thread, synchronously: it is already off the event loop.
 */
import { type ChainFreeVerdict, checkChainFree } from "../../use-cases/verify-document.ts";
import { jwkThumbprint, verifyJwsSync } from "./es256.ts";

export interface VerificationTask {
  /**
   * Each submitted file as JSON text (a string crosses threads as one copy; the same object would be
   * cloned field by field, which measured 5× dearer on the event loop), and the time (ms since the
   * epoch) its validity window is judged at.
   */
  items: Array<{ json: string; now: number }>;
}

const signatures = { verifyJws: async (jws: unknown, jwk: unknown) => verifyJwsSync(jws, jwk), thumbprint: jwkThumbprint };

export default async function checkBatch(task: VerificationTask): Promise<ChainFreeVerdict[]> {
  return Promise.all(task.items.map(({ json, now }) => checkChainFree(JSON.parse(json), { signatures, now: () => now })));
}
