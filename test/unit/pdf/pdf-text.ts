/** The text a reader sees on a PDF's pages, as poppler's pdftotext extracts it (one line per printed line). */
import { execFileSync } from "node:child_process";
import { requireTool } from "../../tool-required.ts";

function pdftotextRuns(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** For a test that reads a PDF's text: pdftotext must be there (fails under CI, skips elsewhere). */
export function requirePdftotext(context: { skip(note?: string): never }): void {
  requireTool(context, "pdftotext", pdftotextRuns(), "pdftotext (Debian poppler-utils) is not installed, so the PDF's text cannot be read");
}

/** The text of every page of `pdf`, in reading order. */
export function pdfText(pdf: Uint8Array): string {
  return execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", "-", "-"], { input: pdf, maxBuffer: 16 * 1024 * 1024 }).toString("utf8");
}
