// The verify page: reads the QR payload from the URL fragment (which never reaches a server log),
// or a QR from the camera, or the holder's PDF / e-Proof file; asks the public verify API; shows one
// verdict, the key facts and each check in the reader's language (catalogues in /assets/i18n/).
// Every word shown comes from a catalogue, keyed by the answer's codes: never the server's own
// (English) message or reason text.

const LANGS = ["en", "zh-HK", "zh-CN"];
const LOCALES = { en: "en-GB", "zh-HK": "zh-HK", "zh-CN": "zh-CN" };
const LANG_KEY = "eproof.lang";
const $ = (id) => document.getElementById(id);
const catalogues = {};
let lang = "en";
let words = {};
/**
 * What the page shows: { state, vars, tone, detail, code } before a verdict, { result, data } after
 * one (data: the uploaded file's own fields), { lookup } for a document's public status.
 */
let shown = { state: "state.checking", vars: {}, tone: "neutral" };

function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** The catalogue's words for `key`, else for `fallback` (a code this page does not know yet). */
const tOr = (key, fallback, vars) => t(key in words ? key : fallback, vars);

/** A browser language tag to one of ours: a script subtag decides, then the region. */
function languageOf(tag) {
  const wanted = String(tag).toLowerCase();
  if (wanted.startsWith("en")) return "en";
  if (!/^zh(-|$)/.test(wanted)) return null;
  if (/-hant\b/.test(wanted)) return "zh-HK";
  return /-(hans|cn|sg|my)\b/.test(wanted) ? "zh-CN" : "zh-HK";
}

function pickLanguage() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // Storage may be disabled; the browser's languages decide.
  }
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const found = languageOf(wanted);
    if (found) return found;
  }
  return "en";
}

async function useLanguage(next) {
  catalogues[next] ??= fetch(`/assets/i18n/${next}.json`).then((r) => r.json());
  words = await catalogues[next];
  lang = next;
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll("[data-lang]")) el.setAttribute("aria-pressed", String(el.dataset.lang === next));
  $("scan").textContent = t(scanning ? "scan.stop" : "scan.button");
  render();
}

// ---- formatting ----

/**
 * The page's one date formatter: every date is shown as a Hong Kong date (Asia/Hong_Kong), so a
 * document issued at 20:15 UTC shows the next day, as a reader in Hong Kong counts it. Calendar
 * dates (validity) are Hong Kong dates already; `withTime` adds the Hong Kong time.
 */
