// What a client reader's /sync keeps between long-polls (server/sync/kept-reads.ts,
// room-delta-cache.ts) follows changes made through main, the other process: an ignored-user list
// set or cleared on main applies to the reader's very next response, and a state change made on
// main is delivered once by the reader (the state at the token, known without a read, is right);
// one-time key counts follow a claim and an upload made on main (server/e2ee/key-counts.ts); an
// invite, a join and a leave made on main reach the reader's next /sync (memberships kept there).
import assert from "node:assert/strict";
import { spawnHomeserver, writeYamlConfig } from "../harness/child-homeserver.ts";
import { registerUser } from "../harness/homeserver.ts";
import { freePort } from "../harness/ports.ts";
import { usePostgresProcesses } from "../harness/postgres-processes.ts";
import { TestDevice } from "../e2ee-helpers.ts";

type Json = Record<string, unknown>;
interface User { userId: string; accessToken: string }

async function api(url: string, user: User, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${user.accessToken}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Json;
  assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

/** One /sync of the room: its timeline and state events (type, body or name), the next token. */
async function syncRoom(url: string, user: User, roomId: string, since: string | undefined): Promise<{ timeline: string[]; state: string[]; next: string }> {
  const r = await api(url, user, "GET", `/_matrix/client/v3/sync?timeout=0${since ? `&since=${encodeURIComponent(since)}` : ""}`);
  const room = ((r["rooms"] as Json)["join"] as Json)[roomId] as Json | undefined;
  const show = (e: Json): string => {
    const c = e["content"] as Json;
    return `${String(e["type"])}:${String(c["body"] ?? c["name"] ?? "")}`;
  };
  return {
    timeline: (((room?.["timeline"] as Json | undefined)?.["events"] as Json[] | undefined) ?? []).map(show),
    state: (((room?.["state"] as Json | undefined)?.["events"] as Json[] | undefined) ?? []).map(show),
    next: String(r["next_batch"]),
  };
}

describe("a client reader's /sync caches follow changes made on main", function () {
  this.timeout(120_000);
  const env = usePostgresProcesses("entente-synccache-");
  const children = env.children;

  it("ignored users and room state changed through main reach the reader's next /sync", async () => {
    const mainPort = await freePort();
    const readerPort = await freePort();
    const config = writeYamlConfig(env.dir, "cache.local", mainPort,
      `database:\n  type: postgres\n  url: ${env.url}\nfederation:\n  enabled: false\nworkers:\n  enabled: true\n  main_url: http://127.0.0.1:${mainPort}\n`);
    const main = await spawnHomeserver(config);
    children.push(main.child);
    const reader = await spawnHomeserver(config, ["--role", "client-reader", "--port", String(readerPort)]);
    children.push(reader.child);

    const x = await registerUser(main.url, "xavier");
    const y = await registerUser(main.url, "yasmine");
    const roomId = String((await api(main.url, y, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }))["room_id"]);
    await api(main.url, x, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
    const send = (body: string, txn: string) => api(main.url, y, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`, { msgtype: "m.text", body });
    const ignore = (users: string[]) => api(main.url, x, "PUT", `/_matrix/client/v3/user/${encodeURIComponent(x.userId)}/account_data/m.ignored_user_list`,
      { ignored_users: Object.fromEntries(users.map((u) => [u, {}])) });

    // X syncs on the reader (its list, empty, is kept there), then ignores Y through main
    let since = (await syncRoom(reader.url, x, roomId, undefined)).next;
    await send("avant", "t1");
    let s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual(s.timeline, ["m.room.message:avant"]);
    since = s.next;
    await ignore([y.userId]);
    await send("ignoré", "t2");
    s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual(s.timeline, [], "the list set on main applies on the reader");
    since = s.next;
    await ignore([]);
    await send("après", "t3");
    s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual(s.timeline, ["m.room.message:après"], "the list cleared on main applies on the reader");
    since = s.next;

    // a name set on main: in the reader's next timeline once, then neither repeated nor in state
    await api(main.url, y, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`, { name: "Conseil" });
    s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual(s.timeline, ["m.room.name:Conseil"]);
    since = s.next;
    await send("suite", "t4");
    s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual([s.timeline, s.state], [["m.room.message:suite"], []], "the state at the token is known: nothing repeated");
    since = s.next;
    // and again with a second name and a limited timeline: the state section names the newest one
    await api(main.url, y, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`, { name: "Conseil 2" });
    for (let i = 0; i < 25; i++) await send(`m${i}`, `u${i}`);
    s = await syncRoom(reader.url, x, roomId, since);
    assert.deepEqual(s.state, ["m.room.name:Conseil 2"], "the name changed out of the timeline is in the state section");

    // X's device uploads 3 one-time keys and a fallback key on main; its reader /sync counts them
    const counts = async (): Promise<{ otk: unknown; fallback: unknown }> => {
      const r = await api(reader.url, x, "GET", `/_matrix/client/v3/sync?timeout=0&since=${encodeURIComponent(since)}`);
      return { otk: r["device_one_time_keys_count"], fallback: r["device_unused_fallback_key_types"] };
    };
    const device = new TestDevice({ ...x });
    await api(main.url, x, "POST", "/_matrix/client/v3/keys/upload", { device_keys: device.deviceKeys(), one_time_keys: device.oneTimeKeys(3) });
    assert.deepEqual(await counts(), { otk: { signed_curve25519: 3 }, fallback: [] });
    assert.deepEqual(await counts(), { otk: { signed_curve25519: 3 }, fallback: [] }, "kept");
    // Y claims two of them on main, then the third and the fallback key after it is uploaded
    const claim = () => api(main.url, y, "POST", "/_matrix/client/v3/keys/claim", { one_time_keys: { [x.userId]: { [x.deviceId]: "signed_curve25519" } } });
    await claim();
    await claim();
    assert.deepEqual(await counts(), { otk: { signed_curve25519: 1 }, fallback: [] }, "claims on main seen by the reader");
    await api(main.url, x, "POST", "/_matrix/client/v3/keys/upload", { fallback_keys: device.oneTimeKeys(1, true) });
    assert.deepEqual(await counts(), { otk: { signed_curve25519: 1 }, fallback: ["signed_curve25519"] }, "a fallback key uploaded on main");
    await claim();
    await claim();
    assert.deepEqual(await counts(), { otk: { signed_curve25519: 0 }, fallback: [] }, "the last key and the fallback key claimed on main");

    // memberships: Y invites X to a second room on main, X joins then leaves it on main
    const rooms = async (): Promise<{ invite: string[]; join: string[]; leave: string[] }> => {
      const r = await api(reader.url, x, "GET", `/_matrix/client/v3/sync?timeout=0&since=${encodeURIComponent(since)}`);
      since = String(r["next_batch"]);
      const sections = r["rooms"] as Record<string, Json>;
      return { invite: Object.keys(sections["invite"] ?? {}), join: Object.keys(sections["join"] ?? {}), leave: Object.keys(sections["leave"] ?? {}) };
    };
    await rooms();
    assert.deepEqual(await rooms(), { invite: [], join: [], leave: [] }, "nothing new (memberships kept)");
    const second = String((await api(main.url, y, "POST", "/_matrix/client/v3/createRoom", {}))["room_id"]);
    await api(main.url, y, "POST", `/_matrix/client/v3/rooms/${encodeURIComponent(second)}/invite`, { user_id: x.userId });
    assert.deepEqual(await rooms(), { invite: [second], join: [], leave: [] }, "the invite made on main");
    await api(main.url, x, "POST", `/_matrix/client/v3/join/${encodeURIComponent(second)}`, {});
    assert.deepEqual((await rooms()).join, [second], "the join made on main");
    await api(main.url, x, "POST", `/_matrix/client/v3/rooms/${encodeURIComponent(second)}/leave`, {});
    assert.deepEqual((await rooms()).leave, [second], "the leave made on main");
    await send("encore", "t5");
    assert.deepEqual(await rooms(), { invite: [], join: [roomId], leave: [] }, "only the first room moves now");
  });
});
