// The federation transport over real HTTPS: listeners with a certificate from a throwaway CA (openssl),
// FederationClients trusting it through extra_ca_path, X-Matrix signed requests checked by
// verifyFederationRequest, key fetching from servers and from a notary, and the outbound guards.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import type { FederationConfig, HostMapTarget } from "../homeserver/src/config/config-types.ts";
import { generateSigningKey, verifyJsonSignature, type SigningKey } from "../homeserver/src/room/signing.ts";
import { federationKeyRoutes } from "../homeserver/src/server/api/federation-keys/routes.ts";
import { systemClock } from "../homeserver/src/server/clock.ts";
import { KeyRing } from "../homeserver/src/server/federation/keys/key-ring.ts";
import type { OurKeys } from "../homeserver/src/server/federation/keys/server-key-document.ts";
import { FederationClient } from "../homeserver/src/server/federation/transport/federation-client.ts";
import { FederationError } from "../homeserver/src/server/federation/transport/federation-error.ts";
import { federationAuthenticator } from "../homeserver/src/server/federation/transport/inbound-auth.ts";
import { startFederationListener, type FederationListener } from "../homeserver/src/server/federation/transport/listener.ts";
import { signRequest } from "../homeserver/src/server/federation/transport/signed-request.ts";
import { Router } from "../homeserver/src/server/http/router.ts";
import { createLogger } from "../homeserver/src/server/log.ts";
import { openDatabase } from "../homeserver/src/storage/open-database.ts";
import { ServerKeyStore } from "../homeserver/src/storage/server-key-store.ts";
import type { Database } from "../homeserver/src/storage/sql.ts";
import { createTestCa, type TestCa } from "./harness/federation-ca.ts";
import { freshDatabase, requirePostgres } from "./harness/postgres.ts";

const log = createLogger("error");
const ECHO = "/_matrix/federation/v1/test/echo";

interface Node {
  name: string;
  keys: OurKeys;
  config: FederationConfig;
  hostMap: Map<string, HostMapTarget>;
  store: ServerKeyStore;
  client: FederationClient;
  listener: FederationListener;
  stop(): Promise<void>;
}

function fedConfig(ca: TestCa, hostMap: Map<string, HostMapTarget>, overrides: Partial<FederationConfig> = {}): FederationConfig {
  return {
    enabled: true, listener: { host: "127.0.0.1", port: 0 }, tls: { certPath: ca.certPath, keyPath: ca.keyPath },
    extraCaPath: ca.caPath, tlsVerify: true, hostMap, allowList: [], denyList: [], trustedKeyServers: [], oldVerifyKeys: [], ...overrides,
  };
}

function clientFor(name: string, key: SigningKey, config: FederationConfig): FederationClient {
  return new FederationClient({ serverName: name, signingKey: key, config, clock: systemClock, log });
}

async function startNode(ca: TestCa, name: string, overrides: Partial<FederationConfig> = {}): Promise<Node> {
  const hostMap = new Map<string, HostMapTarget>();
  const config = fedConfig(ca, hostMap, overrides);
  const keys: OurKeys = { serverName: name, current: generateSigningKey(name.replace(/\W/g, "_")), old: [] };
  const db: Database = await openDatabase({ type: "sqlite", path: ":memory:" });
  const store = new ServerKeyStore({ db });
  const client = clientFor(name, keys.current, config);
  const keyRing = new KeyRing({ ours: keys, store, client, trustedKeyServers: config.trustedKeyServers, clock: systemClock, log });
  const authenticate = federationAuthenticator({ serverName: name, keyRing, policy: config, clock: systemClock });
  const r = new Router();
  federationKeyRoutes(r, { ours: keys, keyRing, clock: systemClock, version: "0.0.0-test" });
  r.add("GET", ECHO, async (ctx) => ({ json: { origin: (await authenticate(ctx)).origin } }));
  r.add("PUT", `${ECHO}/{txnId}`, async (ctx) => ({ json: { origin: (await authenticate(ctx)).origin, body: ctx.body } }));
  r.add("GET", "/_matrix/federation/v1/test/slow", async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { json: {} };
  });
  r.add("GET", "/_matrix/federation/v1/test/big", async () => ({ json: { data: "x".repeat(100_000) } }));
  r.add("GET", "/_matrix/federation/v1/test/bytes", async () => ({ raw: new Uint8Array([1, 2, 3, 250]), headers: { "Content-Type": "application/octet-stream" } }));
  const listener = await startFederationListener({ router: r, log, config, maxJsonBody: 1024 * 1024 });
  return {
    name, keys, config, hostMap, store, client, listener,
    async stop() {
      client.close();
      await listener.stop();
      await db.close();
    },
  };
}

