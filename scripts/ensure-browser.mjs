#!/usr/bin/env node
// Installs what the browser tests and the PDF-rendering tests use (Chromium, a Chinese font so the
// zh-HK screenshots show characters rather than boxes, and pdftoppm from poppler-utils) when
// missing, on a Debian/Ubuntu machine where we are root. Node built-ins only: it runs from
// `npm run setup` before anything else is installed. Under CI=true anything still missing
// afterwards fails (exit 1), as those tests do then (test/tool-required.ts), so a broken install
// cannot leave CI green; anywhere else it only says what is missing and those tests skip, saying why.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const UNDER_CI = /^(true|1)$/i.test(process.env.CI ?? "");
const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

function whatIsMissing() {
  const missing = [];
  if (!CHROMIUM.some((path) => existsSync(path))) missing.push("chromium");
  if (!has("pdftoppm")) missing.push("poppler-utils");
  const chineseFonts = spawnSync("fc-list", [":lang=zh-hk", "family"], { encoding: "utf8" });
  if (chineseFonts.status === 0 && chineseFonts.stdout.trim() === "") missing.push("fonts-noto-cjk");
  return missing;
}

/** Under CI a missing tool is an error: say so loudly and stop `npm run setup`. */
function giveUp(message) {
  if (!UNDER_CI) {
    console.error(`[ensure-browser] ${message}; the tests that need them will skip`);
    process.exit(0);
  }
  console.error(`[ensure-browser] ERROR: ${message}. CI=true, so this fails the set-up: those tests would otherwise be skipped and CI left green.`);
  process.exit(1);
}

const missing = whatIsMissing();
if (missing.length === 0) process.exit(0);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !has("apt-get")) {
  giveUp(`missing ${missing.join(", ")}; install them (apt-get install -y ${missing.join(" ")})`);
}

function aptGet(args) {
  console.error(`[ensure-browser] apt-get ${args.join(" ")}`);
  return spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

const install = ["install", "-y", "--no-install-recommends", ...missing];
if (!aptGet(install) && !(aptGet(["update"]) && aptGet(install))) {
  giveUp(`could not install ${missing.join(", ")} with apt-get`);
}
// A package can install and still not give us the tool (Ubuntu's chromium is a snap stub).
const stillMissing = whatIsMissing();
if (stillMissing.length > 0) giveUp(`apt-get installed ${missing.join(", ")} but ${stillMissing.join(", ")} is still missing`);
