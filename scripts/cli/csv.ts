/**
 * CSV files of documents, read with csv-parse under RFC 4180 (quoted cells, doubled quotes, a quote
 * only around a whole cell) and written the same way. The first line is the header: one column per
 * field, named by its dotted path (`holder.name.en`); a list column (`conditions[]`) separates its
 * items with `|`; an empty cell leaves its field out. Every record keeps the file line it starts on
 * (the header is line 1), which is what a spreadsheet shows and what every message names.
 *
 * Kept from the hand parser this replaces: a byte order mark, CRLF, LF or CR line ends (also mixed),
 * empty lines (skipped, but counted), rows of empty cells (skipped), and missing cells at a row's end.
 */
import { CsvError, parse } from "csv-parse/sync";
import { EProofError } from "../../services/errors.ts";
import { type Column, cellValue } from "./columns.ts";

export interface CsvRecord {
  /** The file line the record starts on (a quoted cell may span lines). */
  line: number;
  cells: string[];
}

export interface CsvRow {
  line: number;
  data: Record<string, unknown>;
}

/** A quote-related refusal, said as what to do about it. */
function reasonOf(error: CsvError): string {
  switch (error.code) {
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return 'a quoted cell goes on after its closing quote (like "a"b); quote the whole cell and double every quote inside it ("""a""b")';
    case "INVALID_OPENING_QUOTE":
      return 'a quote inside a cell that does not start with one (like a"b); quote the whole cell and double every quote inside it ("a""b")';
    default:
      return error.message;
  }
}

/** Where `text` (LF line ends) has its first non-empty line after `line`. */
function nextNonEmptyLine(lines: string[], line: number): number {
  let next = line + 1;
  while (next <= lines.length && (lines[next - 1] ?? "").trim() === "") next += 1;
  return next;
}

/** The line breaks inside a record's quoted cells. */
function breaksIn(cells: string[]): number {
  return cells.reduce((sum, cell) => sum + (cell.match(/\n/g)?.length ?? 0), 0);
}

/** The line the last complete record ends on (0 before the first). */
function lastLineOf(records: CsvRecord[]): number {
  const last = records.at(-1);
  return last ? last.line + breaksIn(last.cells) : 0;
}

/**
 * The records of a CSV text with the line each starts on; empty lines and rows of empty cells are
 * left out. `source` names the file in messages.
 */
export function parseCsv(text: string, source = "the CSV"): CsvRecord[] {
  // One line end for csv-parse, whose line count is off with CRLF inside quoted cells; it also makes
  // a cell's content (and so a row's idempotency key) the same whichever system saved the file.
  const input = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const records: CsvRecord[] = [];
  try {
    parse(input, {
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      on_record: (cells, context) => {
        // context.lines is the line the record ends on; a quoted cell's own line breaks come before it.
        records.push({ line: context.lines - breaksIn(cells), cells });
        return cells;
      },
    });
    return records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code === "CSV_QUOTE_NOT_CLOSED") {
      const opened = nextNonEmptyLine(input.split("\n"), lastLineOf(records));
      throw new EProofError("BAD_REQUEST", `${source}, line ${opened}: a quoted cell starting on this line is never closed (a missing or extra quote)`);
    }
    const line = typeof error.lines === "number" ? error.lines : lastLineOf(records) + 1;
    throw new EProofError("BAD_REQUEST", `${source}, line ${line}: ${reasonOf(error)}`);
  }
}

// Names that would reach Object.prototype when a header is turned into nested objects.
const FORBIDDEN_NAMES = new Set(["__proto__", "prototype", "constructor"]);

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * The rows of a CSV text as document data, each with its file line. `columns` (the type's, from
 * columnsOf) say which columns are lists and numbers; a header that is none of them is kept as
 * written, so that the type's validation reports it as not a field.
 */
export function csvToRows(text: string, columns: readonly Column[] = [], source = "the CSV"): CsvRow[] {
  const [header, ...records] = parseCsv(text, source);
  if (!header) return [];
  const byPath = new Map(columns.map((column) => [column.path.join("."), column]));
  const seen = new Set<string>();
  const fields = header.cells.map((raw, index) => {
    const name = raw.trim();
    if (name === "") return null;
    const listByHeader = name.endsWith("[]");
    const dotted = listByHeader ? name.slice(0, -2) : name;
    const path = dotted.split(".");
    if (path.some((part) => part === "" || FORBIDDEN_NAMES.has(part))) {
      throw new EProofError("BAD_REQUEST", `${source}, line ${header.line}: "${name}" (column ${index + 1}) is not a field name`);
    }
    if (seen.has(dotted)) throw new EProofError("BAD_REQUEST", `${source}, line ${header.line}: the column "${name}" appears twice`);
    seen.add(dotted);
    return { path, column: byPath.get(dotted), listByHeader };
  });
  return records.map(({ line, cells }) => {
    const data: Record<string, unknown> = {};
    cells.forEach((raw, index) => {
      const cell = raw.trim();
      if (cell === "") return;
      const field = fields[index];
      if (field === undefined) {
        throw new EProofError(
          "BAD_REQUEST",
          `${source}, line ${line}: ${cells.length} cells but the header has ${fields.length} columns (a comma inside a cell? put that cell in quotes)`,
        );
      }
      if (field === null) throw new EProofError("BAD_REQUEST", `${source}, line ${line}: a value in column ${index + 1}, which has no name in the header`);
      setPath(data, field.path, cellValue(field.column, field.listByHeader, cell));
    });
    return { line, data };
  });
}

/** One CSV line (no line end): a cell is quoted when it holds a comma, quote, line break or edge space. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",");
}