const route = (n: Node): HostMapTarget => ({ scheme: n.config.tls ? "https" : "http", host: "localhost", port: n.listener.port });

async function failure(p: Promise<unknown>): Promise<FederationError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FederationError, `expected a FederationError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the request to fail");
}

/** A hand-made HTTPS request (to send a body other than the one signed). */
function rawPut(ca: TestCa, port: number, path: string, authorization: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: "localhost", port, method: "PUT", path, ca: readFileSync(ca.caPath, "utf8"),
      headers: { Authorization: authorization, "Content-Type": "application/json" },
    }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => { text += c.toString("utf8"); });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("federation transport over HTTPS", function () {
  this.timeout(30_000);
  let ca: TestCa;
  let a: Node, b: Node, c: Node, n: Node, p: Node;

  before(async () => {
    ca = createTestCa();
    a = await startNode(ca, "a.test");
    b = await startNode(ca, "b.test", { denyList: ["c.test"] });
    c = await startNode(ca, "c.test");
    n = await startNode(ca, "n.test");
    p = await startNode(ca, "p.test", { tls: undefined });
    for (const from of [a, b, c, n, p]) for (const to of [a, b, c, n, p]) from.hostMap.set(to.name, route(to));
  });
  after(async () => {
    for (const node of [a, b, c, n, p]) await node?.stop();
    ca?.cleanup();
  });

  it("serves HTTPS with the CA's certificate, and the version endpoint", async () => {
    assert.match(b.listener.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await a.client.request("b.test", "GET", "/_matrix/federation/v1/version"), { server: { name: "Entente", version: "0.0.0-test" } });
  });

  it("authenticates a signed request, the receiver fetching the origin's key over HTTPS", async () => {
    assert.deepEqual(await a.client.request("b.test", "GET", `${ECHO}?q=1`), { origin: "a.test" });
    const stored = await b.store.getKeys("a.test");
    assert.deepEqual(stored.map((k) => k.keyId), [a.keys.current.keyId]);
    const body = { pdus: [], edus: [{ edu_type: "m.typing", content: { n: 1 } }] };
    assert.deepEqual(await a.client.request("b.test", "PUT", `${ECHO}/t%201`, body), { origin: "a.test", body });
  });

  it("refuses a request signed for another destination with 401", async () => {
    a.hostMap.set("other.test", route(b));
    const e = await failure(a.client.request("other.test", "GET", ECHO));
    assert.deepEqual([e.kind, e.status, e.errcode, e.destination], ["http", 401, "M_UNAUTHORIZED", "other.test"]);
    assert.equal(e.message, "Request is for other.test, not for this server");
    assert.equal(e.retryable, false);
  });

  it("refuses a tampered body with 401", async () => {
    const path = `${ECHO}/tampered`;
    const header = signRequest({ method: "PUT", uri: path, origin: "a.test", destination: "b.test", content: { amount: 1 } }, a.keys.current);
    assert.equal((await rawPut(ca, b.listener.port, path, header, '{"amount":1}')).status, 200);
    const res = await rawPut(ca, b.listener.port, path, header, '{"amount":1000}');
    assert.deepEqual([res.status, res.json["errcode"]], [401, "M_UNAUTHORIZED"]);
  });

  it("refuses a key the origin does not publish with 401", async () => {
    const rogue = clientFor("a.test", generateSigningKey("rogue"), a.config);
    try {
      const e = await failure(rogue.request("b.test", "GET", ECHO));
      assert.deepEqual([e.status, e.errcode], [401, "M_UNAUTHORIZED"]);
      assert.match(e.message, /No valid key ed25519:rogue known for a\.test/);
    } finally {
      rogue.close();
    }
  });

  it("refuses a denied origin with 403, without fetching its keys", async () => {
    const e = await failure(c.client.request("b.test", "GET", ECHO));
    assert.deepEqual([e.status, e.errcode, e.message], [403, "M_FORBIDDEN", "Federation with c.test is not allowed"]);
    assert.deepEqual(await b.store.getKeys("c.test"), []);
  });

  it("fetches keys through a notary when the server cannot be reached, checking both signatures", async () => {
    const db = await openDatabase({ type: "sqlite", path: ":memory:" });
    const cut = new Map<string, HostMapTarget>([["n.test", route(n)], ["b.test", { scheme: "https", host: "127.0.0.1", port: 1 }]]);
    const client = clientFor("a.test", a.keys.current, fedConfig(ca, cut));
    try {
      const ring = new KeyRing({ ours: a.keys, store: new ServerKeyStore({ db }), client, trustedKeyServers: ["n.test"], clock: systemClock, log });
      assert.deepEqual(await ring.getVerifyKey("b.test", b.keys.current.keyId, Date.now()), b.keys.current.publicKey);
      const answer = await client.request("n.test", "GET", "/_matrix/key/v2/query/b.test", undefined, { signed: false }) as { server_keys: object[] };
      const doc = answer.server_keys[0] ?? {};
      assert.equal(answer.server_keys.length, 1);
      assert.ok(verifyJsonSignature(doc, "b.test", b.keys.current.keyId, b.keys.current.publicKey), "signed by b.test");
      assert.ok(verifyJsonSignature(doc, "n.test", n.keys.current.keyId, n.keys.current.publicKey), "countersigned by the notary");
    } finally {
      client.close();
      await db.close();
    }
  });

  it("answers bulk notary queries, for itself too, and skips unreachable servers", async () => {
    const body = { server_keys: { "n.test": {}, "b.test": { [b.keys.current.keyId]: { minimum_valid_until_ts: Date.now() } }, "gone.test": {} } };
    n.hostMap.set("gone.test", { scheme: "https", host: "127.0.0.1", port: 1 });
    const answer = await a.client.request("n.test", "POST", "/_matrix/key/v2/query", body, { signed: false }) as { server_keys: { server_name: string }[] };
    assert.deepEqual(answer.server_keys.map((k) => k.server_name).sort(), ["b.test", "n.test"]);
  });

  it("an IP target in host_map: the certificate must be valid for the server name's hostname (the SNI), or the IP for an IP server name", async () => {
    // b's certificate names localhost, 127.0.0.1 and ::1, not by-ip.test
    a.hostMap.set("by-ip.test", { scheme: "https", host: "127.0.0.1", port: b.listener.port });
    const e = await failure(a.client.request("by-ip.test", "GET", "/_matrix/federation/v1/version"));
    assert.equal(e.kind, "network");
    assert.match(e.message, /by-ip\.test/);
    a.hostMap.set("localhost", { scheme: "https", host: "127.0.0.1", port: b.listener.port });
    assert.deepEqual(await a.client.request("localhost", "GET", "/_matrix/federation/v1/version"), { server: { name: "Entente", version: "0.0.0-test" } });
    // an IP server name has no hostname: no SNI, the certificate is checked against the IP
    a.hostMap.set("127.0.0.1:1", { scheme: "https", host: "127.0.0.1", port: b.listener.port });
    assert.deepEqual(await a.client.request("127.0.0.1:1", "GET", "/_matrix/federation/v1/version"), { server: { name: "Entente", version: "0.0.0-test" } });
  });

  it("reaches a plain-HTTP server through an http:// host_map entry", async () => {
    assert.equal(p.listener.url.startsWith("http://"), true);
    assert.deepEqual(await a.client.request("p.test", "GET", ECHO), { origin: "a.test" });
  });

  it("fails TLS verification without the private CA", async () => {
    const noCa = clientFor("a.test", a.keys.current, { ...a.config, extraCaPath: undefined });
    try {
      const e = await failure(noCa.request("b.test", "GET", "/_matrix/federation/v1/version"));
      assert.equal(e.kind, "network");
      assert.match(e.message, /certificate/);
    } finally {
      noCa.close();
    }
  });

  it("refuses private addresses unless host_map routes there, and denied destinations", async () => {
    const open = clientFor("a.test", a.keys.current, fedConfig(ca, new Map(), { denyList: ["b.test"] }));
    try {
      for (const name of [`localhost:${b.listener.port}`, `127.0.0.1:${b.listener.port}`, `[::1]:${b.listener.port}`]) {
        const e = await failure(open.request(name, "GET", "/_matrix/federation/v1/version"));
        assert.equal(e.kind, "refused", `${name}: ${e.message}`);
        assert.match(e.message, /not a public address/);
      }
      const denied = await failure(open.request("b.test", "GET", "/_matrix/federation/v1/version"));
      assert.deepEqual([denied.kind, denied.message], ["refused", "Federation with b.test is not allowed"]);
    } finally {
      open.close();
    }
  });

  it("maps HTTP errors, timeouts and oversized answers to FederationError", async () => {
    const notFound = await failure(a.client.request("b.test", "GET", "/_matrix/federation/v1/nope"));
    assert.deepEqual([notFound.kind, notFound.status, notFound.errcode], ["http", 404, "M_UNRECOGNIZED"]);
    const slow = await failure(a.client.request("b.test", "GET", "/_matrix/federation/v1/test/slow", undefined, { timeoutMs: 100 }));
    assert.deepEqual([slow.kind, slow.retryable], ["timeout", true]);
    const unparsable = await failure(a.client.request("b.test", "GET", "/_matrix/federation/v1/version", undefined, {
      parse: (json) => { if (typeof json !== "string") throw new Error("expected a string"); return json; },
    }));
    assert.deepEqual([unparsable.kind, unparsable.message], ["invalid-response", "b.test: unexpected response: expected a string"]);
    const invalid = await failure(a.client.request("not a name", "GET", "/_matrix/federation/v1/version"));
    assert.equal(invalid.kind, "refused");
    const big = await failure(a.client.request("b.test", "GET", "/_matrix/federation/v1/test/big", undefined, { maxResponseBytes: 10_000 }));
    assert.equal(big.kind, "invalid-response");
    a.hostMap.set("closed.test", { scheme: "https", host: "127.0.0.1", port: 1 });
    const refused = await failure(a.client.request("closed.test", "GET", "/_matrix/federation/v1/version"));
    assert.deepEqual([refused.kind, refused.retryable], ["network", true]);
    assert.match(refused.message, /ECONNREFUSED/);
  });

  it("streams a response body", async () => {
    const res = await a.client.getStream("b.test", "/_matrix/federation/v1/test/bytes");
    const chunks: Buffer[] = [];
    for await (const chunk of res.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    assert.equal(res.headers["content-type"], "application/octet-stream");
    assert.deepEqual([...Buffer.concat(chunks)], [1, 2, 3, 250]);
    const e = await failure(a.client.getStream("b.test", "/_matrix/federation/v1/nope"));
    assert.equal(e.status, 404);
  });
});

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`ServerKeyStore (${dialect})`, () => {
    let db: Database;
    let drop = async (): Promise<void> => undefined;
    before(async function () {
      if (dialect === "postgres") {
        await requirePostgres(this);
        const fresh = await freshDatabase();
        drop = fresh.drop;
        db = await openDatabase({ type: "postgres", url: fresh.url });
      } else {
        db = await openDatabase({ type: "sqlite", path: ":memory:" });
      }
    });
    after(async () => {
      await db?.close();
      await drop();
    });

    it("keeps the longest validity of a verify key, lets expired_ts override it, restarts on a new public key", async () => {
      const store = new ServerKeyStore({ db });
      const k = (validUntilTs: number, expired = false, publicKey = "AAAA") => ({ keyId: "ed25519:k", publicKey, validUntilTs, expired });
      await store.saveResponse("s.test", 1, [k(500)], { json: '{"v":1}', validUntilTs: 500 });
      await store.saveResponse("s.test", 2, [k(300)], { json: '{"v":2}', validUntilTs: 300 });
      assert.deepEqual(await store.getKeys("s.test"), [{ keyId: "ed25519:k", publicKey: "AAAA", validUntilTs: 500, fetchedTs: 2 }]);
      assert.deepEqual(await store.getResponse("s.test"), { json: '{"v":1}', validUntilTs: 500, fetchedTs: 1 }, "a shorter response does not replace a longer one");
      await store.saveResponse("s.test", 3, [k(200, true)], undefined);
      assert.equal((await store.getKeys("s.test"))[0]?.validUntilTs, 200);
      await store.saveResponse("s.test", 4, [k(100, false, "BBBB")], { json: '{"v":4}', validUntilTs: 900 });
      assert.deepEqual(await store.getKeys("s.test"), [{ keyId: "ed25519:k", publicKey: "BBBB", validUntilTs: 100, fetchedTs: 4 }]);
      assert.deepEqual(await store.getResponse("s.test"), { json: '{"v":4}', validUntilTs: 900, fetchedTs: 4 });
      assert.deepEqual([await store.getKeys("other.test"), await store.getResponse("other.test")], [[], undefined]);
    });
  });
}
