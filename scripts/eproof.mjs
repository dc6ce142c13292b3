#!/usr/bin/env node
// The e-Proof command line. `npx eproof <command>` (Node 24 from node_modules/.bin runs the
// TypeScript sources directly).
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(`eproof needs Node 24 or later (this is ${process.version}); run it as \`npx eproof\` inside the project after \`npm run setup\`.`);
  process.exit(2);
}
const { runCli } = await import("./cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
