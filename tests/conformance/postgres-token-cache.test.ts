// Access tokens kept per process on a real PostgreSQL (server/users/access-token-cache.ts,
// storage/token-revocations.ts). What must hold:
//  - a token already resolved costs no statement;
//  - a token deleted by this process is refused at once; deleted by another process (a client
//    reader, the CLI writing the table directly) it is refused once PostgreSQL's notification of
//    that COMMIT arrived (migration 160's trigger);
//  - a lookup that overlapped a deletion keeps nothing;
//  - with the LISTEN connection lost nothing is kept (every lookup reads) until it is back;
//  - a LISTEN connection that dies silently (no error, no end: a frozen TCP flow) is found by the
//    heartbeat and the cache goes off.
import assert from "node:assert/strict";
import pg from "pg";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { AccessTokenCache } from "../../homeserver/src/server/users/access-token-cache.ts";
import { TOKEN_LISTENER_APPLICATION_NAME, TokenRevocations } from "../../homeserver/src/storage/token-revocations.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";
import { startTcpGate } from "../harness/tcp-gate.ts";

const log = createLogger("error");

/** One process's view: its own pool, cache and LISTEN connection; counts its token lookups. */
interface Proc {
  users: UserStore;
  cache: AccessTokenCache;
  revocations: TokenRevocations;
  lookups: () => number;
  /** While set, token lookups wait for it before reading. */
  gate: Promise<void> | undefined;
  close: () => Promise<void>;
}

async function proc(url: string): Promise<Proc> {
  const db = await openDatabase({ type: "postgres", url });
  let lookups = 0;
  const p: Partial<Proc> = { gate: undefined };
  const counted: Database = new Proxy(db, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (key !== "one" || typeof v !== "function") return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      return async (sql: string, params?: unknown[]) => {
        if (sql.includes("FROM access_tokens")) {
          lookups++;
          await p.gate;
        }
        return (v as (s: string, ps?: unknown[]) => Promise<unknown>).call(target, sql, params);
      };
    },
  });
  const cache = new AccessTokenCache();
  const revocations = new TokenRevocations({ url, cache, log });
  await revocations.start();
  return Object.assign(p, {
    users: new UserStore({ db: counted, tokenCache: cache }), cache, revocations, lookups: () => lookups,
    close: async () => {
      await revocations.stop();
      await db.close();
    },
  }) as Proc;
}

/** Resolves at the cache's next clear (a notification, a local deletion, the feed lost or back). */
function nextClear(cache: AccessTokenCache): Promise<void> {
  return new Promise((resolve) => {
    const off = cache.onCleared(() => {
      off();
      resolve();
    });
  });
}

