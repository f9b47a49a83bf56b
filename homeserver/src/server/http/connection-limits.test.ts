import assert from "node:assert/strict";
import { addressKey, ConnectionCounter, RefusalLogLimiter } from "./connection-limits.ts";
import { checkingIntervalMs } from "./connection-guard.ts";

describe("ConnectionCounter", () => {
  it("refuses beyond the per-address cap and admits again once one closes", () => {
    const c = new ConnectionCounter({ maxPerListener: 10, maxPerAddress: 2 });
    assert.equal(c.admit("1.2.3.4"), "ok");
    assert.equal(c.admit("1.2.3.4"), "ok");
    assert.equal(c.admit("1.2.3.4"), "address_full");
    assert.equal(c.admit("5.6.7.8"), "ok", "another address has its own count");
    assert.equal(c.open, 3, "a refused connection is not counted");
    c.release("1.2.3.4");
    assert.equal(c.admit("1.2.3.4"), "ok");
  });

  it("refuses beyond the listener cap whatever the address", () => {
    const c = new ConnectionCounter({ maxPerListener: 3, maxPerAddress: 3 });
    for (const a of ["a", "b", "c"]) assert.equal(c.admit(a), "ok");
    assert.equal(c.admit("d"), "listener_full");
    c.release("b");
    assert.equal(c.admit("d"), "ok");
  });

  it("has no per-address cap when it is undefined (behind a reverse proxy)", () => {
    const c = new ConnectionCounter({ maxPerListener: 5, maxPerAddress: undefined });
    for (let i = 0; i < 5; i++) assert.equal(c.admit("127.0.0.1"), "ok");
    assert.equal(c.admit("127.0.0.1"), "listener_full");
  });

  it("forgets addresses with no open connection, and ignores releases of unknown keys", () => {
    const c = new ConnectionCounter({ maxPerListener: 5, maxPerAddress: 5 });
    c.admit("a");
    c.admit("a");
    c.release("a");
    c.release("a");
    c.release("a");
    c.release("never-seen");
    assert.equal(c.open, 0);
    assert.equal(c.addresses, 0);
  });
});

describe("addressKey", () => {
  it("keeps IPv4, unwraps IPv4-mapped IPv6", () => {
    assert.equal(addressKey("192.0.2.7"), "192.0.2.7");
    assert.equal(addressKey("::ffff:192.0.2.7"), "192.0.2.7");
  });

  it("counts IPv6 per /64, whatever the notation", () => {
    assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(addressKey("::1"), "0:0:0:0::/64");
    assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.notEqual(addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:3::1"));
  });
});

describe("RefusalLogLimiter", () => {
  it("logs the first refusal, then at most one line per interval with the count since", () => {
    const l = new RefusalLogLimiter(10_000);
    assert.equal(l.refused(0), 1);
    for (let t = 1; t < 10_000; t += 1000) assert.equal(l.refused(t), undefined);
    assert.equal(l.refused(10_000), 11, "10 suppressed + this one");
    assert.equal(l.refused(10_001), undefined);
  });
});

describe("checkingIntervalMs", () => {
  it("checks stalled connections at a tenth of the headers timeout, between 10 ms and 5 s", () => {
    assert.equal(checkingIntervalMs(20_000), 2_000);
    assert.equal(checkingIntervalMs(300), 30);
    assert.equal(checkingIntervalMs(50), 10);
    assert.equal(checkingIntervalMs(600_000), 5_000);
  });
});
