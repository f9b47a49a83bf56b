import assert from "node:assert/strict";
import { buildTaskRoot, buildTaskUpdate, DEFAULT_TASK_PERMISSIONS, foldTasks, nextClock, parseRoomPowerLevels, type Task, type TaskRootInput } from "./protocol.ts";
import { rootEvent, updateEvent } from "../../../../appservices/protocol/src/test-support.ts";
import { dueFromInput, dueToInput, formOf, isEmptyChange, mayEditTask, priorityChoice, rebaseForm, taskChange } from "./task-edit.ts";

const ALICE = "@alice:ville-a.fr";
const BOB = "@bob:agglo-b.fr";
const EVE = "@eve:ville-a.fr";
const levels = parseRoomPowerLevels({ users: { [ALICE]: 100 } });

function task(input: Omit<TaskRootInput, "anchor">): Task {
  const t = foldTasks({ events: [rootEvent("$t", ALICE, 1000, buildTaskRoot({ anchor: "$a", ...input }))], levels }).tasks.get("$t");
  assert.ok(t);
  return t;
}

describe("Mes tâches: the task details form", () => {
  const base = { title: "Réparer la chaussée", assignees: [BOB], priority: 3, due: { date: "20260325" }, checklist: [{ id: "a", text: "Devis", done: false }, { id: "b", text: "Arrêté", done: true }] };

  it("opens on the task's values: the day of the due date, the offered priority, the ticks", () => {
    assert.deepEqual(formOf(task(base)), { due: "2026-03-25", priority: 1, done: { a: false, b: true } });
    assert.equal(dueToInput({ tzid: "Europe/Paris", value: "20261025T180000" }), "2026-10-25");
    assert.equal(dueToInput(null), "");
    assert.deepEqual([0, 1, 4, 5, 6, 9].map(priorityChoice), [0, 1, 1, 5, 9, 9]);
  });

  it("changes nothing when the form is left as it opened (priority 3 stays 3, not 1)", () => {
    const t = task(base);
    const c = taskChange(t, formOf(t), formOf(t));
    assert.ok(c !== "badDue" && isEmptyChange(c));
  });

  it("sends only what changed; the fold of the update gives the new fields", () => {
    const t = task(base);
    const c = taskChange(t, formOf(t), { due: "2026-04-02", priority: 9, done: { a: true, b: true } });
    assert.notEqual(c, "badDue");
    if (c === "badDue") return;
    assert.deepEqual(c, { set: { due: { date: "20260402" }, priority: 9 }, done: { a: true } });
    const update = buildTaskUpdate({ root: "$t", clock: nextClock(0), set: c.set, checklist: { done: c.done } });
    const folded = foldTasks({ events: [rootEvent("$t", ALICE, 1000, buildTaskRoot({ anchor: "$a", ...base })), updateEvent("$u", BOB, 2000, update)], levels }).tasks.get("$t");
    assert.deepEqual(folded?.due, { date: "20260402" });
    assert.equal(folded?.priority, 9);
    assert.deepEqual(folded?.checklist.map((i) => [i.id, i.done]), [["a", true], ["b", true]]);
  });

  it("never sends back a field the agent left alone: another agent's change made meanwhile survives", () => {
    const opened = task(base);
    const baseline = formOf(opened);
    // Bob sets the priority to high and ticks « a » while Anne's form is open; Anne moves the due date only.
    const now = task({ ...base, priority: 9, checklist: base.checklist.map((i) => (i.id === "a" ? { ...i, done: true } : i)) });
    const form = { ...baseline, due: "2026-04-02" };
    assert.deepEqual(taskChange(now, baseline, form), { set: { due: { date: "20260402" } }, done: {} });
    // The list follows the rooms: untouched fields take Bob's values, Anne's typing stays.
    const rebased = rebaseForm(baseline, form, formOf(now));
    assert.deepEqual(rebased.form, { due: "2026-04-02", priority: 9, done: { a: true, b: true } });
    assert.deepEqual(taskChange(now, rebased.baseline, rebased.form), { set: { due: { date: "20260402" } }, done: {} });
    // A tick Anne changed herself is kept through the rebase and sent.
    const untick = rebaseForm(baseline, { ...baseline, done: { a: false, b: false } }, formOf(now));
    assert.deepEqual(untick.form.done, { a: true, b: false });
    assert.deepEqual(taskChange(now, untick.baseline, untick.form), { set: {}, done: { b: false } });
  });

  it("keeps a due time and its zone when the day moves; clears the date; refuses a day that does not exist", () => {
    const before = { tzid: "Europe/Paris", value: "20260325T180000" };
    assert.deepEqual(dueFromInput("2026-03-30", before), { tzid: "Europe/Paris", value: "20260330T180000" });
    assert.deepEqual(dueFromInput("2026-03-30", null), { date: "20260330" });
    assert.equal(dueFromInput("", before), null);
    assert.equal(dueFromInput("2026-02-30", null), undefined);
    assert.equal(dueFromInput("30/03/2026", null), undefined);
    const t = task(base);
    assert.deepEqual(taskChange(t, formOf(t), { ...formOf(t), due: "" }), { set: { due: null }, done: {} });
    assert.equal(taskChange(t, formOf(t), { ...formOf(t), due: "2026-02-30" }), "badDue");
  });

  it("judges edits as the fold does: the edit level, or the creator or an assignee", () => {
    const t = task(base);
    const strict = { edit: 50 };
    assert.equal(mayEditTask(t, BOB, levels, strict), true, "assignee");
    assert.equal(mayEditTask(t, ALICE, levels, strict), true, "creator (and level 100)");
    assert.deepEqual(mayEditTask(t, EVE, levels, strict), { needed: 50, mine: 0 });
    assert.equal(mayEditTask(t, EVE, levels, DEFAULT_TASK_PERMISSIONS), true, "edit level 0 by default");
  });
});
