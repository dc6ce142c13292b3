/**
 * The public's side, in a real browser: the verify page at a phone viewport, opened from each
 * verdict's QR link in English and Traditional Chinese, fed a PDF and a redacted JSON copy through
 * its file picker, and reading a QR from a (fake) camera with its in-page decoder. Screenshots go
 * to test-output/browser/. Without Chromium it fails under CI=true and skips, saying why, elsewhere
 * (test/tool-required.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeQrFragment, encodeQrFragment } from "../../services/domain/qr-payload.ts";
import { api, downloadEProof, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "../e2e/test-service.ts";
import { toolAvailable } from "../tool-required.ts";

// pngjs ships no types; this is the one call we use.
const { PNG } = createRequire(import.meta.url)("pngjs") as { PNG: { sync: { read(png: Buffer): { width: number; height: number; data: Buffer } } } };

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"].find((path) => existsSync(path));
const HAS_CHROMIUM = toolAvailable(
  "Chromium",
  CHROMIUM !== undefined,
  "no Chromium at /usr/bin/chromium (run `node scripts/ensure-browser.mjs` as root to install it)",
);

const OUT = join(process.cwd(), "test-output", "browser");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const LANGS = { en: "en-GB", "zh-HK": "zh-HK" } as const;
type Lang = keyof typeof LANGS;

/** The verdict's words, as a reader sees them: written here, not read from the catalogues under test. */
const EXPECTED: Record<string, Record<Lang, { title: string; detail: RegExp }>> = {
  VALID: { en: { title: "Valid", detail: /genuine/ }, "zh-HK": { title: "有效", detail: /真確/ } },
  TAMPERED: { en: { title: "Not genuine", detail: /altered/ }, "zh-HK": { title: "並非真確", detail: /改動/ } },
  REVOKED: {
    // The ledger holds no reason, and DEMO publishes none: the page says when, never why.
    en: { title: "Revoked", detail: /^Revoked on \d{1,2} \w+ 20\d\d\. It is no longer in force\.$/ },
    "zh-HK": { title: "已撤銷", detail: /^已於 20\d\d年\d{1,2}月\d{1,2}日 撤銷。文件不再有效。$/ },
  },
  SUSPENDED: {
    en: { title: "Suspended", detail: /^Suspended on .+\. It is not in force while suspended\.$/ },
    "zh-HK": { title: "已暫停", detail: /^已於 .+ 暫停。暫停期間文件無效。$/ },
  },
  SUPERSEDED: { en: { title: "Replaced", detail: /Replaced by a newer document/ }, "zh-HK": { title: "已被取代", detail: /較新的文件取代/ } },
  EXPIRED: { en: { title: "Expired", detail: /validity ended on 31 December 2020/ }, "zh-HK": { title: "已過期", detail: /2020年12月31日/ } },
  NOT_YET_VALID: { en: { title: "Not yet valid", detail: /valid only from 1 January 2099/ }, "zh-HK": { title: "尚未生效", detail: /2099年1月1日/ } },
  UNKNOWN_ISSUER: { en: { title: "Issuer not recognised", detail: /not registered/ }, "zh-HK": { title: "簽發者不獲承認", detail: /未登記/ } },
  PENDING: {
    en: { title: "Not yet recorded", detail: /not yet recorded on the ledger — try again in a minute/ },
    "zh-HK": { title: "尚未記錄", detail: /請一分鐘後再試/ },
  },
  UNAVAILABLE: {
    en: { title: "Cannot check now", detail: /this does not mean the document is invalid/ },
    "zh-HK": { title: "暫時無法核實", detail: /並不表示文件無效/ },
  },
};