function formatDate(value, withTime = false) {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00+08:00` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  const style = { dateStyle: "long", timeStyle: withTime ? "short" : undefined, timeZone: "Asia/Hong_Kong" };
  return new Intl.DateTimeFormat(LOCALES[lang], style).format(date);
}

/** A document's bilingual text (en, zh-HK) as issued: the reader's side first; zh-CN reads the Chinese. */
function bilingual(value) {
  if (value === null || typeof value !== "object") return value === undefined ? "" : String(value);
  const [mine, other] = lang === "en" ? ["en", "zh-HK"] : ["zh-HK", "en"];
  const first = value[mine] ?? value[other];
  const second = value[other];
  if (first === undefined) return Object.values(value).map(bilingual).join(" · ");
  return second && second !== first ? `${first} (${second})` : String(first);
}

/** A field of the holder's file: lists as lists, amounts grouped, rates in per cent. */
function printable(name, value) {
  if (Array.isArray(value)) return value.map((v) => printable(name, v));
  if (value && typeof value.value === "string" && typeof value.currency === "string") {
    const [whole, cents] = value.value.split(".");
    return `${value.currency} ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${(cents ?? "").padEnd(2, "0")}`;
  }
  if (typeof value === "number" && /Percent$/.test(name)) return `${value}%`;
  return bilingual(value);
}

const fieldName = (name) => tOr(`field.${name}`, "field.other", { name });

/** The ledger holds no reason: one is shown only where the department published its code. */
function reasonWords(change) {
  const parts = [];
  if (change.scope === "batch") parts.push(t("reason.batch"));
  const reason = change.reasonCode === undefined ? undefined : words[`reason.${change.reasonCode}`];
  if (reason !== undefined) parts.push(t("reason.given", { reason }));
  return parts.join(" ");
}

const TONES = { VALID: "ok", PENDING: "wait", UNAVAILABLE: "warn" };
/** Verdicts whose checks confirm the key facts: everything else shows them as claims only. */
const CONFIRMED = ["VALID", "REVOKED", "SUSPENDED", "SUPERSEDED", "EXPIRED", "NOT_YET_VALID"];
/** Error codes that say "not now", not "not genuine". */
const WAIT_CODES = ["RATE_LIMITED", "TIMEOUT", "CHAIN_UNAVAILABLE"];

function verdictDetail(result) {
  const v = result.verdict;
  const facts = result.document?.facts ?? {};
  const change = result.statusChange;
  if (v === "REVOKED" || v === "SUSPENDED" || v === "SUPERSEDED") {
    const detail = t(change?.changedAt ? `verdict.${v}.detail` : `verdict.${v}.detailNoDate`, { date: change?.changedAt ? formatDate(change.changedAt) : "" });
    const reason = change ? reasonWords(change) : "";
    return reason ? `${detail} ${reason}` : detail;
  }
  return tOr(`verdict.${v}.detail`, "verdict.unknown.detail", { from: formatDate(facts.validFrom ?? ""), until: formatDate(facts.validUntil ?? "") });
}

// ---- rendering ----

function setVerdict(tone, title, detail) {
  const box = $("verdict");
  box.className = `verdict ${tone}`;
  box.dataset.verdict = shown.result?.verdict ?? "";
  box.dataset.status = shown.lookup?.status ?? "";
  box.dataset.error = shown.code ?? "";
  $("verdict-title").textContent = title;
  $("verdict-detail").textContent = detail;
}

function row(list, label, value) {
  if (value === undefined || value === null || value === "" || value.length === 0) return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  if (Array.isArray(value)) {
    const ul = document.createElement("ul");
    for (const each of value) item(ul, String(each));
    dd.append(ul);
  } else dd.textContent = value;
  list.append(dt, dd);
}

function item(list, text, className) {
  const li = document.createElement("li");
  if (className) li.className = className;
  if (typeof text === "string") li.textContent = text;
  else li.append(...text);
  list.append(li);
}

function span(className, text) {
  const s = document.createElement("span");
  s.className = className;
  s.textContent = text;
  return s;
}

function render() {
  const result = shown.result;
  for (const id of ["facts-box", "checks-box", "successor", "facts-note", "extra-box", "withheld-box"]) $(id).hidden = true;
  $("facts-box").classList.remove("claimed");
  $("facts-h").textContent = t("facts.heading");
  if (shown.lookup) {
    renderLookup(shown.lookup);
    return;
  }
  if (!result) {
    setVerdict(shown.tone, t(shown.state, shown.vars), shown.detail ? t(shown.detail) : "");
    return;
  }
  const v = result.verdict;
  setVerdict(TONES[v] ?? "bad", tOr(`verdict.${v}`, "verdict.unknown"), verdictDetail(result));

  if (result.successor) {
    // The successor's contents are the holder's; its public status (type, department, ledger status) is a link away.
    const link = document.createElement("a");
    link.href = `/verify#status=${result.successor}`;
    link.textContent = result.successor;
    const [before, after] = t("verdict.successor").split("{id}");
    $("successor").replaceChildren(before ?? "", link, after ?? "");
    $("successor").hidden = false;
  }

  const doc = result.document;
  const facts = $("facts");
  facts.replaceChildren();
  if (doc) {
    if (!CONFIRMED.includes(v)) {
      // Not confirmed: what the file says, set apart and disowned.
      $("facts-box").classList.add("claimed");
      $("facts-h").textContent = t("facts.claimed");
      $("facts-note").textContent = t(v === "TAMPERED" ? "facts.tamperedNote" : "facts.unconfirmedNote");
      $("facts-note").hidden = false;
    }
    const h = doc.header;
    const f = doc.facts ?? {};
    const party = f.holder ? "holder" : "beneficiary";
    row(facts, t("facts.type"), tOr(`type.${h.type}`, "type.other"));
    row(facts, t("facts.number"), f.documentNumber);
    row(facts, t(`facts.${party}`), bilingual(f[party]?.name));
    row(facts, t("facts.idMasked"), f[party]?.idMasked);
    row(facts, t("facts.registrationNumber"), f[party]?.registrationNumber);
    row(facts, t("facts.issuer"), result.issuerName ? `${bilingual(result.issuerName)} · ${h.issuer}` : h.issuer);
    if (f.validFrom || f.validUntil) {
      row(facts, t("facts.validity"), t("facts.validityRange", { from: formatDate(f.validFrom ?? ""), until: formatDate(f.validUntil ?? "") }));
    }
    row(facts, t("facts.issuedAt"), formatDate(h.issuedAt));
    row(facts, t("facts.id"), h.id);
    // The holder's file says more than the signed key facts (premises, conditions…): shown only
    // once VALID, i.e. once its content is known to be what the department signed.
    const extra = $("extra");
    extra.replaceChildren();
    if (v === "VALID" && shown.data) {
      for (const [name, value] of Object.entries(shown.data)) {
        if (!(name in f) && name !== party) row(extra, fieldName(name), printable(name, value));
      }
      $("extra-box").hidden = extra.childElementCount === 0;
    }
    const withheld = $("withheld");
    withheld.replaceChildren();
    for (const name of doc.hidden ?? []) item(withheld, fieldName(name));
    $("withheld-box").hidden = (doc.hidden ?? []).length === 0;
    $("facts-box").hidden = false;
  }

  const checks = $("checks");
  const reasons = $("reasons");
  checks.replaceChildren();
  reasons.replaceChildren();
  for (const c of result.checks ?? []) {
    // A failed check says what failed by its code; the server's reason text is English, never shown.
    const plain = c.status === "INVALID" ? (words[`checkCode.${c.code}`] ?? words[`check.${c.name}.INVALID`]) : words[`check.${c.name}.${c.status}`];
    const parts = [span("name", `${tOr(`check.${c.name}`, "check.other")}: `), span("st", tOr(`status.${c.status}`, "status.other"))];
    if (plain) parts.push(span("plain", ` — ${plain}`));
    item(checks, parts, c.status);
    item(reasons, [c.name, c.status, c.code].filter(Boolean).join(" · "));
  }
  const evidence = $("evidence");
  evidence.replaceChildren();
  if (result.evidence) {
    for (const key of ["chainId", "contract", "txHash", "root", "blockNumber"]) row(evidence, t(`evidence.${key}`), String(result.evidence[key]));
    row(evidence, t("evidence.anchoredAt"), formatDate(result.evidence.anchoredAt, true));
  } else {
    row(evidence, t("evidence.heading"), t("evidence.none"));
  }
  $("checks-box").hidden = false;
}

