import { readFileSync } from "node:fs";
import { decodeRlp } from "ethers";
import { describe, expect, it } from "vitest";
import { buildGenesis, qbftExtraData, validatorFromKey } from "../../../scripts/besu-network.ts";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const template = JSON.parse(read("deploy/besu/genesis.template.json"));
const keys = [1, 2, 3, 4].map((n) => `0x${n.toString(16).padStart(64, "0")}`);
const validators = keys.map((key, i) => validatorFromKey(`validator${i + 1}`, key));

describe("the QBFT network profile in deploy/besu", () => {
  it("derives a validator's address and enode id from its node key", () => {
    // Private key 1 is the well-known secp256k1 generator point.
    expect(validators[0]?.address).toBe("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    expect(validators[0]?.enodeId).toMatch(/^79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798[0-9a-f]{64}$/);
  });

  it("encodes the validators in QBFT extraData: vanity, validators, no vote, round 0, no seals", () => {
    const extra = qbftExtraData(validators.map((v) => v.address));
    expect(extra.startsWith("0xf87aa0")).toBe(true); // the shape Besu's own QBFT examples have for 4 validators
    const [vanity, listed, vote, round, seals] = decodeRlp(extra) as [string, string[], string[], string, string[]];
    expect(vanity).toBe(`0x${"00".repeat(32)}`);
    expect(listed).toEqual(validators.map((v) => v.address.toLowerCase()));
    expect(vote).toEqual([]);
    expect(round).toBe("0x");
    expect(seals).toEqual([]);
  });

  it("builds a genesis with zero base fee, 2 s blocks and the EVM the contracts compile for", () => {
    const genesis = buildGenesis(template, 4242, validators, ["0x1111111111111111111111111111111111111111"]);
    expect(genesis.config.chainId).toBe(4242);
    expect(genesis.config.zeroBaseFee).toBe(true);
    expect(genesis.config.qbft.blockperiodseconds).toBe(2);
    expect(read("hardhat.config.ts")).toMatch(/evmVersion: "cancun"/);
    expect(genesis.config.cancunTime).toBe(0);
    expect(genesis.config.pragueTime).toBeUndefined();
    expect(Object.keys(genesis.alloc)).toEqual(["1111111111111111111111111111111111111111"]);
    expect(genesis._comment).toBeUndefined();
    expect(template.extraData).not.toMatch(/^0x/);
  });

  it("serves only the ETH, NET and WEB3 APIs over HTTP, to allowlisted hosts, at gas price 0", () => {
    const toml = read("deploy/besu/validator.toml");
    expect(toml).toMatch(/^rpc-http-api=\["ETH","NET","WEB3"\]$/m);
    expect(toml).toMatch(/^host-allowlist=\[(?!.*"\*")/m);
    expect(toml).toMatch(/^min-gas-price=0$/m);
    expect(toml).toMatch(/^permissions-nodes-config-file-enabled=true$/m);
    const settings = toml
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .join("\n");
    expect(settings).not.toMatch(/ADMIN|DEBUG|TXPOOL/);
  });

  it("keeps every key and password out of the compose file", () => {
    const compose = read("deploy/besu/docker-compose.yml");
    expect(compose).not.toMatch(/0x[0-9a-fA-F]{64}/);
    expect(compose).not.toMatch(/POSTGRES_PASSWORD:/);
    expect(compose).toMatch(/EPROOF_ANCHOR_KEY_FILE: \/run\/secrets\/anchor_key_1/);
    expect(compose).toMatch(/EPROOF_RPC_URL: http:\/\/validator1:8545,http:\/\/validator2:8545/);
  });
});
