/**
 * Reads the e-Proof file back out of a document PDF: the embedded file `eproof.json` found through the
 * catalog's Names → EmbeddedFiles name tree. Bad input of any kind (not a PDF, truncated, random bytes,
 * no attachment, a deflate bomb) ends in `EProofError("INVALID_PDF")`, never in another exception.
 */
import { inflateSync } from "node:zlib";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, type PDFObject, PDFRawStream, PDFRef, PDFString } from "pdf-lib";
import { EProofError } from "../../errors.ts";

export const EPROOF_ATTACHMENT_NAME = "eproof.json";

/** Larger than any document PDF we issue by far; the HTTP layer limits bodies before this. */
const MAX_PDF_BYTES = 50 * 1024 * 1024;
/** An e-Proof file is a few KB; this bounds what a compressed stream may inflate to. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Name-tree nodes visited at most (guards against reference cycles and absurd trees). */
const MAX_TREE_NODES = 10_000;

/** The text of the `eproof.json` attachment of a PDF. Throws INVALID_PDF when there is none. */
export async function extractEProofJson(pdfBytes: Uint8Array): Promise<string> {
  try {
    return await extract(pdfBytes);
  } catch (error) {
    if (error instanceof EProofError) throw error;
    throw invalid("the PDF is damaged or not a PDF; no e-Proof file could be read from it", error);
  }
}

async function extract(pdfBytes: Uint8Array): Promise<string> {
  if (!(pdfBytes instanceof Uint8Array) || pdfBytes.length === 0) throw invalid("the PDF is empty");
  if (pdfBytes.length > MAX_PDF_BYTES) throw invalid(`the PDF is larger than ${MAX_PDF_BYTES / 1024 / 1024} MiB`);
  const head = Buffer.from(pdfBytes.subarray(0, 1024)).toString("latin1");
  if (!head.includes("%PDF-")) throw invalid("this is not a PDF (no %PDF- header)");

  const doc = await PDFDocument.load(pdfBytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
  const names = resolve(doc, doc.catalog.get(PDFName.of("Names")));
  const tree = names instanceof PDFDict ? resolve(doc, names.get(PDFName.of("EmbeddedFiles"))) : undefined;
  if (!(tree instanceof PDFDict)) throw invalid(`the PDF has no attached files; expected ${EPROOF_ATTACHMENT_NAME}`);

  const fileSpec = findInNameTree(doc, tree);
  if (fileSpec === undefined) throw invalid(`the PDF has no ${EPROOF_ATTACHMENT_NAME} attachment`);
  const embedded = resolve(doc, fileSpec.get(PDFName.of("EF")));
  if (!(embedded instanceof PDFDict)) throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment has no file stream`);
  const stream = resolve(doc, embedded.get(PDFName.of("UF")) ?? embedded.get(PDFName.of("F")));
  if (!(stream instanceof PDFRawStream)) throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment has no file stream`);

  const bytes = decodeStream(doc, stream);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment is not UTF-8 text`, error);
  }
}

/** The file specification of eproof.json: by its key in the name tree, else by its file name. */
function findInNameTree(doc: PDFDocument, root: PDFDict): PDFDict | undefined {
  const queue: PDFDict[] = [root];
  const seen = new Set<PDFDict>();
  let byFileName: PDFDict | undefined;
  while (queue.length > 0) {
    const node = queue.shift() as PDFDict;
    if (seen.has(node)) continue;
    seen.add(node);
    if (seen.size > MAX_TREE_NODES) throw invalid("the PDF's attachment list is too large or loops");
    const entries = resolve(doc, node.get(PDFName.of("Names")));
    if (entries instanceof PDFArray) {
      for (let i = 0; i + 1 < entries.size(); i += 2) {
        const spec = resolve(doc, entries.get(i + 1));
        if (!(spec instanceof PDFDict)) continue;
        if (text(resolve(doc, entries.get(i))) === EPROOF_ATTACHMENT_NAME) return spec;
        const fileName = text(resolve(doc, spec.get(PDFName.of("UF")))) ?? text(resolve(doc, spec.get(PDFName.of("F"))));
        if (fileName === EPROOF_ATTACHMENT_NAME) byFileName ??= spec;
      }
    }
    const kids = resolve(doc, node.get(PDFName.of("Kids")));
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = resolve(doc, kids.get(i));
        if (kid instanceof PDFDict) queue.push(kid);
      }
    }
  }
  return byFileName;
}

function decodeStream(doc: PDFDocument, stream: PDFRawStream): Uint8Array {
  const filter = resolve(doc, stream.dict.get(PDFName.of("Filter")));
  const filters: PDFObject[] = filter instanceof PDFArray ? filter.asArray().map((each) => resolve(doc, each) ?? each) : filter === undefined ? [] : [filter];
  const names = filters.map((each) => (each instanceof PDFName ? each.decodeText() : "?"));
  if (names.length === 0) {
    if (stream.contents.length > MAX_JSON_BYTES) throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment is too large`);
    return stream.contents;
  }
  if (names.length === 1 && names[0] === "FlateDecode" && resolve(doc, stream.dict.get(PDFName.of("DecodeParms"))) === undefined) {
    try {
      return new Uint8Array(inflateSync(stream.contents, { maxOutputLength: MAX_JSON_BYTES }));
    } catch (error) {
      throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment is damaged or too large`, error);
    }
  }
  throw invalid(`the ${EPROOF_ATTACHMENT_NAME} attachment uses an unsupported encoding (${names.join(", ")})`);
}

function resolve(doc: PDFDocument, value: PDFObject | undefined): PDFObject | undefined {
  return value instanceof PDFRef ? doc.context.lookup(value) : value;
}

function text(value: PDFObject | undefined): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

function invalid(message: string, cause?: unknown): EProofError {
  return new EProofError("INVALID_PDF", message, cause === undefined ? undefined : { cause });
}
