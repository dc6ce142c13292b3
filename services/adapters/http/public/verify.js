// Reads the QR payload from the URL fragment (never sent to a server log), asks the verify API,
// and shows the verdict. The full bilingual page comes with the public-side issue.
const WORDS = {
  VALID: ["✔", "Valid: this document is genuine and in force"],
  TAMPERED: ["✖", "Not genuine: the document was altered or the signature does not match"],
  REVOKED: ["✖", "Revoked"],
  SUSPENDED: ["✖", "Suspended"],
  SUPERSEDED: ["✖", "Replaced by a newer document"],
  EXPIRED: ["✖", "Expired"],
  NOT_YET_VALID: ["✖", "Not yet valid"],
  UNKNOWN_ISSUER: ["✖", "Issuer not recognised"],
  NOT_ANCHORED: ["✖", "Not recorded on the ledger"],
  PENDING: ["⏳", "Issued but not yet recorded on the ledger — try again in a minute"],
  UNAVAILABLE: ["⚠", "Cannot reach the ledger — this does not mean the document is invalid"],
};

function show(result) {
  const verdict = document.getElementById("verdict");
  const [icon, words] = WORDS[result.verdict] ?? ["?", result.verdict];
  verdict.textContent = `${icon} ${words}`;
  verdict.className = `verdict ${result.verdict === "VALID" ? "valid" : result.verdict === "PENDING" || result.verdict === "UNAVAILABLE" ? "pending" : "invalid"}`;
  const facts = document.getElementById("facts");
  facts.replaceChildren();
  const doc = result.document ?? {};
  const flat = { ...(doc.header ?? {}), ...(doc.facts ?? {}) };
  for (const [key, value] of Object.entries(flat)) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.textContent =
      typeof value === "object"
        ? Object.values(value)
            .map((v) => (typeof v === "object" ? Object.values(v).join(" / ") : v))
            .join(" · ")
        : String(value);
    facts.append(dt, dd);
  }
  const checks = document.getElementById("checks");
  checks.replaceChildren(
    ...(result.checks ?? []).map((c) => {
      const li = document.createElement("li");
      li.textContent = `${c.name}: ${c.status} — ${c.reason}`;
      return li;
    }),
  );
  document.getElementById("evidence").textContent = result.evidence ? JSON.stringify(result.evidence, null, 2) : "";
  document.getElementById("details").hidden = false;
}

async function main() {
  const verdict = document.getElementById("verdict");
  if (!location.hash || location.hash.length < 2) {
    verdict.textContent = "Scan a document's QR code to verify it.";
    return;
  }
  try {
    const response = await fetch("/api/v1/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ qr: location.href }),
    });
    const body = await response.json();
    if (!response.ok) {
      verdict.textContent = `✖ ${body.error?.message ?? "This QR code cannot be read"}`;
      verdict.className = "verdict invalid";
      return;
    }
    show(body);
  } catch {
    verdict.textContent = "⚠ Cannot reach the verification service; try again.";
    verdict.className = "verdict pending";
  }
}

main();
