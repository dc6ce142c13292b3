/** The webhook SSRF guard's address classification: a table of addresses and what each is. */
import { describe, expect, it } from "vitest";
import { type AddressClass, classifyAddress, isLocalhostName } from "../../services/adapters/http/webhook-address.ts";

const TABLE: Array<[string, AddressClass | null]> = [
  // IPv4
  ["8.8.8.8", "public"],
  ["1.1.1.1", "public"],
  ["93.184.216.34", "public"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["100.63.255.255", "public"],
  ["100.64.0.1", "cgnat"],
  ["100.127.255.255", "cgnat"],
  ["100.128.0.0", "public"],
  ["127.0.0.1", "loopback"],
  ["127.1.2.3", "loopback"],
  ["169.254.169.254", "link-local"],
  ["172.15.255.255", "public"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.0", "public"],
  ["192.0.2.10", "reserved"],
  ["192.168.1.1", "private"],
  ["198.18.0.1", "reserved"],
  ["203.0.113.7", "reserved"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "reserved"],
  // IPv6
  ["2606:4700:4700::1111", "public"],
  ["2001:4860:4860::8888", "public"],
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["fc00::1", "private"],
  ["fd12:3456:789a::1", "private"],
  ["fec0::1", "private"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "reserved"],
  ["2001:0:4136:e378::1", "reserved"],
  ["100::1", "reserved"],
  // IPv4 inside IPv6: judged by the IPv4 address reached
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:8.8.8.8", "public"],
  ["0:0:0:0:0:ffff:192.168.0.1", "private"],
  ["::127.0.0.1", "loopback"],
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::8.8.8.8", "public"],
  ["2002:7f00:1::1", "loopback"],
  ["2002:0808:0808::1", "public"],
  ["::ffff:100.64.0.1", "cgnat"],
  ["::ffff:224.0.0.1", "multicast"],
  ["::ffff:240.0.0.1", "reserved"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["64:ff9b::a9fe:a9fe", "link-local"],
  ["2002:ac10:1::1", "private"],
  ["2002:c0a8:101::", "private"],
  // Edges of global unicast (2000::/3)
  ["2000::1", "public"],
  ["3fff:ffff::1", "public"],
  ["1fff::1", "reserved"],
  ["4000::1", "reserved"],
  ["fbff::1", "reserved"],
  // Not addresses
  ["example.com", null],
  ["localhost", null],
  ["256.0.0.1", null],
  ["", null],
];

describe("webhook address classification", () => {
  for (const [address, expected] of TABLE) {
    it(`classifies ${address || "(empty)"} as ${expected ?? "not an address"}`, () => {
      expect(classifyAddress(address)).toBe(expected);
    });
  }

  it("recognises localhost names that never reach DNS", () => {
    for (const name of ["localhost", "LOCALHOST", "localhost.", "api.localhost"]) expect(isLocalhostName(name), name).toBe(true);
    for (const name of ["localhost.example.com", "example.com", "mylocalhost"]) expect(isLocalhostName(name), name).toBe(false);
  });
});