const LOOKUP_TONES = { ACTIVE: "ok", PENDING: "wait", UNAVAILABLE: "warn" };

/** A document's public status (no personal data): who issued what, and what the ledger says of it. */
function renderLookup(status) {
  const type = tOr(`type.${status.type}`, "type.other");
  const department = bilingual(status.issuer.name);
  const ledger = tOr(`ledger.${status.status}`, "ledger.other");
  setVerdict(LOOKUP_TONES[status.status] ?? "bad", t("lookup.title"), t("lookup.detail", { id: status.id, type, department, status: ledger }));
  const facts = $("facts");
  facts.replaceChildren();
  row(facts, t("facts.type"), type);
  row(facts, t("facts.issuer"), `${department} · ${status.issuer.code}`);
  if (status.validFrom || status.validUntil) {
    row(facts, t("facts.validity"), t("facts.validityRange", { from: formatDate(status.validFrom ?? ""), until: formatDate(status.validUntil ?? "") }));
  }
  row(facts, t("facts.issuedAt"), formatDate(status.issuedAt));
  row(facts, t("lookup.ledgerStatus"), ledger);
  if (status.anchoring) row(facts, t("evidence.anchoredAt"), formatDate(status.anchoring.anchoredAt, true));
  row(facts, t("facts.id"), status.id);
  $("facts-box").hidden = false;
}

function showState(state, vars = {}, tone = "neutral") {
  shown = { state, vars, tone };
  render();
}

/** A refused request: its problem `code` in the reader's words (a code we do not know: a generic sentence). */
function showError(answer) {
  const code = answer?.error?.code;
  const known = typeof code === "string" && `error.${code}` in words;
  shown = { state: "error.title", tone: WAIT_CODES.includes(code) ? "warn" : "bad", detail: known ? `error.${code}` : "error.generic", code: code ?? "" };
  render();
}

async function lookUpStatus(id) {
  if (!/^[0-9a-f]{32}$/.test(id)) {
    showState("lookup.badId", {}, "bad");
    return;
  }
  showState("state.checking");
  let response;
  try {
    response = await fetch(`/api/v1/public/documents/${id}/status`);
  } catch {
    showState("state.offline", {}, "warn");
    return;
  }
  const answer = await response.json().catch(() => null);
  if (response.status === 404) showState("lookup.notFound", {}, "bad");
  else if (!response.ok || !answer?.status) showError(answer);
  else {
    shown = { lookup: answer };
    render();
  }
}

