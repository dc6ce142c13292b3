import { readFileSync } from "node:fs";
import { decodeRlp } from "ethers";
import { describe, expect, it } from "vitest";
import { buildGenesis, qbftExtraData, validatorFromKey } from "../../../scripts/besu-network.ts";
import { loadConfig } from "../../../services/config.ts";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const template = JSON.parse(read("deploy/besu/genesis.template.json"));
const compose = read("deploy/besu/docker-compose.yml");
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
    expect(compose).not.toMatch(/0x[0-9a-fA-F]{64}/);
    expect(compose).not.toMatch(/POSTGRES_PASSWORD:/);
    expect(compose).toMatch(/EPROOF_RPC_URL: http:\/\/validator1:8545,http:\/\/validator2:8545/);
    // The single anchoring key of earlier versions is refused by the service: each department has its own account in custody.
    expect(compose).not.toMatch(/EPROOF_ANCHOR_KEY|anchor_key/);
  });
});

/** The lines of the block that `header` opens (a top-level key, or a key indented as in `  eproof-1:`), comments dropped. */
function block(text: string, header: string): string[] {
  const lines = text.split("\n").filter((line) => !line.trimStart().startsWith("#"));
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no "${header.trim()}" block`);
  const indent = header.length - header.trimStart().length;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.trim() !== "" && line.length - line.trimStart().length <= indent);
  return rest.slice(0, end < 0 ? undefined : end);
}

/** `NAME: value` pairs of a block of settings. */
function settings(lines: string[]): Record<string, string> {
  const pairs = lines.map((line) => /^\s+([A-Z][A-Z0-9_]*): (.*)$/.exec(line)).filter((m) => m !== null);
  return Object.fromEntries(pairs.map(([, name = "", value = ""]) => [name, value.replace(/^"(.*)"$/, "$1")]));
}

const sharedEnvironment = settings(block(compose, "x-eproof-env: &eproof-env"));

/** A service of the compose file: its environment (with the shared settings it merges), secrets and volumes. */
function service(name: string) {
  const lines = block(compose, `  ${name}:`);
  const environment = block(lines.join("\n"), "    environment:");
  const secrets =
    /^ {4}secrets: \[(.*)\]$/m
      .exec(lines.join("\n"))?.[1]
      ?.split(",")
      .map((s) => s.trim()) ?? [];
  return {
    text: lines.join("\n"),
    environment: { ...(environment.some((line) => line.trim() === "<<: *eproof-env") ? sharedEnvironment : {}), ...settings(environment) },
    secrets,
    volumes: lines.some((line) => /^ {4}volumes:/.test(line)),
  };
}

const INSTANCES = ["eproof-public", "eproof-1", "eproof-2", "eproof-admin"] as const;

describe("the e-Proof instances in deploy/besu/docker-compose.yml, one role each", () => {
  it("runs a public instance with no key: only the database URL as a secret, no key setting, no mounted folder", () => {
    const publicInstance = service("eproof-public");
    expect(publicInstance.environment.EPROOF_ROLES).toBe("public");
    expect(publicInstance.secrets).toEqual(["database_url"]);
    expect(Object.keys(publicInstance.environment).filter((name) => /KEY|GAS_PRICE/.test(name))).toEqual([]);
    expect(publicInstance.volumes).toBe(false);
    expect(publicInstance.text).not.toMatch(/custody_key|governance_key/);
  });

  it("gives the officer instances the custody key and no registrar key", () => {
    for (const name of ["eproof-1", "eproof-2"]) {
      const officer = service(name);
      expect(officer.environment.EPROOF_ROLES).toBe("officer");
      expect(officer.environment.EPROOF_CUSTODY_KEY_FILE).toBe("/run/secrets/custody_key");
      expect(officer.environment.EPROOF_GAS_PRICE).toBe("0");
      expect(officer.secrets.sort()).toEqual(["custody_key", "database_url"]);
      expect(officer.environment.EPROOF_GOVERNANCE_KEY_FILE).toBeUndefined();
    }
    // One webhook key for both (a receiver may fetch the JWKS from either): eproof-1 writes it, eproof-2 reads it once eproof-1 is up.
    expect(service("eproof-1").text).toMatch(/\/eproof\/webhook-key:\/data\/webhook-key\n/);
    expect(service("eproof-2").text).toMatch(/\/eproof\/webhook-key:\/data\/webhook-key:ro\n/);
    expect(service("eproof-2").text).toMatch(/eproof-1: \{ condition: service_healthy \}/);
    expect(service("eproof-2").environment.EPROOF_RPC_URL).toBe("http://validator2:8545,http://validator1:8545");
  });

  it("gives the registrar key to the admin instance alone, with the custody key, on the host's loopback only", () => {
    const admin = service("eproof-admin");
    expect(admin.environment.EPROOF_ROLES).toBe("admin");
    expect(admin.environment.EPROOF_GOVERNANCE_KEY_FILE).toBe("/run/secrets/governance_key");
    expect(admin.environment.EPROOF_CUSTODY_KEY_FILE).toBe("/run/secrets/custody_key");
    expect(admin.secrets.sort()).toEqual(["custody_key", "database_url", "governance_key"]);
    expect(admin.text).toMatch(/ports: \["127\.0\.0\.1:\d+:8080"\]/);
    expect(compose.match(/EPROOF_GOVERNANCE_KEY_FILE:/g)?.length).toBe(1);
    expect(Object.keys(sharedEnvironment).filter((name) => /KEY/.test(name))).toEqual([]);
  });

  it("gives every instance settings the service accepts, with the roles it names and only the secrets it mounts", () => {
    const variables: Record<string, string> = {
      EPROOF_CHAIN_ID: "1337852",
      EPROOF_DOCUMENT_REGISTRY: `0x${"1".repeat(40)}`,
      EPROOF_ISSUER_REGISTRY: `0x${"2".repeat(40)}`,
      EPROOF_PUBLIC_URL: "https://eproof.example.gov.hk",
    };
    const secretFiles: Record<string, string> = {
      database_url: "postgres://eproof:password@postgres:5432/eproof\n",
      custody_key: `${"ab".repeat(32)}\n`,
      governance_key: `0x${"3".repeat(64)}\n`,
    };
    for (const name of INSTANCES) {
      const instance = service(name);
      // Compose's ${NAME:?} and ${NAME:-default}, with the variables an operator's eproof.env gives.
      const env = Object.fromEntries(
        Object.entries(instance.environment).map(([key, value]) => [
          key,
          value.replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, variable: string, fallback = "") => variables[variable] ?? fallback),
        ]),
      );
      const readSecret = (path: string) => {
        const secret = path.replace(/^\/run\/secrets\//, "");
        if (!instance.secrets.includes(secret) || secretFiles[secret] === undefined)
          throw Object.assign(new Error(`${name} has no ${path}`), { code: "ENOENT" });
        return secretFiles[secret];
      };
      const config = loadConfig(env, readSecret);
      expect([...config.roles], name).toEqual([env.EPROOF_ROLES]);
      expect(config.databaseUrl, name).toMatch(/^postgres:\/\//);
      expect(config.chain.kind, name).toBe("external");
      if (config.chain.kind !== "external") continue;
      expect(config.chain.rpcUrls, name).toHaveLength(2);
      expect(config.chain.earlierRegistries, name).toEqual([]);
      expect(Boolean(config.chain.governanceKey), name).toBe(name === "eproof-admin");
      if (name === "eproof-public") {
        expect(config.custodyKey).toBeUndefined();
        expect(config.chain.anchorKeys).toEqual({});
      }
      if (name === "eproof-1" || name === "eproof-2") expect(config.custodyKey, name).toBe("ab".repeat(32));
    }
  });
});