/** A short Y4M video (I420) of the QR image on a white frame, for Chromium's fake camera. */
function qrVideo(png: Buffer, path: string): void {
  const image = PNG.sync.read(png);
  const width = 640;
  const height = 480;
  // The QR drawn 440 px square (nearest-neighbour, whatever the PNG's size) on a white frame.
  const size = 440;
  const left = (width - size) / 2;
  const top = (height - size) / 2;
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (Math.floor((y * image.height) / size) * image.width + Math.floor((x * image.width) / size)) * 4;
      const alpha = (image.data[i + 3] as number) / 255;
      const grey = 0.299 * (image.data[i] as number) + 0.587 * (image.data[i + 1] as number) + 0.114 * (image.data[i + 2] as number);
      luma[(top + y) * width + left + x] = Math.round(16 + (219 * (grey * alpha + 255 * (1 - alpha))) / 255);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frames: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < 5; f++) frames.push(Buffer.from("FRAME\n"), luma, chroma);
  writeFileSync(path, Buffer.concat(frames));
}

describe.skipIf(!HAS_CHROMIUM)("the verify page in a phone browser", () => {
  let service: TestService;
  let unavailable: TestService | null = null;
  let browser: Browser;
  let workDir: string;
  const links: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const contexts: Partial<Record<Lang, BrowserContext>> = {};

  async function issue(name: string, data: Record<string, unknown> = {}): Promise<string> {
    const request = { type: TYPICAL_LICENCE.type, data: { ...TYPICAL_LICENCE.data, documentNumber: `FFL-2026-${name.toUpperCase()}`, ...data } };
    const { status, body } = await api(service, "POST", "/api/v1/documents", request);
    expect(status).toBe(202);
    links[name] = body.verifyUrl;
    ids[name] = body.id;
    return body.id;
  }

  async function context(lang: Lang): Promise<BrowserContext> {
    contexts[lang] ??= await browser.newContext({ ...PHONE, locale: LANGS[lang] });
    return contexts[lang];
  }

  /** Opens a page, records every request and every CSP complaint, so each test can check them. */
  async function open(lang: Lang, url: string): Promise<{ page: Page; requests: string[]; cspErrors: string[] }> {
    const page = await (await context(lang)).newPage();
    const requests: string[] = [];
    const cspErrors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(url);
    return { page, requests, cspErrors };
  }

  async function verdictOf(page: Page, verdict: string): Promise<{ title: string; detail: string }> {
    await page.locator(`#verdict[data-verdict="${verdict}"]`).waitFor({ timeout: 20_000 });
    return { title: (await page.locator("#verdict-title").textContent()) ?? "", detail: (await page.locator("#verdict-detail").textContent()) ?? "" };
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    workDir = mkdtempSync(join(tmpdir(), "eproof-browser-"));
    service = await startTestService();
    for (const name of ["valid", "revoked", "suspended", "superseded"]) await issue(name);
    await issue("expired", { validFrom: "2020-01-01", validUntil: "2020-12-31" });
    await issue("not_yet_valid", { validFrom: "2099-01-01", validUntil: "2099-12-31" });
    for (const id of Object.values(ids)) await waitUntilAnchored(service, id);
    expect((await api(service, "POST", `/api/v1/documents/${ids.revoked}/revoke`, { reason: "Failed inspection", reasonCode: 3 })).status).toBe(200);
    expect((await api(service, "POST", `/api/v1/documents/${ids.suspended}/suspend`, { reason: "Under review", reasonCode: 6 })).status).toBe(200);
    const replaced = await api(service, "POST", `/api/v1/documents/${ids.superseded}/supersede`, {
      data: { ...TYPICAL_LICENCE.data, documentNumber: "FFL-2026-SUPERSEDED-2" },
      reason: "renewed",
    });
    expect(replaced.status).toBe(201);
    ids.successor = replaced.body.successor;
    await waitUntilAnchored(service, ids.successor as string);
    // TAMPERED: the valid QR with one byte of its signature flipped.
    const parts = decodeQrFragment(links.valid as string);
    const signature = Uint8Array.from(parts.signature);
    signature[5] = (signature[5] as number) ^ 0x01;
    links.tampered = `${(links.valid as string).split("#")[0]}#${encodeQrFragment({ ...parts, signature })}`;
    // UNKNOWN_ISSUER: the valid QR naming a signing key the department never registered.
    links.unknown_issuer = `${(links.valid as string).split("#")[0]}#${encodeQrFragment({ ...parts, keyNumber: 9 })}`;
    // PENDING: accepted while the anchoring worker is paused.
    await service.worker?.stop();
    await issue("pending");

    const qr = await api(service, "GET", `/api/v1/documents/${ids.valid}/qr.png`);
    expect(qr.status).toBe(200);
    const video = join(workDir, "qr.y4m");
    qrVideo(qr.body as Buffer, video);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await unavailable?.stop();
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const verdict of ["VALID", "TAMPERED", "REVOKED", "SUSPENDED", "SUPERSEDED", "EXPIRED", "NOT_YET_VALID", "UNKNOWN_ISSUER", "PENDING"]) {
    for (const lang of ["en", "zh-HK"] as const) {
      it(`shows ${verdict} in ${lang} for the QR link, in the reader's language`, async () => {
        const { page, requests, cspErrors } = await open(lang, links[verdict.toLowerCase()] as string);
        const shown = await verdictOf(page, verdict);
        expect(shown.title).toBe(EXPECTED[verdict]?.[lang].title);
        expect(shown.detail).toMatch(EXPECTED[verdict]?.[lang].detail as RegExp);
        expect(await page.locator("html").getAttribute("lang")).toBe(lang);
        expect(await page.locator("#verdict").getAttribute("role")).toBe("status");
        if (verdict === "SUPERSEDED") expect(await page.locator("#successor").textContent()).toContain(ids.successor);
        if (verdict !== "TAMPERED" && verdict !== "UNKNOWN_ISSUER") {
          const facts = await page.locator("#facts").textContent();
          expect(facts).toContain(lang === "en" ? "Holder" : "持有人");
          expect(facts).toContain(lang === "en" ? "CHAN Tai Man (陳大文)" : "陳大文 (CHAN Tai Man)");
          expect(facts).toContain(lang === "en" ? "Demonstration Department (示範部門) · DEMO" : "示範部門 (Demonstration Department) · DEMO");
        }
        await page.screenshot({ path: join(OUT, `${verdict.toLowerCase()}-${lang}.png`), fullPage: true });
        // Nothing leaves for a third party, the CSP holds, and the 250 KB decoder is not fetched unasked.
        const origin = new URL(page.url()).origin;
        expect(requests.filter((url) => !url.startsWith(origin))).toEqual([]);
        expect(requests.some((url) => url.includes("jsQR"))).toBe(false);
        expect(cspErrors).toEqual([]);
        await page.close();
      });
    }
  }

  // The successor's public status, not its contents (those are personal: on the holder's new copy).
  const SUCCESSOR_VIEW: Record<Lang, { title: string; detail: (id: string) => string }> = {
    en: {
      title: "Document on the ledger",
      detail: (id) =>
        `Document ${id} (Licence) issued by Demonstration Department (示範部門): its status on the ledger is “in force”. Its contents are on the holder's new copy — ask the holder for it.`,
    },
    "zh-HK": {
      title: "分類帳上的文件",
      detail: (id) => `文件 ${id}（牌照）由示範部門 (Demonstration Department)簽發：在分類帳上的狀態為「有效」。文件內容載於持有人的新副本 — 請向持有人索取。`,
    },
  };
  for (const lang of ["en", "zh-HK"] as const) {
    it(`links a SUPERSEDED verdict to the successor's public status, shown in ${lang} without its contents`, async () => {
      const { page, cspErrors } = await open(lang, links.superseded as string);
      await verdictOf(page, "SUPERSEDED");
      const link = page.locator("#successor a");
      expect(await link.textContent()).toBe(ids.successor);
      expect(await link.getAttribute("href")).toBe(`/verify#status=${ids.successor}`);
      await link.click();
      await page.locator('#verdict[data-status="ACTIVE"]').waitFor({ timeout: 20_000 });
      expect(new URL(page.url()).hash).toBe(`#status=${ids.successor}`);
      expect(await page.locator("#verdict-title").textContent()).toBe(SUCCESSOR_VIEW[lang].title);
      expect(await page.locator("#verdict-detail").textContent()).toBe(SUCCESSOR_VIEW[lang].detail(ids.successor as string));
      expect(await page.locator("#successor").isHidden()).toBe(true);
      const facts = (await page.locator("#facts").textContent()) ?? "";
      expect(facts).toContain(lang === "en" ? "1 January 2026 to 31 December 2027" : "2026年1月1日 至 2027年12月31日");
      // The successor's holder and number are not on this view: they are on the holder's copy.
      for (const personal of ["CHAN Tai Man", "陳大文", "FFL-2026"]) expect(await page.locator("main").textContent()).not.toContain(personal);
      await page.screenshot({ path: join(OUT, `successor-status-${lang}.png`), fullPage: true });
      expect(cspErrors).toEqual([]);
      await page.close();
    });
  }

  it("says so when a status link names no document issued here, or is malformed", async () => {
    const { page } = await open("en", `${service.url}/verify#status=${"0".repeat(32)}`);
    await page.locator("#verdict.bad").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("No document with this id was issued here.");
    await page.close();
    const malformed = await open("en", `${service.url}/verify#status=not%2Dan%ZZid`);
    await malformed.page.locator("#verdict.bad").waitFor();
    expect(await malformed.page.locator("#verdict-title").textContent()).toMatch(/^This link does not name a document/);
    await malformed.page.close();
  });

  it("shows the checks in plain words and the on-chain evidence behind a details toggle", async () => {
    const { page } = await open("en", links.valid as string);
    await verdictOf(page, "VALID");
    const checks = page.locator("#checks li");
    expect(await checks.count()).toBe(6);
    expect(await checks.first().textContent()).toBe("Content: Passed — The content is exactly what the issuer signed.");
    const txHash = page.locator("#evidence dd").nth(2);
    expect(await txHash.isVisible()).toBe(false);
    await page.locator("#details summary").click();
    expect(await txHash.isVisible()).toBe(true);
    expect(await txHash.textContent()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await page.locator("#facts").textContent()).toContain("FFL-2026-VALID");
    await page.screenshot({ path: join(OUT, "valid-details-en.png"), fullPage: true });
    await page.close();
  });

  it("says clearly, in the reader's language, when the QR link is not an e-Proof code (no verdict shown)", async () => {
    for (const lang of ["en", "zh-HK"] as const) {
      const { page } = await open(lang, `${service.url}/verify#NOT-A-CODE`);
      await page.locator("#verdict.bad").waitFor();
      expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("");
      expect(await page.locator("#verdict-title").textContent()).toMatch(lang === "en" ? /^This cannot be checked: .+/ : /^無法核實：.+/);
      expect(await page.locator("#facts-box").isHidden()).toBe(true);
      await page.close();
    }
  });

  it("switches language with the keyboard and remembers the choice", async () => {
    const { page } = await open("en", links.revoked as string);
    await verdictOf(page, "REVOKED");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("lang");
    await page.keyboard.press("Enter");
    await page.locator("html[lang='zh-HK']").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("已撤銷");
    await page.reload();
    expect((await verdictOf(page, "REVOKED")).title).toBe("已撤銷");
    await page.locator("#lang").click();
    await page.locator("html[lang='en']").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("Revoked");
    await page.close();
  });

  it("verifies the PDF and a redacted JSON copy chosen in the file picker, listing the withheld fields", async () => {
    const pdf = await api(service, "GET", `/api/v1/documents/${ids.valid}/pdf`);
    const pdfPath = join(workDir, "licence.pdf");
    writeFileSync(pdfPath, pdf.body as Buffer);
    const document = await downloadEProof(service, ids.valid as string);
    const copy = await api(service, "POST", "/api/v1/redact", { document, hide: ["premises", "conditions"] });
    expect(copy.status).toBe(200);
    const copyPath = join(workDir, "licence-redacted.json");
    writeFileSync(copyPath, JSON.stringify(copy.body));

    const { page } = await open("en", `${service.url}/verify`);
    await page.locator("#verdict-title", { hasText: "Scan a document's QR code" }).waitFor();
    await page.setInputFiles("#file", pdfPath);
    expect((await verdictOf(page, "VALID")).title).toBe("Valid");
    expect(await page.locator("#withheld-box").isVisible()).toBe(false);

    await page.setInputFiles("#file", copyPath);
    await page.locator("#withheld-box").waitFor();
    expect((await verdictOf(page, "VALID")).title).toBe("Valid");
    expect((await page.locator("#withheld li").allTextContents()).sort()).toEqual(["conditions", "premises"]);
    await page.screenshot({ path: join(OUT, "redacted-copy-en.png"), fullPage: true });
    await page.close();

    const zh = await open("zh-HK", `${service.url}/verify`);
    await zh.page.setInputFiles("#file", copyPath);
    await zh.page.locator("#withheld-box").waitFor();
    expect((await zh.page.locator("#withheld li").allTextContents()).sort()).toEqual(["處所", "條件"].sort());
    await zh.page.close();
  });

  it("reads the QR from the camera with the in-page decoder (jsQR, loaded only then) and shows VALID", async () => {
    const { page, requests } = await open("en", `${service.url}/verify`);
    await page.locator("#verdict-title", { hasText: "Scan a document's QR code" }).waitFor();
    expect(await page.evaluate(() => "BarcodeDetector" in window)).toBe(false);
    await page.locator("#scan").click();
    expect((await verdictOf(page, "VALID")).title).toBe("Valid");
    expect(requests.some((url) => url.endsWith("/assets/vendor/jsQR.js"))).toBe(true);
    expect(await page.locator("#camera").isHidden()).toBe(true);
    await page.screenshot({ path: join(OUT, "scanned-en.png"), fullPage: true });
    await page.close();
  });

  it("measures the page's transfer size (html + js + css + one catalogue)", async () => {
    let total = 0;
    for (const path of ["/verify", "/assets/verify.js", "/assets/verify.css", "/assets/i18n/en.json"]) {
      const response = await fetch(`${service.url}${path}`, { headers: { "accept-encoding": "gzip" } });
      expect(response.status).toBe(200);
      const raw = (await response.arrayBuffer()).byteLength;
      const wire = Number(response.headers.get("content-length") ?? raw);
      total += wire;
    }
    console.info(`verify page transfer: ${total} bytes (${(total / 1024).toFixed(1)} KiB) for html + js + css + catalogue`);
    expect(total).toBeLessThan(40_000);
  });

  // Last: it stops the chain. The same data behind a service whose ledger cannot be reached.
  for (const lang of ["en", "zh-HK"] as const) {
    it(`shows UNAVAILABLE in ${lang} when the ledger cannot be reached, never an invalid verdict`, async () => {
      if (!unavailable) {
        const dataDir = service.dataDir;
        const deadRpc = service.rpcUrl;
        const { registry } = service.trust;
        const issuerRegistry = service.issuerRegistry;
        // The browser's open keep-alive connections would hold up the server's close: close them first.
        for (const lang of Object.keys(contexts) as Lang[]) {
          await contexts[lang]?.close();
          delete contexts[lang];
        }
        await service.stop();
        unavailable = await startTestService({
          dataDir,
          env: {
            EPROOF_RPC_URL: deadRpc,
            EPROOF_DOCUMENT_REGISTRY: registry,
            EPROOF_ISSUER_REGISTRY: issuerRegistry,
          },
        });
      }
      const fragment = (links.valid as string).split("#")[1];
      const { page } = await open(lang, `${unavailable.url}/verify#${fragment}`);
      const shown = await verdictOf(page, "UNAVAILABLE");
      expect(shown.title).toBe(EXPECTED.UNAVAILABLE?.[lang].title);
      expect(shown.detail).toMatch(EXPECTED.UNAVAILABLE?.[lang].detail as RegExp);
      await page.screenshot({ path: join(OUT, `unavailable-${lang}.png`), fullPage: true });
      await page.close();
    });
  }
});
