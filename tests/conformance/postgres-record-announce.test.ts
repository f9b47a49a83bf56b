// Main with client readers on a real PostgreSQL (worker/stream-channel.ts, push-processor.ts):
// the readers learn how far main's push evaluation is recorded ("p") — and which rooms had a
// redaction evaluated ("x", before the "p" covering it) — from the record's own transaction, which
// PostgreSQL delivers when it commits, not from a NOTIFY statement sent after that commit (one
// round trip sooner for a reader's woken /sync, which waits for "p" to count unread).
// What must hold: the "p" covering a message arrives, its push actions are committed by then, it
// was queued in the record's transaction and no NOTIFY of its own followed; a redaction's "x"
// arrives before the "p" covering it, in the same transaction.
import assert from "node:assert/strict";
import pg from "pg";
import type { SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { CHANNEL } from "../../homeserver/src/server/worker/stream-channel.ts";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Message = { k: string; p?: number; r?: string };

describe("PostgreSQL main with client readers: the push record announces itself", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let listener: pg.Client;
  const messages: Message[] = [];
  const arrived: (() => void)[] = [];
  /** SQL run in write transactions (record) and, apart, statements through the pool. */
  const inTransactions: string[] = [];
  const pooled: { sql: string; params: readonly unknown[] }[] = [];

  beforeEach(async function () {
    await requirePostgres(this);
    server = await startTestHomeserver({ db: "postgres", overrides: { workers: { enabled: true, role: "main", mainUrl: undefined } } });
    const db = server.hs.context.db;
    const spy = (tx: SqlExecutor): SqlExecutor => {
      const s: SqlExecutor = {
        run: (sql, p) => (inTransactions.push(sql), tx.run(sql, p)),
        all: (sql, p) => (inTransactions.push(sql), tx.all(sql, p)),
        one: (sql, p) => (inTransactions.push(sql), tx.one(sql, p)),
      };
      const send = tx.send?.bind(tx);
      if (send) s.send = (sql, p) => (inTransactions.push(sql), send(sql, p));
      return s;
    };
    const derived = db.derivedTransaction?.bind(db);
    const plain = db.transaction.bind(db);
    if (derived) db.derivedTransaction = (fn) => derived((tx) => fn(spy(tx)));
    db.transaction = (fn) => plain((tx) => fn(spy(tx)));
    const run = db.run.bind(db);
    db.run = (sql, p) => (pooled.push({ sql, params: p ?? [] }), run(sql, p));
    const config = server.hs.context.config.database;
    assert.ok(config.type === "postgres");
    listener = new pg.Client({ connectionString: config.url });
    await listener.connect();
    listener.on("notification", (n) => {
      messages.push(JSON.parse(n.payload ?? "{}") as Message);
      for (const f of arrived.splice(0)) f();
    });
    await listener.query(`LISTEN ${CHANNEL}`);
  });

  afterEach(async () => {
    await listener?.end();
    await server?.stop();
    messages.length = 0;
    inTransactions.length = 0;
    pooled.length = 0;
  });

  /** Waits for a "p" at or past `position` (each arrival re-checks; no timer). */
  async function announced(position: number): Promise<number> {
    for (;;) {
      const i = messages.findIndex((m) => m.k === "p" && (m.p ?? -1) >= position);
      if (i >= 0) return i;
      await new Promise<void>((r) => arrived.push(r));
    }
  }

  /** Waits until `ok()` holds, re-checked at each message's arrival (no timer). */
  async function until(ok: () => boolean): Promise<void> {
    while (!ok()) await new Promise<void>((r) => arrived.push(r));
  }

  async function positionOf(eventId: string): Promise<number> {
    const { rows } = await listener.query<{ s: string }>("SELECT stream_ordering AS s FROM events WHERE event_id = $1", [eventId]);
    return Number(rows[0]?.s);
  }

  it("a message's 'p' comes from its record's commit, with the push actions committed, and no NOTIFY after it", async () => {
    const alice = await registerUser(server.url, "alice");
    const bob = await registerUser(server.url, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    const { event_id: eventId } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m1`, { msgtype: "m.text", body: "bonjour" });
    const position = await positionOf(eventId);
    await announced(position);
    const { rows } = await listener.query<{ n: string }>("SELECT count(*) AS n FROM push_actions WHERE event_id = $1", [eventId]);
    assert.equal(Number(rows[0]?.n), 1, "bob's notification is committed when the 'p' arrives");
    assert.ok(inTransactions.some((s) => s.includes("pg_notify")), `the 'p' went out in the record's transaction: ${JSON.stringify(inTransactions.filter((s) => !s.startsWith("INSERT INTO events")))}`);
    // The fallback (StreamPublisher.pushEvaluated → flush) stays quiet for a position a committed
    // record announced. Its NOTIFYs leave in one chain, in order: a typing notice sent now goes out
    // after any flush already scheduled, so once its "t" arrives a fallback "p" would have been seen.
    await call(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, { typing: true, timeout: 5_000 });
    await until(() => messages.some((m) => m.k === "t" && m.r === roomId));
    const later = pooled.filter((q) => q.sql.includes("pg_notify") && q.params.some((v) => typeof v === "string" && v.includes('"k":"p"') && Number((JSON.parse(v) as Message).p) >= position));
    assert.deepEqual(later, [], "no NOTIFY statement of its own for that position");
  });

  it("a redaction's 'x' arrives before the 'p' covering it, from the same transaction", async () => {
    const alice = await registerUser(server.url, "alice");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const { event_id: target } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m2`, { msgtype: "m.text", body: "oups" });
    const { event_id: redaction } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(target)}/r1`, {});
    const p = await announced(await positionOf(redaction));
    const x = messages.findIndex((m) => m.k === "x" && m.r === roomId);
    assert.ok(x >= 0 && x < p, `'x' of the room before the 'p': ${JSON.stringify(messages)}`);
    assert.ok(inTransactions.some((s) => s.includes("pg_notify") && (s.match(/pg_notify/g) ?? []).length >= 2), "both in one statement of the record's transaction");
  });
});
