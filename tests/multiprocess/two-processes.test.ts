// Issue 16 acceptance: two homeserver processes of one council on one PostgreSQL (a main process
// and a client reader, as child processes). Clients on either process see every event in order,
// /sync tokens from one process work on the other, kill -9 of main (the persister) mid-burst loses
// no acknowledged event, and the reader survives main's restart and the loss of its LISTEN
// connection: its long-polls wake again, also after the gap of positions the killed main's unused
// block leaves (pg-positions.ts).
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { spawnHomeserver, waitExit, writeYamlConfig } from "../harness/child-homeserver.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { freePort } from "../harness/ports.ts";
import { PG_ADMIN_URL } from "../harness/postgres.ts";
import { usePostgresProcesses } from "../harness/postgres-processes.ts";

type Json = Record<string, unknown>;
interface User { userId: string; accessToken: string }

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Json };
}

/**
 * Long-polls that must be woken by a wake-up: longer than the test's own timeout, so a missing
 * wake-up fails the test instead of being covered by the poll's final recomputation.
 */
const LONG_POLL = 300_000;

const FILTER = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 200 } } }));

/** One /sync; the room's m.room.message event ids in order, typing users, the next token. */
async function syncOnce(url: string, user: User, roomId: string, since: string | undefined, timeoutMs: number):
  Promise<{ ids: string[]; bodies: string[]; typing: string[] | undefined; next: string; limited: boolean }> {
  const q = `filter=${FILTER}&timeout=${timeoutMs}${since ? `&since=${encodeURIComponent(since)}` : ""}`;
  const r = await api(url, user.accessToken, "GET", `/_matrix/client/v3/sync?${q}`);
  assert.equal(r.status, 200, `sync: ${JSON.stringify(r.json)}`);
  const room = ((r.json["rooms"] as Json)["join"] as Json)[roomId] as Json | undefined;
  const timeline = (room?.["timeline"] as Json | undefined) ?? {};
  const events = ((timeline["events"] as Json[] | undefined) ?? []).filter((e) => e["type"] === "m.room.message");
  const typingEvent = ((room?.["ephemeral"] as Json | undefined)?.["events"] as Json[] | undefined)?.find((e) => e["type"] === "m.typing");
  return {
    ids: events.map((e) => String(e["event_id"])), bodies: events.map((e) => String((e["content"] as Json)["body"])),
    typing: typingEvent ? ((typingEvent["content"] as Json)["user_ids"] as string[]) : undefined,
    next: String(r.json["next_batch"]), limited: timeline["limited"] === true,
  };
}

/** A client long-polling /sync on one process, recording every message event and each token. */
class Follower {
  readonly ids: string[] = [];
  /** Each next_batch with how many events had been seen when it was handed out. */
  readonly tokens: { token: string; seen: number }[] = [];
  private stopped = false;
  private readonly done: Promise<void>;
  private readonly url: string;
  private readonly user: User;
  private readonly roomId: string;

  constructor(url: string, user: User, roomId: string, since: string) {
    this.url = url;
    this.user = user;
    this.roomId = roomId;
    this.done = this.run(since);
  }

