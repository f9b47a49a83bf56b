import assert from "node:assert/strict";
import { TASK_CONTENT_KEY, TASK_MSGTYPE } from "./event-types.ts";
import { buildTaskRoot, parseTaskRoot, TASK_DEFAULTS, taskBody } from "./task-root.ts";
import { buildTaskUpdate, parseTaskUpdate } from "./task-update.ts";

const reason = (p: { ok: boolean; reason?: string }): string => (p.ok ? "ok" : (p.reason ?? ""));

describe("protocol: task root", () => {
  it("builds a root with a French readable body and parses it back", () => {
    const content = buildTaskRoot({
      anchor: "$anchor",
      title: "Préparer le conseil municipal",
      due: { tzid: "Europe/Paris", value: "20250314T180000" },
      assignees: ["@bob:ville-b.fr"],
      priority: 1,
      labels: ["conseil"],
      checklist: [{ id: "c1", text: "Ordre du jour", done: false }],
      reminders: [{ before: "P1D" }, { before: "PT2H" }],
    });
    assert.equal(content["msgtype"], TASK_MSGTYPE);
    assert.equal(content["body"], "📋 Tâche : Préparer le conseil municipal (échéance 14/03/2025 18:00) — pour @bob:ville-b.fr");
    assert.deepEqual(content["m.relates_to"], { rel_type: "m.reference", event_id: "$anchor" });
    const parsed = parseTaskRoot(JSON.parse(JSON.stringify(content)));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, {
      version: 1,
      anchor: "$anchor",
      fields: { ...TASK_DEFAULTS, title: "Préparer le conseil municipal", due: { tzid: "Europe/Paris", value: "20250314T180000" }, assignees: ["@bob:ville-b.fr"], priority: 1, labels: ["conseil"], reminders: [{ before: "P1D" }, { before: "PT2H" }] },
      checklist: [{ id: "c1", text: "Ordre du jour", done: false }],
    });
  });
  it("writes an all-day due date and no due date in the body", () => {
    assert.equal(taskBody({ title: "Relire", due: { date: "20250401" } }), "📋 Tâche : Relire (échéance 01/04/2025)");
    assert.equal(taskBody({ title: "Relire" }), "📋 Tâche : Relire");
  });
  it("ignores unknown fields but refuses malformed known ones, unknown versions and missing anchors", () => {
    const good = buildTaskRoot({ anchor: "$a", title: "T" });
    const withTask = (patch: Record<string, unknown>) => ({ ...good, [TASK_CONTENT_KEY]: { ...(good[TASK_CONTENT_KEY] as object), ...patch } });
    assert.equal(parseTaskRoot(withTask({ colour: "red" })).ok, true);
    const cases: [unknown, RegExp][] = [
      [withTask({ version: 2 }), /unknown schema version 2/],
      [withTask({ status: "finished" }), /status must be one of/],
      [withTask({ priority: 10 }), /priority must be an integer between 0 and 9/],
      [withTask({ priority: 1.5 }), /priority/],
      [withTask({ assignees: ["bob"] }), /assignees\[0\] must be a Matrix user id/],
      [withTask({ title: "" }), /title must not be empty/],
      [withTask({ title: "x".repeat(501) }), /title is longer than 500/],
      [withTask({ due: { date: "tomorrow" } }), /due\.date/],
      [withTask({ reminders: [{ before: "1 day" }] }), /RFC 5545 duration/],
      [withTask({ reminders: [{ before: "PT" }] }), /RFC 5545 duration/],
      [withTask({ checklist: [{ id: "a", text: "x" }, { id: "a", text: "y" }] }), /duplicate item ids/],
      [withTask({ parent: "not-an-event" }), /parent must be an event id/],
      [withTask({ labels: new Array(31).fill("l").map((l, i) => l + i) }), /more than 30/],
      [{ ...good, "m.relates_to": undefined }, /no m.relates_to/],
      [{ ...good, "m.relates_to": { rel_type: "m.thread", event_id: "$a" } }, /not an m.reference/],
      [{ ...good, msgtype: "m.text" }, /msgtype/],
      [{ ...good, [TASK_CONTENT_KEY]: "T" }, /no fr.entente.task object/],
      [{ ...good, [TASK_CONTENT_KEY]: { version: 1 } }, /no title/],
      [null, /content must be an object/],
    ];
    for (const [content, re] of cases) assert.match(reason(parseTaskRoot(content)), re);
  });
  it("drops duplicate assignees and labels, keeping the first", () => {
    const p = parseTaskRoot(buildTaskRoot({ anchor: "$a", title: "T", assignees: ["@a:x", "@a:x", "@b:x"], labels: ["l", "l"] }));
    assert.ok(p.ok);
    assert.deepEqual(p.value.fields.assignees, ["@a:x", "@b:x"]);
    assert.deepEqual(p.value.fields.labels, ["l"]);
  });
});

describe("protocol: task update", () => {
  it("builds and parses set, checklist operations and soft delete", () => {
    const content = buildTaskUpdate({
      root: "$root",
      clock: 7,
      set: { status: "doing", due: null, assignees: ["@b:x"] },
      checklist: { add: [{ id: "c2", text: "Salle", done: false }], remove: ["c1"], done: { c3: true } },
      delete: true,
    });
    assert.deepEqual(content, {
      version: 1,
      "m.relates_to": { rel_type: "m.reference", event_id: "$root" },
      clock: 7,
      set: { status: "doing", assignees: ["@b:x"], due: null },
      checklist: { add: [{ id: "c2", text: "Salle", done: false }], remove: ["c1"], done: { c3: true } },
      delete: true,
    });
    assert.deepEqual(parseTaskUpdate(content), {
      ok: true,
      value: { version: 1, root: "$root", clock: 7, set: { status: "doing", assignees: ["@b:x"], due: null }, checklist: { add: [{ id: "c2", text: "Salle", done: false }], remove: ["c1"], done: { c3: true } }, delete: true },
    });
  });
  it("omits empty parts", () => {
    assert.deepEqual(buildTaskUpdate({ root: "$r", clock: 1, set: {}, checklist: { add: [] } }), { version: 1, "m.relates_to": { rel_type: "m.reference", event_id: "$r" }, clock: 1 });
  });
  it("refuses bad clocks, bad sets, bad checklist operations and unknown versions", () => {
    const base = buildTaskUpdate({ root: "$r", clock: 1 });
    const cases: [unknown, RegExp][] = [
      [{ ...base, clock: -1 }, /clock must be an integer/],
      [{ ...base, clock: 1.5 }, /clock/],
      [{ ...base, clock: 2 ** 60 }, /clock/],
      [{ ...base, clock: undefined }, /clock/],
      [{ ...base, version: 3 }, /unknown schema version 3/],
      [{ ...base, set: [] }, /set must be an object/],
      [{ ...base, set: { title: null } }, /set\.title must be a string/],
      [{ ...base, set: { status: "DONE" } }, /set\.status/],
      [{ ...base, checklist: { add: [{ id: "x" }] } }, /checklist\.add\[0\]\.text/],
      [{ ...base, checklist: { done: { x: "yes" } } }, /checklist\.done\.x must be a boolean/],
      [{ ...base, checklist: { remove: "x" } }, /checklist\.remove must be an array/],
      [{ ...base, delete: "yes" }, /delete must be a boolean/],
      [{ ...base, "m.relates_to": { rel_type: "m.reference", event_id: "r" } }, /event id/],
    ];
    for (const [content, re] of cases) assert.match(reason(parseTaskUpdate(content)), re);
  });
});
