import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { ForbiddenAddressError, guardedLookup, isForbiddenAddress, resolveAllowed, type AddressResolver } from "./ssrf-guard.ts";

const fakeDns = (table: Record<string, string[]>): AddressResolver => async (host) => {
  const addresses = table[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

function lookupOnce(host: string, allowPrivate: boolean, resolver: AddressResolver, all: boolean): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    guardedLookup(allowPrivate, resolver)(host, { all }, (err, address) => (err ? reject(err) : resolve(address)));
  });
}

describe("SSRF guard", () => {
  it("refuses private, loopback, link-local, CGNAT, multicast and unique-local addresses", () => {
    for (const ip of [
      "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.10", "169.254.169.254", "100.64.0.1",
      "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
      "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "2001:db8::1", "2001::1",
      "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:c0a8:0101::1",
    ]) {
      assert.equal(isForbiddenAddress(ip), true, ip);
    }
  });

  it("allows public addresses, including IPv4-mapped and NAT64 forms of them", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:4007::1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1"]) {
      assert.equal(isForbiddenAddress(ip), false, ip);
    }
  });

  it("refuses what is not an IP address at all", () => {
    assert.equal(isForbiddenAddress("localhost"), true);
    assert.equal(isForbiddenAddress(""), true);
  });

  it("keeps only public addresses of a name, and fails when none is left", async () => {
    const dns = fakeDns({ "mixed.example": ["10.0.0.1", "93.184.216.34"], "internal.example": ["192.168.0.5", "fd00::5"] });
    assert.deepEqual(await resolveAllowed("mixed.example", false, dns), [{ address: "93.184.216.34", family: 4 }]);
    await assert.rejects(resolveAllowed("internal.example", false, dns), (e: unknown) =>
      e instanceof ForbiddenAddressError && /192\.168\.0\.5, fd00::5 is not a public address/.test(e.message));
    await assert.rejects(resolveAllowed("127.0.0.1", false, dns), ForbiddenAddressError);
  });

  it("lets host_map destinations (allowPrivate) reach private addresses", async () => {
    const dns = fakeDns({ "internal.example": ["192.168.0.5"] });
    assert.deepEqual(await resolveAllowed("internal.example", true, dns), [{ address: "192.168.0.5", family: 4 }]);
    assert.equal(await lookupOnce("internal.example", true, dns, false), "192.168.0.5");
  });

  it("answers net.connect's lookup with the checked address, single or all", async () => {
    const dns = fakeDns({ "pub.example": ["127.0.0.1", "93.184.216.34", "2606:4700::1111"], "lo.example": ["127.0.0.1"] });
    assert.equal(await lookupOnce("pub.example", false, dns, false), "93.184.216.34");
    assert.deepEqual(await lookupOnce("pub.example", false, dns, true), [{ address: "93.184.216.34", family: 4 }, { address: "2606:4700::1111", family: 6 }]);
    await assert.rejects(lookupOnce("lo.example", false, dns, false), ForbiddenAddressError);
    await assert.rejects(lookupOnce("nowhere.example", false, dns, false), /ENOTFOUND/);
  });

  it("guards real DNS answers too (localhost is loopback)", async () => {
    await assert.rejects(resolveAllowed("localhost", false), ForbiddenAddressError);
  });
});
