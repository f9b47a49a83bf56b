// History visibility and relations/threads over the read-side endpoints, against a real homeserver.
import assert from "node:assert/strict";
import { DATABASES, skipUnlessDatabase, C, V1, bodies, enc, startServer, text, type Json, type Server, type User } from "./room-queries-setup.ts";

const allMessages = async (u: User, roomId: string): Promise<string[]> =>
  bodies((await u.get(`${C}/rooms/${enc(roomId)}/messages?dir=f&limit=1000`))["chunk"]).filter((b) => b !== undefined);

for (const db of DATABASES) {
  describe(`history visibility (${db})`, function () {
    this.timeout(60_000);
    let srv: Server;
    let alice: User;
    let bob: User;
    let carol: User;
    let dave: User;

    before(async function () {
      await skipUnlessDatabase(this, db);
      srv = await startServer(db);
      alice = await srv.user("alice");
      bob = await srv.user("bob");
      carol = await srv.user("carol");
      dave = await srv.user("dave");
    });
    after(async () => srv?.stop());

    it("joined: a later joiner sees nothing from before their join", async () => {
      const room = await alice.createRoom({ preset: "private_chat", initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "joined" } }] });
      const secret = await alice.send(room, text("before"));
      await alice.invite(room, carol.userId);
      await alice.send(room, text("while invited"));
      await carol.join(room);
      await alice.send(room, text("after"));
      assert.deepEqual(await allMessages(carol, room), ["after"]);
      assert.deepEqual(await allMessages(alice, room), ["before", "while invited", "after"]);
      const r = await carol.req("GET", `${C}/rooms/${enc(room)}/event/${enc(secret)}`);
      assert.equal(r.status, 404);
      assert.equal((await carol.req("GET", `${C}/rooms/${enc(room)}/context/${enc(secret)}`)).status, 404);
      // her own join is visible (membership after it is join); her invite is not, as "joined" only
      // opens history from the join (spec step 4 applies to "invited" only)
      const members = (await carol.get(`${C}/rooms/${enc(room)}/messages?dir=f&limit=1000&filter=${enc(JSON.stringify({ types: ["m.room.member"] }))}`))["chunk"]
        .filter((e: Json) => e["state_key"] === carol.userId).map((e: Json) => e["content"]["membership"]);
      assert.deepEqual(members, ["join"]);
    });

    it("invited: visible from the invite on", async () => {
      const room = await alice.createRoom({ preset: "private_chat", initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "invited" } }] });
      await alice.send(room, text("before"));
      await alice.invite(room, carol.userId);
      await alice.send(room, text("while invited"));
      await carol.join(room);
      assert.deepEqual(await allMessages(carol, room), ["while invited"]);
    });

    it("shared: a later joiner sees the earlier history; a leaver sees nothing after leaving", async () => {
      const room = await alice.createRoom({ preset: "public_chat", name: "Avant" });
      await alice.send(room, text("early"));
      await bob.join(room);
      assert.deepEqual(await allMessages(bob, room), ["early"]);
      await bob.leave(room);
      await alice.send(room, text("after bob left"));
      await alice.state(room, "m.room.name", "", { name: "Après" });
      assert.deepEqual(await allMessages(bob, room), ["early"]);
      // a former member reads the state as it was when they left
      assert.deepEqual(await bob.get(`${C}/rooms/${enc(room)}/state/m.room.name`), { name: "Avant" });
      const state = (await bob.req("GET", `${C}/rooms/${enc(room)}/state`)).body as unknown as Json[];
      assert.equal(state.find((e) => e["type"] === "m.room.name")?.["content"]["name"], "Avant");
      assert.equal(state.find((e) => e["state_key"] === bob.userId)?.["content"]["membership"], "leave");
      const members = await bob.get(`${C}/rooms/${enc(room)}/members?membership=leave`);
      assert.deepEqual(members["chunk"].map((e: Json) => e["state_key"]), [bob.userId]);
      // someone who never joined is refused
      assert.equal((await dave.req("GET", `${C}/rooms/${enc(room)}/state`)).status, 403);
      assert.equal((await dave.req("GET", `${C}/rooms/${enc(room)}/members`)).status, 403);
    });

    it("world_readable: outsiders can read messages, state and aliases", async () => {
      const room = await alice.createRoom({ preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "world_readable" } }] });
      const id = await alice.send(room, text("open"));
      assert.deepEqual(await allMessages(dave, room), ["open"]);
      assert.equal((await dave.get(`${C}/rooms/${enc(room)}/event/${enc(id)}`))["content"]["body"], "open");
      assert.equal((await dave.req("GET", `${C}/rooms/${enc(room)}/state`)).status, 200);
      assert.deepEqual(await dave.get(`${C}/rooms/${enc(room)}/aliases`), { aliases: [] });
    });

    it("changing visibility applies from the change on, and the change itself is visible", async () => {
      const room = await alice.createRoom({ preset: "public_chat" });
      await alice.send(room, text("shared era"));
      const change = await alice.state(room, "m.room.history_visibility", "", { history_visibility: "joined" });
      await alice.send(room, text("joined era"));
      await carol.join(room);
      assert.deepEqual(await allMessages(carol, room), ["shared era"]);
      assert.equal((await carol.req("GET", `${C}/rooms/${enc(room)}/event/${enc(change)}`)).status, 200);
    });
  });
}

