import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { HashQueue } from "./hash-queue.ts";

/** A task that runs until released, recording how many run at once. */
function gatedTasks(): { task: () => Promise<void>; releaseAll(): void; peak: () => number } {
  let running = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  return {
    task: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
    },
    releaseAll: () => gates.splice(0).forEach((g) => g()),
    peak: () => peak,
  };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("HashQueue", () => {
  it("never runs more than `concurrency` tasks, and refuses beyond the queue cap with 429", async () => {
    const q = new HashQueue({ concurrency: 2, maxQueued: 3 });
    const g = gatedTasks();
    const results = Array.from({ length: 8 }, () => q.run(g.task).then(() => "done", (e: unknown) => e));
    await settle();
    assert.deepEqual({ running: q.stats().running, queued: q.stats().queued }, { running: 2, queued: 3 });
    for (let i = 0; i < 4 && q.stats().running > 0; i++) {
      g.releaseAll();
      await settle();
    }
    const out = await Promise.all(results);
    assert.equal(out.filter((r) => r === "done").length, 5);
    const refused = out.filter((r) => r !== "done");
    assert.equal(refused.length, 3);
    for (const e of refused) assert.ok(e instanceof MatrixError && e.status === 429 && e.errcode === "M_LIMIT_EXCEEDED");
    assert.equal(g.peak(), 2);
    assert.deepEqual(q.stats(), { running: 0, queued: 0, maxRunning: 2, completed: 5, rejected: 3 });
  });

  it("runs queued tasks in order and frees the slot when a task throws", async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 10 });
    const order: number[] = [];
    const failing = q.run(async () => { throw new Error("boom"); });
    const rest = [1, 2, 3].map((n) => q.run(async () => { order.push(n); }));
    await assert.rejects(failing, /boom/);
    await Promise.all(rest);
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(q.stats().maxRunning, 1);
  });
});
