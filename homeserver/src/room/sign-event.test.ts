import assert from "node:assert/strict";
import { decodeBase64 } from "../spec/base64.ts";
import { checkContentHash, eventIdOf, roomIdFromCreateEvent } from "./hashes.ts";
import { redactPdu } from "./redaction.ts";
import { getRoomVersion, type RoomVersion } from "./room-versions.ts";
import { finishEvent, verifyEventSignature, type PduDraft } from "./sign-event.ts";
import { generateSigningKey, signingKeyFromSeed } from "./signing.ts";

const version = (id: string): RoomVersion => getRoomVersion(id)!;
const key = signingKeyFromSeed("ed25519:1", decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));

// Vectors file section 3.2 / spec "Cryptographic test vectors". They use the v1–v10 top-level
// key list, which room versions 6–10 share.
const EVENT_1: PduDraft = {
  room_id: "!x:domain", sender: "@a:domain", origin: "domain", origin_server_ts: 1000000,
  signatures: {}, hashes: {}, type: "X", content: {}, prev_events: [], auth_events: [], depth: 3,
  unsigned: { age_ts: 1000000 },
};
// Not a complete PDU (no depth, prev/auth events), exactly as the spec gives it.
const EVENT_2 = {
  content: { body: "Here is the message content" }, event_id: "$0:domain", origin: "domain", origin_server_ts: 1000000,
  type: "m.room.message", room_id: "!r:domain", sender: "@u:domain", signatures: {}, unsigned: { age_ts: 1000000 },
} as unknown as PduDraft;

describe("finishEvent", () => {
  it("reproduces the spec's minimal event vector", () => {
    const { eventId, pdu } = finishEvent(EVENT_1, version("6"), "domain", key);
    assert.deepEqual(pdu.hashes, { sha256: "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos" });
    assert.deepEqual(pdu.signatures, {
      domain: { "ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg" },
    });
    assert.deepEqual(pdu.unsigned, { age_ts: 1000000 });
    assert.equal(eventId, "$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc");
  });

  it("reproduces the spec's message event vector (signature over the redacted event)", () => {
    const { pdu } = finishEvent(EVENT_2, version("10"), "domain", key);
    assert.deepEqual(pdu.hashes, { sha256: "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g" });
    assert.equal(
      pdu.signatures["domain"]!["ed25519:1"],
      "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA",
    );
    assert.deepEqual(pdu.content, { body: "Here is the message content" }, "full content kept on the PDU");
  });

  it("does not mutate the draft and keeps other servers' signatures", () => {
    const draft: PduDraft = { ...EVENT_1, signatures: { other: { "ed25519:z": "sig" } } };
    const before = structuredClone(draft);
    const { pdu } = finishEvent(draft, version("11"), "domain", key);
    assert.deepEqual(draft, before);
    assert.equal(pdu.signatures["other"]!["ed25519:z"], "sig");
    assert.ok(pdu.signatures["domain"]!["ed25519:1"]);
  });

  it("builds a v12 create event whose id gives the room id", () => {
    const owner = generateSigningKey("a");
    const create: PduDraft = {
      type: "m.room.create", state_key: "", sender: "@maire:ville.fr", content: { room_version: "12" },
      origin_server_ts: 1700000000000, depth: 1, prev_events: [], auth_events: [],
    };
    const { eventId, pdu } = finishEvent(create, version("12"), "ville.fr", owner);
    assert.equal(roomIdFromCreateEvent(pdu, version("12")), `!${eventId.slice(1)}`);
    assert.equal(eventId, eventIdOf(pdu, version("12")));
    assert.ok(checkContentHash(pdu));
    assert.ok(verifyEventSignature(pdu, version("12"), "ville.fr", "ed25519:a", owner.publicKey));
  });
});

describe("verifyEventSignature", () => {
  const message: PduDraft = {
    room_id: "!r:domain", sender: "@u:domain", type: "m.room.message", content: { body: "secret" },
    origin_server_ts: 5, depth: 2, prev_events: ["$p"], auth_events: ["$a"],
  };

  for (const v of ["6", "9", "11", "12"]) {
    it(`holds for the full event and for its redacted copy (v${v})`, () => {
      const { pdu } = finishEvent(message, version(v), "domain", key);
      assert.ok(verifyEventSignature(pdu, version(v), "domain", "ed25519:1", key.publicKey));
      const redacted = redactPdu(pdu, version(v));
      assert.ok(verifyEventSignature(redacted, version(v), "domain", "ed25519:1", key.publicKey));
      assert.equal(checkContentHash(redacted), false, "a redacted copy fails the content hash, not the signature");
      assert.equal(eventIdOf(redacted, version(v)), eventIdOf(pdu, version(v)), "redaction keeps the event id");
    });
  }

  it("fails when a protected field or the hash is changed, or with the wrong key", () => {
    const { pdu } = finishEvent(message, version("12"), "domain", key);
    const v = version("12");
    assert.equal(verifyEventSignature({ ...pdu, sender: "@x:domain" }, v, "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyEventSignature({ ...pdu, hashes: { sha256: "x" } }, v, "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyEventSignature(pdu, v, "domain", "ed25519:1", generateSigningKey("1").publicKey), false);
    // Unprotected top-level keys (dropped by redaction) do not matter.
    assert.ok(verifyEventSignature({ ...pdu, unsigned: { age: 1 }, junk: 1 }, v, "domain", "ed25519:1", key.publicKey));
  });

  it("is tied to the room version's redaction rules", () => {
    const { pdu } = finishEvent(EVENT_1, version("6"), "domain", key);
    assert.ok(verifyEventSignature(pdu, version("10"), "domain", "ed25519:1", key.publicKey));
    // v11 drops the top-level `origin` from the signed form.
    assert.equal(verifyEventSignature(pdu, version("11"), "domain", "ed25519:1", key.publicKey), false);
  });
});
