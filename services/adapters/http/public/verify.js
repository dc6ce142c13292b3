// The verify page: reads the QR payload from the URL fragment (which never reaches a server log),
// or a QR from the camera, or the holder's PDF / e-Proof file; asks the public verify API; shows one
// verdict, the key facts and each check in the reader's language (catalogues in /assets/i18n/).

const LANGS = ["en", "zh-HK"];
const LANG_KEY = "eproof.lang";
const $ = (id) => document.getElementById(id);
const catalogues = {};
let lang = "en";
let words = {};
/** What the page shows: { state, vars, tone } before a verdict, { result } after one, { lookup } for a document's public status. */
let shown = { state: "state.checking", vars: {}, tone: "neutral" };

function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

function pickLanguage() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // Storage may be disabled; the browser's languages decide.
  }
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const tag = String(wanted).toLowerCase();
    if (tag.startsWith("zh")) return "zh-HK";
    if (tag.startsWith("en")) return "en";
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
  $("lang").lang = next === "en" ? "zh-HK" : "en";
  $("scan").textContent = t(scanning ? "scan.stop" : "scan.button");
  render();
}

// ---- formatting ----

function formatDate(value) {
  // Calendar dates (validity) are Hong Kong dates; timestamps are shown in Hong Kong time too.
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00+08:00` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang === "zh-HK" ? "zh-HK" : "en-GB", { dateStyle: "long", timeZone: "Asia/Hong_Kong" }).format(date);
}

function bilingual(value) {
  if (value === null || typeof value !== "object") return value === undefined ? "" : String(value);
  const other = lang === "en" ? "zh-HK" : "en";
  const first = value[lang] ?? value[other];
  const second = value[other];
  if (first === undefined) return Object.values(value).map(bilingual).join(" · ");
  return second && second !== first ? `${first} (${second})` : String(first);
}

/** The ledger holds no reason: one is shown only where the department published its code. */
function reasonWords(change) {
  const parts = [];
  if (change.scope === "batch") parts.push(t("reason.batch"));
  const reason = change.reasonCode === undefined ? undefined : words[`reason.${change.reasonCode}`];
  if (reason !== undefined) parts.push(t("reason.given", { reason }));
  return parts.join(" ");
}

const TONES = { VALID: "ok", PENDING: "wait", UNAVAILABLE: "warn" };

function verdictDetail(result) {
  const v = result.verdict;
  const facts = result.document?.facts ?? {};
  const change = result.statusChange;
  if (v === "REVOKED" || v === "SUSPENDED" || v === "SUPERSEDED") {
    const detail = t(change?.changedAt ? `verdict.${v}.detail` : `verdict.${v}.detailNoDate`, { date: change?.changedAt ? formatDate(change.changedAt) : "" });
    const reason = change ? reasonWords(change) : "";
    return reason ? `${detail} ${reason}` : detail;
  }
  if (v === "EXPIRED" || v === "NOT_YET_VALID") {
    return t(`verdict.${v}.detail`, { from: formatDate(facts.validFrom ?? ""), until: formatDate(facts.validUntil ?? "") });
  }
  return t(`verdict.${v}.detail`);
}

// ---- rendering ----

function setVerdict(tone, title, detail) {
  const box = $("verdict");
  box.className = `verdict ${tone}`;
  box.dataset.verdict = shown.result?.verdict ?? "";
  box.dataset.status = shown.lookup?.status ?? "";
  $("verdict-title").textContent = title;
  $("verdict-detail").textContent = detail;
}

function row(list, label, value) {
  if (value === undefined || value === null || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
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
  for (const id of ["facts-box", "checks-box", "successor"]) $(id).hidden = true;
  if (shown.lookup) {
    renderLookup(shown.lookup);
    return;
  }
  if (!result) {
    setVerdict(shown.tone, t(shown.state, shown.vars), "");
    return;
  }
  setVerdict(TONES[result.verdict] ?? "bad", t(`verdict.${result.verdict}`), verdictDetail(result));

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
    const h = doc.header;
    const f = doc.facts ?? {};
    const party = f.holder ? "holder" : "beneficiary";
    row(facts, t("facts.type"), words[`type.${h.type}`] ?? h.type);
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
    const withheld = $("withheld");
    withheld.replaceChildren();
    for (const name of doc.hidden ?? []) item(withheld, words[`field.${name}`] ?? name);
    $("withheld-box").hidden = (doc.hidden ?? []).length === 0;
    $("facts-box").hidden = false;
  }

  const checks = $("checks");
  const reasons = $("reasons");
  checks.replaceChildren();
  reasons.replaceChildren();
  for (const c of result.checks ?? []) {
    const plain = words[`check.${c.name}.${c.status}`];
    const parts = [span("name", `${t(`check.${c.name}`)}: `), span("st", t(`status.${c.status}`))];
    if (plain) parts.push(span("plain", ` — ${plain}`));
    item(checks, parts, c.status);
    item(reasons, `${c.name}: ${c.status} — ${c.reason}`);
  }
  const evidence = $("evidence");
  evidence.replaceChildren();
  if (result.evidence) {
    for (const key of ["chainId", "contract", "txHash", "root", "blockNumber"]) row(evidence, t(`evidence.${key}`), String(result.evidence[key]));
    row(evidence, t("evidence.anchoredAt"), `${formatDate(result.evidence.anchoredAt)} (${result.evidence.anchoredAt})`);
  } else {
    row(evidence, t("evidence.heading"), t("evidence.none"));
  }
  $("checks-box").hidden = false;
}

const LOOKUP_TONES = { ACTIVE: "ok", PENDING: "wait", UNAVAILABLE: "warn" };

/** A document's public status (no personal data): who issued what, and what the ledger says of it. */
function renderLookup(status) {
  const type = words[`type.${status.type}`] ?? status.type;
  const department = bilingual(status.issuer.name);
  const ledger = t(`ledger.${status.status}`);
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
  if (status.anchoring) row(facts, t("evidence.anchoredAt"), `${formatDate(status.anchoring.anchoredAt)} (${status.anchoring.anchoredAt})`);
  row(facts, t("facts.id"), status.id);
  $("withheld-box").hidden = true;
  $("facts-box").hidden = false;
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
  else if (!response.ok || !answer?.status) showState("state.badInput", { message: answer?.error?.message ?? response.status }, "bad");
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

function showState(state, vars = {}, tone = "neutral") {
  shown = { state, vars, tone };
  render();
}

// ---- verification ----

async function verify(body, type) {
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
    showState("state.badInput", { message: answer?.error?.message ?? response.status }, "bad");
    return;
  }
  shown = { result: answer };
  render();
}

function verifyQrText(text) {
  if (!/#./.test(text)) {
    showState("scan.notEProof", {}, "bad");
    return;
  }
  verify(JSON.stringify({ qr: text }), "application/json");
}

async function verifyFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    verify(bytes, "application/pdf");
    return;
  }
  let document;
  try {
    document = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    showState("state.notEProof", {}, "bad");
    return;
  }
  verify(JSON.stringify({ document }), "application/json");
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
  $("lang").addEventListener("click", () => {
    const next = lang === "en" ? "zh-HK" : "en";
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // Not remembered; still switched.
    }
    useLanguage(next);
  });
  $("scan").addEventListener("click", () => (scanning ? stopScan() : startScan()));
  $("file").addEventListener("change", (event) => {
    const file = event.target.files?.[0];
    if (file) verifyFile(file);
    event.target.value = "";
  });
  window.addEventListener("hashchange", () => location.hash.length > 1 && followHash());
  await useLanguage(pickLanguage());
  if (location.hash.length > 1) followHash();
  else showState("state.idle");
}

main();
