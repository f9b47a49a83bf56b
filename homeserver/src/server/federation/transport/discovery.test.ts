import assert from "node:assert/strict";
import type { HostMapTarget } from "../../../config/config-types.ts";
import { pickSrv, ServerResolver, splitServerName, type SrvRecord } from "./discovery.ts";
import type { OutboundTarget } from "./outbound-http.ts";
import { cacheMsOf, parseWellKnown, type WellKnownResult } from "./well-known.ts";

const HOUR = 3600_000;

interface Fixture {
  resolver: ServerResolver;
  wellKnownCalls: string[];
  srvCalls: string[];
  clock: { t: number; now(): number };
}

function fixture(wellKnown: Record<string, WellKnownResult>, srv: Record<string, SrvRecord[]> = {}, hostMap = new Map<string, HostMapTarget>()): Fixture {
  const f: Fixture = {
    wellKnownCalls: [], srvCalls: [], clock: { t: 1_000_000, now() { return this.t; } },
    resolver: undefined as unknown as ServerResolver,
  };
  f.resolver = new ServerResolver({
    hostMap, clock: f.clock,
    fetchWellKnown: async (host) => {
      f.wellKnownCalls.push(host);
      return wellKnown[host] ?? { ok: false, reason: "HTTP 404", transient: false };
    },
    resolveSrv: async (name) => {
      f.srvCalls.push(name);
      const records = srv[name];
      if (records === undefined) throw Object.assign(new Error("queryNotFound"), { code: "ENOTFOUND" });
      return records;
    },
  });
  return f;
}

const target = (connectHost: string, port: number, hostHeader: string, tlsServerName: string | undefined): OutboundTarget =>
  ({ scheme: "https", connectHost, port, hostHeader, tlsServerName, allowPrivate: false });
const srv = (name: string, port: number, priority = 10, weight = 5): SrvRecord => ({ name, port, priority, weight });

