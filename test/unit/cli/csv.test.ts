import { describe, expect, it } from "vitest";
import { columnsOf } from "../../../scripts/cli/columns.ts";
import { csvLine, csvToRows, parseCsv } from "../../../scripts/cli/csv.ts";
import { getDocumentType } from "../../../services/domain/document-types.ts";
import { isEProofError } from "../../../services/errors.ts";

/** The message of the EProofError that `run` throws (fails if it throws something else or nothing). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isEProofError(error, "BAD_REQUEST")) return error.message;
    throw error;
  }
  throw new Error("expected a BAD_REQUEST refusal");
}

describe("parseCsv", () => {
  it("reads quoted cells with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('a,b\n"CHAN, Tai Man","say ""hi"""\n"two\nlines",x').map((r) => r.cells)).toEqual([
      ["a", "b"],
      ["CHAN, Tai Man", 'say "hi"'],
      ["two\nlines", "x"],
    ]);
  });

  it("ignores a byte order mark and reads CRLF, LF and CR line ends, also mixed in one file", () => {
    expect(parseCsv("\uFEFFa,b\r\n1,2\n3,4\r5,6").map((r) => r.cells)).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
      ["5", "6"],
    ]);
  });

  it("skips empty lines and rows of empty cells but counts them in the line numbers", () => {
    const records = parseCsv("a,b\n\n1,2\n , \n,\n\n3,4\n\n");
    expect(records).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 3, cells: ["1", "2"] },
      { line: 7, cells: ["3", "4"] },
    ]);
  });

  it("numbers a record by the line it starts on when a quoted cell spans lines, with CRLF too", () => {
    const records = parseCsv('a,b\r\n"one\r\ntwo\r\nthree",1\r\n4,5\r\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(records[1]?.cells[0]).toBe("one\ntwo\nthree");
  });

  it('refuses "a"b (text after a closing quote, which RFC 4180 forbids) with its line number', () => {
    expect(refusal(() => parseCsv('a,b\n1,2\n"a"b,3', "licences.csv"))).toMatch(/^licences\.csv, line 3: a quoted cell goes on after its closing quote/);
  });

  it("refuses a quote inside an unquoted cell with its line number", () => {
    expect(refusal(() => parseCsv('a,b\n1,2\n\nCHAN "Tai Man",3'))).toMatch(/line 4: a quote inside a cell that does not start with one/);
  });

  it("names the line where a quoted cell that never closes starts", () => {
    expect(refusal(() => parseCsv('a,b\n"1\n2",2\n\n"a,b\n3,4\n'))).toMatch(/line 5: a quoted cell starting on this line is never closed/);
  });

  it("reads an empty file as no records", () => {
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\uFEFF\r\n\r\n")).toEqual([]);
  });
});

describe("csvToRows", () => {
  const licence = columnsOf(getDocumentType("licence"));
  const subsidy = columnsOf(getDocumentType("subsidy-agreement"));

  it("builds nested data from dotted headers, splits [] columns on | and leaves empty cells out", () => {
    const rows = csvToRows(
      "documentNumber,holder.name.en,holder.name.zh-HK,premises.en,conditions[]\nFFL-1, CHAN Tai Man ,陳大文,,Max 20 workers| Display it |\n",
      licence,
    );
    expect(rows).toEqual([
      { line: 2, data: { documentNumber: "FFL-1", holder: { name: { en: "CHAN Tai Man", "zh-HK": "陳大文" } }, conditions: ["Max 20 workers", "Display it"] } },
    ]);
  });

  it("splits a list column named without [] as the type's schema says it is a list", () => {
    expect(csvToRows("conditions\na|b", licence)[0]?.data).toEqual({ conditions: ["a", "b"] });
  });

  it("turns a number column's digits into a number and leaves other text for the validation to name", () => {
    expect(csvToRows("subsidyRatePercent,amount.value\n50,1500000.00", subsidy)[0]?.data).toEqual({ subsidyRatePercent: 50, amount: { value: "1500000.00" } });
    expect(csvToRows("subsidyRatePercent\n50%", subsidy)[0]?.data).toEqual({ subsidyRatePercent: "50%" });
  });

  it("keeps a header that is no field of the type, so that the validation reports it", () => {
    expect(csvToRows("documentNumber,colour\nX,red", licence)[0]?.data).toEqual({ documentNumber: "X", colour: "red" });
  });

  it("reads a row with missing cells at its end, and ignores empty cells past the header", () => {
    expect(csvToRows("a,b,c\n1\n2,3,4,,\n").map((r) => r.data)).toEqual([{ a: "1" }, { a: "2", b: "3", c: "4" }]);
  });

  it("refuses a row with more values than the header has columns, naming its line", () => {
    expect(refusal(() => csvToRows("a,b\n1,2\nCHAN, Tai Man,3", [], "x.csv"))).toBe(
      "x.csv, line 3: 3 cells but the header has 2 columns (a comma inside a cell? put that cell in quotes)",
    );
  });

  it("refuses a header naming a column twice, or a name that would reach Object.prototype", () => {
    expect(refusal(() => csvToRows("a,b,a\n1,2,3"))).toMatch(/line 1: the column "a" appears twice/);
    expect(refusal(() => csvToRows("__proto__.polluted\nyes"))).toMatch(/line 1: "__proto__.polluted" \(column 1\) is not a field name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a value under a column with no name", () => {
    expect(refusal(() => csvToRows("a,,c\n1,2,3"))).toMatch(/line 2: a value in column 2, which has no name in the header/);
    expect(csvToRows("a,,c\n1,,3").map((r) => r.data)).toEqual([{ a: "1", c: "3" }]);
  });
});

describe("csvLine", () => {
  it("quotes only the cells that need it, and parseCsv reads back what it wrote", () => {
    const cells = ["plain", "CHAN, Tai Man", 'say "hi"', "two\nlines", " edge ", "食物製造廠牌照", ""];
    const line = csvLine(cells);
    expect(line).toBe('plain,"CHAN, Tai Man","say ""hi""","two\nlines"," edge ",食物製造廠牌照,');
    expect(parseCsv(`${csvLine(["h1", "h2", "h3", "h4", "h5", "h6", "h7"])}\n${line}`)[1]?.cells).toEqual([
      "plain",
      "CHAN, Tai Man",
      'say "hi"',
      "two\nlines",
      " edge ",
      "食物製造廠牌照",
      "",
    ]);
  });
});
