import { execFileSync } from "node:child_process";

/** Compiles the contracts once before any test file loads their artifacts. */
export default function compileContracts(): void {
  execFileSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"], { stdio: "inherit" });
}
