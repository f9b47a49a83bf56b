import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../storage/open-database.ts";
import type { Database } from "../../storage/sql.ts";
import { PushStore, type QueuedPush } from "../../storage/push-store.ts";
import type { PusherRow } from "../../storage/user-store.ts";
import { createLogger } from "../log.ts";
import type { GatewayResult } from "./gateway-client.ts";
import { PusherSender } from "./pusher-sender.ts";

const KEY = { userId: "@alice:a.test", appId: "app", pushkey: "pk" };
const PUSHER: PusherRow = { ...KEY, deviceId: "D", pusher: { data: { url: "https://gw.example/_matrix/push/v1/notify" } } };

describe("PusherSender", () => {
  let dir: string;
  let db: Database;
  let store: PushStore;
  let sender: PusherSender | undefined;
  let answers: GatewayResult[];
  let bodies: { notification: { event_id?: string } }[];
  let pushers: PusherRow[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pusher-sender-"));
    db = await openDatabase({ type: "sqlite", path: join(dir, "db.sqlite") });
    store = new PushStore({ db });
    answers = [];
    bodies = [];
    pushers = [PUSHER];
  });
  afterEach(async () => {
    await sender?.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (): PusherSender => {
    sender = new PusherSender({
      store, log: createLogger("error"), retryInitialMs: 5, retryMaxMs: 20, unreadTotal: () => Promise.resolve(7),
      pushers: { listPushers: () => Promise.resolve(pushers), deletePusher: () => Promise.resolve(void (pushers = [])) },
      gateway: { notify: (_url, body) => (bodies.push(body as never), Promise.resolve(answers.shift() ?? { ok: true, rejected: [] })) },
      eventView: (id) => Promise.resolve({ eventId: id, roomId: "!r:a.test", type: "m.room.message", sender: "@b:b.test", content: {}, stateKey: undefined, senderDisplayName: undefined, roomName: undefined }),
    });
    sender.kick();
    return sender;
  };
  const queue = async (...items: (string | undefined)[]): Promise<void> => {
    await db.transaction(async (tx) => {
      for (const eventId of items) await store.enqueue(tx, { ...KEY, roomId: "!r:a.test", eventId, actions: eventId ? '["notify"]' : undefined, createdTs: 0 } as Omit<QueuedPush, "id">);
    });
  };
  const drained = async (): Promise<void> => {
    for (let i = 0; i < 500 && (await store.queued(KEY, 1)).length > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal((await store.queued(KEY, 1)).length, 0, "queue drained");
  };

  it("skips a badge update that something later in the batch supersedes", async () => {
    await queue(undefined, "$e1", undefined, undefined);
    start();
    await drained();
    assert.deepEqual(bodies.map((b) => b.notification.event_id ?? "badge"), ["$e1", "badge"]);
  });

  it("retries while the gateway fails, then delivers each push once and in order", async () => {
    answers = [{ ok: false, retry: true, detail: "down" }, { ok: false, retry: true, detail: "down" }];
    await queue("$e1", "$e2");
    start();
    await drained();
    assert.deepEqual(bodies.map((b) => b.notification.event_id), ["$e1", "$e1", "$e1", "$e2"]);
  });

  it("drops a push the gateway refuses for good (4xx) and goes on", async () => {
    answers = [{ ok: false, retry: false, detail: "status 400" }];
    await queue("$e1", "$e2");
    start();
    await drained();
    assert.deepEqual(bodies.map((b) => b.notification.event_id), ["$e1", "$e2"]);
  });

  it("removes the pusher whose pushkey the gateway rejects, with its queue", async () => {
    answers = [{ ok: true, rejected: ["pk"] }];
    await queue("$e1", "$e2");
    start();
    await drained();
    assert.deepEqual(pushers, []);
    assert.deepEqual(bodies.map((b) => b.notification.event_id), ["$e1"]);
  });

  it("empties the queue of a pusher that no longer exists, sending nothing", async () => {
    pushers = [];
    await queue("$e1");
    start();
    await drained();
    assert.deepEqual(bodies, []);
  });

  it("a push queued while a drain is finishing is still delivered", async () => {
    const s = start();
    for (let i = 0; i < 20; i++) {
      await queue(`$e${i}`);
      s.kick();
    }
    await drained();
    assert.deepEqual(bodies.map((b) => b.notification.event_id), Array.from({ length: 20 }, (_v, i) => `$e${i}`));
  });
});