describe("server discovery (https://spec.matrix.org/v1.16/server-server-api/#resolving-server-names)", () => {
  it("uses host_map first, like a delegation, allowing private addresses", async () => {
    const f = fixture({}, {}, new Map<string, HostMapTarget>([
      ["a.test", { scheme: "https", host: "localhost", port: 8449 }],
      ["b.test", { scheme: "http", host: "127.0.0.1", port: 8008 }],
      ["c.test:8448", { scheme: "https", host: "::1", port: 8448 }],
      ["192.0.2.1", { scheme: "https", host: "127.0.0.1", port: 8448 }],
    ]));
    assert.deepEqual(await f.resolver.resolve("a.test"), { ...target("localhost", 8449, "localhost:8449", "localhost"), allowPrivate: true });
    // an IP target: the certificate (and SNI) is the server name's hostname, never the IP
    assert.deepEqual(await f.resolver.resolve("b.test"), { ...target("127.0.0.1", 8008, "127.0.0.1:8008", "b.test"), scheme: "http", allowPrivate: true });
    assert.deepEqual(await f.resolver.resolve("c.test:8448"), { ...target("::1", 8448, "[::1]:8448", "c.test"), allowPrivate: true });
    assert.deepEqual(await f.resolver.resolve("192.0.2.1"), { ...target("127.0.0.1", 8448, "127.0.0.1:8448", undefined), allowPrivate: true });
    assert.deepEqual([f.wellKnownCalls, f.srvCalls], [[], []]);
  });

  it("step 1: an IP literal, port 8448 by default, Host is the server name, no SNI", async () => {
    const f = fixture({});
    assert.deepEqual(await f.resolver.resolve("203.0.113.7"), target("203.0.113.7", 8448, "203.0.113.7", undefined));
    assert.deepEqual(await f.resolver.resolve("[2001:db8::1]:8000"), target("2001:db8::1", 8000, "[2001:db8::1]:8000", undefined));
    assert.deepEqual(f.wellKnownCalls, []);
  });

  it("step 2: an explicit port skips .well-known and SRV", async () => {
    const f = fixture({ "example.org": { ok: true, server: "elsewhere.example:1", cacheMs: undefined } });
    assert.deepEqual(await f.resolver.resolve("example.org:1234"), target("example.org", 1234, "example.org:1234", "example.org"));
    assert.deepEqual([f.wellKnownCalls, f.srvCalls], [[], []]);
  });

  it("step 3: .well-known delegation to an IP, or a name with a port", async () => {
    const f = fixture({
      "ip.example": { ok: true, server: "203.0.113.9:9000", cacheMs: undefined },
      "port.example": { ok: true, server: "matrix.port.example:443", cacheMs: undefined },
    });
    assert.deepEqual(await f.resolver.resolve("ip.example"), target("203.0.113.9", 9000, "203.0.113.9:9000", undefined));
    assert.deepEqual(await f.resolver.resolve("port.example"), target("matrix.port.example", 443, "matrix.port.example:443", "matrix.port.example"));
    assert.deepEqual(f.srvCalls, []);
  });

  it("step 3: a delegated name without port goes through _matrix-fed, then _matrix SRV, then 8448", async () => {
    const f = fixture({
      "a.example": { ok: true, server: "hs.a.example", cacheMs: undefined },
      "b.example": { ok: true, server: "hs.b.example", cacheMs: undefined },
      "c.example": { ok: true, server: "hs.c.example", cacheMs: undefined },
    }, {
      "_matrix-fed._tcp.hs.a.example": [srv("fed1.a.example.", 8443)],
      "_matrix._tcp.hs.a.example": [srv("legacy.a.example", 1)],
      "_matrix._tcp.hs.b.example": [srv("legacy.b.example", 8999)],
    });
    assert.deepEqual(await f.resolver.resolve("a.example"), target("fed1.a.example", 8443, "hs.a.example", "hs.a.example"));
    assert.deepEqual(await f.resolver.resolve("b.example"), target("legacy.b.example", 8999, "hs.b.example", "hs.b.example"));
    assert.deepEqual(await f.resolver.resolve("c.example"), target("hs.c.example", 8448, "hs.c.example", "hs.c.example"));
    assert.deepEqual(f.srvCalls, ["_matrix-fed._tcp.hs.a.example", "_matrix-fed._tcp.hs.b.example", "_matrix._tcp.hs.b.example",
      "_matrix-fed._tcp.hs.c.example", "_matrix._tcp.hs.c.example"]);
  });

  it("steps 4-6: without delegation, SRV of the server name (Host and certificate stay the server name), else 8448", async () => {
    const f = fixture({}, { "_matrix-fed._tcp.srv.example": [srv("backend.srv.example", 443)] });
    assert.deepEqual(await f.resolver.resolve("srv.example"), target("backend.srv.example", 443, "srv.example", "srv.example"));
    assert.deepEqual(await f.resolver.resolve("plain.example"), target("plain.example", 8448, "plain.example", "plain.example"));
  });

  it("caches .well-known answers: Cache-Control, else 24 h; errors an hour; network errors back off from 2 min", async () => {
    const f = fixture({
      "cc.example": { ok: true, server: "hs.cc.example:443", cacheMs: 600_000 },
      "day.example": { ok: true, server: "hs.day.example:443", cacheMs: undefined },
      "down.example": { ok: false, reason: "ECONNREFUSED", transient: true },
    });
    const resolveAll = async (): Promise<void> => {
      for (const name of ["cc.example", "day.example", "gone.example", "down.example"]) await f.resolver.resolve(name);
    };
    await resolveAll();
    await resolveAll();
    assert.equal(f.wellKnownCalls.length, 4, "second round served from the cache");
    f.clock.t += 2 * 60_000 + 1; // past the first back-off only
    await resolveAll();
    assert.deepEqual(f.wellKnownCalls.slice(4), ["down.example"]);
    f.clock.t += 3 * 60_000; // the second back-off is 4 minutes: nothing expires yet
    await resolveAll();
    assert.equal(f.wellKnownCalls.length, 5);
    f.clock.t += 60_000 + 1;
    await resolveAll();
    assert.deepEqual(f.wellKnownCalls.slice(5), ["down.example"]);
    f.clock.t += 5 * 60_000; // past cc's 10 minutes; down now backs off 8 minutes
    await resolveAll();
    assert.deepEqual(f.wellKnownCalls.slice(6), ["cc.example"]);
    f.clock.t += HOUR; // errors are cached an hour at most
    await resolveAll();
    assert.deepEqual(f.wellKnownCalls.slice(7).sort(), ["cc.example", "down.example", "gone.example"]);
    f.clock.t += 24 * HOUR;
    await resolveAll();
    assert.ok(f.wellKnownCalls.slice(10).includes("day.example"));
  });

  it("shares one .well-known request between concurrent resolutions", async () => {
    const f = fixture({ "x.example": { ok: true, server: "hs.x.example:8448", cacheMs: undefined } });
    await Promise.all([f.resolver.resolve("x.example"), f.resolver.resolve("x.example"), f.resolver.resolve("x.example")]);
    assert.deepEqual(f.wellKnownCalls, ["x.example"]);
  });

  it("refuses what is not a server name", async () => {
    await assert.rejects(fixture({}).resolver.resolve("not a name"), /invalid server name/);
    await assert.rejects(fixture({}).resolver.resolve("x.example:99999"), /invalid server name/);
  });
});

describe("discovery helpers", () => {
  it("splitServerName", () => {
    assert.deepEqual(splitServerName("example.org"), { host: "example.org", port: undefined });
    assert.deepEqual(splitServerName("1.2.3.4:5"), { host: "1.2.3.4", port: 5 });
    assert.deepEqual(splitServerName("[::1]:8448"), { host: "::1", port: 8448 });
    assert.equal(splitServerName("a b"), undefined);
  });

  it("pickSrv: lowest priority, then highest weight; '.' means no service", () => {
    assert.deepEqual(pickSrv([srv("b.", 2, 20, 1), srv("a.", 1, 10, 1), srv("c.", 3, 10, 9)]), srv("c", 3, 10, 9));
    assert.equal(pickSrv([srv(".", 0)]), undefined);
    assert.equal(pickSrv([]), undefined);
  });

  it("cacheMsOf reads max-age (capped at 48 h) and no-store", () => {
    assert.equal(cacheMsOf(undefined), undefined);
    assert.equal(cacheMsOf("public, max-age=3600"), 3600_000);
    assert.equal(cacheMsOf("max-age=999999999"), 48 * HOUR);
    assert.equal(cacheMsOf("no-store"), 0);
    assert.equal(cacheMsOf("private"), undefined);
  });

  it("parseWellKnown keeps only a valid m.server", () => {
    assert.equal(parseWellKnown('{"m.server":"hs.example.org:443"}'), "hs.example.org:443");
    for (const bad of ["", "{", "[]", '{"m.server":5}', '{"m.server":"bad name"}', '{"other":"x"}']) assert.equal(parseWellKnown(bad), undefined, bad);
  });
});
