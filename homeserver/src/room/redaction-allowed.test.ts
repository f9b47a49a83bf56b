import assert from "node:assert/strict";
import { redactionAllowed } from "./redaction-allowed.ts";
import { getRoomVersion } from "./room-versions.ts";
import type { Pdu, RoomEvent } from "./pdu.ts";

const v11 = getRoomVersion("11")!;
const ev = (id: string, sender: string, type = "m.room.message", content: Record<string, unknown> = {}, stateKey?: string): RoomEvent => ({
  eventId: id, pdu: { type, sender, content, room_id: "!r:a.fr", depth: 1, prev_events: [], auth_events: [], origin_server_ts: 0, hashes: { sha256: "" }, signatures: {}, ...(stateKey === undefined ? {} : { state_key: stateKey }) } as Pdu,
});
const create = ev("$c", "@admin:a.fr", "m.room.create", {}, "");
const pl = ev("$pl", "@admin:a.fr", "m.room.power_levels", { users: { "@admin:a.fr": 100, "@mod:b.fr": 50 }, redact: 50 }, "");

describe("redactionAllowed", () => {
  it("lets a server redact its own users' events", () => {
    assert.equal(redactionAllowed(ev("$r", "@other:b.fr", "m.room.redaction"), ev("$t", "@x:b.fr"), pl, create, v11), true);
  });
  it("needs the redact level for another server's events", () => {
    assert.equal(redactionAllowed(ev("$r", "@nobody:b.fr", "m.room.redaction"), ev("$t", "@x:a.fr"), pl, create, v11), false);
    assert.equal(redactionAllowed(ev("$r", "@mod:b.fr", "m.room.redaction"), ev("$t", "@x:a.fr"), pl, create, v11), true);
  });
  it("never crosses rooms", () => {
    const other = { ...ev("$t", "@x:b.fr"), pdu: { ...ev("$t", "@x:b.fr").pdu, room_id: "!other:a.fr" } };
    assert.equal(redactionAllowed(ev("$r", "@x:b.fr", "m.room.redaction"), other, pl, create, v11), false);
  });
});
