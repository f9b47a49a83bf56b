import assert from "node:assert/strict";
import { decodeBase64 } from "../spec/base64.ts";
import { getRoomVersion, type RoomVersion } from "./room-versions.ts";
import { finishEvent, type PduDraft } from "./sign-event.ts";
import { signingKeyFromSeed } from "./signing.ts";
import { validatePdu } from "./validate-pdu.ts";

const version = (id: string): RoomVersion => getRoomVersion(id)!;
const v10 = version("10");
const v11 = version("11");
const v12 = version("12");
const key = signingKeyFromSeed("ed25519:1", decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));

const EID = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";
const HASH_ROOM = "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ";

const draft = (roomId: string): PduDraft => ({
  room_id: roomId, sender: "@agent:mairie.fr", type: "m.room.message", content: { body: "bonjour" },
  origin_server_ts: 1700000000000, depth: 5, prev_events: [EID], auth_events: [EID, EID.replace("R", "S")],
});
const good11 = finishEvent(draft("!abc:mairie.fr"), v11, "mairie.fr", key).pdu as Record<string, unknown>;
const good12 = finishEvent(draft(HASH_ROOM), v12, "mairie.fr", key).pdu as Record<string, unknown>;

/** Expects rejection with a reason mentioning `field`. */
function rejects(raw: unknown, v: RoomVersion, field: string | RegExp): void {
  const result = validatePdu(raw, v);
  assert.equal(result.ok, false, `expected rejection about ${String(field)}`);
  if (!result.ok) {
    assert.match(result.reason, typeof field === "string" ? new RegExp(field.replace(/[.[\]]/g, "\\$&")) : field);
    assert.ok(!result.reason.includes("\n"), "reason is one line");
  }
}

describe("validatePdu", () => {
  it("accepts well-formed events (v11 and v12)", () => {
    const r11 = validatePdu(good11, v11);
    assert.ok(r11.ok);
    assert.equal(r11.pdu, good11);
    assert.ok(validatePdu(good12, v12).ok);
    assert.ok(validatePdu({ ...good11, state_key: "", unsigned: { age: 3 } }, v11).ok);
  });

  it("rejects non-objects", () => {
    for (const raw of [null, [], "x", 3]) rejects(raw, v11, "object");
  });

  it("rejects non-canonical numbers anywhere", () => {
    rejects({ ...good11, content: { score: 1.5 } }, v11, "canonical JSON");
    rejects({ ...good11, content: { n: 2 ** 53 } }, v11, "canonical JSON");
    rejects({ ...good11, origin_server_ts: NaN }, v11, "canonical JSON");
  });

  it("enforces the 65536-byte limit on the whole canonical event", () => {
    const overhead = JSON.stringify({ ...good11, content: { body: "" } }).length;
    assert.ok(validatePdu({ ...good11, content: { body: "a".repeat(65536 - overhead) } }, v11).ok);
    rejects({ ...good11, content: { body: "a".repeat(65537 - overhead) } }, v11, "65536");
  });

  it("checks type, state_key and sender", () => {
    rejects({ ...good11, type: undefined }, v11, "type");
    rejects({ ...good11, type: "t".repeat(256) }, v11, "type");
    assert.ok(validatePdu({ ...good11, type: "t".repeat(255) }, v11).ok);
    rejects({ ...good11, state_key: 1 }, v11, "state_key");
    rejects({ ...good11, state_key: "é".repeat(128) }, v11, "state_key");
    rejects({ ...good11, sender: "agent" }, v11, "sender");
    rejects({ ...good11, sender: "@agent:bad host" }, v11, "sender");
    assert.ok(validatePdu({ ...good11, sender: "@Historical User:mairie.fr" }, v11).ok, "historical localparts are accepted");
  });

  it("checks depth and origin_server_ts", () => {
    for (const depth of [-1, "5", undefined]) rejects({ ...good11, depth }, v11, "depth");
    assert.ok(validatePdu({ ...good11, depth: 0 }, v11).ok);
    assert.ok(validatePdu({ ...good11, depth: Number.MAX_SAFE_INTEGER }, v11).ok);
    for (const ts of ["1", undefined, null]) rejects({ ...good11, origin_server_ts: ts }, v11, "origin_server_ts");
  });

  it("checks content, hashes, signatures and unsigned", () => {
    for (const content of [undefined, [], "x", null]) rejects({ ...good11, content }, v11, "content");
    for (const hashes of [undefined, {}, { sha256: 1 }, "x"]) rejects({ ...good11, hashes }, v11, "hashes.sha256");
    rejects({ ...good11, signatures: undefined }, v11, "signatures");
    rejects({ ...good11, signatures: { "mairie.fr": "x" } }, v11, "signatures.mairie.fr");
    rejects({ ...good11, signatures: { "mairie.fr": { "ed25519:1": 5 } } }, v11, "signatures.mairie.fr");
    rejects({ ...good11, unsigned: [] }, v11, "unsigned");
  });

  it("checks prev_events and auth_events: format and caps", () => {
    rejects({ ...good11, prev_events: undefined }, v11, "prev_events");
    rejects({ ...good11, prev_events: ["$abc:mairie.fr"] }, v11, "prev_events[0]");
    rejects({ ...good11, auth_events: [EID, EID.slice(0, -1)] }, v11, "auth_events[1]");
    rejects({ ...good11, auth_events: [EID, 7] }, v11, "auth_events[1]");
    assert.ok(validatePdu({ ...good11, prev_events: Array(20).fill(EID), auth_events: Array(10).fill(EID) }, v11).ok);
    rejects({ ...good11, prev_events: Array(21).fill(EID) }, v11, "prev_events has 21");
    rejects({ ...good11, auth_events: Array(11).fill(EID) }, v11, "auth_events has 11");
  });

  it("checks room_id per version", () => {
    rejects({ ...good11, room_id: undefined }, v11, "room_id");
    rejects({ ...good11, room_id: HASH_ROOM }, v11, "room_id");
    rejects({ ...good11, room_id: "!abc:bad host" }, v11, "room_id");
    rejects({ ...good11, room_id: "!" + "a".repeat(250) + ":mairie.fr" }, v11, "room_id");
    rejects({ ...good12, room_id: "!abc:mairie.fr" }, v12, "room_id");
    rejects({ ...good12, room_id: undefined }, v12, "room_id");
  });

  it("requires the v12 create event to have no room_id", () => {
    const create: Record<string, unknown> = { ...good12, type: "m.room.create", state_key: "", prev_events: [], auth_events: [] };
    const { room_id: _r, ...withoutRoomId } = create;
    assert.ok(validatePdu(withoutRoomId, v12).ok);
    rejects(create, v12, "room_id must be absent");
    rejects(withoutRoomId, v11, "room_id");
  });

  it("checks redacts where the version puts it", () => {
    const redaction10 = { ...good11, type: "m.room.redaction", redacts: EID };
    assert.ok(validatePdu(redaction10, v10).ok);
    rejects({ ...redaction10, redacts: "$old:mairie.fr" }, v10, "redacts");
    const { redacts: _r, ...redactedCopy } = redaction10;
    assert.ok(validatePdu(redactedCopy, v10).ok, "a redacted redaction (no top-level redacts) is still a valid PDU");

    const redaction11 = { ...good11, type: "m.room.redaction", content: { redacts: EID } };
    assert.ok(validatePdu(redaction11, v11).ok);
    rejects({ ...redaction11, content: { redacts: 5 } }, v11, "content.redacts");
    rejects({ ...redaction11, content: { redacts: "nope" } }, v11, "content.redacts");
  });
});
