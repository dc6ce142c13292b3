/** A minimal Dockerfile reader for the tests of the container image. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions by stage (index 0: before the first FROM): continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Instruction[][] {
  const logical = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Instruction[][] = [[]];
  for (const line of logical) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}
