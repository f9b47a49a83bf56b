import assert from "node:assert/strict";
import { encodeBase64 } from "../../../spec/base64.ts";
import { generateSigningKey, signJson, type SigningKey } from "../../../room/signing.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { ServerKeyStore } from "../../../storage/server-key-store.ts";
import type { Database } from "../../../storage/sql.ts";
import { createLogger } from "../../log.ts";
import { FederationError } from "../transport/federation-error.ts";
import { KeyRing, type KeyFetchClient } from "./key-ring.ts";
import { buildServerKeyDocument, type OurKeys } from "./server-key-document.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const log = createLogger("error");

type Handler = (method: string, path: string, body: unknown) => unknown;

/** A fake network: per destination, a handler; every request is recorded. */
class FakeNetwork implements KeyFetchClient {
  readonly calls: string[] = [];
  readonly servers = new Map<string, Handler>();
  async request(destination: string, method: string, path: string, body?: unknown): Promise<unknown> {
    this.calls.push(`${method} ${destination}${path}`);
    const handler = this.servers.get(destination);
    if (!handler) throw new FederationError(destination, "network", "connect ECONNREFUSED");
    return handler(method, path, body);
  }
}

const keysOf = (serverName: string, current: SigningKey, old: OurKeys["old"] = []): OurKeys => ({ serverName, current, old });

