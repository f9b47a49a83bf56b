import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "./pdu.ts";
import { redactEvent, redactPdu } from "./redaction.ts";
import { getRoomVersion, type RoomVersion } from "./room-versions.ts";

const version = (id: string): RoomVersion => {
  const v = getRoomVersion(id);
  if (!v) throw new Error(`unknown room version ${id}`);
  return v;
};
const ALL = ["6", "7", "8", "9", "10", "11", "12"];

const base = {
  room_id: "!r:domain",
  sender: "@u:domain",
  depth: 3,
  origin_server_ts: 1000,
  prev_events: ["$p"],
  auth_events: ["$a"],
  hashes: { sha256: "h" },
  signatures: { domain: { "ed25519:1": "s" } },
};

/** Redacts an event of `type` with `content` (+ extra top-level keys) and returns its content. */
const redactedContent = (v: string, type: string, content: JsonObject, extra: JsonObject = {}): JsonObject =>
  redactEvent({ ...base, type, state_key: "", content, ...extra }, version(v))["content"] as JsonObject;

describe("redaction: top-level keys", () => {
  const full = {
    ...base, type: "A", state_key: "", event_id: "$e:domain", content: {},
    origin: "domain", membership: "join", prev_state: ["$x"], other_key: "foo", redacts: "$t", unsigned: { age_ts: 1 },
  };

  it("v6–v10 keep origin, membership, prev_state, drop unknown keys, unsigned and top-level redacts", () => {
    for (const v of ["6", "7", "8", "9", "10"]) {
      const out = redactEvent(full, version(v));
      const { other_key: _o, redacts: _r, unsigned: _u, ...expected } = full;
      assert.deepEqual(out, expected, `v${v}`);
    }
  });

  it("v11+ also drop origin, membership and prev_state", () => {
    for (const v of ["11", "12"]) {
      const out = redactEvent(full, version(v));
      const { other_key: _o, redacts: _r, unsigned: _u, origin: _g, membership: _m, prev_state: _p, ...expected } = full;
      assert.deepEqual(out, expected, `v${v}`);
    }
  });

  it("minimal event gets an empty content and nothing invented", () => {
    assert.deepEqual(redactEvent({ type: "A", event_id: "$test:domain" }, version("6")), {
      type: "A", event_id: "$test:domain", content: {},
    });
  });

  it("does not mutate its input and returns a Pdu from redactPdu", () => {
    const pdu: Pdu = { ...base, type: "m.room.message", content: { body: "hi" }, unsigned: { age: 1 } };
    const before = structuredClone(pdu);
    const out = redactPdu(pdu, version("12"));
    assert.deepEqual(pdu, before);
    assert.deepEqual(out.content, {});
    assert.equal(out.unsigned, undefined);
    assert.equal(out.sender, "@u:domain");
  });
});

