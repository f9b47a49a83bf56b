import assert from "node:assert/strict";
import { TASK_DEFAULTS } from "../../../appservices/protocol/src/task-root.ts";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import { DEFAULT_COLUMNS } from "../../../appservices/protocol/src/tasks-state.ts";
import { buildColumns, columnOf, filterChoices, keyboardTarget, planMove, toFullIndex } from "./board-model.ts";

const task = (id: string, extra: Partial<Task> = {}): Task => ({
  ...TASK_DEFAULTS, id, creator: "@a:x", createdAt: Number(id.replace(/\D/g, "")) || 0, checklist: [], deleted: false, clock: 0, updates: 0, lastUpdatedBy: "@a:x", ...extra,
});
const [todo, doing, , done] = DEFAULT_COLUMNS as [typeof DEFAULT_COLUMNS[0], typeof DEFAULT_COLUMNS[0], typeof DEFAULT_COLUMNS[0], typeof DEFAULT_COLUMNS[0]];

describe("task board: model", () => {
  it("places tasks by column (or status), orders by rank then creation, hides deleted ones", () => {
    const tasks = [task("$1"), task("$2", { rank: "m" }), task("$3", { status: "doing" }), task("$4", { column: "done", status: "todo" }), task("$5", { column: "gone" }), task("$6", { deleted: true }), task("$7", { rank: "c" })];
    const views = buildColumns(tasks, DEFAULT_COLUMNS);
    assert.deepEqual(views.map((v) => [v.column.id, v.tasks.map((t) => t.id)]), [["todo", ["$7", "$2", "$1", "$5"]], ["doing", ["$3"]], ["blocked", []], ["done", ["$4"]]]);
    assert.equal(columnOf(task("$9", { column: "nope", status: "done" }), DEFAULT_COLUMNS), "done");
  });

  it("filters by assignee, label and due date, and offers what the board holds", () => {
    const tasks = [
      task("$1", { assignees: ["@b:y"], labels: ["voirie"], due: { date: "20261201" } }),
      task("$2", { assignees: ["@a:x"], due: { tzid: "Europe/Paris", value: "20261210T100000" } }),
      task("$3", { labels: ["budget"] }),
      task("$4", { due: { date: "20261130" }, status: "done" }),
    ];
    const ids = (f: Parameters<typeof buildColumns>[2]) => buildColumns(tasks, DEFAULT_COLUMNS, f, "20261205", "20261212").flatMap((v) => v.tasks.map((t) => t.id));
    assert.deepEqual(ids({ assignee: "@b:y", label: "", due: "all" }), ["$1"]);
    assert.deepEqual(ids({ assignee: "", label: "budget", due: "all" }), ["$3"]);
    assert.deepEqual(ids({ assignee: "", label: "", due: "overdue" }), ["$1"], "done tasks are never overdue");
    assert.deepEqual(ids({ assignee: "", label: "", due: "week" }), ["$2"]);
    assert.deepEqual(ids({ assignee: "", label: "", due: "none" }), ["$3"]);
    assert.deepEqual(filterChoices(tasks), { assignees: ["@a:x", "@b:y"], labels: ["budget", "voirie"] });
  });

  it("plans a move as one update: column, rank between the neighbours, the column's status", () => {
    const col = [task("$1", { rank: "b" }), task("$2", { rank: "d" })];
    const moving = task("$9", { status: "todo" });
    const [u, ...rest] = planMove(moving, doing, col, 1);
    assert.equal(rest.length, 0);
    assert.equal(u?.taskId, "$9");
    assert.equal(u?.set.column, "doing");
    assert.equal(u?.set.status, "doing");
    assert.ok(u?.set.rank !== undefined && u.set.rank !== null && "b" < u.set.rank && u.set.rank < "d");
    // Within a column, to the top: rank before the first; no status change.
    const top = planMove(col[1]!, todo, col, 0);
    assert.equal(top.length, 1);
    assert.ok(top[0]!.set.rank! < "b");
    assert.equal(top[0]!.set.status, undefined);
    // Done column sets status done.
    assert.equal(planMove(moving, done, [], 0)[0]?.set.status, "done");
  });

  it("ranks unranked tasks it lands after, and re-ranks a column with no room", () => {
    const fresh = [task("$1"), task("$2"), task("$3")];
    const plan = planMove(fresh[0]!, todo, fresh, 2); // $1 after $3
    assert.deepEqual(plan.map((p) => p.taskId), ["$2", "$3", "$1"]);
    const ranks = plan.map((p) => p.set.rank!);
    assert.ok(ranks[0]! < ranks[1]! && ranks[1]! < ranks[2]!);
    const tight = [task("$1", { rank: "a" }), task("$2", { rank: "a!" })];
    const re = planMove(task("$9"), todo, tight, 1);
    assert.deepEqual(re.map((p) => p.taskId), ["$1", "$9", "$2"]);
    const r = re.map((p) => p.set.rank!);
    assert.ok(r[0]! < r[1]! && r[1]! < r[2]!);
  });

  it("gives keyboard targets and maps visible places to the full column", () => {
    const views = buildColumns([task("$1", { rank: "a" }), task("$2", { rank: "b" }), task("$3", { status: "doing" })], DEFAULT_COLUMNS);
    assert.deepEqual(keyboardTarget(views, "$1", "down"), { column: todo, index: 1 });
    assert.equal(keyboardTarget(views, "$1", "up"), undefined);
    assert.equal(keyboardTarget(views, "$1", "left"), undefined);
    assert.deepEqual(keyboardTarget(views, "$2", "right"), { column: doing, index: 1 });
    const full = [task("$1"), task("$2"), task("$3"), task("$4")];
    const visible = [full[0]!, full[3]!];
    assert.equal(toFullIndex(visible, full, "$9", 1), 3, "before the visible $4");
    assert.equal(toFullIndex(visible, full, "$9", 2), 4, "after the last visible");
    assert.equal(toFullIndex([], full, "$9", 0), 4);
  });
});
