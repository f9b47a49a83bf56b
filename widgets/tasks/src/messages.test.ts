import assert from "node:assert/strict";
import { boardTranslator, type MessageKey } from "./messages.ts";

describe("task board: words", () => {
  it("has every French sentence in English with the same placeholders", () => {
    const fr = boardTranslator("fr");
    const en = boardTranslator("en");
    const keys: MessageKey[] = [
      "title", "moved", "moveLeft", "showMore", "invalidIds", "count", "sendFailed", "removeItem", "removeAssignee", "assignAnyone", "confirmDeleteTitle",
      "deletedTask", "needEdit", "needAssign", "needDelete", "needCreate", "assigneesLabel", "priority", "deleteTask",
    ];
    for (const k of keys) {
      const vars = { title: "T", column: "C", pos: 1, n: 2, total: 3, id: "x", reason: "r", text: "t", name: "N", needs: 50 };
      assert.doesNotMatch(fr(k, vars), /\{\w+\}/, `fr ${k}`);
      assert.doesNotMatch(en(k, vars), /\{\w+\}/, `en ${k}`);
      assert.notEqual(fr(k, vars), en(k, vars), k);
    }
    // « 1 tâche », « 0 tâche », « 2 tâches » (French: 0 and 1 are singular); "1 task", "0 tasks": never « tâche(s) ».
    assert.deepEqual([0, 1, 2].map((n) => fr("count", { n })), ["0 tâche", "1 tâche", "2 tâches"]);
    assert.deepEqual([0, 1, 2].map((n) => en("count", { n })), ["0 tasks", "1 task", "2 tasks"]);
    assert.deepEqual([1, 2].map((n) => fr("showMore", { n, total: 60 })), ["Afficher 1 tâche de plus (sur 60)", "Afficher 2 tâches de plus (sur 60)"]);
    assert.deepEqual([1, 2].map((n) => en("showMore", { n, total: 60 })), ["Show 1 more task (of 60)", "Show 2 more tasks (of 60)"]);
    assert.equal(fr("moved", { title: "Budget", column: "En cours", pos: 2 }), "« Budget » déplacée dans « En cours », position 2");
    assert.equal(en("moved", { title: "Budget", column: "Doing", pos: 2 }), "“Budget” moved to “Doing”, position 2");
  });
});
