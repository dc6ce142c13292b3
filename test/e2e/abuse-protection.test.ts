import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../services/config.ts";
import { api, downloadEProof, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";

const VERIFY_LIMIT = 5;
const AUTH_FAILURE_LIMIT = 3;

function expectRateLimited(response: { status: number; body: any; headers: Headers }): void {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe("RATE_LIMITED");
  expect(response.body.error.message).toMatch(/Retry-After/);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
}

describe("abuse protection: rate limits, CORS and security headers", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      env: { EPROOF_VERIFY_RATE_LIMIT: String(VERIFY_LIMIT), EPROOF_AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT) },
    });
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("refuses the verify API with 429, problem JSON and Retry-After once a client has used its allowance, per client address", async () => {
    // The service trusts the loopback proxy, so X-Forwarded-For names the client: each address has its own allowance.
    const client = { "x-forwarded-for": "203.0.113.10" };
    for (let i = 0; i < VERIFY_LIMIT; i += 1) {
      const response = await api(service, "POST", "/api/v1/verify", { qr: "hello" }, client);
      expect(response.status).toBe(400);
    }
    const refused = await api(service, "POST", "/api/v1/verify", { qr: "hello" }, client);
    expectRateLimited(refused);
    // A refused cross-origin caller can read why it was refused.
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(refused.headers.get("access-control-expose-headers")).toContain("Retry-After");

    const otherClient = await api(service, "POST", "/api/v1/verify", { qr: "hello" }, { "x-forwarded-for": "203.0.113.11" });
    expect(otherClient.status).toBe(400);
  });

  it("limits the public redact API the same way, with an allowance of its own", async () => {
    const client = { "x-forwarded-for": "203.0.113.15" };
    for (let i = 0; i < VERIFY_LIMIT; i += 1) {
      expect((await api(service, "POST", "/api/v1/redact", { document: {}, hide: ["x"] }, client)).status).toBe(422);
    }
    expectRateLimited(await api(service, "POST", "/api/v1/redact", { document: {}, hide: ["x"] }, client));
    expect((await api(service, "POST", "/api/v1/verify", { qr: "hello" }, client)).status).toBe(400);
  });

  it("does not count a CORS preflight against the verify allowance", async () => {
    const client = { "x-forwarded-for": "203.0.113.20" };
    for (let i = 0; i < VERIFY_LIMIT * 2; i += 1) {
      const preflight = await fetch(`${service.url}/api/v1/verify`, { method: "OPTIONS", headers: { ...client, origin: "https://border.example" } });
      expect(preflight.status).toBe(204);
    }
    expect((await api(service, "POST", "/api/v1/verify", { qr: "hello" }, client)).status).toBe(400);
  });

  it("refuses a client with 429 after repeated wrong API keys, even when it then sends the right key", async () => {
    const client = { "x-forwarded-for": "203.0.113.30" };
    const wrong = { ...service, apiKey: "ep_guessing-the-key-0000" };
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i += 1) {
      expect((await api(wrong, "GET", `/api/v1/documents/${"0".repeat(32)}`, undefined, client)).status).toBe(401);
    }
    expectRateLimited(await api(wrong, "GET", `/api/v1/documents/${"0".repeat(32)}`, undefined, client));
    expectRateLimited(await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE, client));
    // Other clients are not affected.
    expect((await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE, { "x-forwarded-for": "203.0.113.31" })).status).toBe(202);
  });

  it("never refuses many concurrent requests of an officer with a valid key", async () => {
    const client = { "x-forwarded-for": "203.0.113.41" };
    const answers = await Promise.all(
      Array.from({ length: AUTH_FAILURE_LIMIT * 4 }, () => api(service, "GET", `/api/v1/documents/${"0".repeat(32)}`, undefined, client)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 404));
  });

  it("counts only failed authentications: an officer with a valid key is never limited by it", async () => {
    const client = { "x-forwarded-for": "203.0.113.40" };
    for (let i = 0; i < AUTH_FAILURE_LIMIT * 3; i += 1) {
      expect((await api(service, "GET", `/api/v1/documents/${"0".repeat(32)}`, undefined, client)).status).toBe(404);
    }
  });

  it("allows any origin to preflight and call the verify API and read /.well-known, without credentials", async () => {
    const preflight = await fetch(`${service.url}/api/v1/verify`, {
      method: "OPTIONS",
      headers: { origin: "https://border.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();

    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE, { "x-forwarded-for": "203.0.113.50" });
    const verified = await api(
      service,
      "POST",
      "/api/v1/verify",
      { document: await downloadEProof(service, issued.body.id) },
      {
        origin: "https://border.example",
        "x-forwarded-for": "203.0.113.50",
      },
    );
    expect(verified.status).toBe(200);
    expect(verified.headers.get("access-control-allow-origin")).toBe("*");

    for (const path of ["/.well-known/eproof.json", "/.well-known/jwks.json"]) {
      const response = await fetch(`${service.url}${path}`, { headers: { origin: "https://border.example" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
    }
  });

  it("sends no CORS headers on officer routes, so another origin's page cannot call them", async () => {
    const preflight = await fetch(`${service.url}/api/v1/documents`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
    const call = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE, { origin: "https://evil.example", "x-forwarded-for": "203.0.113.60" });
    expect(call.status).toBe(202);
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
    const redact = await fetch(`${service.url}/api/v1/redact`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(redact.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a JSON body nested deeper than 64 levels with 400 on every route, instead of running out of stack (redact gave 500)", async () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const file = `{"eproof":1,"header":{},"data":{"x":${deep(200_000)}},"salts":{},"signature":{"jws":"a","jwk":{}}}`;
    const client = { "x-forwarded-for": "203.0.113.70" };
    for (const [path, body] of [
      ["/api/v1/redact", `{"document":${file},"hide":["x"]}`],
      ["/api/v1/verify", `{"document":${file}}`],
      ["/api/v1/documents", `{"type":"licence","data":{"x":${deep(100)}}}`],
    ] as const) {
      const response = await api(service, "POST", path, body, client);
      expect(response.status, path).toBe(400);
      expect(response.body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/nested more than 64 levels/) });
    }
    // 64 levels are still read (here refused for what they are, not for their depth).
    const atLimit = await api(service, "POST", "/api/v1/redact", `{"document":${deep(63)},"hide":["x"]}`, client);
    expect(atLimit.body.error.message).not.toMatch(/nested/);
  });

  it("sends the strict security headers on the verify page and the API", async () => {
    for (const path of ["/verify", "/healthz", "/nowhere"]) {
      const response = await fetch(`${service.url}${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      const directives = Object.fromEntries(
        csp.split(";").map((part) => {
          const [name = "", ...values] = part.trim().split(/\s+/);
          return [name, values.join(" ")];
        }),
      );
      expect(directives).toMatchObject({
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "media-src": "'self' blob:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
      });
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("x-powered-by")).toBeNull();
      expect(response.headers.get("x-request-id")).toBeTruthy();
    }
  });
});

/** Sends `head` and then one more byte every 100 ms; resolves with what came back and when the server hung up. */
function slowClient(url: string, head: string, trickle: string, giveUpMs: number): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let answer = "";
    let sent = 0;
    const timer = setInterval(() => {
      if (!socket.writable) return;
      socket.write(trickle[sent % trickle.length] as string);
      sent += 1;
    }, 100);
    const finish = () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, answer });
    };
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", finish);
    socket.write(head);
  });
}

describe("slow clients and slow verifications", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_TIMEOUT_MS: "1", EPROOF_HEADERS_TIMEOUT_MS: "1000", EPROOF_REQUEST_TIMEOUT_MS: "2000" } });
  });

  it("cuts off a client that sends its headers too slowly (slowloris) near the headers timeout", async () => {
    const { closedAfterMs, answer } = await slowClient(service.url, "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n", "X-Slow: y\r\n", 10_000);
    // Cut off by the 1 s headers timeout, not earlier (by something else) nor much later: the upper
    // bound leaves a busy machine 3 s of slack and stays well short of the client's own 10 s.
    expect(closedAfterMs).toBeGreaterThanOrEqual(950);
    expect(closedAfterMs).toBeLessThan(4_000);
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  });

  it("cuts off a client that sends its body too slowly near the request timeout", async () => {
    const head = "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    const { closedAfterMs, answer } = await slowClient(service.url, head, " ", 10_000);
    // Cut off by the 2 s request timeout: not before it, and well short of the client's own 10 s.
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_950);
    expect(closedAfterMs).toBeLessThan(5_000);
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("is answered with 503 TIMEOUT and a message, not left hanging", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const document = await downloadEProof(service, issued.body.id);
    // Signature check, store and chain reads take well over 1 ms.
    const response = await api(service, "POST", "/api/v1/verify", { document });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe("TIMEOUT");
    expect(response.body.error.message).toMatch(/longer than 1 ms/);
  });
});

describe("abuse-protection settings", () => {
  const read = () => "";
  it("reads the limits and timeouts from the environment, with safe defaults", () => {
    const defaults = loadConfig({}, read).abuse;
    expect(defaults).toMatchObject({ trustProxy: "loopback", verifyLimit: { max: 120, windowMs: 60_000 }, authFailureLimit: { max: 10 } });
    const set = loadConfig(
      { EPROOF_TRUST_PROXY: "2", EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_REQUEST_TIMEOUT_MS: "5000", EPROOF_HEADERS_TIMEOUT_MS: "9000" },
      read,
    ).abuse;
    expect(set).toMatchObject({ trustProxy: 2, verifyLimit: { max: 0 }, requestTimeoutMs: 5000, headersTimeoutMs: 5000 });
    expect(loadConfig({ EPROOF_TRUST_PROXY: "false" }, read).abuse.trustProxy).toBe(false);
    expect(loadConfig({ EPROOF_TRUST_PROXY: "loopback, 10.0.0.0/8" }, read).abuse.trustProxy).toBe("loopback, 10.0.0.0/8");
  });

  it("refuses to trust every proxy, which would let a client pick its own address", () => {
    expect(() => loadConfig({ EPROOF_TRUST_PROXY: "true" }, read)).toThrow(/EPROOF_TRUST_PROXY/);
    expect(() => loadConfig({ EPROOF_VERIFY_RATE_LIMIT: "-1" }, read)).toThrow(/EPROOF_VERIFY_RATE_LIMIT/);
  });
});
