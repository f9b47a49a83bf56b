// Evaluation is durable: events persisted but not yet evaluated when the server stopped (a crash
// between the event's commit and its push rules) are evaluated at the next start, once each.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { testConfig } from "../harness/test-config.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";

describe("push evaluation across a crash", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "entente-push-restart-"));
  const config = testConfig(dir);
  let hs: RunningHomeserver | undefined;
  after(async () => {
    await hs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("evaluates at start what was persisted after the cursor, without duplicates", async () => {
    hs = await startHomeserver(config);
    const alice: Session = await registerUser(hs.url, "alice");
    const bob: Session = await registerUser(hs.url, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, bob, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(hs.url, alice, "POST", `${C}/join/${enc(roomId)}`, {});
    const before = await hs.context.stores.events.maxStream();
    for (let i = 0; i < 3; i++) await call(hs.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${i}`, { msgtype: "m.text", body: `message ${i}` });
    const count = async (): Promise<unknown> =>
      (await call<{ rooms: { join: Record<string, { unread_notifications: unknown }> } }>(hs?.url ?? "", alice, "GET", `${C}/sync?timeout=0`)).rooms.join[roomId]?.unread_notifications;
    assert.deepEqual(await count(), { notification_count: 3, highlight_count: 0 });
    await hs.stop();
    hs = undefined;
    // what a crash right after the commits would have left: the events, but neither actions nor cursor
    const db = await openDatabase(config.database);
    await db.run("DELETE FROM push_actions_by_event WHERE stream_ordering > ?", [before]);
    await db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [before]);
    await db.close();
    hs = await startHomeserver(config);
    const actions = async (): Promise<number> => Number((await hs?.context.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_actions WHERE stream_ordering > ?", [before]))?.n);
    await waitFor("evaluated by the start, before any /sync", async () => ((await actions()) === 3 ? true : undefined));
    assert.deepEqual(await count(), { notification_count: 3, highlight_count: 0 });
    assert.equal(await actions(), 3);
  });
});
