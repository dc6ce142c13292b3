/**
 * The layer rules of services/ (shared/brief/STYLE.md "Shape of the code"), checked by
 * `npm run check` so that the layering does not depend on a reviewer noticing.
 *
 *   domain/     pure: imports only itself (and a few pure libraries)
 *   ports       the interfaces: import only the domain
 *   use-cases/  import only the domain, the ports, errors and (as a type) the logger
 *   adapters/   one folder per kind; a kind never imports another kind
 *   main.ts     the composition root: the only place that wires, imported by nobody
 *
 * Type-only imports count: they are dependencies on the names a layer may know.
 */

/** Libraries that only compute (no I/O, clock or randomness): the domain may use them. */
const PURE_LIBRARIES = ["cbor-x", "hash-wasm", "zod"];
const pureLibrary = `^node_modules/(${PURE_LIBRARIES.join("|")})/`;

const ADAPTER_KINDS = ["chain", "http", "pdf", "qr", "random", "signing", "store"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-imports-only-domain",
      severity: "error",
      comment:
        "The domain is pure (canonical form, hashing, Merkle, claims, verdicts): it knows no port, adapter, use case, config or framework, " +
        "so it can be read, tested and reused on its own. Put what it needs into services/domain/, or let a use case pass it in.",
      from: { path: "^services/domain/" },
      to: { pathNot: ["^services/domain/", pureLibrary], dependencyTypesNot: ["core"] },
    },
    {
      name: "domain-uses-no-node-builtins",
      severity: "error",
      comment:
        "node: builtins are I/O, clocks, randomness and platform crypto: the domain gets such things from a port through a use case " +
        "(Clock, Random, ApiKeys, SignatureChecker), never by importing them. One exception, node:zlib, for the QR payload " +
        "(domain/qr-payload.ts): raw deflate with a preset dictionary is a pure function, and its exact output is the frozen QR " +
        "format v1 (a pure-JS deflate, pako, gives other bytes for 18% of claims, measured), so it stays the platform's.",
      from: { path: "^services/domain/" },
      to: { dependencyTypes: ["core"], pathNot: "^zlib$" },
    },
    {
      name: "ports-import-only-domain",
      severity: "error",
      comment: "The ports describe what the use cases need in the domain's terms; an adapter's or framework's type in a port would leak it into every use case.",
      from: { path: "^services/ports(\\.ts$|/)" },
      to: { pathNot: ["^services/domain/", "^services/ports(\\.ts$|/)"] },
    },
    {
      name: "use-cases-import-only-domain-and-ports",
      severity: "error",
      comment:
        "A use case is the application's rule, written against ports: it never imports an adapter, config, main.ts or a framework, " +
        "and never a node: builtin (clock, randomness, crypto, files come through a port), so every adapter can be swapped under it.",
      from: { path: "^services/use-cases/" },
      to: {
        pathNot: [
          "^services/use-cases/",
          "^services/domain/",
          "^services/ports(\\.ts$|/)",
          "^services/errors\\.ts$",
          "^services/logger\\.ts$",
          "^node_modules/zod/",
        ],
      },
    },
    {
      name: "use-cases-import-the-logger-as-a-type",
      severity: "error",
      comment: "The logger is built once in main.ts and passed in; a use case may name its type but not create or import one.",
      from: { path: "^services/use-cases/" },
      to: { path: "^services/logger\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "adapters-never-import-another-kind",
      severity: "error",
      comment:
        `An adapter folder (${ADAPTER_KINDS.join(", ")}) implements ports for one kind of outside world; when it needs another kind, ` +
        "it gets it through a port wired in main.ts, so a kind can be replaced without touching the others.",
      from: { path: "^services/adapters/([^/]+)/" },
      to: { path: "^services/adapters/", pathNot: "^services/adapters/$1/" },
    },
    {
      name: "nothing-imports-the-composition-root",
      severity: "error",
      comment: "main.ts wires everything and is imported by nobody but scripts and tests; a service file importing it would depend on every adapter at once.",
      from: { path: "^services/" },
      to: { path: "^services/main\\.ts$" },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one: neither can be read, tested or moved alone, and ESM load order becomes a puzzle.",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^node_modules/", "^artifacts/", "^cache/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
    moduleSystems: ["es6", "cjs"],
  },
};
