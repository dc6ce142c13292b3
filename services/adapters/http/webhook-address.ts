/**
 * Which network addresses a webhook may be delivered to. A subscription's URL is chosen by whoever
 * holds an API key; without this guard the service could be made to POST to its own machine, the
 * cloud metadata endpoint (169.254.169.254) or the private network behind it (SSRF). Pure: the
 * address is classified from its text alone; resolving a host name is the caller's job.
 */
import { isIP } from "node:net";

export type AddressClass = "public" | "loopback" | "private" | "link-local" | "cgnat" | "multicast" | "unspecified" | "reserved";

/** One IPv4 range: first address as a 32-bit number, prefix length, class. */
type V4Range = [base: string, prefix: number, kind: AddressClass];

// Not every special-purpose range (RFC 6890) is private, but none is a webhook receiver: all refused.
const V4_RANGES: V4Range[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4Number(text: string): number {
  return text.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(value: number): AddressClass {
  for (const [base, prefix, kind] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    const start = v4Number(base);
    if (value >= start && value < start + size) return kind;
  }
  return "public";
}

/** The eight 16-bit groups of an IPv6 address (already known valid by isIP). */
function v6Groups(text: string): number[] {
  let body = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    // A dotted IPv4 tail is the last two groups.
    const n = v4Number(dotted[1]);
    body = `${text.slice(0, -dotted[1].length)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const hex = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const [head = "", rest] = body.split("::");
  if (rest === undefined) return hex(head);
  const left = hex(head);
  const right = hex(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function classifyV6(text: string): AddressClass {
  const g = v6Groups(text);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = g6 * 65536 + g7;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g7 === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 address is what is reached.
  if (zeroUpTo(5) && g5 === 0xffff) return classifyV4(embeddedV4);
  if (zeroUpTo(6)) return classifyV4(embeddedV4);
  // IPv4/IPv6 translation (NAT64, 64:ff9b::/96) reaches the embedded IPv4 address too.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embeddedV4);
  // 6to4 (2002::/16) carries an IPv4 address in groups 1-2.
  if (g0 === 0x2002) return classifyV4(g1 * 65536 + g2);
  if (g0 >= 0xff00) return "multicast";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfec0) return "private";
  if (g0 === 0x2001 && g1 === 0x0db8) return "reserved";
  // Teredo (2001::/32) tunnels to an address we cannot judge; the rest outside 2000::/3 is not global unicast.
  if (g0 === 0x2001 && g1 === 0) return "reserved";
  if ((g0 & 0xe000) !== 0x2000) return "reserved";
  return "public";
}

/** An IP address's class, or null when `text` is not an IP address. Brackets and a zone id are allowed. */
export function classifyAddress(text: string): AddressClass | null {
  const address = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const version = isIP(address);
  if (version === 4) return classifyV4(v4Number(address));
  if (version === 6) return classifyV6(address.toLowerCase());
  return null;
}

/** A host name that names this machine without DNS (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** Thrown (and recorded in the delivery log) when a webhook's destination is not a public address. */
export class WebhookDestinationRefused extends Error {
  constructor(kind: AddressClass | "localhost" | "plain-http") {
    super(
      kind === "plain-http"
        ? "refused: plain http is allowed only with EPROOF_WEBHOOK_ALLOW_PRIVATE=true (use https)"
        : `refused: the webhook host is a ${kind} address (only public addresses are allowed unless EPROOF_WEBHOOK_ALLOW_PRIVATE=true)`,
    );
    this.name = "WebhookDestinationRefused";
  }
}
