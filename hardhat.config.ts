import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import { defineConfig } from "hardhat/config";

// No internet here: compile with the solc-js build that the `solc` npm package ships.
const require = createRequire(import.meta.url);
const soljsonPath = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatEthers],
  solidity: {
    version: "0.8.28",
    path: soljsonPath,
    settings: {
      // Cancun is what anvil, Besu and GoQuorum all run; pin it so bytecode is portable.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  paths: { sources: "./contracts", tests: { solidity: "./test/contracts-sol" } },
});
