/**
 * NatSpec on the whole public surface, read from the compiler's AST. solhint's use-natspec (in
 * `npm run check`) covers functions and events with named values; this covers what it skips: custom
 * errors, and functions whose return values are unnamed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

interface AstNode {
  nodeType: string;
  name?: string;
  kind?: string;
  visibility?: string;
  documentation?: { text: string } | null;
  parameters?: { parameters: AstNode[] };
  returnParameters?: { parameters: AstNode[] };
  nodes?: AstNode[];
}

const CONTRACTS = [
  ["DocumentRegistry.sol", "DocumentRegistry"],
  ["IssuerRegistry.sol", "IssuerRegistry"],
  ["interfaces/IIssuerRegistry.sol", "IIssuerRegistry"],
] as const;

function contractAst(file: string, name: string): AstNode {
  const artifact = JSON.parse(readFileSync(`artifacts/contracts/${file}/${name}.json`, "utf8")) as { buildInfoId: string; inputSourceName: string };
  const output = JSON.parse(readFileSync(`artifacts/build-info/${artifact.buildInfoId}.output.json`, "utf8")) as {
    output: { sources: Record<string, { ast: AstNode }> };
  };
  const source = output.output.sources[artifact.inputSourceName];
  const contract = source?.ast.nodes?.find((node) => node.nodeType === "ContractDefinition" && node.name === name);
  if (contract === undefined) throw new Error(`no AST for ${name}`);
  return contract;
}

/** What is missing from the NatSpec of `node` (empty when complete). */
function gaps(node: AstNode): string[] {
  const text = node.documentation?.text ?? "";
  if (/@inheritdoc\b/.test(text)) return [];
  const missing: string[] = [];
  // Untagged text before the first tag is an implicit @notice.
  if (!/@notice\b/.test(text) && !/^\s*[^@\s]/.test(text)) missing.push("@notice");
  for (const parameter of node.parameters?.parameters ?? []) {
    if (!new RegExp(`@param\\s+${parameter.name}\\b`).test(text)) missing.push(`@param ${parameter.name || "(unnamed)"}`);
  }
  const returns = node.returnParameters?.parameters ?? [];
  const documented = text.match(/@return\b/g)?.length ?? 0;
  if (documented < returns.length) missing.push(`@return (${returns.length - documented} of ${returns.length})`);
  return missing;
}

describe("NatSpec", () => {
  for (const [file, name] of CONTRACTS) {
    it(`documents every external and public function, event and error of ${name}`, () => {
      const contract = contractAst(file, name);
      const report: string[] = [];
      let checked = 0;
      for (const node of contract.nodes ?? []) {
        const isSurface =
          node.nodeType === "ErrorDefinition" ||
          node.nodeType === "EventDefinition" ||
          (node.nodeType === "FunctionDefinition" && (node.visibility === "external" || node.visibility === "public"));
        if (!isSurface) continue;
        checked += 1;
        const missing = gaps(node);
        if (missing.length > 0) report.push(`${node.nodeType} ${node.name || node.kind}: ${missing.join(", ")}`);
      }
      expect(checked).toBeGreaterThan(0);
      expect(report).toEqual([]);
    });
  }
});
