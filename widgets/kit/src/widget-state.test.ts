import assert from "node:assert/strict";
import { parseAccountWidgets, parseWidgetContent } from "./widget-state.ts";

describe("widget kit: widget state parsing", () => {
  it("parses a widget and reads empty content as removed", () => {
    const r = parseWidgetContent("w1", { type: "m.custom", url: "https://w.example/?a=$matrix_user_id", name: " Tâches ", data: { k: 1 } }, "@a:x");
    assert.deepEqual(r, { kind: "widget", widget: { id: "w1", type: "m.custom", url: "https://w.example/?a=$matrix_user_id", name: "Tâches", data: { k: 1 }, avatarUrl: undefined, creatorUserId: "@a:x" } });
    assert.deepEqual(parseWidgetContent("w1", {}, "@a:x"), { kind: "removed", id: "w1" });
  });

  it("refuses malformed content with a reason", () => {
    const cases: unknown[] = [null, [], "x", { url: "https://w" }, { type: "t" }, { type: "t", url: 3 }, { type: "t", url: "https://w", data: [] }, { type: "t", url: "https://w", name: 5 }, { type: "t", url: "x".repeat(5000) }];
    for (const c of cases) {
      const r = parseWidgetContent("w", c, "@a:x");
      assert.equal(r.kind, "invalid", JSON.stringify(c)?.slice(0, 40));
      assert.ok(r.kind === "invalid" && r.reason.length > 0);
    }
    assert.equal(parseWidgetContent("", { type: "t", url: "https://w" }, "@a:x").kind, "invalid");
  });

  it("parses account widgets from m.widgets", () => {
    const list = parseAccountWidgets({ a: { content: { type: "m.stickerpicker", url: "https://s" } }, b: 7 }, "@me:x");
    assert.deepEqual(list.map((r) => r.kind), ["widget", "invalid"]);
    assert.deepEqual(parseAccountWidgets(null, "@me:x"), []);
  });
});
