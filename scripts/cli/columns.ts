/**
 * The spreadsheet columns of a document type, read from the type's published JSON Schema (so a new
 * field needs no change here): a nested field is one column per leaf with a dotted name
 * (`holder.name.en`), a list is one column whose name ends in `[]` and whose cell separates the items
 * with `|` (`conditions[]`), a number column holds a number.
 */
import type { DocumentTypeDefinition } from "../../services/domain/document-types.ts";

/** The separator of list items inside one cell. */
export const LIST_SEPARATOR = "|";

export interface Column {
  /** The CSV header: the dotted path, with `[]` after a list. */
  header: string;
  /** The field's path in the document data. */
  path: string[];
  kind: "text" | "number" | "list";
  /** Required in every document; false when the field or one of its parents is optional. */
  required: boolean;
  /** For a column under an optional object: that object's dotted path (its columns go together). */
  optionalGroup?: string;
  /** The only value the field accepts (e.g. amount.currency is HKD). */
  fixed?: string;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  const?: unknown;
}

export function columnsOf(type: DocumentTypeDefinition): Column[] {
  const columns: Column[] = [];
  const walk = (node: SchemaNode, path: string[], required: boolean, optionalGroup: string | undefined) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const childPath = [...path, name];
      const childRequired = required && (node.required ?? []).includes(name);
      const group = optionalGroup ?? (childRequired ? undefined : childPath.join("."));
      if (child.type === "object") {
        walk(child, childPath, childRequired, group);
        continue;
      }
      const kind = child.type === "array" ? "list" : child.type === "number" || child.type === "integer" ? "number" : "text";
      const header = childPath.join(".") + (kind === "list" ? "[]" : "");
      columns.push({
        header,
        path: childPath,
        kind,
        required: childRequired,
        // A lone optional field is its own group; only an optional object groups several columns.
        ...(group !== undefined && group !== childPath.join(".") ? { optionalGroup: group } : {}),
        ...(typeof child.const === "string" ? { fixed: child.const } : {}),
      });
    }
  };
  walk(type.jsonSchema as SchemaNode, [], true, undefined);
  return columns;
}

/** The cell of `column` for one document's data (the inverse of what the CSV reader does). */
export function cellOf(column: Column, data: Record<string, unknown>): string {
  let value: unknown = data;
  for (const part of column.path) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(String).join(LIST_SEPARATOR);
  return String(value);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A cell's value for the document data: a list split on `|`, a number column's digits as a number. */
export function cellValue(column: Column | undefined, listByHeader: boolean, cell: string): unknown {
  if (listByHeader || column?.kind === "list") {
    return cell
      .split(LIST_SEPARATOR)
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
  // Anything else stays text, so that the type's validation names the field and what it expects.
  if (column?.kind === "number" && NUMBER.test(cell)) return Number(cell);
  return cell;
}

/** Joins words into lines of at most `width` characters, each after `indent`. */
function wrap(words: string[], indent: string, width = 104): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current !== "" && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") lines.push(indent + current);
  return lines;
}

/**
 * The columns of a type for a help text: the required ones, then the optional ones (the columns of an
 * optional object joined by `+`: give all of them or none).
 */
export function describeColumns(type: DocumentTypeDefinition, indent: string): string {
  const columns = columnsOf(type);
  const required = columns.filter((c) => c.required).map((c) => (c.fixed ? `${c.header} (${c.fixed})` : c.header));
  const optional: string[] = [];
  for (const column of columns.filter((c) => !c.required)) {
    const previous = columns[columns.indexOf(column) - 1];
    if (column.optionalGroup !== undefined && previous?.optionalGroup === column.optionalGroup) optional[optional.length - 1] += ` + ${column.header}`;
    else optional.push(column.header);
  }
  const words = [...required.map((h, i) => (i < required.length - 1 ? `${h},` : h))];
  const lines = wrap(words, indent);
  if (optional.length > 0) lines.push(...wrap(["optional:", ...optional.map((h, i) => (i < optional.length - 1 ? `${h},` : h))], indent));
  return lines.join("\n");
}
