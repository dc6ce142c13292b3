/**
 * Which network addresses a webhook may be delivered to. A subscription's URL is chosen by whoever
 * holds an API key; without this guard the service could be made to POST to its own machine, the
 * cloud metadata endpoint (169.254.169.254) or the private network behind it (SSRF). Pure: the
 * address is classified from its text alone (node:net BlockList); resolving a host name is the caller's job.
 */
import { BlockList, isIP } from "node:net";

export type AddressClass = "public" | "loopback" | "private" | "link-local" | "cgnat" | "multicast" | "unspecified" | "reserved";

type Range = [base: string, prefix: number];

// Not every special-purpose range (RFC 6890) is private, but none is a webhook receiver: all refused. In the order
// they are checked: ::1 is loopback, not the IPv4-compatible form of 0.0.0.1.
const V4_RANGES: Array<[AddressClass, Range[]]> = [
  ["loopback", [["127.0.0.0", 8]]],
  ["unspecified", [["0.0.0.0", 8]]],
  [
    "private",
    [
      ["10.0.0.0", 8],
      ["172.16.0.0", 12],
      ["192.168.0.0", 16],
    ],
  ],
  ["link-local", [["169.254.0.0", 16]]],
  ["cgnat", [["100.64.0.0", 10]]],
  ["multicast", [["224.0.0.0", 4]]],
  [
    "reserved",
    [
      ["192.0.0.0", 24],
      ["192.0.2.0", 24],
      ["192.88.99.0", 24],
      ["198.18.0.0", 15],
      ["198.51.100.0", 24],
      ["203.0.113.0", 24],
      ["240.0.0.0", 4],
    ],
  ],
];
const V6_SPECIAL: Partial<Record<AddressClass, Range[]>> = { loopback: [["::1", 128]], unspecified: [["::", 128]] };
// IPv6 forms that reach an IPv4 address, judged by that address: IPv4-mapped (::ffff:0:0/96, which BlockList
// matches against IPv4 rules itself), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
const V4_CARRIERS: Range[] = [
  ["::ffff:0:0", 96],
  ["::", 96],
  ["64:ff9b::", 96],
  ["2002::", 16],
];
// Checked after every IPv4 form: the rest of IPv6 outside global unicast (2000::/3) is reserved, and so are the
// documentation prefix and Teredo (2001::/32), which tunnels to an address we cannot judge.
const V6_RANGES: Array<[AddressClass, Range[]]> = [
  ["multicast", [["ff00::", 8]]],
  ["link-local", [["fe80::", 10]]],
  [
    "private",
    [
      ["fc00::", 7],
      ["fec0::", 10],
    ],
  ],
  [
    "reserved",
    [
      ["2001:db8::", 32],
      ["2001::", 32],
      ["::", 3],
      ["4000::", 2],
      ["8000::", 1],
    ],
  ],
];

/** An IPv4 range as each IPv6 form that carries an IPv4 address (the mapped form BlockList derives itself). */
function carried([base, prefix]: Range): Range[] {
  const [a = 0, b = 0, c = 0, d = 0] = base.split(".").map(Number);
  const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
  return [
    [`::${base}`, 96 + prefix],
    [`64:ff9b::${base}`, 96 + prefix],
    [`2002:${hex(a, b)}:${hex(c, d)}::`, 16 + prefix],
  ];
}

function blockList(ranges: Range[]): BlockList {
  const list = new BlockList();
  for (const [base, prefix] of ranges) list.addSubnet(base, prefix, isIP(base) === 6 ? "ipv6" : "ipv4");
  return list;
}

/** The first list holding an address names its class; an address in none is public. */
const RULES: Array<[AddressClass, BlockList]> = [
  ...V4_RANGES.map(([kind, ranges]): [AddressClass, BlockList] => [kind, blockList([...ranges, ...ranges.flatMap(carried), ...(V6_SPECIAL[kind] ?? [])])]),
  ["public", blockList(V4_CARRIERS)],
  ...V6_RANGES.map(([kind, ranges]): [AddressClass, BlockList] => [kind, blockList(ranges)]),
];

/** An IP address's class, or null when `text` is not an IP address. Brackets and a zone id are allowed. */
export function classifyAddress(text: string): AddressClass | null {
  const address = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 6 ? "ipv6" : "ipv4";
  return RULES.find(([, list]) => list.check(address, family))?.[0] ?? "public";
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
