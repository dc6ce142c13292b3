/**
 * Fonts for the document PDF: Noto Sans HK (Regular and Bold, TrueType outlines), which covers Latin
 * and Traditional Chinese including Hong Kong characters. It comes from the npm package
 * `@expo-google-fonts/noto-sans-hk` (OFL-1.1), so nothing is fetched at run time, and it is embedded
 * as a subset: only the glyphs a document uses (about 10-30 KB instead of 7 MB).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import fontkit from "@pdf-lib/fontkit";
import type { PDFDocument } from "pdf-lib";

type Fontkit = Parameters<PDFDocument["registerFontkit"]>[0];

const require = createRequire(import.meta.url);

const FONT_FILES = {
  regular: "@expo-google-fonts/noto-sans-hk/400Regular/NotoSansHK_400Regular.ttf",
  bold: "@expo-google-fonts/noto-sans-hk/700Bold/NotoSansHK_700Bold.ttf",
} as const;

export interface PdfFontBytes {
  regular: Uint8Array;
  bold: Uint8Array;
}

let loading: Promise<PdfFontBytes> | undefined;

/** The font files, read once on first use (about 14 MB kept in memory after that). */
export function loadPdfFonts(): Promise<PdfFontBytes> {
  loading ??= Promise.all([readFile(require.resolve(FONT_FILES.regular)), readFile(require.resolve(FONT_FILES.bold))])
    .then(([regular, bold]) => ({ regular: new Uint8Array(regular), bold: new Uint8Array(bold) }))
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/** The parts of a fontkit font and subset that {@link subsettingFontkit} touches. */
interface FontkitFont {
  createSubset(): FontkitSubset;
}
interface FontkitSubset {
  loca: { version?: number };
  _addGlyph(glyphId: number): number;
}

const parsedFonts = new WeakMap<Uint8Array, FontkitFont>();

/**
 * `@pdf-lib/fontkit` with two changes, for pdf-lib's `registerFontkit`:
 * - Subsets always use long (32-bit) `loca` offsets. fontkit picks short offsets for small subsets
 *   but halves odd glyph offsets, which corrupts most glyphs of fonts whose glyph records have odd
 *   lengths, as Noto Sans HK's do (poppler and pdf.js then draw blanks).
 * - A parsed font is reused for the same bytes: parsing a 7 MB CJK font costs tens of milliseconds
 *   per PDF otherwise. The parsed font is only read from; each PDF gets its own subset.
 */
export const subsettingFontkit: Fontkit = {
  create(bytes: Uint8Array, postscriptName?: string) {
    const cacheable = postscriptName === undefined;
    const cached = cacheable ? parsedFonts.get(bytes) : undefined;
    if (cached !== undefined) return cached as unknown as ReturnType<Fontkit["create"]>;
    const font = fontkit.create(bytes, postscriptName) as unknown as FontkitFont;
    const createSubset = font.createSubset.bind(font);
    font.createSubset = () => {
      const subset = createSubset();
      const addGlyph = subset._addGlyph;
      subset._addGlyph = function (this: FontkitSubset, glyphId: number): number {
        // encode() resets loca before adding glyphs; a set version makes its preEncode keep it.
        if (this.loca.version === undefined) this.loca.version = 1;
        return addGlyph.call(this, glyphId);
      };
      return subset;
    };
    if (cacheable) parsedFonts.set(bytes, font);
    return font as unknown as ReturnType<Fontkit["create"]>;
  },
};
