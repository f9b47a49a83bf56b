import assert from "node:assert/strict";
import type { Task } from "../../protocol/src/task-fold.ts";
import { TASK_DEFAULTS } from "../../protocol/src/task-root.ts";
import { nextReminderAt, parseReminderRecord, plannedReminders, remindersDue, sentKey } from "./reminders.ts";

const task = (over: Partial<Task>): Task => ({
  ...TASK_DEFAULTS, id: "$t", creator: "@bot:a", createdAt: 0, checklist: [], deleted: false, clock: 0, updates: 0, lastUpdatedBy: "@bot:a",
  title: "Budget", due: { tzid: "Europe/Paris", value: "20270328T100000" }, reminders: [{ before: "P1D" }], ...over,
});
const at = (s: string): number => Date.parse(s);

describe("reminders", () => {
  it("fires the day before at the same Paris wall time across the spring DST change", () => {
    const [r] = plannedReminders(task({}), "Europe/Paris");
    assert.equal(new Date(r?.at ?? 0).toISOString(), "2027-03-27T09:00:00.000Z");
    assert.equal(r?.reminderId, "P1D@20270328T100000/Europe/Paris");
    assert.deepEqual(remindersDue([task({})], new Set(), at("2027-03-27T08:59:59Z"), "Europe/Paris"), []);
    assert.equal(remindersDue([task({})], new Set(), at("2027-03-27T09:00:00Z"), "Europe/Paris").length, 1);
    assert.equal(nextReminderAt([task({})], at("2027-03-27T08:00:00Z"), "Europe/Paris"), at("2027-03-27T09:00:00Z"));
  });
  it("never twice (sent is known), late but not after the deadline, none for closed tasks", () => {
    const t = task({});
    const [r] = plannedReminders(t, "Europe/Paris");
    assert.deepEqual(remindersDue([t], new Set([sentKey(t.id, r?.reminderId ?? "")]), at("2027-03-27T12:00:00Z"), "Europe/Paris"), []);
    assert.equal(remindersDue([t], new Set(), at("2027-03-28T07:59:00Z"), "Europe/Paris").length, 1, "late, before the deadline");
    assert.deepEqual(remindersDue([t], new Set(), at("2027-03-28T08:00:00Z"), "Europe/Paris"), [], "deadline passed");
    for (const over of [{ status: "done" as const }, { status: "cancelled" as const }, { deleted: true }, { due: null }]) {
      assert.deepEqual(plannedReminders(task(over), "Europe/Paris"), []);
    }
  });
  it("re-arms when the due date moves; all-day dates remind relative to 09:00", () => {
    const a = plannedReminders(task({}), "Europe/Paris")[0]?.reminderId;
    const b = plannedReminders(task({ due: { tzid: "Europe/Paris", value: "20270329T100000" } }), "Europe/Paris")[0]?.reminderId;
    assert.notEqual(a, b);
    const [d] = plannedReminders(task({ due: { date: "20270328" } }), "Europe/Paris");
    assert.equal(new Date(d?.at ?? 0).toISOString(), "2027-03-27T08:00:00.000Z");
  });
  it("reads reminder records, ignores anything else", () => {
    assert.deepEqual(parseReminderRecord({ "fr.entente.task.reminder": { task: "$t", reminder: "P1D@x" } }), { task: "$t", reminder: "P1D@x" });
    assert.equal(parseReminderRecord({ "fr.entente.task.reminder": { task: 1 } }), undefined);
    assert.equal(parseReminderRecord({ body: "x" }), undefined);
  });
});
