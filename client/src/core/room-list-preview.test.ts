import { strict as assert } from "node:assert";
import { buildRoomList } from "./room-list-model.ts";
import { fetchRoomPreview, previewFromSync } from "./room-list-preview.ts";

const st = (type: string, stateKey: string, content: Record<string, unknown>, sender = "@a:x", ts = 1) => ({ type, state_key: stateKey, content, sender, origin_server_ts: ts, event_id: `$${type}${stateKey}` });
const ME = "@me:x";

const SYNC = {
  next_batch: "s1",
  account_data: { events: [{ type: "m.direct", content: { "@bob:y": ["!dm"] } }] },
  rooms: {
    join: {
      "!space": { state: { events: [st("m.room.create", "", { type: "m.space" }), st("m.room.name", "", { name: "Voirie" }), st("m.space.child", "!r1", { via: ["x"] }), st("m.space.child", "!gone", {})] }, timeline: { events: [] } },
      "!r1": {
        state: { events: [st("m.room.create", "", {}), st("m.room.name", "", { name: "Old" }), st("m.room.encryption", "", { algorithm: "m.megolm.v1.aes-sha2" })] },
        // A rename in the timeline wins over the state before it.
        timeline: { events: [st("m.room.name", "", { name: "Chantiers" }, "@a:x", 50)] },
        unread_notifications: { notification_count: 4, highlight_count: 1 },
      },
      "!dm": { summary: { "m.heroes": ["@bob:y"] }, state: { events: [st("m.room.member", "@bob:y", { membership: "join", displayname: "Bob" })] }, timeline: { events: [{ type: "m.room.message", sender: "@bob:y", content: { body: "hi" }, origin_server_ts: 99 }] }, unread_notifications: { notification_count: 2, highlight_count: "x" } },
      "!bad": "not a room",
    },
    invite: { "!inv": { invite_state: { events: [st("m.room.name", "", { name: "Budget" }), st("m.room.member", ME, { membership: "invite" }, "@carol:z", 7), st("m.room.member", "@carol:z", { membership: "join", displayname: "Carole Martin" }, "@carol:z")] } } },
  },
};

describe("client room list preview (before the SDK)", () => {
  it("turns a filtered /sync into the room list: names, spaces, DMs, server unread counts, invites", () => {
    const rooms = previewFromSync(SYNC, ME);
    const byId = new Map(rooms.map((r) => [r.roomId, r]));
    assert.deepEqual([...byId.keys()].sort(), ["!dm", "!inv", "!r1", "!space"]);
    assert.equal(byId.get("!r1")?.name, "Chantiers");
    assert.equal(byId.get("!r1")?.encrypted, true);
    assert.deepEqual([byId.get("!r1")?.unread, byId.get("!r1")?.highlights], [4, 1]);
    assert.deepEqual(byId.get("!space")?.children, ["!r1"], "a child without via is a removed child");
    assert.equal(byId.get("!dm")?.name, "Bob");
    assert.equal(byId.get("!dm")?.isDirect, true);
    assert.deepEqual([byId.get("!dm")?.unread, byId.get("!dm")?.highlights], [2, 0], "a malformed count counts as 0");
    assert.equal(byId.get("!dm")?.lastActivity, 99);
    assert.deepEqual([byId.get("!inv")?.membership, byId.get("!inv")?.inviter, byId.get("!inv")?.name], ["invite", "@carol:z", "Budget"]);
    assert.equal(byId.get("!inv")?.inviterName, "Carole Martin", "the inviter's name from the invitation's state");
    const list = buildRoomList(rooms);
    assert.deepEqual(list.spaces.map((g) => [g.space.name, g.unread, g.highlights]), [["Voirie", 4, 1]]);
    assert.equal(list.totalUnread, 6);
  });
  it("ignores answers that are not a sync body", () => {
    assert.deepEqual(previewFromSync(null, ME), []);
    assert.deepEqual(previewFromSync({ rooms: [] }, ME), []);
  });
  it("asks for one timeline event per room with lazy-loaded members and no since; any failure gives undefined", async () => {
    let asked = "";
    const ok = await fetchRoomPreview({ baseUrl: "http://hs", userId: ME, accessToken: "tok", deviceId: "D" }, (url, init) => {
      asked = url;
      assert.deepEqual(init?.headers, { Authorization: "Bearer tok" });
      return Promise.resolve(new Response(JSON.stringify(SYNC)));
    });
    const q = new URL(asked).searchParams;
    assert.equal(q.get("since"), null, "no since: to-device messages stay for the SDK's sync");
    assert.deepEqual(JSON.parse(q.get("filter") ?? "{}").room.timeline, { limit: 1 });
    assert.equal(ok?.length, 4);
    const session = { baseUrl: "http://hs", userId: ME, accessToken: "t", deviceId: "D" };
    assert.equal(await fetchRoomPreview(session, () => Promise.resolve(new Response("{}", { status: 401 }))), undefined);
    assert.equal(await fetchRoomPreview(session, () => Promise.reject(new Error("offline"))), undefined);
  });
});
