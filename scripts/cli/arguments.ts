/**
 * Parsing a command's arguments the same way for every command: `--help`/`-h` everywhere, strict
 * options, and a mistake reported as a UsageError (one line, exit code 2, with a pointer to the
 * command's help) instead of node:util's long parse-args messages.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** A command called wrongly (unknown option, missing value or argument): exit code 2. */
export class UsageError extends Error {
  /** The command whose help explains the right usage, e.g. "issue" or "admin rotate-key". */
  readonly command: string;

  constructor(command: string, message: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandLine {
  /** `--help` or `-h` was given: print the command's usage and nothing else. */
  help: boolean;
  values: OptionValues;
  positionals: string[];
}

/** One sentence for a parse-args error (node:util's own messages are several sentences long). */
function reasonOf(error: Error & { code?: string }): string {
  const message = error.message;
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = /option '([^']+)'/i.exec(message)?.[1];
    return name ? `unknown option ${name}` : "unknown option";
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const missing = /Option '(-[^' ]+)[^']*' argument missing/.exec(message)?.[1];
    if (missing) return `${missing} needs a value`;
    const noValue = /Option '(-[^' ]+)[^']*' does not take an argument/.exec(message)?.[1];
    if (noValue) return `${noValue} takes no value`;
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const given = /Unexpected argument '([^']*)'/.exec(message)?.[1];
    return given === undefined ? "unexpected argument" : `unexpected argument "${given}"`;
  }
  return message.split(". ")[0] ?? message;
}

/**
 * Parses `args` for `command` with `options` (plus --help/-h) and at most `maxPositionals`
 * positional arguments. `--help` anywhere before `--` wins over any other mistake on the line.
 */
export function parseCommandLine(command: string, args: string[], options: ParseArgsOptionsConfig = {}, maxPositionals = 0): CommandLine {
  const end = args.indexOf("--");
  const before = end === -1 ? args : args.slice(0, end);
  if (before.includes("--help") || before.includes("-h")) return { help: true, values: {}, positionals: [] };
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: OptionValues; positionals: string[] };
  } catch (error) {
    if (error instanceof Error && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(command, reasonOf(error));
    }
    throw error;
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(command, `unexpected argument "${extra}"`);
  return { help: false, values: parsed.values, positionals: parsed.positionals };
}

/** The value of a string option, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A CLI command: its help text and what it does with its arguments (after the command's name). */
export interface CliCommand {
  name: string;
  /** One line for `eproof --help`. */
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}
