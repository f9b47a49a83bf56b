import assert from "node:assert/strict";
import { Notifier } from "../notifier.ts";
import { parseMessage, userPayloads } from "./stream-channel.ts";
import { servesLocally } from "./reader-routes.ts";
import { PushProgress, TypingMirror, readOnlyDatabase, ReadOnlyWorkerError } from "./reader-parts.ts";
import { createLogger } from "../log.ts";
import type { Database } from "../../storage/sql.ts";

describe("workers: wake-up messages", () => {
  it("splits a wake-up of many users into payloads under PostgreSQL's 8,000-byte limit, losing none", () => {
    const users = Array.from({ length: 3000 }, (_, i) => `@user-${i}-${"é".repeat(20)}:ville-a.example.fr`);
    const payloads = userPayloads("abc", users);
    assert.ok(payloads.length > 1);
    for (const p of payloads) assert.ok(Buffer.byteLength(p) < 8000, `payload of ${Buffer.byteLength(p)} bytes`);
    const back = payloads.flatMap((p) => {
      const m = parseMessage(p);
      assert.ok(m?.k === "u");
      return m.u;
    });
    assert.deepEqual(back, users);
    assert.equal(parseMessage("not json"), undefined);
  });
});

describe("Notifier across processes", () => {
  it("passes notifications to onNotify listeners, and notifyAll wakes waiters and moves every version", async () => {
    const n = new Notifier();
    const seen: string[][] = [];
    n.onNotify((u) => seen.push([...u]));
    n.notifyUsers(["@a:x", "@b:x"]);
    assert.deepEqual(seen, [["@a:x", "@b:x"]]);
    const before = n.version("@c:x");
    const waiting = n.wait("@c:x", before, 60_000);
    n.notifyAll();
    await waiting; // woken, not timed out (the test would time out)
    assert.notEqual(n.version("@c:x"), before, "a sync computing during notifyAll does not wait on a stale version");
    assert.equal(seen.length, 1, "notifyAll is not published");
  });
});

