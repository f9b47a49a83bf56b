// The fold benchmark's workload is what it claims to be: counts of work, no timing.
import assert from "node:assert/strict";
import { foldOnce, foldWorkload, tasksFoldBench } from "./tasks-fold.ts";

describe("bench: tasks fold workload", () => {
  it("folds 2,000 tasks and applies all 20,000 updates, skipping none", () => {
    const w = foldWorkload(2000, 20_000);
    assert.equal(w.events.length, 22_000);
    const r = foldOnce(w);
    assert.equal(r.tasks.size, 2000);
    let applied = 0;
    for (const t of r.tasks.values()) applied += t.updates;
    assert.equal(applied, 20_000);
    assert.deepEqual(r.skipped, []);
  });
  it("produces the rows `npm run bench` prints", () => {
    const rows = tasksFoldBench(true);
    assert.deepEqual(rows.map((r) => r.unit), ["ms", "ms", "ms", "ms", "ms"]);
    assert.ok(rows.every((r) => Number.isFinite(r.value) && r.value > 0));
    assert.equal(rows[0]!.target, "≤ 50 ms");
    assert.deepEqual(rows.filter((r) => r.name.includes("CPU")).map((r) => r.target), ["≤ 50 ms", "≤ 50 ms"]);
  });
});