describe("PostgreSQL: access tokens kept per process, dropped when any process deletes one", function () {
  this.timeout(30_000);
  let drop: () => Promise<void>;
  let url: string;
  let a: Proc;
  let b: Proc;
  let other: pg.Client;

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    url = fresh.url;
    a = await proc(url);
    b = await proc(url);
    other = new pg.Client({ connectionString: url });
    await other.connect();
    for (const [t, d] of [["tok-a1", "D1"], ["tok-a2", "D2"], ["tok-b1", "E1"]] as const) await a.users.addAccessToken(t, t.startsWith("tok-a") ? "@alice:a.test" : "@bob:a.test", d, 1);
  });
  afterEach(async () => {
    await other?.end();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it("a resolved token costs no statement the next time", async () => {
    assert.ok(a.cache.enabled, "LISTEN in place: the cache is on");
    assert.deepEqual(await a.users.lookupToken("tok-a1"), { userId: "@alice:a.test", deviceId: "D1" });
    assert.deepEqual(await a.users.lookupToken("tok-a1"), { userId: "@alice:a.test", deviceId: "D1" });
    assert.deepEqual(await a.users.lookupToken("tok-a1"), { userId: "@alice:a.test", deviceId: "D1" });
    assert.equal(a.lookups(), 1, "one read for three lookups");
    assert.equal(await a.users.lookupToken("inconnu"), undefined);
    assert.equal(await a.users.lookupToken("inconnu"), undefined);
    assert.equal(a.lookups(), 3, "unknown tokens are not kept");
  });

  it("a logout in this process is refused at once; in another process once its COMMIT is notified", async () => {
    for (const p of [a, b]) for (const t of ["tok-a1", "tok-a2", "tok-b1"]) assert.ok(await p.users.lookupToken(t));
    const heardByB = nextClear(b.cache);
    await a.users.deleteToken("tok-a1");
    assert.equal(await a.users.lookupToken("tok-a1"), undefined, "refused at once by the process that deleted it");
    // b kept tok-a1: it is dropped when PostgreSQL's notification of the COMMIT arrives
    await heardByB;
    assert.equal(await b.users.lookupToken("tok-a1"), undefined, "refused by the other process");
    assert.deepEqual(await b.users.lookupToken("tok-a2"), { userId: "@alice:a.test", deviceId: "D2" }, "other tokens still valid");
  });

  it("a deletion written to the table by another program (the CLI) reaches every process", async () => {
    for (const p of [a, b]) assert.ok(await p.users.lookupToken("tok-b1"));
    const heard = [nextClear(a.cache), nextClear(b.cache)];
    await other.query("DELETE FROM access_tokens WHERE user_id = $1", ["@bob:a.test"]);
    await Promise.all(heard);
    assert.equal(await a.users.lookupToken("tok-b1"), undefined);
    assert.equal(await b.users.lookupToken("tok-b1"), undefined);
  });

  it("a lookup that overlapped a deletion keeps nothing", async () => {
    let release!: () => void;
    a.gate = new Promise((r) => (release = r));
    const pending = a.users.lookupToken("tok-a2");
    // the read has not run yet; meanwhile a deletion is heard (here: another token's)
    const cleared = nextClear(a.cache);
    await other.query("DELETE FROM access_tokens WHERE token_hash = 'nothing'");
    await cleared;
    a.gate = undefined;
    release();
    assert.ok(await pending);
    const before = a.lookups();
    assert.ok(await a.users.lookupToken("tok-a2"));
    assert.equal(a.lookups(), before + 1, "read again: the overlapping answer was not kept");
  });

  it("with its LISTEN connection lost a process keeps nothing until it is back, then hears deletions again", async () => {
    assert.ok(await a.users.lookupToken("tok-a2"));
    const lost = nextClear(a.cache);
    await other.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()", [TOKEN_LISTENER_APPLICATION_NAME]);
    await lost;
    // The loss turns the cache off at once (the same turn that cleared it); the reconnection waits
    // for a retry timer (≥ 100 ms), so the cache is off here whatever the machine's load.
    assert.equal(a.cache.enabled, false, "off while LISTEN is down");
    const back = new Promise<void>((resolve) => {
      const off = a.cache.onCleared(() => {
        if (!a.cache.enabled) return;
        off();
        resolve();
      });
    });
    const before = a.lookups();
    assert.ok(await a.users.lookupToken("tok-a2"));
    assert.ok(await a.users.lookupToken("tok-a2"));
    // Both lookups ran while the cache was off (or it came back between them: then the second read
    // is the first after enable(), which also reads): two reads either way.
    assert.equal(a.lookups(), before + 2, "nothing kept while the feed is down");
    await back;
    assert.ok(a.cache.enabled, "back on once LISTEN is in place again");
    assert.ok(await a.users.lookupToken("tok-a2"));
    const heard = nextClear(a.cache);
    await other.query("DELETE FROM access_tokens WHERE token_hash <> ''");
    await heard;
    assert.equal(await a.users.lookupToken("tok-a2"), undefined, "a deletion after the reconnection is heard");
  });

  it("a LISTEN connection that goes silent (frozen TCP flow, no error) is found by the heartbeat: nothing kept", async () => {
    // PostgreSQL's answers held from now on: no error, no end, nothing (a half-open flow)
    const gate = await startTcpGate();
    const target = new URL(url);
    gate.upstreamPort = Number(target.port || 5432);
    target.hostname = "127.0.0.1";
    target.port = String(gate.port);
    const cache = new AccessTokenCache();
    const revocations = new TokenRevocations({ url: target.toString(), cache, log, heartbeatMs: 150, heartbeatTimeoutMs: 300 });
    try {
      await revocations.start();
      assert.ok(cache.enabled, "on once LISTEN is in place through the proxy");
      const off = new Promise<void>((resolve) => {
        const stop = cache.onCleared(() => {
          if (cache.enabled) return;
          stop();
          resolve();
        });
      });
      await gate.holdAfter(0);
      await off;
      assert.equal(cache.enabled, false, "the cache is off: a deletion elsewhere would go unheard");
    } finally {
      await revocations.stop();
      gate.release();
      await gate.close();
    }
  });
});

