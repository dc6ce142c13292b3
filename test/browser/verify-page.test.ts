/**
 * The public's side, in a real browser: the verify page on a phone (390 px) and on the narrowest
 * screen WCAG's Reflow criterion names (320 px), opened from each verdict's QR link in English,
 * Traditional and Simplified Chinese, fed a PDF, a redacted and an altered JSON copy through its
 * file button, and reading a QR from a (fake) camera with its in-page decoder. axe-core runs on
 * every verdict in every language at both widths: no serious or critical violation, no sideways
 * scroll. Screenshots (and axe's findings, axe-summary.json) go to test-output/browser/. Without
 * Chromium it fails under CI=true and skips, saying why, elsewhere (test/tool-required.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
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
const PHONE = { isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const HEIGHTS = { 390: 844, 320: 640 } as const;
type Width = keyof typeof HEIGHTS;
const WIDTHS = [390, 320] as const;
const LANGS = { en: "en-GB", "zh-HK": "zh-HK", "zh-CN": "zh-CN" } as const;
type Lang = keyof typeof LANGS;
const ALL_LANGS = Object.keys(LANGS) as Lang[];
type Words = Record<Lang, string>;

/** The verdict's words, as a reader sees them: written here, not read from the catalogues under test. */
const EXPECTED: Record<string, Record<Lang, { title: string; detail: RegExp }>> = {
  VALID: { en: { title: "Valid", detail: /genuine/ }, "zh-HK": { title: "有效", detail: /真確/ }, "zh-CN": { title: "有效", detail: /真实/ } },
  TAMPERED: {
    en: { title: "Not genuine", detail: /altered/ },
    "zh-HK": { title: "並非真確", detail: /改動/ },
    "zh-CN": { title: "并非真实", detail: /改动/ },
  },
  REVOKED: {
    // The ledger holds no reason, and DEMO publishes none: the page says when, never why.
    en: { title: "Revoked", detail: /^Revoked on \d{1,2} \w+ 20\d\d\. It is no longer in force\.$/ },
    "zh-HK": { title: "已撤銷", detail: /^已於 20\d\d年\d{1,2}月\d{1,2}日 撤銷。文件不再有效。$/ },
    "zh-CN": { title: "已撤销", detail: /^已于 20\d\d年\d{1,2}月\d{1,2}日 撤销。文件不再有效。$/ },
  },
  SUSPENDED: {
    en: { title: "Suspended", detail: /^Suspended on .+\. It is not in force while suspended\.$/ },
    "zh-HK": { title: "已暫停", detail: /^已於 .+ 暫停。暫停期間文件無效。$/ },
    "zh-CN": { title: "已暂停", detail: /^已于 .+ 暂停。暂停期间文件无效。$/ },
  },
  SUPERSEDED: {
    en: { title: "Replaced", detail: /Replaced by a newer document/ },
    "zh-HK": { title: "已被取代", detail: /較新的文件取代/ },
    "zh-CN": { title: "已被取代", detail: /较新的文件取代/ },
  },
  EXPIRED: {
    en: { title: "Expired", detail: /validity ended on 31 December 2020/ },
    "zh-HK": { title: "已過期", detail: /2020年12月31日/ },
    "zh-CN": { title: "已过期", detail: /2020年12月31日/ },
  },
  NOT_YET_VALID: {
    en: { title: "Not yet valid", detail: /valid only from 1 January 2099/ },
    "zh-HK": { title: "尚未生效", detail: /2099年1月1日/ },
    "zh-CN": { title: "尚未生效", detail: /2099年1月1日/ },
  },
  UNKNOWN_ISSUER: {
    en: { title: "Issuer not recognised", detail: /not registered/ },
    "zh-HK": { title: "簽發者不獲承認", detail: /未登記/ },
    "zh-CN": { title: "签发者不获承认", detail: /未登记/ },
  },
  NOT_ANCHORED: {
    en: { title: "Not on the ledger", detail: /not recorded on the government ledger/ },
    "zh-HK": { title: "未記錄於分類帳", detail: /未記錄於政府分類帳/ },
    "zh-CN": { title: "未记录于分类账", detail: /未记录于政府分类账/ },
  },
  PENDING: {
    en: { title: "Not yet recorded", detail: /not yet recorded on the ledger — try again in a minute/ },
    "zh-HK": { title: "尚未記錄", detail: /請一分鐘後再試/ },
    "zh-CN": { title: "尚未记录", detail: /请一分钟后再试/ },
  },
  UNAVAILABLE: {
    en: { title: "Cannot check now", detail: /this does not mean the document is invalid/ },
    "zh-HK": { title: "暫時無法核實", detail: /並不表示文件無效/ },
    "zh-CN": { title: "暂时无法核实", detail: /并不表示文件无效/ },
  },
};
/** Verdicts whose key facts are confirmed; the others show them set apart, as claims. */
const CONFIRMED = ["VALID", "REVOKED", "SUSPENDED", "SUPERSEDED", "EXPIRED", "NOT_YET_VALID"];
const HOLDER: Words = { en: "CHAN Tai Man (陳大文)", "zh-HK": "陳大文 (CHAN Tai Man)", "zh-CN": "陳大文 (CHAN Tai Man)" };
const DEPARTMENT: Words = {
  en: "Demonstration Department (示範部門) · DEMO",
  "zh-HK": "示範部門 (Demonstration Department) · DEMO",
  "zh-CN": "示範部門 (Demonstration Department) · DEMO",
};
const HOLDER_LABEL: Words = { en: "Holder", "zh-HK": "持有人", "zh-CN": "持有人" };
const CLAIMED_HEADING: Words = { en: "What the document claims — not confirmed", "zh-HK": "文件聲稱的資料 — 未經確認", "zh-CN": "文件声称的资料 — 未经确认" };
const SERVICE_NAME: Words = { en: "e-Proof document verification", "zh-HK": "e-Proof 文件核實", "zh-CN": "e-Proof 文件核实" };
const CANNOT_CHECK: Words = { en: "This cannot be checked", "zh-HK": "無法核實", "zh-CN": "无法核实" };

