#!/usr/bin/env node
// Installs what the browser tests and the PDF-rendering test use (Chromium, a Chinese font so the
// zh-HK screenshots show characters rather than boxes, and pdftoppm from poppler-utils) when missing, on a Debian/Ubuntu machine where we are root. Node built-ins
// only: it runs from `npm run setup` before anything else is installed. Anywhere else it only says
// what is missing; those tests then skip with a printed reason.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

const missing = [];
if (!CHROMIUM.some((path) => existsSync(path))) missing.push("chromium");
if (!has("pdftoppm")) missing.push("poppler-utils");
const chineseFonts = spawnSync("fc-list", [":lang=zh-hk", "family"], { encoding: "utf8" });
if (chineseFonts.status === 0 && chineseFonts.stdout.trim() === "") missing.push("fonts-noto-cjk");

if (missing.length === 0) process.exit(0);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !has("apt-get")) {
  console.error(`[ensure-browser] missing ${missing.join(", ")}; install them (apt-get install -y ${missing.join(" ")}) to run the browser tests`);
  process.exit(0);
}

function aptGet(args) {
  console.error(`[ensure-browser] apt-get ${args.join(" ")}`);
  return spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

const install = ["install", "-y", "--no-install-recommends", ...missing];
if (!aptGet(install) && !(aptGet(["update"]) && aptGet(install))) {
  console.error(`[ensure-browser] could not install ${missing.join(", ")}; the browser tests will skip`);
}
