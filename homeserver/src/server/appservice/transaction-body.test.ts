import assert from "node:assert/strict";
import { transactionBody } from "./transaction-body.ts";
import { retryDelay } from "./backoff.ts";

describe("transactionBody", () => {
  it("puts events in order, ephemeral data under both names, to-device under both names", () => {
    const body = transactionBody([
      { kind: "event", json: JSON.stringify({ event_id: "$1" }) },
      { kind: "ephemeral", json: JSON.stringify({ type: "m.typing", room_id: "!r", content: { user_ids: [] } }) },
      { kind: "event", json: JSON.stringify({ event_id: "$2" }) },
      { kind: "to_device", json: JSON.stringify({ type: "m.room_key_request", to_user_id: "@a:x", to_device_id: "D" }) },
    ]);
    assert.deepEqual(body["events"], [{ event_id: "$1" }, { event_id: "$2" }]);
    assert.deepEqual(body["ephemeral"], [{ type: "m.typing", room_id: "!r", content: { user_ids: [] } }]);
    assert.deepEqual(body["de.sorunome.msc2409.ephemeral"], body["ephemeral"]);
    assert.equal((body["to_device"] as unknown[]).length, 1);
    assert.deepEqual(body["de.sorunome.msc2409.to_device"], body["to_device"]);
    assert.equal(body["org.matrix.msc3202.device_lists"], undefined);
  });

  it("leaves optional sections out when empty and merges device lists, later entries winning", () => {
    assert.deepEqual(transactionBody([]), { events: [] });
    const body = transactionBody([
      { kind: "device_lists", json: JSON.stringify({ changed: ["@a:x", "@b:x"], left: [] }) },
      { kind: "device_lists", json: JSON.stringify({ changed: [], left: ["@a:x"] }) },
    ]);
    assert.deepEqual(body["org.matrix.msc3202.device_lists"], { changed: ["@b:x"], left: ["@a:x"] });
  });
});

describe("retryDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, 100, 1000)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(retryDelay(5000, 1000, 300_000), 300_000);
    assert.equal(retryDelay(0, 100, 1000), 0);
  });
});
