import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "./power-levels.ts";
import { nextClock } from "./room-events.ts";
import { foldTasks } from "./task-fold.ts";
import { buildTaskRoot } from "./task-root.ts";
import { buildTaskUpdate, type TaskUpdateInput } from "./task-update.ts";
import { parseTasksState, buildTasksState, type TasksState } from "./tasks-state.ts";
import { redactedCopy, redactionEvent, rootEvent, updateEvent, type RawEvent } from "./test-support.ts";

const ALICE = "@alice:ville-a.fr"; // creator, level 0
const BOB = "@bob:ville-b.fr"; // assignee, level 0
const CAROL = "@carol:ville-a.fr"; // bystander, level 0
const MOD = "@mod:ville-a.fr"; // level 50
const levels = parseRoomPowerLevels({ users: { [MOD]: 50 }, users_default: 0 });
const stateOf = (c: Parameters<typeof buildTasksState>[0]): TasksState => {
  const p = parseTasksState(buildTasksState(c));
  assert.ok(p.ok);
  return p.value;
};
const config = stateOf({ anchor: "$anchor" });

const root = (id = "$t1", sender = ALICE, extra: Partial<Parameters<typeof buildTaskRoot>[0]> = {}): RawEvent =>
  rootEvent(id, sender, 1000, buildTaskRoot({ anchor: "$anchor", title: "Préparer le conseil", assignees: [BOB], checklist: [{ id: "c1", text: "Ordre du jour", done: false }], ...extra }));
const update = (id: string, sender: string, ts: number, u: Omit<TaskUpdateInput, "root"> & { root?: string }): RawEvent =>
  updateEvent(id, sender, ts, buildTaskUpdate({ root: "$t1", ...u }));
const fold = (events: RawEvent[], cfg: TasksState | null = config) => foldTasks(cfg ? { events, config: cfg, levels } : { events, levels });

