/**
 * Dispatches `eproof <command>`; each command lives in its own file with its own help text and
 * options. Returns the exit code: a mistake in how a command was called is 2, with one line saying
 * what was wrong and which --help explains it.
 */
import { isEProofError } from "../../services/errors.ts";
import { adminCli } from "./admin-command.ts";
import { type CliCommand, UsageError } from "./arguments.ts";
import { issueCli } from "./issue-command.ts";
import { presentCli } from "./present-command.ts";
import { redactCli } from "./redact-command.ts";
import { statusCli } from "./status-command.ts";
import { templateCli } from "./template-command.ts";
import { verifyCli } from "./verify-command.ts";

const COMMANDS: CliCommand[] = [verifyCli, templateCli, issueCli, redactCli, presentCli, statusCli, adminCli];

const USAGE = `usage: eproof <command> [arguments]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join("\n")}

eproof <command> --help (or eproof help <command>) explains a command, its options and exit codes.
To issue in bulk, start with: eproof template licence > licences.csv`;

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  let command: CliCommand | undefined;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? rest[0] : undefined;
      if (topic !== undefined) {
        command = COMMANDS.find((c) => c.name === topic);
        if (!command) throw new UsageError("", `unknown command "${topic}"`);
        return await command.run(["--help"]);
      }
      console.log(USAGE);
      return name === undefined ? 2 : 0;
    }
    command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError("", `unknown command "${name}"`);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command === "" ? "eproof --help" : `eproof ${error.command} --help`;
      console.error(`eproof${error.command ? ` ${error.command}` : ""}: ${error.message}; see ${help}`);
      return 2;
    }
    if (isEProofError(error)) {
      console.error(`eproof${command ? ` ${command.name}` : ""}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