/** The document's own text, as issued (it stays English beside the Chinese): everything else on a Chinese page is Chinese. */
const DOCUMENT_TEXT = [
  "CHAN Tai Man",
  "Demonstration Department",
  "Food Factory Licence",
  (TYPICAL_LICENCE.data.premises as { en: string }).en,
  ...(TYPICAL_LICENCE.data.conditions as string[]),
];
/** Runs of English words on a page once the document's own text is taken out ("e-Proof", codes and hashes are single tokens). */
function englishWords(text: string): string[] {
  let rest = text;
  for (const own of DOCUMENT_TEXT) rest = rest.split(own).join(" ");
  return rest.match(/[A-Za-z]{2,}[ ,.;:!?'’]+[A-Za-z]{2,}/g) ?? [];
}

/** Everything the page says (hidden parts too), but the <noscript> text a browser running the script never shows. */
function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    for (const quiet of Array.from(body.querySelectorAll("noscript"))) quiet.remove();
    return body.textContent ?? "";
  });
}

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
  const contexts = new Map<string, BrowserContext>();
  const axeFindings: Array<{ view: string; rule: string; impact: string; nodes: number }> = [];
  let axeRuns = 0;

  async function issue(name: string, data: Record<string, unknown> = {}): Promise<string> {
    const request = { type: TYPICAL_LICENCE.type, data: { ...TYPICAL_LICENCE.data, documentNumber: `FFL-2026-${name.toUpperCase()}`, ...data } };
    const { status, body } = await api(service, "POST", "/api/v1/documents", request);
    expect(status).toBe(202);
    links[name] = body.verifyUrl;
    ids[name] = body.id;
    return body.id;
  }

  async function context(lang: Lang, width: Width = 390): Promise<BrowserContext> {
    const key = `${lang}@${width}`;
    let found = contexts.get(key);
    if (!found) {
      found = await browser.newContext({ ...PHONE, viewport: { width, height: HEIGHTS[width] }, locale: LANGS[lang] });
      contexts.set(key, found);
    }
    return found;
  }

  /** Opens a page, records every request and every CSP complaint, so each test can check them. */
  async function open(lang: Lang, url: string, width: Width = 390): Promise<{ page: Page; requests: string[]; cspErrors: string[] }> {
    const page = await (await context(lang, width)).newPage();
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

  /** axe-core on the page as shown: no serious or critical violation (every finding is kept for the summary). */
  async function axe(page: Page, view: string): Promise<void> {
    const results = await new AxeBuilder({ page }).analyze();
    axeRuns++;
    for (const v of results.violations) axeFindings.push({ view, rule: v.id, impact: v.impact ?? "", nodes: v.nodes.length });
    const grave = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(
      grave.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      `axe on ${view}`,
    ).toEqual([]);
  }

  /** WCAG 1.4.10 Reflow: nothing wider than the screen, so no sideways scroll. */
  async function noSidewaysScroll(page: Page, view: string): Promise<void> {
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll, `sideways scroll on ${view}`).toBeLessThanOrEqual(client);
  }

  /** At 320 px, with the technical details open (long hashes): reflow, axe and a screenshot. */
  async function narrowChecks(page: Page, name: string): Promise<void> {
    const summary = page.locator("#details summary");
    if (await summary.isVisible()) await summary.click();
    await noSidewaysScroll(page, `${name} at 320 px`);
    await axe(page, `${name} at 320 px`);
    await page.screenshot({ path: join(OUT, `${name}-320.png`), fullPage: true });
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    for (const file of readdirSync(OUT)) if (file.endsWith(".png")) rmSync(join(OUT, file));
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
    const byRule: Record<string, { impact: string; views: number }> = {};
    for (const f of axeFindings) byRule[f.rule] = { impact: f.impact, views: (byRule[f.rule]?.views ?? 0) + 1 };
    if (existsSync(OUT)) writeFileSync(join(OUT, "axe-summary.json"), `${JSON.stringify({ runs: axeRuns, byRule, findings: axeFindings }, null, 2)}\n`);
    console.info(`axe-core: ${axeRuns} runs; findings by rule: ${JSON.stringify(byRule)}`);
    await browser?.close();
    await unavailable?.stop();
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** A file-built document for the upload tests: the valid licence as downloaded, changed by `edit`. */
  async function eproofFile(name: string, edit: (document: any) => void = () => {}): Promise<string> {
    const document = await downloadEProof(service, ids.valid as string);
    edit(document);
    const path = join(workDir, name);
    writeFileSync(path, JSON.stringify(document));
    return path;
  }

  for (const verdict of ["VALID", "TAMPERED", "REVOKED", "SUSPENDED", "SUPERSEDED", "EXPIRED", "NOT_YET_VALID", "UNKNOWN_ISSUER", "PENDING"]) {
    for (const lang of ALL_LANGS) {
      it(`shows ${verdict} in ${lang} for the QR link, in the reader's words only, passing axe and reflow at 390 and 320 px`, async () => {
        const link = links[verdict.toLowerCase()] as string;
        const { page, requests, cspErrors } = await open(lang, link);
        const shown = await verdictOf(page, verdict);
        expect(shown.title).toBe(EXPECTED[verdict]?.[lang].title);
        expect(shown.detail).toMatch(EXPECTED[verdict]?.[lang].detail as RegExp);
        expect(await page.locator("html").getAttribute("lang")).toBe(lang);
        expect(await page.locator("#verdict").getAttribute("role")).toBe("status");
        expect(await page.locator(".brand").textContent()).toContain(SERVICE_NAME[lang]);
        if (verdict === "SUPERSEDED") expect(await page.locator("#successor").textContent()).toContain(ids.successor);
        if (verdict !== "TAMPERED" && verdict !== "UNKNOWN_ISSUER") {
          const facts = await page.locator("#facts").textContent();
          expect(facts).toContain(HOLDER_LABEL[lang]);
          expect(facts).toContain(HOLDER[lang]);
          expect(facts).toContain(DEPARTMENT[lang]);
          // Only a verdict that confirms them shows the facts as facts; PENDING shows them as claims.
          expect(await page.locator("#facts-h").textContent()).toBe(
            CONFIRMED.includes(verdict) ? (lang === "en" ? "Key facts" : lang === "zh-HK" ? "主要資料" : "主要资料") : CLAIMED_HEADING[lang],
          );
        }
        // The server's own (English) reasons never reach the page; a Chinese page holds no English but the document's.
        const answer = await (
          await fetch(`${service.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ qr: link }) })
        ).json();
        expect(answer.verdict).toBe(verdict);
        await page.locator("#details summary").click();
        const text = (await page.locator("body").textContent()) ?? "";
        for (const check of answer.checks) expect(text).not.toContain(check.reason);
        if (lang !== "en") expect(englishWords(await pageText(page))).toEqual([]);
        await page.locator("#details summary").click();
        await page.screenshot({ path: join(OUT, `${verdict.toLowerCase()}-${lang}.png`), fullPage: true });
        await noSidewaysScroll(page, `${verdict} ${lang} at 390 px`);
        await axe(page, `${verdict} ${lang} at 390 px`);
        // Nothing leaves for a third party, the CSP holds, and the 250 KB decoder is not fetched unasked.
        const origin = new URL(page.url()).origin;
        expect(requests.filter((url) => !url.startsWith(origin))).toEqual([]);
        expect(requests.some((url) => url.includes("jsQR"))).toBe(false);
        expect(cspErrors).toEqual([]);
        await page.close();

        const narrow = await open(lang, link, 320);
        await verdictOf(narrow.page, verdict);
        await narrowChecks(narrow.page, `${verdict.toLowerCase()}-${lang}`);
        await narrow.page.close();
      });
    }
  }

  for (const lang of ALL_LANGS) {
    it(`shows NOT_ANCHORED in ${lang} for a file naming a ledger this service does not trust, its facts set apart as claims`, async () => {
      // The anchor is not signed: a file pointing at another chain is simply not on ours.
      const foreign = await eproofFile("foreign-ledger.json", (document) => {
        document.anchor.chainId = 999;
      });
      for (const width of WIDTHS) {
        const { page } = await open(lang, `${service.url}/verify`, width);
        await page.setInputFiles("#file", foreign);
        const shown = await verdictOf(page, "NOT_ANCHORED");
        expect(shown.title).toBe(EXPECTED.NOT_ANCHORED?.[lang].title);
        expect(shown.detail).toMatch(EXPECTED.NOT_ANCHORED?.[lang].detail as RegExp);
        expect(await page.locator("#facts-h").textContent()).toBe(CLAIMED_HEADING[lang]);
        if (width === 320) await narrowChecks(page, `not_anchored-${lang}`);
        else {
          await noSidewaysScroll(page, `NOT_ANCHORED ${lang}`);
          await axe(page, `NOT_ANCHORED ${lang} at 390 px`);
          await page.screenshot({ path: join(OUT, `not_anchored-${lang}.png`), fullPage: true });
        }
        await page.close();
      }
    });
  }

  it("disowns the key facts of an altered file (TAMPERED) and never shows the holder's extra fields from it", async () => {
    const path = await eproofFile("altered.json", (document) => {
      document.data.premises.en = "Somewhere else entirely";
    });
    const { page } = await open("en", `${service.url}/verify`);
    await page.setInputFiles("#file", path);
    expect((await verdictOf(page, "TAMPERED")).title).toBe("Not genuine");
    expect(await page.locator("#facts-box").getAttribute("class")).toContain("claimed");
    expect(await page.locator("#facts-h").textContent()).toBe(CLAIMED_HEADING.en);
    expect(await page.locator("#facts-note").textContent()).toBe("This is what the altered document claims; it is not confirmed.");
    expect(await page.locator("#extra-box").isHidden()).toBe(true);
    expect(await page.locator("main").textContent()).not.toContain("Somewhere else entirely");
    expect(await page.locator("#checks li").first().textContent()).toBe("Content: Failed — The content was changed after the issuer signed it.");
    await page.screenshot({ path: join(OUT, "tampered-file-en.png"), fullPage: true });
    await axe(page, "TAMPERED file en at 390 px");
    await page.close();
    for (const lang of ["zh-HK", "zh-CN"] as const) {
      const zh = await open(lang, `${service.url}/verify`, 320);
      await zh.page.setInputFiles("#file", path);
      await verdictOf(zh.page, "TAMPERED");
      expect(await zh.page.locator("#facts-h").textContent()).toBe(CLAIMED_HEADING[lang]);
      expect(englishWords(await pageText(zh.page))).toEqual([]);
      await narrowChecks(zh.page, `tampered-file-${lang}`);
      await zh.page.close();
    }
  });

  it("shows every date as a Hong Kong date: a document issued at 20:15 UTC was issued the next day", async () => {
    const expected: Words = { en: "2 December 2026", "zh-HK": "2026年12月2日", "zh-CN": "2026年12月2日" };
    const wrong: Words = { en: "1 December 2026", "zh-HK": "2026年12月1日", "zh-CN": "2026年12月1日" };
    for (const lang of ALL_LANGS) {
      const { page } = await open(lang, `${service.url}/verify`);
      // The real answer for the valid document, as if issued (and anchored) at 20:15 UTC on 1 December.
      await page.route("**/api/v1/verify", async (route) => {
        const response = await route.fetch();
        const answer = await response.json();
        answer.document.header.issuedAt = "2026-12-01T20:15:00.000Z";
        answer.evidence.anchoredAt = "2026-12-01T20:15:30.000Z";
        await route.fulfill({ response, json: answer });
      });
      await page.evaluate((link) => {
        location.hash = new URL(link).hash;
      }, links.valid as string);
      await verdictOf(page, "VALID");
      const facts = (await page.locator("#facts").textContent()) ?? "";
      expect(facts).toContain(expected[lang]);
      expect(facts).not.toContain(wrong[lang]);
      const recorded = (await page.locator("#evidence").textContent()) ?? "";
      expect(recorded).toContain(expected[lang]);
      expect(recorded).toMatch(lang === "en" ? /04:15/ : /4:15/);
      expect(recorded).not.toContain("2026-12-01");
      await page.close();
    }
  });

  // The successor's public status, not its contents (those are personal: on the holder's new copy).
  const SUCCESSOR_VIEW: Record<Lang, { title: string; detail: (id: string) => string; period: string }> = {
    en: {
      title: "Document on the ledger",
      detail: (id) =>
        `Document ${id} (Licence) issued by Demonstration Department (示範部門): its status on the ledger is “in force”. Its contents are on the holder's new copy — ask the holder for it.`,
      period: "1 January 2026 to 31 December 2027",
    },
    "zh-HK": {
      title: "分類帳上的文件",
      detail: (id) => `文件 ${id}（牌照）由示範部門 (Demonstration Department)簽發：在分類帳上的狀態為「有效」。文件內容載於持有人的新副本 — 請向持有人索取。`,
      period: "2026年1月1日 至 2027年12月31日",
    },
    "zh-CN": {
      title: "分类账上的文件",
      detail: (id) => `文件 ${id}（牌照）由示範部門 (Demonstration Department)签发：在分类账上的状态为“有效”。文件内容载于持有人的新副本 — 请向持有人索取。`,
      period: "2026年1月1日 至 2027年12月31日",
    },
  };
  for (const lang of ALL_LANGS) {
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
      expect(facts).toContain(SUCCESSOR_VIEW[lang].period);
      // The successor's holder and number are not on this view: they are on the holder's copy.
      for (const personal of ["CHAN Tai Man", "陳大文", "FFL-2026"]) expect(await page.locator("main").textContent()).not.toContain(personal);
      await page.screenshot({ path: join(OUT, `successor-status-${lang}.png`), fullPage: true });
      await axe(page, `successor status ${lang} at 390 px`);
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
    // The technical list names each check by its codes, not by the server's English reason.
    expect(await page.locator("#reasons li").first().textContent()).toBe("integrity · VALID");
    expect(await page.locator("#facts").textContent()).toContain("FFL-2026-VALID");
    await page.screenshot({ path: join(OUT, "valid-details-en.png"), fullPage: true });
    await page.close();
  });

  const BAD_QR: Record<Lang, RegExp> = {
    en: /^This is not a complete e-Proof QR code/,
    "zh-HK": /^這不是完整的 e-Proof 二維碼/,
    "zh-CN": /^这不是完整的 e-Proof 二维码/,
  };
  for (const lang of ALL_LANGS) {
    it(`says in ${lang}'s own words, never the server's, when the QR link is not an e-Proof code (no verdict shown)`, async () => {
      for (const width of WIDTHS) {
        const { page } = await open(lang, `${service.url}/verify#NOT-A-CODE`, width);
        await page.locator("#verdict.bad").waitFor();
        expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("");
        expect(await page.locator("#verdict").getAttribute("data-error")).toBe("INVALID_QR");
        expect(await page.locator("#verdict-title").textContent()).toBe(CANNOT_CHECK[lang]);
        expect(await page.locator("#verdict-detail").textContent()).toMatch(BAD_QR[lang]);
        expect(await page.locator("main").textContent()).not.toMatch(/digits only|this text is not one/);
        if (lang !== "en") expect(englishWords(await pageText(page))).toEqual([]);
        expect(await page.locator("#facts-box").isHidden()).toBe(true);
        if (width === 320) await narrowChecks(page, `bad-qr-${lang}`);
        else await axe(page, `bad QR ${lang} at 390 px`);
        await page.close();
      }
    });
  }

  it("answers every refusal by its code: a rate limit says wait, a code this page does not know gets a translated generic sentence", async () => {
    const refusals: Array<{ code: string | null; status: number; tone: string; detail: Words }> = [
      {
        code: "RATE_LIMITED",
        status: 429,
        tone: "warn",
        detail: {
          en: "Too many checks from your network just now. Wait a minute and try again.",
          "zh-HK": "你的網絡剛才核實次數過多。請等候一分鐘後再試。",
          "zh-CN": "你的网络刚才核实次数过多。请等候一分钟后再试。",
        },
      },
      {
        code: "SOMETHING_NEW",
        status: 400,
        tone: "bad",
        detail: {
          en: "Something went wrong and the document could not be checked. Try again later.",
          "zh-HK": "出現問題，未能核實文件。請稍後再試。",
          "zh-CN": "出现问题，未能核实文件。请稍后再试。",
        },
      },
      // Not even a problem JSON (a proxy's HTML page): the generic sentence too.
      {
        code: null,
        status: 502,
        tone: "bad",
        detail: {
          en: "Something went wrong and the document could not be checked. Try again later.",
          "zh-HK": "出現問題，未能核實文件。請稍後再試。",
          "zh-CN": "出现问题，未能核实文件。请稍后再试。",
        },
      },
    ];
    for (const lang of ALL_LANGS) {
      for (const refusal of refusals) {
        const { page } = await open(lang, `${service.url}/verify`);
        await page.route("**/api/v1/verify", (route) =>
          refusal.code === null
            ? route.fulfill({ status: refusal.status, contentType: "text/html", body: "<h1>Bad gateway</h1>" })
            : route.fulfill({ status: refusal.status, json: { error: { code: refusal.code, message: "English words from the server", requestId: "r1" } } }),
        );
        await page.evaluate((link) => {
          location.hash = new URL(link).hash;
        }, links.valid as string);
        await page.locator(`#verdict.${refusal.tone}`).waitFor();
        expect(await page.locator("#verdict-title").textContent()).toBe(CANNOT_CHECK[lang]);
        expect(await page.locator("#verdict-detail").textContent()).toBe(refusal.detail[lang]);
        expect(await page.locator("main").textContent()).not.toContain("English words from the server");
        await page.close();
      }
    }
  });

  for (const lang of ALL_LANGS) {
    it(`greets a visitor in ${lang} with what to do (scan or choose a file), one true privacy sentence and a styled file button`, async () => {
      const idle: Words = {
        en: "Ready to check a document",
        "zh-HK": "可以開始核實文件",
        "zh-CN": "可以开始核实文件",
      };
      const privacy: Record<Lang, RegExp> = {
        en: /after “#”.*to this service's verification API to check it, and never to any other site, and it is not logged\.$/,
        "zh-HK": /「#」之後.*本服務的核實介面以作核實，絕不會傳送至其他網站，亦不會被記錄。$/,
        "zh-CN": /“#”之后.*本服务的核实接口以作核实，绝不会发送至其他网站，也不会被记录。$/,
      };
      for (const width of WIDTHS) {
        const { page } = await open(lang, `${service.url}/verify`, width);
        await page.locator("#verdict.idle").waitFor();
        expect(await page.locator("#verdict-title").textContent()).toBe(idle[lang]);
        expect(await page.locator("#verdict-detail").textContent()).toMatch(/QR|二維碼|二维码/);
        expect(await page.locator("#privacy").textContent()).toMatch(privacy[lang]);
        // One privacy sentence: no other text makes a claim about where the content goes.
        expect(await page.locator("main").textContent()).not.toMatch(/stays in your browser|只留在你的瀏覽器|不會被儲存|never stored/);
        // The file input is visually hidden; its label is the button, at least 44 px high and no wider than the screen.
        const label = await page.locator("label[for=file]").boundingBox();
        expect(label?.height).toBeGreaterThanOrEqual(44);
        expect((label?.x ?? 0) + (label?.width ?? 0)).toBeLessThanOrEqual(width);
        expect((await page.locator("#file").boundingBox())?.width).toBeLessThanOrEqual(1);
        expect(await page.locator("img.logo").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
        expect(await page.locator(".brand").textContent()).toContain(SERVICE_NAME[lang]);
        if (width === 320) await narrowChecks(page, `idle-${lang}`);
        else {
          await noSidewaysScroll(page, `idle ${lang}`);
          await axe(page, `idle ${lang} at 390 px`);
          await page.screenshot({ path: join(OUT, `idle-${lang}.png`), fullPage: true });
        }
        await page.close();
      }
    });
  }

  it("reaches the file button with the keyboard, showing a focus ring on it", async () => {
    const { page } = await open("en", `${service.url}/verify`);
    await page.locator("#verdict.idle").waitFor();
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== "file"; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("file");
    expect(await page.locator("label[for=file]").evaluate((label) => getComputedStyle(label).outlineStyle)).toBe("solid");
    await page.close();
  });

  it("switches among English, 繁體 and 简体 with the keyboard, remembers the choice, and follows the browser's languages first", async () => {
    const own = await browser.newContext({ ...PHONE, viewport: { width: 390, height: 844 }, locale: "en-GB" });
    const page = await own.newPage();
    await page.goto(links.revoked as string);
    await verdictOf(page, "REVOKED");
    expect(await page.locator("[data-lang=en]").getAttribute("aria-pressed")).toBe("true");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-lang"))).toBe("en");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator("html[lang='zh-HK']").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("已撤銷");
    expect(await page.locator("[data-lang=zh-HK]").getAttribute("aria-pressed")).toBe("true");
    await page.reload();
    expect((await verdictOf(page, "REVOKED")).title).toBe("已撤銷");
    await page.locator("[data-lang=zh-CN]").click();
    await page.locator("html[lang='zh-CN']").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("已撤销");
    await page.reload();
    expect((await verdictOf(page, "REVOKED")).title).toBe("已撤销");
    await page.locator("[data-lang=en]").click();
    await page.locator("html[lang='en']").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("Revoked");
    await own.close();

    for (const [locale, expected] of [
      ["zh-CN", "zh-CN"],
      ["zh-SG", "zh-CN"],
      ["zh-TW", "zh-HK"],
      ["zh-HK", "zh-HK"],
      ["fr-FR", "en"],
    ] as const) {
      const fresh = await browser.newContext({ locale });
      const p = await fresh.newPage();
      await p.goto(`${service.url}/verify`);
      await p.locator(`html[lang='${expected}']`).waitFor();
      await fresh.close();
    }
  });

  it("verifies the PDF chosen with the file button and shows the premises and conditions from the holder's file, labelled as such", async () => {
    const pdf = await api(service, "GET", `/api/v1/documents/${ids.valid}/pdf`);
    expect(pdf.status).toBe(200);
    const pdfPath = join(workDir, "licence.pdf");
    writeFileSync(pdfPath, pdf.body as Buffer);
    const extras: Record<Lang, { heading: string; labels: string[]; title: string }> = {
      en: { heading: "From the holder's file", labels: ["Title", "Premises", "Conditions"], title: "Food Factory Licence (食物製造廠牌照)" },
      "zh-HK": { heading: "持有人檔案所載", labels: ["名稱", "處所", "條件"], title: "食物製造廠牌照 (Food Factory Licence)" },
      "zh-CN": { heading: "持有人文件所载", labels: ["名称", "处所", "条件"], title: "食物製造廠牌照 (Food Factory Licence)" },
    };
    for (const lang of ALL_LANGS) {
      const { page } = await open(lang, `${service.url}/verify`);
      const posted: string[] = [];
      page.on("request", (r) => {
        if (r.url().endsWith("/api/v1/verify")) posted.push(r.headers()["content-type"] ?? "");
      });
      await page.setInputFiles("#file", pdfPath);
      await verdictOf(page, "VALID");
      // The page read the e-Proof file out of the PDF and verified that very file, whose fields it shows.
      expect(posted).toEqual(["application/json"]);
      const box = page.locator("#extra-box");
      expect(await box.isVisible()).toBe(true);
      expect(await box.locator("h3").textContent()).toBe(extras[lang].heading);
      expect(await box.locator("dt").allTextContents()).toEqual(extras[lang].labels);
      const dd = await box.locator("dd").allTextContents();
      expect(dd[0]).toBe(extras[lang].title);
      expect(dd[1]).toContain(lang === "en" ? "Flat B, 12/F, Wing Fat Industrial Building" : "九龍灣宏泰道12號榮發工業大廈12樓B室");
      expect(await box.locator("dd li").allTextContents()).toEqual(TYPICAL_LICENCE.data.conditions);
      await page.screenshot({ path: join(OUT, `pdf-extra-${lang}.png`), fullPage: true });
      await page.close();
    }
    const narrow = await open("zh-CN", `${service.url}/verify`, 320);
    await narrow.page.setInputFiles("#file", pdfPath);
    await verdictOf(narrow.page, "VALID");
    await narrow.page.locator("#extra-box").waitFor();
    await narrowChecks(narrow.page, "pdf-extra-zh-CN");
    await narrow.page.close();
  });

  it("verifies a redacted JSON copy, listing the withheld fields in the reader's language and showing only what the holder kept", async () => {
    const document = await downloadEProof(service, ids.valid as string);
    const copy = await api(service, "POST", "/api/v1/redact", { document, hide: ["premises", "conditions"] });
    expect(copy.status).toBe(200);
    const copyPath = join(workDir, "licence-redacted.json");
    writeFileSync(copyPath, JSON.stringify(copy.body));
    const withheld: Record<Lang, string[]> = { en: ["Conditions", "Premises"], "zh-HK": ["處所", "條件"], "zh-CN": ["处所", "条件"] };
    for (const lang of ALL_LANGS) {
      const { page } = await open(lang, `${service.url}/verify`);
      await page.locator("#verdict.idle").waitFor();
      await page.setInputFiles("#file", copyPath);
      await page.locator("#withheld-box").waitFor();
      await verdictOf(page, "VALID");
      expect((await page.locator("#withheld li").allTextContents()).sort()).toEqual(withheld[lang].sort());
      expect(await page.locator("#extra dt").count()).toBe(1); // the title only
      await page.screenshot({ path: join(OUT, `redacted-copy-${lang}.png`), fullPage: true });
      await axe(page, `redacted copy ${lang} at 390 px`);
      await page.close();
    }
  });

  it("reads the QR from the camera with the in-page decoder (jsQR, loaded only then) and shows VALID", async () => {
    const { page, requests } = await open("en", `${service.url}/verify`);
    await page.locator("#verdict.idle").waitFor();
    expect(await page.evaluate(() => "BarcodeDetector" in window)).toBe(false);
    await page.locator("#scan").click();
    expect((await verdictOf(page, "VALID")).title).toBe("Valid");
    expect(requests.some((url) => url.endsWith("/assets/vendor/jsQR.js"))).toBe(true);
    expect(await page.locator("#camera").isHidden()).toBe(true);
    await page.screenshot({ path: join(OUT, "scanned-en.png"), fullPage: true });
    await page.close();
  });

  it("leads the service's bare address to the page, and serves a favicon", async () => {
    const root = await fetch(`${service.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/verify");
    const icon = await fetch(`${service.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg /);
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
  for (const lang of ALL_LANGS) {
    it(`shows UNAVAILABLE in ${lang} when the ledger cannot be reached, never an invalid verdict, passing axe and reflow`, async () => {
      if (!unavailable) {
        const dataDir = service.dataDir;
        const deadRpc = service.rpcUrl;
        const { registry } = service.trust;
        const issuerRegistry = service.issuerRegistry;
        // The browser's open keep-alive connections would hold up the server's close: close them first.
        for (const open of contexts.values()) await open.close();
        contexts.clear();
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
      for (const width of WIDTHS) {
        const { page } = await open(lang, `${unavailable.url}/verify#${fragment}`, width);
        const shown = await verdictOf(page, "UNAVAILABLE");
        expect(shown.title).toBe(EXPECTED.UNAVAILABLE?.[lang].title);
        expect(shown.detail).toMatch(EXPECTED.UNAVAILABLE?.[lang].detail as RegExp);
        if (lang !== "en") expect(englishWords(await pageText(page))).toEqual([]);
        if (width === 320) await narrowChecks(page, `unavailable-${lang}`);
        else {
          await noSidewaysScroll(page, `UNAVAILABLE ${lang}`);
          await axe(page, `UNAVAILABLE ${lang} at 390 px`);
          await page.screenshot({ path: join(OUT, `unavailable-${lang}.png`), fullPage: true });
        }
        await page.close();
      }
    });
  }
});
