import { describe, expect, it } from "vitest";
import { columnsOf, describeColumns } from "../../../scripts/cli/columns.ts";
import { csvToRows } from "../../../scripts/cli/csv.ts";
import { templateOf } from "../../../scripts/cli/template-command.ts";
import { DOCUMENT_EXAMPLES } from "../../../services/domain/document-examples.ts";
import { documentTypes, getDocumentType, validateDocumentData } from "../../../services/domain/document-types.ts";

const TYPES = [...documentTypes.keys()];

describe("eproof template", () => {
  it("has an example for every document type, and no example for a type that does not exist", () => {
    expect(Object.keys(DOCUMENT_EXAMPLES).sort()).toEqual([...TYPES].sort());
  });

  it.each(TYPES)("%s: the CSV template reads back, through the issue command's reader, as a document the type accepts", (typeId) => {
    const type = getDocumentType(typeId);
    const [header, row, ...rest] = templateOf(typeId).split("\n");
    expect(rest).toEqual([""]); // a header, one example row, a final line end
    expect(header?.split(",")).toEqual(columnsOf(type).map((c) => c.header));
    const rows = csvToRows(templateOf(typeId), columnsOf(type));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.line).toBe(2);
    expect(rows[0]?.data).toEqual(DOCUMENT_EXAMPLES[typeId]);
    expect(validateDocumentData(typeId, rows[0]?.data)).toMatchObject({ ok: true });
    expect(row).not.toBe("");
  });

  it.each(TYPES)("%s: the example fills every column, optional ones too, so the template shows them all", (typeId) => {
    const rows = csvToRows(templateOf(typeId), columnsOf(getDocumentType(typeId)));
    for (const column of columnsOf(getDocumentType(typeId))) {
      let value: unknown = rows[0]?.data;
      for (const part of column.path) value = (value as Record<string, unknown> | undefined)?.[part];
      expect(value, column.header).toBeDefined();
    }
  });

  it.each(TYPES)("%s: the JSON-lines template is one line the type accepts", (typeId) => {
    const text = templateOf(typeId, "jsonl");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(validateDocumentData(typeId, JSON.parse(text))).toMatchObject({ ok: true });
  });

  it("names the licence columns with dotted paths, [] for the list, and a number column for the subsidy rate", () => {
    expect(columnsOf(getDocumentType("licence")).map((c) => c.header)).toEqual([
      "documentNumber",
      "title.en",
      "title.zh-HK",
      "holder.name.en",
      "holder.name.zh-HK",
      "holder.idMasked",
      "premises.en",
      "premises.zh-HK",
      "conditions[]",
      "validFrom",
      "validUntil",
    ]);
    expect(columnsOf(getDocumentType("subsidy-agreement")).find((c) => c.header === "subsidyRatePercent")?.kind).toBe("number");
  });

  it("describes the columns for the help text: required first, optional ones grouped by their object", () => {
    const text = describeColumns(getDocumentType("licence"), "  ");
    expect(text).toContain("holder.idMasked,");
    expect(text).toMatch(/optional: premises\.en \+ premises\.zh-HK, conditions\[\]$/);
    expect(describeColumns(getDocumentType("subsidy-agreement"), "  ")).toContain("amount.currency (HKD)");
  });
});