/** The URL fragment: `#status=<id>` asks for a document's public status; anything else is a QR payload. */
function followHash() {
  const lookup = /^#status=(.*)$/.exec(location.hash);
  if (lookup) lookUpStatus(lookup[1]);
  else verifyQrText(location.href);
}

// ---- verification ----

async function verify(body, type, data) {
  showState("state.checking");
  let response;
  try {
    response = await fetch("/api/v1/verify", { method: "POST", headers: { "Content-Type": type }, body });
  } catch {
    showState("state.offline", {}, "warn");
    return;
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok || !answer?.verdict) {
    showError(answer);
    return;
  }
  shown = { result: answer, data };
  render();
}

function verifyQrText(text) {
  if (!/#./.test(text)) {
    showState("scan.notEProof", {}, "bad");
    return;
  }
  verify(JSON.stringify({ qr: text }), "application/json");
}

/**
 * The e-Proof file our PDFs carry (an embedded, deflated `eproof.json` stream), read here so that the
 * page verifies exactly the file whose fields it shows. null when it cannot: the PDF goes as is.
 */
async function embeddedEProof(bytes) {
  const text = new TextDecoder("latin1").decode(bytes);
  for (const found of text.matchAll(/\/EmbeddedFile\b/g)) {
    const start = text.indexOf("stream", found.index);
    const dict = text.slice(text.lastIndexOf("obj", found.index), start);
    const length = /\/Length (\d+)\s*[/>]/.exec(dict);
    const from = start + (text[start + 6] === "\r" ? 8 : 7);
    if (!length || dict.includes("endobj")) continue;
    try {
      let body = new Blob([bytes.subarray(from, from + Number(length[1]))]).stream();
      if (dict.includes("/FlateDecode")) body = body.pipeThrough(new DecompressionStream("deflate"));
      const document = JSON.parse(await new Response(body).text());
      if (document?.header && document.signature) return document;
    } catch {
      // Not this stream (or not deflate): try the next, else send the PDF.
    }
  }
  return null;
}

async function verifyFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let document;
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    document = await embeddedEProof(bytes);
    if (!document) {
      verify(bytes, "application/pdf");
      return;
    }
  } else {
    try {
      document = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      showState("state.notEProof", {}, "bad");
      return;
    }
  }
  verify(JSON.stringify({ document }), "application/json", document?.data);
}

// ---- camera ----

let scanning = false;
let stream = null;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

/** A function from a video frame to the QR text (or null): BarcodeDetector, else jsQR loaded now. */
async function qrReader() {
  if ("BarcodeDetector" in window) {
    try {
      if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
        const detector = new BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
      }
    } catch {
      // Fall through to the JS decoder.
    }
  }
  if (!window.jsQR) await loadScript("/assets/vendor/jsQR.js");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    if (!canvas.width || !canvas.height) return null;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(image.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

function stopScan() {
  scanning = false;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  $("video").srcObject = null;
  $("camera").hidden = true;
  $("scan").textContent = t("scan.button");
}

async function startScan() {
  const video = $("video");
  let read;
  try {
    read = await qrReader();
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    stopScan();
    showState("scan.noCamera", {}, "warn");
    return;
  }
  scanning = true;
  $("scan").textContent = t("scan.stop");
  $("camera").hidden = false;
  video.srcObject = stream;
  await video.play().catch(() => undefined);
  const tick = async () => {
    if (!scanning) return;
    const text = video.readyState >= 2 ? await read(video).catch(() => null) : null;
    if (text) {
      stopScan();
      verifyQrText(text);
      return;
    }
    setTimeout(tick, 120);
  };
  tick();
}

// ---- start ----

async function main() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      try {
        localStorage.setItem(LANG_KEY, button.dataset.lang);
      } catch {
        // Not remembered; still switched.
      }
      useLanguage(button.dataset.lang);
    });
  }
  $("scan").addEventListener("click", () => (scanning ? stopScan() : startScan()));
  $("file").addEventListener("change", (event) => {
    const file = event.target.files?.[0];
    if (file) verifyFile(file);
    event.target.value = "";
  });
  window.addEventListener("hashchange", () => location.hash.length > 1 && followHash());
  await useLanguage(pickLanguage());
  if (location.hash.length > 1) followHash();
  else {
    shown = { state: "state.idle", tone: "idle", detail: "state.idleDetail" };
    render();
  }
}

main();
