// Room aliases, directory visibility and /publicRooms against a real homeserver.
import assert from "node:assert/strict";
import { DATABASES, skipUnlessDatabase, C, enc, startServer, type Json, type Server, type User } from "./room-queries-setup.ts";

for (const db of DATABASES) {
  describe(`room directory (${db})`, function () {
    this.timeout(60_000);
    let srv: Server;
    let alice: User;
    let bob: User;
    let dave: User;
    let admin: User;
    let room: string;
    const alias = "#conseil:test.local";
    const A = (a: string): string => `${C}/directory/room/${enc(a)}`;

    before(async function () {
      await skipUnlessDatabase(this, db);
      srv = await startServer(db);
      alice = await srv.user("alice");
      bob = await srv.user("bob");
      dave = await srv.user("dave");
      admin = await srv.user("admin", { admin: true });
      room = await alice.createRoom({ preset: "public_chat", name: "Conseil municipal", topic: "Séances publiques" });
      await bob.join(room);
    });
    after(async () => srv?.stop());

    describe("aliases", () => {
      it("creates an alias, resolves it, and refuses a duplicate with 409", async () => {
        assert.equal((await alice.req("PUT", A(alias), { room_id: room })).status, 200);
        const got = await dave.get(A(alias));
        assert.equal(got["room_id"], room);
        assert.deepEqual(got["servers"], ["test.local"]);
        assert.deepEqual((await srv.anon("GET", A(alias))).body["room_id"], room, "resolving needs no token");
        const dup = await bob.req("PUT", A(alias), { room_id: room });
        assert.equal(dup.status, 409);
        assert.equal(dup.body["errcode"], "M_UNKNOWN");
        assert.deepEqual(await bob.get(`${C}/rooms/${enc(room)}/aliases`), { aliases: [alias] });
      });

      it("validates aliases, room ids and membership", async () => {
        const cases: [User, string, unknown, number, string][] = [
          [alice, A("conseil:test.local"), { room_id: room }, 400, "M_INVALID_PARAM"],
          [alice, A("#:test.local"), { room_id: room }, 400, "M_INVALID_PARAM"],
          [alice, A("#x:other.example"), { room_id: room }, 400, "M_INVALID_PARAM"],
          [alice, A("#x:test.local"), { room_id: "nope" }, 400, "M_INVALID_PARAM"],
          [alice, A("#x:test.local"), {}, 400, "M_BAD_JSON"],
          [alice, A("#x:test.local"), { room_id: "!unknown:test.local" }, 404, "M_NOT_FOUND"],
          [dave, A("#x:test.local"), { room_id: room }, 403, "M_FORBIDDEN"],
        ];
        for (const [u, path, body, status, errcode] of cases) {
          const r = await u.req("PUT", path, body);
          assert.equal(r.status, status, `${path} ${JSON.stringify(body)}`);
          assert.equal(r.body["errcode"], errcode, `${path} ${JSON.stringify(body)}`);
        }
        assert.equal((await alice.req("GET", A("#missing:test.local"))).status, 404);
        assert.equal((await alice.req("GET", A("#remote:elsewhere.example"))).body["errcode"], "M_NOT_FOUND");
        assert.equal((await alice.req("GET", A("garbage"))).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await dave.req("GET", `${C}/rooms/${enc(room)}/aliases`)).status, 403);
        assert.equal((await dave.req("GET", `${C}/rooms/bad-id/aliases`)).body["errcode"], "M_INVALID_PARAM");
      });

      it("lets only the creator, room admins and server admins delete an alias", async () => {
        assert.equal((await bob.req("PUT", A("#bob:test.local"), { room_id: room })).status, 200);
        const denied = await dave.req("DELETE", A("#bob:test.local"));
        assert.equal(denied.status, 403);
        assert.equal(denied.body["errcode"], "M_FORBIDDEN");
        // alice is not the alias creator but has the power to change m.room.canonical_alias
        assert.equal((await alice.req("DELETE", A("#bob:test.local"))).status, 200);
        assert.equal((await alice.req("GET", A("#bob:test.local"))).status, 404);
        assert.equal((await alice.req("PUT", A("#alice2:test.local"), { room_id: room })).status, 200);
        assert.equal((await bob.req("DELETE", A("#alice2:test.local"))).status, 403, "power level 0 is not enough");
        assert.equal((await admin.req("DELETE", A("#alice2:test.local"))).status, 200);
        assert.equal((await admin.req("DELETE", A("#alice2:test.local"))).status, 404);
      });
    });

    describe("published rooms", () => {
      it("publishes a room only for room admins", async () => {
        const before = await srv.anon("GET", `${C}/directory/list/room/${enc(room)}`);
        assert.deepEqual(before.body, { visibility: "private" });
        const denied = await bob.req("PUT", `${C}/directory/list/room/${enc(room)}`, { visibility: "public" });
        assert.equal(denied.status, 403);
        assert.equal((await alice.req("PUT", `${C}/directory/list/room/${enc(room)}`, { visibility: "loud" })).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await alice.req("PUT", `${C}/directory/list/room/${enc(room)}`, { visibility: "public" })).status, 200);
        assert.deepEqual(await dave.get(`${C}/directory/list/room/${enc(room)}`), { visibility: "public" });
        assert.equal((await alice.req("GET", `${C}/directory/list/room/${enc("!nope:test.local")}`)).status, 404);
      });

      it("lists published rooms, largest first, with their summary", async () => {
        const small = await dave.createRoom({ preset: "public_chat", name: "Petit comité", room_alias_name: "petit" });
        assert.equal((await dave.req("PUT", `${C}/directory/list/room/${enc(small)}`, { visibility: "public" })).status, 200);
        await alice.createRoom({ preset: "public_chat", name: "Hidden" });
        const list = await srv.anon("GET", `${C}/publicRooms`);
        assert.equal(list.status, 200);
        assert.deepEqual(list.body["chunk"].map((r: Json) => r["room_id"]), [room, small]);
        assert.equal(list.body["total_room_count_estimate"], 2);
        const [big, petit] = list.body["chunk"] as Json[];
        assert.equal(big?.["name"], "Conseil municipal");
        assert.equal(big?.["topic"], "Séances publiques");
        assert.equal(big?.["num_joined_members"], 2);
        assert.equal(big?.["join_rule"], "public");
        assert.equal(big?.["world_readable"], false);
        assert.equal(big?.["guest_can_join"], false);
        assert.equal(big?.["canonical_alias"], undefined);
        assert.equal(petit?.["num_joined_members"], 1);
        assert.equal(petit?.["canonical_alias"], "#petit:test.local");
      });

      it("paginates with since tokens and searches with POST", async () => {
        const p1 = await alice.get(`${C}/publicRooms?limit=1`);
        assert.equal(p1["chunk"].length, 1);
        assert.equal(p1["prev_batch"], undefined);
        const p2 = await alice.get(`${C}/publicRooms?limit=1&since=${p1["next_batch"]}`);
        assert.equal(p2["chunk"].length, 1);
        assert.notEqual(p2["chunk"][0]["room_id"], p1["chunk"][0]["room_id"]);
        assert.equal(p2["next_batch"], undefined);
        assert.ok(p2["prev_batch"]);
        const found = (await alice.req("POST", `${C}/publicRooms`, { filter: { generic_search_term: "SÉANCES" } })).body;
        assert.deepEqual(found["chunk"].map((r: Json) => r["room_id"]), [room]);
        const none = (await alice.req("POST", `${C}/publicRooms`, { filter: { generic_search_term: "budget" } })).body;
        assert.deepEqual(none["chunk"], []);
        const spaces = (await alice.req("POST", `${C}/publicRooms`, { filter: { room_types: ["m.space"] } })).body;
        assert.deepEqual(spaces["chunk"], []);
        assert.equal((await alice.req("POST", `${C}/publicRooms`, { filter: { room_types: [null] } })).body["chunk"].length, 2);
      });

      it("validates publicRooms parameters", async () => {
        assert.equal((await alice.req("GET", `${C}/publicRooms?since=zzz`)).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await alice.req("GET", `${C}/publicRooms?limit=-3`)).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await alice.req("POST", `${C}/publicRooms`, { limit: "ten" })).body["errcode"], "M_BAD_JSON");
        assert.equal((await alice.req("POST", `${C}/publicRooms`, { filter: { room_types: [1] } })).body["errcode"], "M_BAD_JSON");
        assert.equal((await srv.anon("POST", `${C}/publicRooms`, {})).status, 401);
        assert.equal((await alice.req("GET", `${C}/publicRooms?server=elsewhere.example`)).status, 400);
      });
    });
  });
}