  private async run(since: string): Promise<void> {
    let token = since;
    while (!this.stopped) {
      const s = await syncOnce(this.url, this.user, this.roomId, token, 5_000);
      assert.equal(s.limited, false, "a gap in the timeline");
      this.ids.push(...s.ids);
      token = s.next;
      this.tokens.push({ token, seen: this.ids.length });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** The room's message event ids in order, paginating /messages forwards. */
async function history(url: string, user: User, roomId: string): Promise<string[]> {
  const ids: string[] = [];
  let from: string | undefined;
  for (;;) {
    const page = await api(url, user.accessToken, "GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=f&limit=1000${from ? `&from=${from}` : ""}`);
    assert.equal(page.status, 200, JSON.stringify(page.json));
    const chunk = page.json["chunk"] as Json[];
    ids.push(...chunk.filter((e) => e["type"] === "m.room.message").map((e) => String(e["event_id"])));
    if (!page.json["end"] || chunk.length === 0) return ids;
    from = String(page.json["end"]);
  }
}

async function dbQuery(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}
const maxStream = async (url: string): Promise<number> => Number((await dbQuery(url, "SELECT MAX(stream_ordering) AS m FROM events"))[0]?.["m"]);
const streamOf = async (url: string, eventId: string): Promise<number> => Number((await dbQuery(url, "SELECT stream_ordering AS s FROM events WHERE event_id = $1", [eventId]))[0]?.["s"]);

const send = (url: string, user: User, roomId: string, txn: string, body: string) =>
  api(url, user.accessToken, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`, { msgtype: "m.text", body });

describe("two homeserver processes of one council on one PostgreSQL (main + client reader)", function () {
  this.timeout(180_000);
  const env = usePostgresProcesses("entente-multiproc-");
  const children = env.children;
  const logs: string[] = [];
  afterEach(function () {
    if (this.currentTest?.state === "failed" || process.env["MULTIPROC_LOGS"]) process.stderr.write(logs.join(""));
  });

  async function spawn(config: string, args: string[] = []): Promise<{ child: ChildProcess; url: string }> {
    const started = await spawnHomeserver(config, args);
    children.push(started.child);
    started.child.stderr?.on("data", (d: Buffer) => logs.push(`[${args.length > 0 ? "reader" : "main"}] ${d.toString()}`));
    return started;
  }

  it("serves clients on either process in order, swaps tokens, and loses no acknowledged event to kill -9 of main", async () => {
    const mainPort = await freePort();
    const readerPort = await freePort();
    const config = writeYamlConfig(env.dir, "multi.local", mainPort,
      `database:\n  type: postgres\n  url: ${env.url}\nfederation:\n  enabled: false\nworkers:\n  enabled: true\n  main_url: http://127.0.0.1:${mainPort}\n`);
    let main = await spawn(config);
    const reader = await spawn(config, ["--role", "client-reader", "--port", String(readerPort)]);
    assert.equal(reader.url, `http://127.0.0.1:${readerPort}`);

    // registration and room creation through the reader are forwarded to main
    const x = await registerUser(reader.url, "xavier");
    const y = await registerUser(main.url, "yasmine");
    const created = await api(reader.url, x.accessToken, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    assert.equal(created.status, 200);
    const roomId = String(created.json["room_id"]);
    assert.equal((await api(main.url, y.accessToken, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {})).status, 200);
    // the reader answers whoami itself (tokens read from PostgreSQL)
    assert.equal((await api(reader.url, y.accessToken, "GET", "/_matrix/client/v3/account/whoami")).json["user_id"], y.userId);
    // a logout on main reaches the reader, which had kept the token (PostgreSQL NOTIFY, token cache)
    const z = await registerUser(main.url, "zoe");
    for (let i = 0; i < 2; i++) assert.equal((await api(reader.url, z.accessToken, "GET", "/_matrix/client/v3/account/whoami")).status, 200);
    assert.equal((await api(main.url, z.accessToken, "POST", "/_matrix/client/v3/logout", {})).status, 200);
    await waitFor("the reader to refuse the logged-out token", async () => {
      const r = await api(reader.url, z.accessToken, "GET", "/_matrix/client/v3/account/whoami");
      return r.status === 401 && r.json["errcode"] === "M_UNKNOWN_TOKEN" ? true : undefined;
    }, 10_000);

    // X follows on the reader, Y on main; both send a burst (X through the reader)
    const startX = await syncOnce(reader.url, x, roomId, undefined, 0);
    const startY = await syncOnce(main.url, y, roomId, undefined, 0);
    const fx = new Follower(reader.url, x, roomId, startX.next);
    const fy = new Follower(main.url, y, roomId, startY.next);
    const N = 30;
    const burst = async (url: string, user: User, tag: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < N; i++) {
        const r = await send(url, user, roomId, `${tag}${i}`, `${tag} ${i}`);
        assert.equal(r.status, 200);
        ids.push(String(r.json["event_id"]));
      }
      return ids;
    };
    const [sentX, sentY] = await Promise.all([burst(reader.url, x, "x"), burst(main.url, y, "y")]);
    await waitFor("both followers to see the 60 events", () => (fx.ids.length >= 2 * N && fy.ids.length >= 2 * N ? true : undefined), 60_000);
    await Promise.all([fx.stop(), fy.stop()]);
    const order = await history(main.url, x, roomId);
    assert.equal(order.length, 2 * N);
    assert.deepEqual(fx.ids, order, "client on the reader: every event once, in the room's order");
    assert.deepEqual(fy.ids, order, "client on main: every event once, in the room's order");
    assert.deepEqual(await history(reader.url, x, roomId), order, "/messages on the reader");
    // each sender's events in the order it sent them
    assert.deepEqual(order.filter((id) => sentX.includes(id)), sentX);
    assert.deepEqual(order.filter((id) => sentY.includes(id)), sentY);

    // unread counts agree: X has Y's N messages unread, counted on either process
    for (const url of [reader.url, main.url]) {
      const r = await api(url, x.accessToken, "GET", `/_matrix/client/v3/sync?filter=${FILTER}&timeout=0&since=${encodeURIComponent(startX.next)}`);
      const room = ((r.json["rooms"] as Json)["join"] as Json)[roomId] as Json;
      assert.deepEqual(room["unread_notifications"], { notification_count: N, highlight_count: 0 }, `unread counts on ${url}`);
    }

    // a token from the reader used on main, and one from main used on the reader: exactly the events after it
    const mid = (f: Follower) => f.tokens.find((t) => t.seen > 0 && t.seen < 2 * N) ?? f.tokens[0];
    for (const [from, to, f] of [["reader", main.url, fx], ["main", reader.url, fy]] as const) {
      const t = mid(f);
      assert.ok(t, `a token from ${from}`);
      const s = await syncOnce(to, from === "reader" ? x : y, roomId, t.token, 0);
      assert.deepEqual(s.ids, order.slice(t.seen), `a ${from} token on the other process`);
      const last = f.tokens.at(-1);
      assert.ok(last);
      const none = await syncOnce(to, from === "reader" ? x : y, roomId, last.token, 0);
      assert.deepEqual(none.ids, [], `the last ${from} token on the other process: nothing new`);
    }

    // a long-poll on the reader wakes for a send on main (NOTIFY), and typing on main reaches it
    let since = (await syncOnce(reader.url, x, roomId, fx.tokens.at(-1)?.token, 0)).next;
    const poll = syncOnce(reader.url, x, roomId, since, LONG_POLL);
    const woke = await send(main.url, y, roomId, "wake1", "wake 1");
    const polled = await poll;
    assert.deepEqual(polled.ids, [String(woke.json["event_id"])]);
    since = polled.next;
    const typingPoll = syncOnce(reader.url, x, roomId, since, LONG_POLL);
    assert.equal((await api(main.url, y.accessToken, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(y.userId)}`, { typing: true, timeout: 30_000 })).status, 200);
    const typed = await typingPoll;
    assert.deepEqual(typed.typing, [y.userId], "typing on main seen through the reader");
    since = typed.next;

    // kill -9 of main while senders on both processes get 200s
    const acked: { sender: number; i: number; eventId: string }[] = [];
    let killed = false;
    const sender = async (n: number, url: string, user: User): Promise<void> => {
      for (let i = 0; !killed; i++) {
        try {
          const r = await send(url, user, roomId, `k${n}-${i}`, `kill ${n} ${i}`);
          if (r.status === 200) acked.push({ sender: n, i, eventId: String(r.json["event_id"]) });
          else if (killed) return;
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const senders = [sender(0, main.url, y), sender(1, main.url, x), sender(2, reader.url, x), sender(3, reader.url, y)];
    await waitFor("120 acknowledged sends", () => (acked.length >= 120 ? true : undefined), 60_000);
    main.child.kill("SIGKILL");
    killed = true;
    await Promise.all(senders);
    await waitExit(main.child);
    const ackedCount = acked.length;
    // while main is down, the reader still answers reads; writes get 502
    assert.equal((await api(reader.url, x.accessToken, "GET", "/_matrix/client/v3/account/whoami")).status, 200);
    assert.equal((await send(reader.url, x, roomId, "down", "down")).status, 502);

    // the killed main's newest position; its unused block of positions (pg-positions.ts) never commits
    const deadMax = await maxStream(env.url);
    main = await spawn(config);
    for (const url of [main.url, reader.url]) {
      const ids = await history(url, x, roomId);
      const at = new Map(ids.map((id, idx) => [id, idx]));
      for (const a of acked) assert.ok(at.has(a.eventId), `acknowledged event ${a.sender}/${a.i} lost (${url})`);
      for (let n = 0; n < 4; n++) {
        const mine = acked.filter((a) => a.sender === n).map((a) => at.get(a.eventId) ?? -1);
        assert.deepEqual(mine, [...mine].sort((p, q) => p - q), `sender ${n}'s acknowledged events out of order`);
      }
    }
    assert.ok(ackedCount >= 120);

    // the reader's long-polls wake again after main's restart
    since = (await syncOnce(reader.url, x, roomId, since, 0)).next;
    const afterRestart = syncOnce(reader.url, x, roomId, since, LONG_POLL);
    const sentAfter = await send(main.url, y, roomId, "after-restart", "after restart");
    assert.equal(sentAfter.status, 200);
    const got = await afterRestart;
    assert.deepEqual(got.ids, [String(sentAfter.json["event_id"])]);
    // ... though it came after a gap: the new main's positions start above the killed one's block
    const afterPos = await streamOf(env.url, String(sentAfter.json["event_id"]));
    assert.ok(afterPos > deadMax + 1, `a gap of positions nobody committed: ${deadMax} then ${afterPos}`);
    since = got.next;

    // the reader's LISTEN connection is cut: it reconnects, and what was sent meanwhile wakes it
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const dbName = new URL(env.url).pathname.slice(1);
      const listening = async (): Promise<number[]> => (await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'entente-reader-listen'", [dbName])).rows.map((r) => r.pid);
      const [before] = await listening();
      assert.ok(before !== undefined, "the reader LISTENs");
      const poll2 = syncOnce(reader.url, x, roomId, since, LONG_POLL);
      await admin.query("SELECT pg_terminate_backend($1)", [before]);
      const during = await send(main.url, y, roomId, "during-reconnect", "during reconnect");
      const woken = await poll2;
      assert.deepEqual(woken.ids, [String(during.json["event_id"])], "woken although the NOTIFY may have been lost");
      await waitFor("the reader to LISTEN again", async () => ((await listening()).some((p) => p !== before) ? true : undefined));
      const poll3 = syncOnce(reader.url, x, roomId, woken.next, LONG_POLL);
      const later = await send(main.url, y, roomId, "after-reconnect", "after reconnect");
      assert.deepEqual((await poll3).ids, [String(later.json["event_id"])]);
    } finally {
      await admin.end();
    }

    // unread counts the reader keeps (50 or more notifications) follow a redaction made on main
    const unreadOn = async (url: string): Promise<number> => {
      const r = await api(url, x.accessToken, "GET", `/_matrix/client/v3/sync?filter=${FILTER}&timeout=0&since=${encodeURIComponent(startX.next)}`);
      const room = ((r.json["rooms"] as Json)["join"] as Json)[roomId] as Json;
      return Number((room["unread_notifications"] as Json)["notification_count"]);
    };
    const unread = await unreadOn(reader.url);
    assert.ok(unread >= 50, `${unread} notifications: too few for the kept counts`);
    assert.equal(await unreadOn(reader.url), unread);
    assert.equal(await unreadOn(main.url), unread);
    const target = acked.find((a) => a.sender === 0)?.eventId ?? "";
    const redacted = await api(main.url, y.accessToken, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(target)}/r1`, {});
    assert.equal(redacted.status, 200);
    assert.equal(await unreadOn(reader.url), unread - 1, "the reader's kept count forgot the redacted message");
    assert.equal(await unreadOn(main.url), unread - 1);
  });
});
