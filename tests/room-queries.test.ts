// Black-box tests of the read-side room endpoints against a real homeserver (SQLite).
import assert from "node:assert/strict";
import { DATABASES, skipUnlessDatabase, C, V1, bodies, enc, startServer, text, type Json, type Server, type User } from "./room-queries-setup.ts";

for (const db of DATABASES) {
  describe(`room query endpoints (${db})`, function () {
    this.timeout(60_000);
    let srv: Server;
    let alice: User;
    let bob: User;
    let dave: User;
    let roomId: string;
    const ids: string[] = [];
    const R = (): string => `${C}/rooms/${enc(roomId)}`;

    before(async function () {
      await skipUnlessDatabase(this, db);
      srv = await startServer(db);
      alice = await srv.user("alice");
      bob = await srv.user("bob");
      dave = await srv.user("dave");
      roomId = await alice.createRoom({ preset: "public_chat", name: "Conseil", topic: "Ordre du jour" });
      for (let i = 0; i < 25; i++) ids.push(await alice.send(roomId, text(`m${i}`)));
      await bob.join(roomId);
      await bob.send(roomId, { msgtype: "m.image", body: "plan.png", url: "mxc://test.local/plan" });
    });
    after(async () => srv?.stop());

    describe("GET /messages", () => {
      it("pages backwards through the whole room without gaps or repeats, then omits end", async () => {
        const seen: string[] = [];
        let from: string | undefined;
        let lastStart: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await alice.get(`${R()}/messages?dir=b&limit=7${from ? `&from=${from}` : ""}`);
          assert.ok(page["chunk"].length <= 7);
          if (from) assert.equal(page["start"], from, "start echoes from");
          lastStart = page["start"];
          seen.push(...page["chunk"].map((e: Json) => e["event_id"] as string));
          if (page["end"] === undefined) break;
          from = page["end"];
        }
        assert.ok(lastStart);
        assert.equal(new Set(seen).size, seen.length, "no event twice");
        const msgIds = seen.filter((id) => ids.includes(id));
        assert.deepEqual(msgIds, [...ids].reverse());
        const last = await alice.get(`${R()}/messages?dir=b&limit=7&from=${from}`);
        assert.equal(last["end"], undefined);
      });

      it("pages forwards from the start in chronological order", async () => {
        const first = await alice.get(`${R()}/messages?dir=f&limit=3`);
        assert.equal(first["chunk"][0]["type"], "m.room.create");
        assert.equal(first["chunk"][0]["room_id"], roomId);
        const all: Json[] = [...first["chunk"]];
        let from = first["end"];
        while (from) {
          const page = await alice.get(`${R()}/messages?dir=f&limit=10&from=${from}`);
          all.push(...page["chunk"]);
          from = page["end"];
        }
        assert.deepEqual(bodies(all).slice(0, 25), ids.map((_, i) => `m${i}`));
        assert.equal(bodies(all).at(-1), "plan.png");
      });

      it("joins up with backwards tokens: forwards from a backwards end returns the events after it", async () => {
        const back = await alice.get(`${R()}/messages?dir=b&limit=3&filter=${enc(JSON.stringify({ types: ["m.room.message"] }))}`);
        assert.deepEqual(bodies(back["chunk"]), ["plan.png", "m24", "m23"]);
        const fwd = await alice.get(`${R()}/messages?dir=f&limit=2&from=${back["end"]}`);
        assert.equal(fwd["chunk"][0]["event_id"], ids[23]);
      });

      it("stops at `to`", async () => {
        const stream = await srv.hs.context.stores.events.streamOf(ids[20] ?? "");
        const page = await alice.get(`${R()}/messages?dir=b&limit=50&to=t${stream}&filter=${enc(JSON.stringify({ types: ["m.room.message"] }))}`);
        assert.deepEqual(bodies(page["chunk"]), ["plan.png", "m24", "m23", "m22", "m21", "m20"]);
        assert.equal(page["end"], undefined);
      });

      it("accepts a sync token as from (the event at its position is included backwards)", async () => {
        const stream = await srv.hs.context.stores.events.streamOf(ids[10] ?? "");
        const page = await alice.get(`${R()}/messages?dir=b&limit=2&from=s${stream}_0_0_0`);
        assert.deepEqual(page["chunk"].map((e: Json) => e["event_id"]), [ids[10], ids[9]]);
      });

      it("applies filters: types, senders, not_senders, contains_url, lazy_load_members", async () => {
        const q = (f: Json): Promise<Json> => alice.get(`${R()}/messages?dir=b&limit=100&filter=${enc(JSON.stringify(f))}`);
        assert.deepEqual(bodies((await q({ senders: [bob.userId], types: ["m.room.message"] }))["chunk"]), ["plan.png"]);
        assert.equal(bodies((await q({ not_senders: [bob.userId], types: ["m.room.message"] }))["chunk"]).length, 25);
        assert.deepEqual(bodies((await q({ contains_url: true }))["chunk"]), ["plan.png"]);
        assert.ok((await q({ types: ["m.room.*"], not_types: ["m.room.message"] }))["chunk"].every((e: Json) => e["type"].startsWith("m.room.") && e["type"] !== "m.room.message"));
        const lazy = await alice.get(`${R()}/messages?dir=b&limit=3&filter=${enc(JSON.stringify({ lazy_load_members: true }))}`);
        const members = lazy["state"].map((e: Json) => e["state_key"]).sort();
        assert.deepEqual(members, [alice.userId, bob.userId].sort());
        assert.equal((await alice.get(`${R()}/messages?dir=b&limit=2`))["state"], undefined);
      });

      it("honours limit and returns the transaction id to the sending device only", async () => {
        const page = await alice.get(`${R()}/messages?dir=b&limit=2&filter=${enc(JSON.stringify({ senders: [alice.userId], types: ["m.room.message"] }))}`);
        assert.equal(page["chunk"].length, 2);
        assert.match(page["chunk"][0]["unsigned"]["transaction_id"], /^t\d+$/);
        const asBob = await bob.get(`${R()}/messages?dir=b&limit=2&filter=${enc(JSON.stringify({ senders: [alice.userId], types: ["m.room.message"] }))}`);
        assert.equal(asBob["chunk"][0]["unsigned"]["transaction_id"], undefined);
      });

      it("validates parameters", async () => {
        const cases: [string, number, string][] = [
          [`${R()}/messages`, 400, "M_MISSING_PARAM"],
          [`${R()}/messages?dir=x`, 400, "M_INVALID_PARAM"],
          [`${R()}/messages?dir=b&from=nonsense`, 400, "M_INVALID_PARAM"],
          [`${R()}/messages?dir=b&limit=-1`, 400, "M_INVALID_PARAM"],
          [`${R()}/messages?dir=b&limit=abc`, 400, "M_INVALID_PARAM"],
          [`${R()}/messages?dir=b&filter=%7Bnope`, 400, "M_INVALID_PARAM"],
          [`${C}/rooms/not-a-room/messages?dir=b`, 400, "M_INVALID_PARAM"],
        ];
        for (const [path, status, errcode] of cases) {
          const r = await alice.req("GET", path);
          assert.equal(r.status, status, path);
          assert.equal(r.body["errcode"], errcode, path);
        }
        const anon = await srv.anon("GET", `${R()}/messages?dir=b`);
        assert.equal(anon.status, 401);
        assert.equal(anon.body["errcode"], "M_MISSING_TOKEN");
        const outsider = await dave.req("GET", `${R()}/messages?dir=b`);
        assert.equal(outsider.status, 403);
        assert.equal(outsider.body["errcode"], "M_FORBIDDEN");
      });
    });

    describe("GET /context", () => {
      it("returns the event with half the limit on each side and usable tokens", async () => {
        const ctx = await alice.get(`${R()}/context/${enc(ids[12] ?? "")}?limit=4`);
        assert.equal(ctx["event"]["event_id"], ids[12]);
        assert.deepEqual(ctx["events_before"].map((e: Json) => e["event_id"]), [ids[11], ids[10]]);
        assert.deepEqual(ctx["events_after"].map((e: Json) => e["event_id"]), [ids[13], ids[14]]);
        assert.ok(ctx["state"].some((e: Json) => e["type"] === "m.room.create"));
        const back = await alice.get(`${R()}/messages?dir=b&limit=1&from=${ctx["start"]}`);
        assert.equal(back["chunk"][0]["event_id"], ids[9]);
        const fwd = await alice.get(`${R()}/messages?dir=f&limit=1&from=${ctx["end"]}`);
        assert.equal(fwd["chunk"][0]["event_id"], ids[15]);
      });

      it("filters the surrounding events and lazy-loads members, but never the event itself", async () => {
        const filter = enc(JSON.stringify({ senders: [bob.userId], lazy_load_members: true }));
        const ctx = await alice.get(`${R()}/context/${enc(ids[24] ?? "")}?limit=10&filter=${filter}`);
        assert.equal(ctx["event"]["event_id"], ids[24]);
        assert.ok(ctx["events_before"].length === 0 || ctx["events_before"].every((e: Json) => e["sender"] === bob.userId));
        assert.ok(ctx["events_after"].every((e: Json) => e["sender"] === bob.userId));
        assert.ok(ctx["state"].every((e: Json) => e["sender"] === bob.userId));
      });

      it("is 404 for unknown events and events of other rooms, 403 for outsiders", async () => {
        const other = await alice.createRoom({ preset: "private_chat" });
        const otherEvent = await alice.send(other, text("elsewhere"));
        assert.equal((await alice.req("GET", `${R()}/context/${enc(otherEvent)}`)).status, 404);
        assert.equal((await alice.req("GET", `${R()}/context/${enc("$" + "A".repeat(43))}`)).body["errcode"], "M_NOT_FOUND");
        assert.equal((await dave.req("GET", `${R()}/context/${enc(ids[0] ?? "")}`)).status, 403);
      });
    });

    describe("state and members", () => {
      it("GET /state returns the current state as client events", async () => {
        const state = (await alice.req("GET", `${R()}/state`)).body as unknown as Json[];
        const types = new Set(state.map((e) => e["type"]));
        for (const t of ["m.room.create", "m.room.power_levels", "m.room.join_rules", "m.room.name", "m.room.member"]) assert.ok(types.has(t), t);
        assert.ok(state.every((e) => typeof e["event_id"] === "string" && e["room_id"] === roomId));
      });

      it("GET /state/{type}/{key} returns the content, or the event with format=event", async () => {
        assert.deepEqual(await alice.get(`${R()}/state/m.room.name`), { name: "Conseil" });
        assert.deepEqual(await alice.get(`${R()}/state/m.room.name/`), { name: "Conseil" });
        const member = await alice.get(`${R()}/state/m.room.member/${enc(bob.userId)}`);
        assert.equal(member["membership"], "join");
        const full = await alice.get(`${R()}/state/m.room.topic/?format=event`);
        assert.equal(full["type"], "m.room.topic");
        assert.equal(full["state_key"], "");
        assert.deepEqual(full["content"], { topic: "Ordre du jour" });
        const missing = await alice.req("GET", `${R()}/state/m.room.avatar`);
        assert.equal(missing.status, 404);
        assert.equal(missing.body["errcode"], "M_NOT_FOUND");
        assert.equal((await alice.req("GET", `${R()}/state/m.room.name?format=html`)).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await dave.req("GET", `${R()}/state/m.room.name`)).status, 403);
      });

      it("GET /members filters by membership, not_membership and at", async () => {
        const before = await srv.hs.context.stores.events.streamOf(ids[24] ?? "");
        const all = await alice.get(`${R()}/members`);
        assert.deepEqual(all["chunk"].map((e: Json) => e["state_key"]).sort(), [alice.userId, bob.userId].sort());
        const joined = await alice.get(`${R()}/members?membership=join`);
        assert.equal(joined["chunk"].length, 2);
        assert.equal((await alice.get(`${R()}/members?not_membership=join`))["chunk"].length, 0);
        const atEarlier = await alice.get(`${R()}/members?at=t${before}`);
        assert.deepEqual(atEarlier["chunk"].map((e: Json) => e["state_key"]), [alice.userId]);
        assert.equal((await alice.req("GET", `${R()}/members?membership=joined`)).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await alice.req("GET", `${R()}/members?at=zzz`)).body["errcode"], "M_INVALID_PARAM");
      });

      it("GET /joined_members maps users to display names", async () => {
        await bob.state(roomId, "m.room.member", bob.userId, { membership: "join", displayname: "Bob B." });
        const r = await alice.get(`${R()}/joined_members`);
        assert.deepEqual(Object.keys(r["joined"]).sort(), [alice.userId, bob.userId].sort());
        assert.equal(r["joined"][bob.userId]["display_name"], "Bob B.");
        assert.equal((await dave.req("GET", `${R()}/joined_members`)).status, 403);
      });

      it("GET /joined_rooms lists the caller's joined rooms", async () => {
        assert.ok((await bob.get(`${C}/joined_rooms`))["joined_rooms"].includes(roomId));
        assert.deepEqual((await dave.get(`${C}/joined_rooms`))["joined_rooms"], []);
      });
    });

    describe("GET /event", () => {
      it("returns a visible event and 404 otherwise", async () => {
        const ev = await bob.get(`${R()}/event/${enc(ids[3] ?? "")}`);
        assert.equal(ev["content"]["body"], "m3");
        assert.equal(ev["room_id"], roomId);
        for (const [u, id] of [[dave, ids[3]], [alice, "$" + "B".repeat(43)]] as const) {
          const r = await u.req("GET", `${R()}/event/${enc(id ?? "")}`);
          assert.equal(r.status, 404);
          assert.equal(r.body["errcode"], "M_NOT_FOUND");
        }
        assert.equal((await alice.req("GET", `${R()}/event/not-an-id`)).body["errcode"], "M_INVALID_PARAM");
      });
    });

    describe("timestamp_to_event", () => {
      it("finds the closest event in each direction", async () => {
        const e5 = await alice.get(`${R()}/event/${enc(ids[5] ?? "")}`);
        const ts = e5["origin_server_ts"] as number;
        const f = await alice.get(`${V1}/rooms/${enc(roomId)}/timestamp_to_event?ts=${ts - 500}&dir=f`);
        assert.deepEqual(f, { event_id: ids[5], origin_server_ts: ts });
        const b = await alice.get(`${V1}/rooms/${enc(roomId)}/timestamp_to_event?ts=${ts + 500}&dir=b`);
        assert.equal(b["event_id"], ids[5]);
        const none = await alice.req("GET", `${V1}/rooms/${enc(roomId)}/timestamp_to_event?ts=${ts + 10_000_000}&dir=f`);
        assert.equal(none.status, 404);
        assert.equal(none.body["errcode"], "M_NOT_FOUND");
        assert.equal((await alice.req("GET", `${V1}/rooms/${enc(roomId)}/timestamp_to_event?dir=f`)).body["errcode"], "M_MISSING_PARAM");
        assert.equal((await alice.req("GET", `${V1}/rooms/${enc(roomId)}/timestamp_to_event?ts=1&dir=up`)).body["errcode"], "M_INVALID_PARAM");
        assert.equal((await dave.req("GET", `${V1}/rooms/${enc(roomId)}/timestamp_to_event?ts=1&dir=f`)).status, 403);
      });
    });

    describe("reports", () => {
      it("stores event reports from joined users and hides everything else behind 404", async () => {
        assert.equal((await bob.req("POST", `${R()}/report/${enc(ids[1] ?? "")}`, { reason: "spam", score: -50 })).status, 200);
        const rows = await srv.hs.context.db.all("SELECT user_id, event_id, reason, score FROM reports WHERE event_id = ?", [ids[1] ?? ""]);
        assert.deepEqual(rows.map((r) => ({ ...r, score: Number(r["score"]) })), [{ user_id: bob.userId, event_id: ids[1], reason: "spam", score: -50 }]);
        assert.equal((await dave.req("POST", `${R()}/report/${enc(ids[1] ?? "")}`, { reason: "x" })).status, 404);
        assert.equal((await bob.req("POST", `${R()}/report/${enc("$" + "C".repeat(43))}`, {})).status, 404);
        assert.equal((await bob.req("POST", `${R()}/report/${enc(ids[1] ?? "")}`, { score: 5 })).body["errcode"], "M_INVALID_PARAM");
      });

      it("accepts room reports from anyone, 404 for unknown rooms", async () => {
        assert.equal((await dave.req("POST", `${R()}/report`, { reason: "hors sujet" })).status, 200);
        assert.equal((await dave.req("POST", `${C}/rooms/${enc("!nowhere:test.local")}/report`, { reason: "x" })).status, 404);
        assert.equal((await dave.req("POST", `${R()}/report`, {})).status, 400);
      });
    });
  });
}
