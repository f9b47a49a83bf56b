import assert from "node:assert/strict";
import type { JsonObject } from "../../room/pdu.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { checkEventFields, compileEventFields, projectEvent, MAX_EVENT_FIELDS, MAX_EVENT_FIELD_LENGTH } from "./event-fields.ts";

const event = (): JsonObject => ({
  event_id: "$e", type: "m.room.message", sender: "@a:x", origin_server_ts: 5,
  content: { body: "hi", msgtype: "m.text", "m.relates_to": { rel_type: "m.thread", event_id: "$root" }, "a\\b": 1, list: [1, 2], "": "empty" },
  unsigned: { age: 12, transaction_id: "t1" },
});

const project = (fields: string[], e: JsonObject = event()): JsonObject => projectEvent(e, compileEventFields(fields));

describe("filter event_fields", () => {
  it("keeps top-level fields", () => {
    assert.deepEqual(project(["type", "event_id"]), { type: "m.room.message", event_id: "$e" });
  });

  it("keeps nested fields and only them", () => {
    assert.deepEqual(project(["content.body", "unsigned.age"]), { content: { body: "hi" }, unsigned: { age: 12 } });
  });

  it("reads \\. as a literal dot in a key (content.m\\.relates_to)", () => {
    assert.deepEqual(project(["content.m\\.relates_to"]), { content: { "m.relates_to": { rel_type: "m.thread", event_id: "$root" } } });
    assert.deepEqual(project(["content.m\\.relates_to.rel_type"]), { content: { "m.relates_to": { rel_type: "m.thread" } } });
    // unescaped, the dot separates keys: content.m.relates_to does not exist
    assert.deepEqual(project(["content.m.relates_to"]), {});
  });

  it("reads \\\\ as a literal backslash, and keeps other backslashes as they are", () => {
    assert.deepEqual(project(["content.a\\\\b"]), { content: { "a\\b": 1 } });
    assert.deepEqual(project(["content.a\\b"]), { content: { "a\\b": 1 } });
  });

  it("skips missing paths and paths through non-objects, without creating empty objects", () => {
    assert.deepEqual(project(["content.nope", "nope", "content.body.length", "content.list.0", "type.x"]), {});
    assert.deepEqual(project(["content.nope", "sender"]), { sender: "@a:x" });
  });

  it("copies a whole value when both it and a path below it are asked for, in either order", () => {
    const whole = { unsigned: { age: 12, transaction_id: "t1" } };
    assert.deepEqual(project(["unsigned", "unsigned.age"]), whole);
    assert.deepEqual(project(["unsigned.age", "unsigned"]), whole);
  });

  it("copies arrays and falsy values as they are, and an empty key", () => {
    assert.deepEqual(project(["content.list", "origin_server_ts", "content."]), { content: { list: [1, 2], "": "empty" }, origin_server_ts: 5 });
    assert.deepEqual(project(["x"], { x: 0, y: false }), { x: 0 });
    assert.deepEqual(project(["x"], { x: null }), { x: null });
  });

  it("never modifies the event it projects", () => {
    const e = event();
    const before = JSON.stringify(e);
    project(["content.body", "unsigned"], e);
    assert.equal(JSON.stringify(e), before);
  });

  it("does not read inherited properties", () => {
    assert.deepEqual(project(["constructor", "content.toString"]), {});
  });

  it("caps the number and the length of paths with M_INVALID_PARAM", () => {
    checkEventFields(undefined);
    checkEventFields(Array.from({ length: MAX_EVENT_FIELDS }, (_, i) => `content.f${i}`));
    const tooMany = (): void => checkEventFields(Array.from({ length: MAX_EVENT_FIELDS + 1 }, (_, i) => `content.f${i}`));
    assert.throws(tooMany, (e: unknown) => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM" && e.status === 400);
    const tooLong = (): void => checkEventFields(["c".repeat(MAX_EVENT_FIELD_LENGTH + 1)]);
    assert.throws(tooLong, (e: unknown) => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM");
  });
});