describe("protocol: task fold", () => {
  it("folds a root into a task with defaults", () => {
    const r = fold([root()]);
    const t = r.tasks.get("$t1");
    assert.ok(t);
    assert.equal(t.title, "Préparer le conseil");
    assert.equal(t.status, "todo");
    assert.deepEqual(t.assignees, [BOB]);
    assert.deepEqual(t.checklist, [{ id: "c1", text: "Ordre du jour", done: false }]);
    assert.equal(t.creator, ALICE);
    assert.equal(t.deleted, false);
    assert.deepEqual(r.skipped, []);
  });
  it("orders by clock, then origin_server_ts, then event id; last writer wins per field", () => {
    const r = fold([
      update("$u3", BOB, 5000, { clock: 2, set: { status: "done" } }),
      update("$u1", ALICE, 9000, { clock: 1, set: { status: "doing", priority: 3 } }),
      update("$u2b", BOB, 2000, { clock: 3, set: { priority: 5 } }),
      update("$u2a", ALICE, 2000, { clock: 3, set: { priority: 7, title: "Nouveau titre" } }),
      root(),
    ]);
    const t = r.tasks.get("$t1")!;
    assert.equal(t.status, "done"); // clock 2 beats clock 1 despite its earlier timestamp
    assert.equal(t.priority, 5); // clock and ts tie: "$u2b" > "$u2a" by code unit
    assert.equal(t.title, "Nouveau titre"); // fields not touched by a later update keep their value
    assert.equal(t.clock, 3);
    assert.equal(t.updates, 4);
    assert.equal(r.maxClock, 3);
    assert.equal(nextClock(r.maxClock), 4);
  });
  it("clears optional fields with null", () => {
    const t = fold([root("$t1", ALICE, { due: { date: "20250401" } }), update("$u1", ALICE, 2, { clock: 1, set: { due: null } })]).tasks.get("$t1")!;
    assert.equal(t.due, null);
  });
  it("merges concurrent checklist additions, removal is final, done is last-writer-wins per item", () => {
    const r = fold([
      root(),
      update("$a", ALICE, 10, { clock: 1, checklist: { add: [{ id: "c2", text: "Salle", done: false }] } }),
      update("$b", BOB, 11, { clock: 1, checklist: { add: [{ id: "c3", text: "Convocations", done: false }], done: { c1: true } } }),
      update("$c", ALICE, 12, { clock: 2, checklist: { remove: ["c2"], done: { c3: true } } }),
      update("$d", BOB, 13, { clock: 3, checklist: { add: [{ id: "c2", text: "Salle (bis)", done: false }], done: { c1: false } } }),
    ]);
    assert.deepEqual(r.tasks.get("$t1")!.checklist, [
      { id: "c1", text: "Ordre du jour", done: false },
      { id: "c3", text: "Convocations", done: true },
    ]);
  });
  it("a checklist item may be called __proto__: its done flag is a flag like any other", () => {
    // JSON.parse makes "__proto__" an own key; assigned to a plain object it would set the prototype
    const viaJson = (e: RawEvent): RawEvent => JSON.parse(JSON.stringify(e).replaceAll('"pp"', '"__proto__"')) as RawEvent;
    const r = fold([
      root(),
      viaJson(update("$a", ALICE, 10, { clock: 1, checklist: { add: [{ id: "pp", text: "Piège", done: false }] } })),
      viaJson(update("$b", BOB, 11, { clock: 2, checklist: { done: { pp: true } } })),
    ]);
    assert.deepEqual(r.tasks.get("$t1")!.checklist.map((i) => [i.id, i.done]), [["c1", false], ["__proto__", true]]);
    assert.deepEqual(r.skipped, []);
  });
  it("soft delete: by the creator or at the delete level; later updates are skipped", () => {
    const r = fold([root(), update("$del", CAROL, 5, { clock: 1, delete: true }), update("$del2", ALICE, 6, { clock: 2, delete: true }), update("$late", BOB, 7, { clock: 3, set: { status: "done" } })]);
    const t = r.tasks.get("$t1")!;
    assert.equal(t.deleted, true);
    assert.equal(t.status, "todo");
    assert.deepEqual(r.skipped, [
      { eventId: "$del", reason: "sender's power level 0 is below delete (50)" },
      { eventId: "$late", reason: "task was deleted before this update" },
    ]);
    assert.equal(fold([root(), update("$del", MOD, 5, { clock: 1, delete: true })]).tasks.get("$t1")!.deleted, true);
  });
  it("judges permissions against the current power levels and the tasks state", () => {
    const strict = stateOf({ anchor: "$anchor", permissions: { create: 10, edit: 50, assign: 50 } });
    const r = fold(
      [
        root(), // ALICE (0) below create 10
        root("$t2", MOD, { assignees: [] }),
        update("$e1", CAROL, 5, { root: "$t2", clock: 1, set: { title: "x" } }), // not own, edit 50
        update("$e2", MOD, 6, { root: "$t2", clock: 2, set: { assignees: [BOB] } }),
        update("$e3", BOB, 7, { root: "$t2", clock: 3, set: { status: "doing" } }), // assignee may edit
        update("$e4", BOB, 8, { root: "$t2", clock: 4, set: { assignees: [BOB, CAROL] } }), // assigning someone else
        update("$e5", BOB, 9, { root: "$t2", clock: 5, set: { assignees: [] } }), // leaving the task himself
      ],
      strict,
    );
    assert.equal(r.tasks.has("$t1"), false);
    const t2 = r.tasks.get("$t2")!;
    assert.equal(t2.status, "doing");
    assert.deepEqual(t2.assignees, []);
    assert.deepEqual(
      r.skipped.map((s) => [s.eventId, s.reason]),
      [
        ["$e1", "sender's power level 0 is below edit (50)"],
        ["$e4", "sender's power level 0 is below assign (50)"],
        ["$t1", "sender's power level 0 is below create (10)"],
      ],
    );
    // a root assigning others needs the assign level too
    const r2 = fold([root("$t3", ALICE, { assignees: [BOB] })], stateOf({ anchor: "$anchor", permissions: { assign: 10 } }));
    assert.deepEqual(r2.skipped, [{ eventId: "$t3", reason: "sender's power level 0 is below assign (10)" }]);
  });
  it("ignores redacted updates and roots, whether redacted by the server or by a redaction in the batch", () => {
    const u1 = update("$u1", BOB, 5, { clock: 1, set: { status: "done" } });
    const u2 = update("$u2", BOB, 6, { clock: 2, set: { priority: 2 } });
    const r = fold([root(), redactedCopy(u1, "$r1"), u2, redactionEvent("$r2", BOB, 7, "$u2")]);
    assert.equal(r.tasks.get("$t1")!.status, "todo");
    assert.equal(r.tasks.get("$t1")!.priority, 0);
    assert.deepEqual(r.skipped, [{ eventId: "$u1", reason: "redacted" }, { eventId: "$u2", reason: "redacted" }]);
    // a redaction by someone without the redact level, of someone else's event, does not count
    assert.equal(fold([root(), u2, redactionEvent("$r3", CAROL, 7, "$u2")]).tasks.get("$t1")!.priority, 2);
    // a redacted root has lost its msgtype: it reads as any redacted message, and its updates are orphans
    const gone = fold([redactedCopy(root(), "$r4"), u1]);
    assert.equal(gone.tasks.size, 0);
    assert.deepEqual(gone.skipped, [{ eventId: "$u1", reason: "references no known task" }]);
    const gone2 = fold([redactionEvent("$r5", ALICE, 9, "$t1"), root(), u2]);
    assert.equal(gone2.tasks.size, 0);
    assert.deepEqual(gone2.skipped, [{ eventId: "$t1", reason: "redacted" }, { eventId: "$u2", reason: "references no known task" }]);
  });
  it("skips malformed events, unknown versions and foreign anchors with reasons, never throws", () => {
    const r = fold([
      root(),
      root("$other", ALICE, { anchor: "$elsewhere" }),
      updateEvent("$v2", BOB, 5, { ...buildTaskUpdate({ root: "$t1", clock: 1, set: { status: "done" } }), version: 2 }),
      updateEvent("$bad", BOB, 5, { "m.relates_to": { rel_type: "m.reference", event_id: "$t1" }, clock: "1" }),
      updateEvent("$orphan", BOB, 5, buildTaskUpdate({ root: "$nowhere", clock: 1 })),
      { event_id: "$nosender", type: "fr.entente.task.update", content: {} } as unknown as RawEvent,
      42 as unknown as RawEvent,
      rootEvent("$chat", BOB, 5, { msgtype: "m.text", body: "bonjour" }),
    ]);
    assert.equal(r.tasks.size, 1);
    assert.equal(r.tasks.get("$t1")!.status, "todo");
    assert.deepEqual(r.skipped.map((s) => [s.eventId, s.reason]), [
      ["$bad", "clock must be an integer between 0 and 9007199254740991"],
      ["$nosender", "event has no type or sender"],
      ["$orphan", "references no known task"],
      ["$other", "references another task list's anchor"],
      ["$v2", "unknown schema version 2 (this reader knows up to 1)"],
      ["?", "event is not an object"],
    ]);
  });
  it("checklist operations at their limits: 200 done flags apply, 201 are refused, as the update parser says", () => {
    const flags = (n: number): Record<string, boolean> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}`, true]));
    const r = fold([
      root(),
      update("$u200", BOB, 2000, { clock: 1, checklist: { done: { ...flags(199), c1: true } } }),
      update("$u201", BOB, 2001, { clock: 2, checklist: { done: { ...flags(200), c1: false } } }),
    ]);
    assert.deepEqual(r.tasks.get("$t1")!.checklist, [{ id: "c1", text: "Ordre du jour", done: true }]);
    assert.equal(r.tasks.get("$t1")!.updates, 1);
    assert.deepEqual(r.skipped, [{ eventId: "$u201", reason: "checklist.done has more than 200 entries" }]);
  });
  it("without a tasks state, accepts any anchor with default permissions", () => {
    const r = fold([root("$x", ALICE, { anchor: "$whatever" })], null);
    assert.equal(r.tasks.size, 1);
  });
  it("nextClock is one more than the largest clock seen", () => {
    assert.equal(nextClock([]), 1);
    assert.equal(nextClock([3, 9, 2]), 10);
    assert.equal(nextClock(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  });
});
