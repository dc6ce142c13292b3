#!/usr/bin/env node
// Runs before `npm start` and `npm test` with whatever Node is on the machine (Node 20 on a fresh one),
// so it uses only Node built-ins. It installs the dependencies under Node 24 (`npm run setup`) when
// node_modules is missing or older than the lock file, then compiles the contracts when their
// artifacts are missing or older than a contract source.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const at = (...parts) => join(root, ...parts);

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function newestIn(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function run(command, args) {
  console.error(`[ensure-installed] ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[ensure-installed] failed: ${command} ${args.join(" ")} (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

const installMarker = at("node_modules", ".package-lock.json");
const node24 = at("node_modules", ".bin", "node");
if (!existsSync(node24) || mtime(installMarker) < mtime(at("package-lock.json"))) {
  run("npm", ["run", "setup"]);
}

const artifact = at("artifacts", "contracts", "DocumentRegistry.sol", "DocumentRegistry.json");
if (mtime(artifact) < newestIn(at("contracts"))) {
  run(node24, [at("node_modules", "hardhat", "dist", "src", "cli.js"), "build", "--quiet"]);
}