describe("client reader", () => {
  const opts = { serverName: "ville-a.fr", federation: true };
  it("serves the read-only client endpoints and forwards the rest", () => {
    assert.equal(servesLocally("GET", "/_matrix/client/v3/sync", opts), true);
    assert.equal(servesLocally("GET", "/_matrix/client/v3/rooms/!r:ville-a.fr/state/m.room.member/@a:ville-a.fr", opts), true);
    assert.equal(servesLocally("GET", "/_matrix/client/v1/rooms/!r:ville-a.fr/relations/$e", opts), true);
    assert.equal(servesLocally("PUT", "/_matrix/client/v3/rooms/!r:ville-a.fr/send/m.room.message/1", opts), false);
    assert.equal(servesLocally("POST", "/_matrix/client/v3/sync", opts), false);
    assert.equal(servesLocally("GET", "/_matrix/client/v3/rooms/!r:ville-a.fr/messages", opts), false, "may backfill over federation");
    assert.equal(servesLocally("GET", "/_matrix/client/v3/rooms/!r:ville-a.fr/messages", { ...opts, federation: false }), true);
    assert.equal(servesLocally("GET", "/_matrix/client/v3/profile/%40a%3Aville-a.fr", opts), true);
    assert.equal(servesLocally("GET", "/_matrix/client/v3/profile/%40a%3Aville-b.fr/displayname", opts), false, "a remote profile is a federation query");
    assert.equal(servesLocally("GET", "/_matrix/client/v1/media/download/ville-a.fr/abc", opts), false);
  });

  it("refuses write transactions and INSERTs on its database", async () => {
    const calls: string[] = [];
    const fake = {
      dialect: "postgres", all: async (sql: string) => (calls.push(sql), []), one: async (sql: string) => (calls.push(sql), undefined),
      run: async (sql: string) => (calls.push(sql), { changes: 0 }), transaction: async () => undefined, exec: async () => undefined, close: async () => undefined,
    } as unknown as Database;
    const db = readOnlyDatabase(fake);
    await db.all("SELECT 1");
    await db.run("DELETE FROM to_device_messages WHERE user_id = ?", ["@a:x"]);
    await assert.rejects(db.one("INSERT INTO filters (user_id, json) VALUES (?, ?) RETURNING filter_id", ["@a:x", "{}"]), ReadOnlyWorkerError);
    await assert.rejects(db.transaction(async () => 1), ReadOnlyWorkerError);
    assert.deepEqual(calls, ["SELECT 1", "DELETE FROM to_device_messages WHERE user_id = ?"]);
  });

  it("waits for main's push evaluation to reach a position, re-reading it first", async () => {
    let stored = 5;
    const p = new PushProgress({ read: async () => stored, log: createLogger("error", {}), maxWaitMs: 60_000 });
    await p.atLeast(5);
    let done = false;
    const waiting = p.atLeast(8).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    p.advance(7);
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    stored = 9;
    p.advance(8);
    await waiting;
    assert.equal(p.announced, 0, "positions read from the database are not announcements");
    p.announce(9);
    assert.equal(p.announced, 9);
  });

  it("answers on main's announcement while its own read of the cursor is still out", async () => {
    let release = (): void => undefined;
    const read = new Promise<number>((r) => (release = () => r(0)));
    const p = new PushProgress({ read: () => read, log: createLogger("error", {}), maxWaitMs: 60_000 });
    let done = false;
    const waiting = p.atLeast(4).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    p.announce(4);
    await new Promise((r) => setImmediate(r));
    assert.equal(done, true, "the announcement did not wait for the database read");
    release();
    await waiting;
  });

  it("while listening (cursor read since LISTEN came up) a wait reads nothing and ends on main's announcement", async () => {
    let reads = 0;
    let stored = 2;
    const p = new PushProgress({ read: async () => (reads++, stored), log: createLogger("error", {}), maxWaitMs: 60_000 });
    assert.equal(p.listening, false, "not before the first read after LISTEN");
    await p.refresh();
    assert.equal(p.listening, true);
    reads = 0;
    let done = false;
    const waiting = p.atLeast(4).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(reads, 0, "no read of the cursor while every 'p' reaches the reader");
    p.announce(4);
    await waiting;
    assert.equal(done, true);
    // the connection is lost: waits read the cursor again until the next refresh completes
    p.lost();
    assert.equal(p.listening, false);
    stored = 6;
    await p.atLeast(6);
    assert.equal(reads, 1, "a wait after a loss reads the cursor (a 'p' may have been missed)");
  });

  it("while listening, a wait whose 'p' does not come (a LISTEN connection dead without a word) reads the cursor after lateReadMs", async () => {
    let reads = 0;
    let stored = 2;
    const p = new PushProgress({ read: async () => (reads++, stored), log: createLogger("error", {}), maxWaitMs: 60_000, lateReadMs: 20 });
    await p.refresh();
    reads = 0;
    stored = 5; // main evaluated up to 5; its "p" is lost on the dead connection
    const started = performance.now();
    await p.atLeast(5);
    const waited = performance.now() - started;
    assert.equal(reads, 1, "one read of the cursor, once the 'p' was late");
    assert.ok(waited >= 15 && waited < 30_000, `answered from the cursor after ${waited.toFixed(0)} ms, not after maxWaitMs`);
    // a 'p' that comes in time: no read, and none later (the late read is cancelled)
    reads = 0;
    const waiting = p.atLeast(7);
    p.announce(7);
    await waiting;
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(reads, 0);
  });

  it("a cursor read started before a loss does not count as listening", async () => {
    let release = (): void => undefined;
    const p = new PushProgress({ read: () => new Promise<number>((r) => (release = () => r(0))), log: createLogger("error", {}), maxWaitMs: 60_000 });
    const refreshing = p.refresh();
    p.lost();
    release();
    await refreshing;
    assert.equal(p.listening, false);
  });

  it("waits once for a late main: the other rooms of a sync do not wait again", async () => {
    let reads = 0;
    const p = new PushProgress({ read: async () => (reads++, 0), log: createLogger("error", {}), maxWaitMs: 1 });
    await p.atLeast(3);
    await p.atLeast(2);
    assert.equal(reads, 1);
  });

  it("mirrors main's typing lists and serial, starting over with a new main", () => {
    const t = new TypingMirror();
    t.apply("m1", 3, "!r", ["@a:x"]);
    assert.equal(t.position, 3);
    assert.deepEqual(t.changedSince("!r", 2), ["@a:x"]);
    assert.equal(t.changedSince("!r", 3), undefined);
    t.apply("m2", 1, "!s", ["@b:x"]);
    assert.equal(t.position, 1);
    assert.deepEqual(t.current("!r"), []);
  });
});
