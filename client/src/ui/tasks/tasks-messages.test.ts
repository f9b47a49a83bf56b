import assert from "node:assert/strict";
import { TASKS_MESSAGE_KEYS, tasksTranslator } from "./tasks-messages.ts";
import { objectivesHash, TASKS_HASH, tasksRouteFromHash } from "./tasks-route.ts";

describe("client ui: task views' words and links", () => {
  it("has the same placeholders in French and English", () => {
    const fr = tasksTranslator("fr");
    const en = tasksTranslator("en");
    const probe: Record<string, string> = {};
    for (const k of ["title", "status", "error", "room", "date", "space", "who", "from", "to", "percent", "value", "target", "unit", "done", "count", "n", "needed", "mine", "task", "total"]) probe[k] = `<${k}>`;
    const placeholders = (s: string): string[] => [...s.matchAll(/<(\w+)>/g)].map((m) => m[1] ?? "").sort();
    // Every message, rendered with every placeholder filled, in both languages.
    assert.ok(TASKS_MESSAGE_KEYS.length > 100);
    for (const k of TASKS_MESSAGE_KEYS) {
      assert.notEqual(en(k, probe), "", k);
      assert.deepEqual(placeholders(en(k, probe)), placeholders(fr(k, probe)), k);
      assert.doesNotMatch(fr(k, probe) + en(k, probe), /\{\w+\}/, `${k}: a placeholder left unfilled`);
    }
    assert.equal(fr("statusChanged", { title: "Budget", status: fr("status_done") }), "« Budget » : Faite");
    assert.equal(en("statusChanged", { title: "Budget", status: en("status_done") }), "“Budget”: Done");
  });

  it("reads and writes its links", () => {
    assert.deepEqual(tasksRouteFromHash(TASKS_HASH), { kind: "tasks" });
    assert.deepEqual(tasksRouteFromHash(objectivesHash()), { kind: "objectives", spaceId: undefined });
    assert.deepEqual(tasksRouteFromHash(objectivesHash("!abc:ville-a.fr")), { kind: "objectives", spaceId: "!abc:ville-a.fr" });
    assert.equal(tasksRouteFromHash("#/objectives/%E0%A4%A"), undefined, "a broken link is no route");
    assert.equal(tasksRouteFromHash("#/room/!x"), undefined);
  });
});
