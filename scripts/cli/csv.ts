/**
 * CSV rows (RFC 4180: quoted fields, doubled quotes, CRLF) into document data. A header names a
 * field by its dotted path (`holder.name.en`); a path ending in `[]` splits its cell on `|` into a
 * list (`conditions[]`). Empty cells are left out.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const input = text.replace(/^\uFEFF/, "");
  while (i < input.length) {
    const c = input[i] as string;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && input[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
    i += 1;
  }
  if (quoted) throw new Error("the CSV ends inside a quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function csvToObjects(text: string): Record<string, unknown>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells) => {
    const data: Record<string, unknown> = {};
    header.forEach((column, index) => {
      const cell = (cells[index] ?? "").trim();
      if (cell === "") return;
      const name = column.trim();
      if (name.endsWith("[]"))
        setPath(
          data,
          name.slice(0, -2),
          cell
            .split("|")
            .map((s) => s.trim())
            .filter(Boolean),
        );
      else setPath(data, name, cell);
    });
    return data;
  });
}