describe("KeyRing (https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys)", () => {
  let db: Database;
  let net: FakeNetwork;
  const clock = { t: 10 * DAY, now() { return this.t; } };
  const me = keysOf("me.example", generateSigningKey("me"));
  const b = keysOf("b.example", generateSigningKey("b1"));
  const notary = keysOf("notary.example", generateSigningKey("n1"));
  const ring = (trusted: string[] = []): KeyRing =>
    new KeyRing({ ours: me, store: new ServerKeyStore({ db }), client: net, trustedKeyServers: trusted, clock, log });
  /** A server answering GET /_matrix/key/v2/server with its document (valid for `validity`). */
  const serve = (keys: OurKeys, validity = DAY, tweak: (d: Record<string, unknown>) => unknown = (d) => d): Handler =>
    (_m, path) => {
      assert.equal(path, "/_matrix/key/v2/server");
      return tweak(buildServerKeyDocument(keys, clock.now(), validity));
    };

  beforeEach(async () => {
    db = await openDatabase({ type: "sqlite", path: ":memory:" });
    net = new FakeNetwork();
    clock.t = 10 * DAY;
  });
  afterEach(async () => db.close());

  it("fetches a key from the server itself, then serves it from memory, then from the database", async () => {
    net.servers.set("b.example", serve(b));
    assert.deepEqual(await ring().getVerifyKey("b.example", "ed25519:b1", clock.now()), b.current.publicKey);
    const r = ring();
    assert.deepEqual(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()), b.current.publicKey);
    assert.deepEqual(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()), b.current.publicKey);
    assert.deepEqual(net.calls, ["GET b.example/_matrix/key/v2/server"]);
  });

  it("honours valid_until_ts: a key is not valid after it (the 7-day cap included)", async () => {
    net.servers.set("b.example", serve(b, HOUR));
    const r = ring();
    const start = clock.now();
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b1", start + HOUR));
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", start + HOUR + 1), undefined, "too short, just fetched");
    assert.equal(net.calls.length, 1, "no refetch within a minute");
    clock.t += 60_000;
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", start + 2 * HOUR), undefined, "refetched, still too short");
    assert.equal(net.calls.length, 2);
    net.servers.set("b.example", serve(b, 30 * DAY));
    clock.t += 2 * 60_000;
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b1", clock.now() + 6 * DAY));
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", clock.now() + 8 * DAY), undefined);
  });

  it("keeps the longest validity a key was given, and old_verify_keys expire at expired_ts", async () => {
    const rotated = keysOf("b.example", generateSigningKey("b2"), [{ keyId: "ed25519:b1", key: encodeBase64(b.current.publicKey), expiredTs: clock.now() + 5 * HOUR }]);
    net.servers.set("b.example", serve(b, 2 * DAY));
    const r = ring();
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()));
    net.servers.set("b.example", serve(rotated, DAY));
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b2", clock.now()));
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b1", clock.now() + 5 * HOUR), "old key valid until its expired_ts");
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", clock.now() + 5 * HOUR + 1), undefined);
    net.servers.set("b.example", serve(rotated, 3 * DAY));
    clock.t += 2 * 60_000;
    await r.getVerifyKey("b.example", "ed25519:b2", clock.now() + 2 * DAY);
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b2", clock.now() + 2 * DAY), "a longer validity replaces a shorter one");
  });

  it("refuses documents for another server or badly signed, and does not ask again within a minute", async () => {
    net.servers.set("b.example", serve(b, DAY, (d) => ({ ...d, server_name: "c.example" })));
    const r = ring();
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined);
    net.servers.set("b.example", serve(b, DAY, (d) => ({ ...d, valid_until_ts: clock.now() + 100 * DAY })));
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined);
    assert.equal(net.calls.length, 1, "throttled");
    clock.t += 60_000;
    assert.equal(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined, "tampered document refused");
    net.servers.set("b.example", serve(b));
    clock.t += 60_000;
    assert.ok(await r.getVerifyKey("b.example", "ed25519:b1", clock.now()));
    assert.equal(net.calls.length, 3);
  });

  it("falls back to a notary, checking both the notary's and the server's signatures", async () => {
    const fromNotary = (sign: SigningKey | undefined, body: Record<string, unknown> = buildServerKeyDocument(b, clock.now())): Handler =>
      (method, path, req) => {
        if (method === "GET") return buildServerKeyDocument(notary, clock.now());
        assert.equal(path, "/_matrix/key/v2/query");
        assert.deepEqual(req, { server_keys: { "b.example": { "ed25519:b1": { minimum_valid_until_ts: clock.now() } } } });
        return { server_keys: [sign ? signJson(body, "notary.example", sign) : body] };
      };
    net.servers.set("notary.example", fromNotary(generateSigningKey("n1")));
    assert.equal(await ring(["notary.example"]).getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined, "forged notary signature");
    net.servers.set("notary.example", fromNotary(undefined));
    assert.equal(await ring(["notary.example"]).getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined, "no notary signature");
    const forgedB = signJson({ ...buildServerKeyDocument(b, clock.now()), signatures: {} }, "b.example", generateSigningKey("b1"));
    net.servers.set("notary.example", fromNotary(notary.current, forgedB));
    assert.equal(await ring(["notary.example"]).getVerifyKey("b.example", "ed25519:b1", clock.now()), undefined, "server signature forged");
    net.servers.set("notary.example", fromNotary(notary.current));
    assert.deepEqual(await ring(["down.example", "notary.example"]).getVerifyKey("b.example", "ed25519:b1", clock.now()), b.current.publicKey);
    // The notary's own key was fetched (GET) by the first ring and is in the database since.
    assert.deepEqual(net.calls.slice(-3), [
      "GET b.example/_matrix/key/v2/server", "POST down.example/_matrix/key/v2/query", "POST notary.example/_matrix/key/v2/query",
    ]);
    assert.equal(net.calls.filter((c) => c === "GET notary.example/_matrix/key/v2/server").length, 1);
  });

  it("answers for our own current and old keys without the network", async () => {
    const old = generateSigningKey("me0");
    const r = new KeyRing({
      ours: { ...me, old: [{ keyId: old.keyId, key: encodeBase64(old.publicKey), expiredTs: clock.now() }] },
      store: new ServerKeyStore({ db }), client: net, trustedKeyServers: [], clock, log,
    });
    assert.deepEqual(await r.getVerifyKey("me.example", "ed25519:me", clock.now() + 100 * DAY), me.current.publicKey);
    assert.deepEqual(await r.getVerifyKey("me.example", old.keyId, clock.now()), old.publicKey);
    assert.equal(await r.getVerifyKey("me.example", old.keyId, clock.now() + 1), undefined);
    assert.equal(await r.getVerifyKey("me.example", "ed25519:nope", 0), undefined);
    assert.deepEqual(net.calls, []);
  });

  it("gives the notary endpoints the server's document, refreshed past half its life, stale when the server is down", async () => {
    net.servers.set("b.example", serve(b, 2 * HOUR));
    const r = ring();
    const first = await r.getKeyResponse("b.example", clock.now());
    assert.equal(first?.["valid_until_ts"], clock.now() + 2 * HOUR);
    clock.t += 30 * 60_000;
    assert.deepEqual(await r.getKeyResponse("b.example", clock.now()), first, "fresh: from the database");
    assert.equal(net.calls.length, 1);
    clock.t += 31 * 60_000;
    const second = await r.getKeyResponse("b.example", clock.now());
    assert.equal(second?.["valid_until_ts"], clock.now() + 2 * HOUR, "past half-life: refetched");
    net.servers.delete("b.example");
    clock.t += 5 * HOUR;
    assert.deepEqual(await r.getKeyResponse("b.example", clock.now()), second, "server down: the last document");
    assert.equal(await r.getKeyResponse("never.example", clock.now()), undefined);
  });
});
