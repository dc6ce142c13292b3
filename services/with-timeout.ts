/**
 * The one timeout race of the service. Not `AbortSignal.timeout`: the work it bounds (a verification, a JSON-RPC
 * probe, a counter query) takes no signal, so the race is all there is; the timer is cleared as soon as the work
 * settles, so nothing stays scheduled after it.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, timedOut: () => Error = () => new Error(`timed out after ${ms} ms`)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