describe("redaction: content", () => {
  it("strips content of ordinary events in every version", () => {
    for (const v of ALL) assert.deepEqual(redactedContent(v, "C", { things: "here" }), {}, `v${v}`);
    for (const v of ALL) assert.deepEqual(redactedContent(v, "m.room.message", { body: "x", msgtype: "m.text" }), {});
  });

  it("keeps history_visibility only", () => {
    for (const v of ALL) {
      assert.deepEqual(redactedContent(v, "m.room.history_visibility", { history_visibility: "shared", other_key: 1 }), {
        history_visibility: "shared",
      });
    }
  });

  it("m.room.create keeps creator before v11, everything from v11", () => {
    const content = { creator: "@2:domain", room_version: "6", other_key: "foo" };
    for (const v of ["6", "9", "10"]) assert.deepEqual(redactedContent(v, "m.room.create", content), { creator: "@2:domain" });
    for (const v of ["11", "12"]) {
      assert.deepEqual(redactedContent(v, "m.room.create", { not_a_real_key: true, additional_creators: ["@a:b"] }), {
        not_a_real_key: true, additional_creators: ["@a:b"],
      });
    }
  });

  it("m.room.power_levels keeps invite only from v11", () => {
    const content = {
      ban: 1, events: { "m.x": 2 }, events_default: 3, invite: 4, kick: 5, redact: 6, state_default: 7,
      users: { "@a:b": 8 }, users_default: 9, notifications: { room: 10 }, other_key: 11,
    };
    const { invite: _i, notifications: _n, other_key: _o, ...v6Expected } = content;
    for (const v of ["6", "8", "9", "10"]) assert.deepEqual(redactedContent(v, "m.room.power_levels", content), v6Expected, `v${v}`);
    for (const v of ["11", "12"]) {
      assert.deepEqual(redactedContent(v, "m.room.power_levels", content), { ...v6Expected, invite: 4 }, `v${v}`);
    }
  });

  it("m.room.aliases keeps nothing from v6", () => {
    for (const v of ALL) assert.deepEqual(redactedContent(v, "m.room.aliases", { aliases: ["#test:domain"] }), {});
  });

  it("m.room.join_rules keeps allow from v8 (restricted joins), not in v6/v7", () => {
    const content = { join_rule: "invite", allow: [], other_key: "x" };
    for (const v of ["6", "7"]) assert.deepEqual(redactedContent(v, "m.room.join_rules", content), { join_rule: "invite" });
    for (const v of ["8", "9", "10", "11", "12"]) {
      assert.deepEqual(redactedContent(v, "m.room.join_rules", content), { join_rule: "invite", allow: [] }, `v${v}`);
    }
  });

  it("m.room.member keeps join_authorised_via_users_server from v9", () => {
    const content = { membership: "join", join_authorised_via_users_server: "@user:domain", displayname: "U", other_key: 1 };
    for (const v of ["6", "7", "8"]) assert.deepEqual(redactedContent(v, "m.room.member", content), { membership: "join" });
    for (const v of ["9", "10", "11", "12"]) {
      assert.deepEqual(redactedContent(v, "m.room.member", content), {
        membership: "join", join_authorised_via_users_server: "@user:domain",
      }, `v${v}`);
    }
  });

  it("m.room.member keeps third_party_invite.signed only from v11", () => {
    const signed = { mxid: "@u:domain", token: "t", signatures: { s: { "ed25519:0": "x" } } };
    const content = { membership: "invite", third_party_invite: { display_name: "alice", signed }, other_key: 1 };
    for (const v of ["6", "9", "10"]) assert.deepEqual(redactedContent(v, "m.room.member", content), { membership: "invite" });
    for (const v of ["11", "12"]) {
      assert.deepEqual(redactedContent(v, "m.room.member", content), { membership: "invite", third_party_invite: { signed } });
      assert.deepEqual(redactedContent(v, "m.room.member", { membership: "invite", third_party_invite: {} }), {
        membership: "invite", third_party_invite: {},
      });
      assert.deepEqual(redactedContent(v, "m.room.member", { membership: "invite", third_party_invite: "stripped" }), {
        membership: "invite",
      });
      assert.deepEqual(redactedContent(v, "m.room.member", { membership: "invite", third_party_invite: [signed] }), {
        membership: "invite",
      });
    }
  });

  it("m.room.redaction keeps content.redacts only from v11; top-level redacts never survives", () => {
    const content = { redacts: "$test2:domain", reason: "spam" };
    for (const v of ["6", "10"]) {
      const out = redactEvent({ ...base, type: "m.room.redaction", content, redacts: "$test2:domain" }, version(v));
      assert.deepEqual(out["content"], {});
      assert.equal(out["redacts"], undefined);
    }
    for (const v of ["11", "12"]) assert.deepEqual(redactedContent(v, "m.room.redaction", content), { redacts: "$test2:domain" });
  });

  it("treats a non-object content as empty", () => {
    assert.deepEqual(redactEvent({ ...base, type: "m.room.create", content: "x" }, version("12"))["content"], {});
  });
});
