import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { canonicalJson } from "../spec/canonical-json.ts";
import { addContentHash, checkContentHash, contentHash, eventIdOf, referenceHash, roomIdFromCreateEvent } from "./hashes.ts";
import type { Pdu } from "./pdu.ts";
import { getRoomVersion, type RoomVersion } from "./room-versions.ts";

const version = (id: string): RoomVersion => getRoomVersion(id)!;

// Vectors file section 3.2 (spec appendix "Cryptographic test vectors"): Event 1, with the
// signature the spec gives, and the derived reference hash (v1–v10 top-level key list).
const EVENT_1 = {
  room_id: "!x:domain", sender: "@a:domain", origin: "domain", origin_server_ts: 1000000,
  signatures: {}, hashes: {}, type: "X", content: {}, prev_events: [], auth_events: [], depth: 3,
  unsigned: { age_ts: 1000000 },
};
const EVENT_1_HASH = "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos";
const EVENT_1_SIGNED: Pdu = {
  ...EVENT_1,
  hashes: { sha256: EVENT_1_HASH },
  signatures: { domain: { "ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg" } },
};
const EVENT_2 = {
  content: { body: "Here is the message content" }, event_id: "$0:domain", origin: "domain", origin_server_ts: 1000000,
  type: "m.room.message", room_id: "!r:domain", sender: "@u:domain", signatures: {}, unsigned: { age_ts: 1000000 },
};

describe("content hash", () => {
  it("matches the spec vectors", () => {
    assert.equal(contentHash(EVENT_1), EVENT_1_HASH);
    assert.equal(contentHash(EVENT_2), "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g");
  });

  it("ignores unsigned, signatures and hashes, but covers everything else", () => {
    assert.equal(contentHash({ ...EVENT_1, unsigned: { x: 1 }, signatures: { a: {} }, hashes: { sha256: "zzz" } }), EVENT_1_HASH);
    assert.notEqual(contentHash({ ...EVENT_1, depth: 4 }), EVENT_1_HASH);
    assert.notEqual(contentHash({ ...EVENT_1, content: { body: "x" } }), EVENT_1_HASH);
  });

  it("addContentHash sets hashes.sha256 without mutating", () => {
    const before = structuredClone(EVENT_1);
    const hashed = addContentHash(EVENT_1);
    assert.deepEqual(hashed.hashes, { sha256: EVENT_1_HASH });
    assert.deepEqual(EVENT_1, before);
    assert.ok(checkContentHash(hashed));
  });

  it("checkContentHash fails on tampering and malformed hashes", () => {
    assert.ok(checkContentHash(EVENT_1_SIGNED));
    assert.equal(checkContentHash({ ...EVENT_1_SIGNED, content: { body: "changed" } }), false);
    assert.equal(checkContentHash({ ...EVENT_1_SIGNED, hashes: {} }), false);
    assert.equal(checkContentHash({ ...EVENT_1_SIGNED, hashes: { sha256: "!!" } }), false);
    assert.equal(checkContentHash({ ...EVENT_1_SIGNED, hashes: { sha256: EVENT_1_HASH.slice(2) } }), false);
    assert.equal(checkContentHash({ ...EVENT_1_SIGNED, hashes: "x" }), false);
    assert.ok(checkContentHash({ ...EVENT_1_SIGNED, hashes: { sha256: EVENT_1_HASH + "=" } }), "padded hash accepted");
  });
});

describe("reference hash and event id", () => {
  it("matches the derived vector for Event 1", () => {
    assert.equal(eventIdOf(EVENT_1_SIGNED, version("6")), "$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc");
    assert.equal(referenceHash(EVENT_1_SIGNED, version("10")).length, 32);
  });

  it("is computed over the redacted event without signatures/unsigned", () => {
    const v = version("11");
    const expected = createHash("sha256")
      .update(canonicalJson({
        auth_events: [], content: {}, depth: 3, hashes: { sha256: EVENT_1_HASH }, origin_server_ts: 1000000,
        prev_events: [], room_id: "!x:domain", sender: "@a:domain", type: "X",
      }))
      .digest("base64url");
    assert.equal(eventIdOf(EVENT_1_SIGNED, v), `$${expected}`);
    // Neither signatures, unsigned, nor redactable content change the id.
    const variant = { ...EVENT_1_SIGNED, signatures: {}, unsigned: { age: 5 }, content: { spam: true } };
    assert.equal(eventIdOf(variant, v), `$${expected}`);
    // The v11 rules drop `origin`; the v6 rules keep it, so the ids differ.
    assert.notEqual(eventIdOf(EVENT_1_SIGNED, version("6")), eventIdOf(EVENT_1_SIGNED, v));
  });

  it("changes when a protected field changes", () => {
    const v = version("12");
    assert.notEqual(eventIdOf({ ...EVENT_1_SIGNED, depth: 4 }, v), eventIdOf(EVENT_1_SIGNED, v));
    assert.notEqual(eventIdOf({ ...EVENT_1_SIGNED, hashes: { sha256: "x" } }, v), eventIdOf(EVENT_1_SIGNED, v));
  });
});

describe("roomIdFromCreateEvent", () => {
  const create = {
    type: "m.room.create", state_key: "", sender: "@a:domain", content: { room_version: "12" },
    origin_server_ts: 1, depth: 1, prev_events: [], auth_events: [], hashes: { sha256: "h" }, signatures: {},
  };

  it("is the create event id with ! for v12", () => {
    const roomId = roomIdFromCreateEvent(create, version("12"));
    assert.equal(roomId, `!${eventIdOf(create, version("12")).slice(1)}`);
    assert.match(roomId, /^![A-Za-z0-9_-]{43}$/);
  });

  it("refuses older versions, non-create events and create events with room_id", () => {
    assert.throws(() => roomIdFromCreateEvent(create, version("11")));
    assert.throws(() => roomIdFromCreateEvent({ ...create, type: "m.room.member" }, version("12")));
    assert.throws(() => roomIdFromCreateEvent({ ...create, room_id: "!x:domain" }, version("12")));
  });
});