for (const db of DATABASES) {
  describe(`relations and threads (${db})`, function () {
    this.timeout(60_000);
    let srv: Server;
    let alice: User;
    let bob: User;
    let room: string;
    let root: string;
    let replies: string[];
    let edit: string;
    let reaction: string;
    const R = (): string => `${V1}/rooms/${enc(room)}`;

    before(async function () {
      await skipUnlessDatabase(this, db);
      srv = await startServer(db);
      alice = await srv.user("alice");
      bob = await srv.user("bob");
      room = await alice.createRoom({ preset: "public_chat" });
      await bob.join(room);
      root = await alice.send(room, text("root"));
      const thread = (body: string): Json => ({ ...text(body), "m.relates_to": { rel_type: "m.thread", event_id: root } });
      replies = [await alice.send(room, thread("r1")), await bob.send(room, thread("r2")), await alice.send(room, thread("r3"))];
      reaction = await bob.send(room, { "m.relates_to": { rel_type: "m.annotation", event_id: root, key: "👍" } }, "m.reaction");
      edit = await alice.send(room, { ...text("* root!"), "m.new_content": text("root!"), "m.relates_to": { rel_type: "m.replace", event_id: root } });
      await bob.send(room, { "m.relates_to": { rel_type: "m.annotation", event_id: replies[0] ?? "", key: "👀" } }, "m.reaction");
    });
    after(async () => srv?.stop());

    it("lists all children newest first, and filters by rel_type and event type", async () => {
      const all = await alice.get(`${R()}/relations/${enc(root)}`);
      assert.deepEqual(all["chunk"].map((e: Json) => e["event_id"]), [edit, reaction, ...[...replies].reverse()]);
      const threads = await alice.get(`${R()}/relations/${enc(root)}/m.thread`);
      assert.deepEqual(bodies(threads["chunk"]), ["r3", "r2", "r1"]);
      const reactions = await alice.get(`${R()}/relations/${enc(root)}/m.annotation/m.reaction`);
      assert.deepEqual(reactions["chunk"].map((e: Json) => e["event_id"]), [reaction]);
      assert.deepEqual((await alice.get(`${R()}/relations/${enc(root)}/m.annotation/m.room.message`))["chunk"], []);
      assert.equal(all["recursion_depth"], undefined);
    });

    it("paginates with next_batch in both directions", async () => {
      const p1 = await alice.get(`${R()}/relations/${enc(root)}/m.thread?limit=2`);
      assert.deepEqual(bodies(p1["chunk"]), ["r3", "r2"]);
      const p2 = await alice.get(`${R()}/relations/${enc(root)}/m.thread?limit=2&from=${p1["next_batch"]}`);
      assert.deepEqual(bodies(p2["chunk"]), ["r1"]);
      assert.equal(p2["next_batch"], undefined);
      assert.equal(p2["prev_batch"], p1["next_batch"]);
      const f = await alice.get(`${R()}/relations/${enc(root)}/m.thread?limit=2&dir=f`);
      assert.deepEqual(bodies(f["chunk"]), ["r1", "r2"]);
      assert.deepEqual(bodies((await alice.get(`${R()}/relations/${enc(root)}/m.thread?dir=f&from=${f["next_batch"]}`))["chunk"]), ["r3"]);
    });

    it("recurses into relations of relations when asked", async () => {
      const flat = await alice.get(`${R()}/relations/${enc(root)}/m.annotation?recurse=false`);
      assert.equal(flat["chunk"].length, 1);
      assert.equal(flat["recursion_depth"], 1);
      const deep = await alice.get(`${R()}/relations/${enc(root)}/m.annotation?recurse=true`);
      assert.equal(deep["chunk"].length, 2);
      assert.equal(deep["recursion_depth"], 3);
    });

    it("is 404 for unknown parents and outsiders; validates parameters", async () => {
      const dave = await srv.user("dave");
      const privateRoom = await alice.createRoom({ preset: "private_chat" });
      const hidden = await alice.send(privateRoom, text("hidden"));
      assert.equal((await dave.req("GET", `${V1}/rooms/${enc(privateRoom)}/relations/${enc(hidden)}`)).status, 404);
      assert.equal((await alice.req("GET", `${R()}/relations/${enc("$" + "D".repeat(43))}`)).body["errcode"], "M_NOT_FOUND");
      assert.equal((await alice.req("GET", `${R()}/relations/${enc(root)}?dir=sideways`)).body["errcode"], "M_INVALID_PARAM");
      assert.equal((await alice.req("GET", `${R()}/relations/${enc(root)}?recurse=yes`)).body["errcode"], "M_INVALID_PARAM");
      assert.equal((await alice.req("GET", `${R()}/relations/${enc(root)}?from=bogus`)).body["errcode"], "M_INVALID_PARAM");
    });

    it("bundles thread, edit and reference aggregations on the parent", async () => {
      const ev = await bob.get(`${C}/rooms/${enc(room)}/event/${enc(root)}`);
      const rel = ev["unsigned"]["m.relations"];
      assert.equal(rel["m.thread"]["count"], 3);
      assert.equal(rel["m.thread"]["latest_event"]["event_id"], replies[2]);
      assert.equal(rel["m.thread"]["current_user_participated"], true);
      assert.equal(rel["m.replace"]["event_id"], edit);
      assert.equal(ev["content"]["body"], "root", "original content is left intact");
    });

    it("GET /threads lists roots with their summary and honours include=participated", async () => {
      const carol = await srv.user("carol");
      await carol.join(room);
      const other = await carol.send(room, text("second root"));
      await carol.send(room, { ...text("c1"), "m.relates_to": { rel_type: "m.thread", event_id: other } });
      const all = await alice.get(`${R()}/threads`);
      assert.deepEqual(all["chunk"].map((e: Json) => e["event_id"]), [other, root]);
      const summary = all["chunk"][1]["unsigned"]["m.relations"]["m.thread"];
      assert.equal(summary["count"], 3);
      assert.equal(all["chunk"][0]["unsigned"]["m.relations"]["m.thread"]["current_user_participated"], false);
      const mine = await bob.get(`${R()}/threads?include=participated`);
      assert.deepEqual(mine["chunk"].map((e: Json) => e["event_id"]), [root]);
      const page = await alice.get(`${R()}/threads?limit=1`);
      assert.deepEqual(page["chunk"].map((e: Json) => e["event_id"]), [other]);
      const next = await alice.get(`${R()}/threads?limit=1&from=${page["next_batch"]}`);
      assert.deepEqual(next["chunk"].map((e: Json) => e["event_id"]), [root]);
      assert.equal(next["next_batch"], undefined);
      assert.equal((await alice.req("GET", `${R()}/threads?include=some`)).body["errcode"], "M_INVALID_PARAM");
      assert.equal((await alice.req("GET", `${R()}/threads?limit=0`)).body["errcode"], "M_INVALID_PARAM");
    });
  });
}
