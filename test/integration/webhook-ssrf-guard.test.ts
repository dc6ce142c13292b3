/**
 * The webhook SSRF guard with real sockets and the system resolver: at registration (a host that is
 * or resolves to a non-public address) and at delivery (the addresses actually connected to, so a
 * name that resolves to 127.0.0.1 only later is refused too: DNS rebinding).
 */
import { lookup } from "node:dns/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyAddress, WebhookDestinationRefused } from "../../services/adapters/http/webhook-address.ts";
import { assertPublicDestination, publicOnlyLookup, type ResolveHost } from "../../services/adapters/http/webhook-destination.ts";
import { guardedWebhookTransport } from "../../services/adapters/http/webhook-transport.ts";
import { requireTool } from "../tool-required.ts";

/** A TCP listener on every interface that only counts connections: did anything reach it? */
let listener: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
  const address = listener.address();
  port = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

const fakeDns =
  (answers: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("registration check", () => {
  const dns = fakeDns({
    "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
    "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "mapped.example.com": ["::ffff:10.1.2.3"],
  });

  it("accepts a host whose every address is public", async () => {
    await expect(assertPublicDestination(new URL("https://hooks.example.com/hook"), dns)).resolves.toBeUndefined();
  });

  it("refuses a host with any non-public address among its answers", async () => {
    for (const host of ["rebind.example.com", "metadata.example.com", "mapped.example.com"]) {
      await expect(assertPublicDestination(new URL(`https://${host}/hook`), dns), host).rejects.toBeInstanceOf(WebhookDestinationRefused);
    }
  });

  it("refuses address literals and localhost names without asking DNS", async () => {
    const never: ResolveHost = async () => {
      throw new Error("DNS was asked");
    };
    for (const url of [
      "https://127.0.0.1/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://10.0.0.1/",
      "https://0x7f.1/",
      "https://localhost/",
      "https://a.localhost/",
    ]) {
      await expect(assertPublicDestination(new URL(url), never), url).rejects.toBeInstanceOf(WebhookDestinationRefused);
    }
    await expect(assertPublicDestination(new URL("https://8.8.8.8/"), never)).resolves.toBeUndefined();
  });

  it("lets a name that does not resolve yet through (the delivery checks again)", async () => {
    await expect(assertPublicDestination(new URL("https://not-yet.example.com/"), dns)).resolves.toBeUndefined();
  });
});

describe("delivery check", () => {
  const transport = guardedWebhookTransport({ allowPrivateAddresses: false, timeoutMs: 3_000 });

  it("refuses to connect to a loopback address literal, in IPv4, IPv6 and IPv4-mapped form", async () => {
    const before = connections;
    for (const host of ["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "localhost"]) {
      await expect(transport.post(`https://${host}:${port}/hook`, "{}", {}), host).rejects.toBeInstanceOf(WebhookDestinationRefused);
    }
    expect(connections).toBe(before);
  });

  it("refuses plain http when private addresses are not allowed", async () => {
    await expect(transport.post(`http://example.com:${port}/hook`, "{}", {})).rejects.toThrow(/plain http/);
  });

  it("refuses a host name that resolves to a loopback address at delivery time (DNS rebinding), before connecting", async (ctx) => {
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    requireTool(
      ctx,
      "a resolver that answers for this host's name",
      resolved.some((a) => classifyAddress(a.address) !== "public"),
      `the system resolver gives ${resolved.length === 0 ? "no address" : "only public addresses"} for ${name}, so no name here resolves to a private one`,
    );
    const before = connections;
    await expect(transport.post(`https://${name}:${port}/hook`, "{}", {})).rejects.toBeInstanceOf(WebhookDestinationRefused);
    expect(connections).toBe(before);
  });

  it("publicOnlyLookup fails a lookup whose answer is private and passes a public literal through", async () => {
    const refused = await new Promise<unknown>((resolve) => publicOnlyLookup("localhost", {}, (error) => resolve(error)));
    expect(refused).toBeInstanceOf(WebhookDestinationRefused);
    const answer = await new Promise<unknown[]>((resolve) => publicOnlyLookup("8.8.8.8", { all: true }, (error, addresses) => resolve([error, addresses])));
    expect(answer).toEqual([null, [{ address: "8.8.8.8", family: 4 }]]);
  });

  it("delivers to a local receiver when private addresses are allowed (the tests' setting)", async () => {
    const receiver = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    const local = typeof address === "object" && address ? address.port : 0;
    try {
      const allowed = guardedWebhookTransport({ allowPrivateAddresses: true, timeoutMs: 3_000 });
      expect(await allowed.post(`http://127.0.0.1:${local}/hook`, "{}", { "content-type": "application/jose" })).toBe(204);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
