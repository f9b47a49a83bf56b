// Access tokens kept per process on SQLite (server/users/access-token-cache.ts watching the
// connection's data_version, token-cache-for.ts sqliteTokenCache). What must hold:
//  - a token already resolved costs no statement;
//  - a token this process deleted (logout, device deleted) is refused at once;
//  - a token another process deleted (the `entente` CLI writes the file directly: user deactivate,
//    reset-password) is refused at its next use, with no notification: another connection's
//    COMMIT moves data_version, which every lookup compares first;
//  - a lookup that overlapped such a COMMIT keeps nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { StreamStore } from "../../homeserver/src/storage/stream-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { sqliteTokenCache } from "../../homeserver/src/server/users/token-cache-for.ts";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { deactivateUser } from "../../homeserver-config/src/admin-users.ts";
import { testConfig } from "../harness/test-config.ts";
import { registerUser } from "../harness/homeserver.ts";
import { ApiError, call } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";

/** A Database whose token lookups are counted and may be held after they read (before the cache keeps the answer). */
function counted(db: Database): { db: Database; lookups: () => number; hold: (p: Promise<void> | undefined) => void } {
  let lookups = 0;
  let gate: Promise<void> | undefined;
  const wrapped = new Proxy(db, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (key !== "one" || typeof v !== "function") return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      return async (sql: string, params?: unknown[]) => {
        if (sql.includes("FROM access_tokens")) {
          lookups++;
          const row = await (v as (s: string, ps?: unknown[]) => Promise<unknown>).call(target, sql, params);
          await gate;
          return row;
        }
        return (v as (s: string, ps?: unknown[]) => Promise<unknown>).call(target, sql, params);
      };
    },
  });
  return { db: wrapped, lookups: () => lookups, hold: (p) => void (gate = p) };
}

describe("SQLite: access tokens kept per process, dropped when any connection deletes one", function () {
  this.timeout(30_000);
  let dir: string;
  let db: Database;
  let other: Database;
  let c: ReturnType<typeof counted>;
  let users: UserStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-sqlite-tokens-"));
    db = await openDatabase({ type: "sqlite", path: join(dir, "hs.db") });
    other = await openDatabase({ type: "sqlite", path: join(dir, "hs.db") }); // what the CLI opens
    c = counted(db);
    const tokenCache = sqliteTokenCache(db);
    assert.ok(tokenCache, "SQLite offers data_version");
    users = new UserStore({ db: c.db, tokenCache });
    for (const u of ["@a:t", "@b:t"]) {
      await users.createUser({ userId: u, passwordHash: undefined, ts: 0 });
      await users.upsertDevice(u, "D", undefined);
      await users.addAccessToken(`tok-${u}`, u, "D", 0);
    }
  });
  afterEach(async () => {
    await other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a resolved token costs no statement; this process's deletion refuses it at once", async () => {
    assert.deepEqual(await users.lookupToken("tok-@a:t"), { userId: "@a:t", deviceId: "D" });
    assert.deepEqual(await users.lookupToken("tok-@a:t"), { userId: "@a:t", deviceId: "D" });
    assert.equal(c.lookups(), 1);
    await users.deleteToken("tok-@a:t");
    assert.equal(await users.lookupToken("tok-@a:t"), undefined);
  });

  it("another connection's deletion (the CLI's deactivate) refuses the token at its next use", async () => {
    assert.ok(await users.lookupToken("tok-@a:t"));
    assert.ok(await users.lookupToken("tok-@b:t"));
    await new UserStore({ db: other }).deleteAllDevices("@a:t");
    assert.equal(await users.lookupToken("tok-@a:t"), undefined);
    // any commit by another connection drops every kept token: @b reads again, once
    const before = c.lookups();
    assert.ok(await users.lookupToken("tok-@b:t"));
    assert.ok(await users.lookupToken("tok-@b:t"));
    assert.equal(c.lookups(), before + 1);
  });

  it("an answer read before another connection's deletion and kept after it is not served", async () => {
    let open!: () => void;
    c.hold(new Promise<void>((resolve) => (open = resolve)));
    const lookup = users.lookupToken("tok-@a:t"); // read now (found), kept once released
    await new UserStore({ db: other }).deleteAllDevices("@a:t");
    c.hold(undefined);
    open();
    assert.deepEqual(await lookup, { userId: "@a:t", deviceId: "D" }); // asked before the deletion
    assert.equal(await users.lookupToken("tok-@a:t"), undefined);
  });
});

describe("SQLite homeserver: a token revoked in process or by the CLI is refused at once", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "entente-sqlite-tokens-hs-"));
  const config = testConfig(dir);
  let hs: RunningHomeserver | undefined;
  after(async () => {
    await hs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = async (url: string, accessToken: string): Promise<void> => {
    await assert.rejects(call(url, { accessToken }, "GET", `${C}/account/whoami`), (e: unknown) =>
      e instanceof ApiError && e.status === 401 && e.body["errcode"] === "M_UNKNOWN_TOKEN");
  };

  it("logout, then `entente user deactivate` from another connection", async () => {
    hs = await startHomeserver(config);
    const alice = await registerUser(hs.url, "alice");
    const bob = await registerUser(hs.url, "bob");
    for (const s of [alice, bob, alice, bob]) assert.equal((await call<{ user_id: string }>(hs.url, s, "GET", `${C}/account/whoami`)).user_id, s.userId);
    await call(hs.url, alice, "POST", `${C}/logout`, {});
    await refused(hs.url, alice.accessToken);
    // the logout dropped every kept token: Bob's is resolved (and kept) again
    assert.equal((await call<{ user_id: string }>(hs.url, bob, "GET", `${C}/account/whoami`)).user_id, bob.userId);
    const db = await openDatabase(config.database);
    try {
      await deactivateUser({ config, db, users: new UserStore({ db }), streams: new StreamStore({ db }) }, bob.userId);
    } finally {
      await db.close();
    }
    await refused(hs.url, bob.accessToken);
  });
});
