// Property tests of the task fold with a seeded generator (test-support.ts): the same SET of
// events gives the same state whatever the delivery order, duplicates and redactions; concurrent
// edits during a netsplit resolve identically on both sides; and last-writer-wins matches an
// independent oracle. A failure prints the seed, so it can be replayed.
import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "./power-levels.ts";
import { nextClock } from "./room-events.ts";
import { foldTasks, TaskFold, type TaskFoldResult } from "./task-fold.ts";
import { buildTaskRoot } from "./task-root.ts";
import { buildTaskUpdate } from "./task-update.ts";
import type { PartialTaskFields, TaskStatus } from "./task-fields.ts";
import { parseTasksState, buildTasksState } from "./tasks-state.ts";
import { int, pick, prng, redactedCopy, redactionEvent, rootEvent, shuffled, updateEvent, type RawEvent } from "./test-support.ts";

const USERS = ["@alice:ville-a.fr", "@bob:ville-b.fr", "@carol:ville-a.fr", "@dan:ville-b.fr", "@mod:ville-a.fr"];
const levels = parseRoomPowerLevels({ users: { "@mod:ville-a.fr": 50, "@dan:ville-b.fr": -1 } });
const parsedState = parseTasksState(buildTasksState({ anchor: "$anchor", permissions: { create: 0, edit: 0, assign: 0, delete: 50 } }));
if (!parsedState.ok) throw new Error(parsedState.reason);
const config = parsedState.value;
const STATUSES: TaskStatus[] = ["todo", "doing", "blocked", "done", "cancelled"];
const fold = (events: readonly RawEvent[]): TaskFoldResult => foldTasks({ events, config, levels });

function randomSet(rand: () => number): PartialTaskFields {
  const set: PartialTaskFields = {};
  if (rand() < 0.5) set.status = pick(rand, STATUSES);
  if (rand() < 0.3) set.priority = int(rand, 0, 9);
  if (rand() < 0.3) set.title = `Titre ${int(rand, 0, 99)}`;
  if (rand() < 0.2) set.assignees = USERS.filter(() => rand() < 0.3);
  if (rand() < 0.2) set.due = rand() < 0.2 ? null : { tzid: "Europe/Paris", value: `202503${String(int(rand, 10, 28))}T180000` };
  if (rand() < 0.1) set.labels = [pick(rand, ["urgent", "conseil", "voirie"])];
  return set;
}

interface Scenario {
  events: RawEvent[];
  /** ids of updates the scenario redacted */
  redactedIds: string[];
}

/** Roots and updates from several users, some malformed, unauthorised, duplicated or redacted. */
function scenario(seed: number, options: { tasks: number; updates: number; noise: boolean }): Scenario {
  const rand = prng(seed);
  // Without noise, only users at or above every level in play (dan is at -1) write.
  const writers = options.noise ? USERS : USERS.filter((u) => u !== "@dan:ville-b.fr");
  const events: RawEvent[] = [];
  const roots: string[] = [];
  for (let i = 0; i < options.tasks; i++) {
    const id = `$root${i}`;
    roots.push(id);
    const checklist = rand() < 0.5 ? [{ id: "k0", text: "premier point", done: false }] : [];
    events.push(rootEvent(id, pick(rand, writers), 1000 + i, buildTaskRoot({ anchor: "$anchor", title: `Tâche ${i}`, assignees: [pick(rand, USERS)], checklist })));
  }
  const redactedIds: string[] = [];
  for (let i = 0; i < options.updates; i++) {
    const id = `$u${seed}_${i}`;
    const root = options.noise && rand() < 0.03 ? "$missing" : pick(rand, roots);
    const checklist = rand() < 0.3 ? { add: rand() < 0.5 ? [{ id: `k${int(rand, 0, 5)}`, text: `point ${i}`, done: false }] : [], remove: rand() < 0.2 ? [`k${int(rand, 0, 5)}`] : [], done: rand() < 0.5 ? { [`k${int(rand, 0, 5)}`]: rand() < 0.5 } : {} } : undefined;
    const content = buildTaskUpdate({ root, clock: int(rand, 1, 12), set: randomSet(rand), ...(checklist ? { checklist } : {}), ...(options.noise && rand() < 0.03 ? { delete: true } : {}) });
    if (options.noise && rand() < 0.03) content["version"] = 2;
    if (options.noise && rand() < 0.03) content["clock"] = "soon";
    const ev = updateEvent(id, pick(rand, writers), 2000 + int(rand, 0, 50), content);
    events.push(ev);
    if (options.noise && rand() < 0.05) {
      redactedIds.push(id);
      // either the server's redacted copy arrives too, or a redaction event from the sender
      events.push(rand() < 0.5 ? redactedCopy(ev, `$r${i}`) : redactionEvent(`$red${seed}_${i}`, ev.sender, 3000, id));
    }
  }
  return { events, redactedIds };
}

/** A delivery: shuffled, with some events delivered twice. */
function delivery(rand: () => number, events: readonly RawEvent[]): RawEvent[] {
  const dupes = events.filter(() => rand() < 0.1);
  return shuffled(rand, [...events, ...dupes]);
}

describe("protocol: task fold properties", () => {
  it("any delivery order, duplicates and redactions give the same state (300 seeds × 4 orders)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { events } = scenario(seed, { tasks: 4, updates: 60, noise: true });
      const expected = fold(events);
      const rand = prng(seed * 7919);
      for (let k = 0; k < 4; k++) assert.deepStrictEqual(fold(delivery(rand, events)), expected, `seed ${seed}, order ${k}`);
    }
  });

  it("folded page by page (TaskFold.add per page, as the board reads a list) gives foldTasks's result (300 seeds × 3 splits)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed * 104_729);
      const events = delivery(rand, scenario(seed, { tasks: 4, updates: 60, noise: true }).events);
      const expected = fold(events);
      for (let k = 0; k < 3; k++) {
        const parts = new TaskFold({ config, levels });
        // pages of random sizes, some empty, the last one whatever is left
        for (let at = 0; at < events.length;) {
          const n = int(rand, 0, 40);
          parts.add(events.slice(at, at + n));
          at += n;
        }
        assert.deepStrictEqual(parts.result(), expected, `seed ${seed}, split ${k}`);
      }
    }
    const once = new TaskFold({ config, levels });
    once.result();
    assert.throws(() => once.result(), /twice/);
    assert.throws(() => once.add([]), /after result/);
  });

  it("a redacted update weighs exactly as much as an absent one", () => {
    let compared = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { events, redactedIds } = scenario(seed, { tasks: 3, updates: 40, noise: true });
      if (redactedIds.length === 0) continue;
      const gone = new Set(redactedIds);
      const without = events.filter((e) => !gone.has(e.event_id) && !(e.redacts !== undefined && gone.has(e.redacts)));
      assert.deepStrictEqual(fold(events).tasks, fold(without).tasks, `seed ${seed}`);
      compared++;
    }
    assert.ok(compared > 50, `only ${compared} scenarios had a redaction`);
  });

  it("concurrent edits during a netsplit resolve the same way on both sides", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed);
      const base = scenario(seed, { tasks: 2, updates: 10, noise: false }).events;
      // Each side writes with Lamport clocks computed from what IT has seen.
      const side = (name: string, sender: string, count: number): RawEvent[] => {
        const out: RawEvent[] = [];
        let seen = fold(base).maxClock;
        for (let i = 0; i < count; i++) {
          const clock = nextClock(seen);
          seen = clock;
          const checklist = { add: [{ id: `${name}${i}`, text: `ajout ${name}`, done: false }], done: { k0: name === "a" } };
          out.push(updateEvent(`$${name}${seed}_${i}`, sender, 5000 + int(rand, 0, 3), buildTaskUpdate({ root: pick(rand, ["$root0", "$root1"]), clock, set: randomSet(rand), checklist })));
        }
        return out;
      };
      const a = side("a", "@alice:ville-a.fr", int(rand, 1, 6));
      const b = side("b", "@bob:ville-b.fr", int(rand, 1, 6));
      // Side A received its own events first, then B's after recovery, and the reverse for B.
      const onA = fold([...base, ...a, ...shuffled(rand, b)]);
      const onB = fold([...shuffled(rand, base), ...b, ...a]);
      assert.deepStrictEqual(onA, onB, `seed ${seed}`);
      // Every concurrent checklist addition survived on both sides.
      for (const ev of [...a, ...b]) {
        const root = (ev.content["m.relates_to"] as { event_id: string }).event_id;
        const added = ((ev.content["checklist"] as { add: { id: string }[] }).add[0]!).id;
        assert.ok(onA.tasks.get(root)!.checklist.some((i) => i.id === added), `seed ${seed}: ${added} lost`);
      }
      // Both sides agree on the next clock to use.
      assert.equal(nextClock(onA.maxClock), nextClock(onB.maxClock));
    }
  });

  it("last writer wins per field, as an independent oracle computes it", () => {
    for (let seed = 1; seed <= 200; seed++) {
      // no noise: every update is well formed and authorised (level 0 may edit, nobody deletes)
      const { events } = scenario(seed, { tasks: 3, updates: 50, noise: false });
      const result = fold(events);
      for (const [id, task] of result.tasks) {
        const rootEv = events.find((e) => e.event_id === id)!;
        const ups = events
          .filter((e) => (e.content["m.relates_to"] as { event_id?: string } | undefined)?.event_id === id && e.type === "fr.entente.task.update")
          .sort((x, y) => (x.content["clock"] as number) - (y.content["clock"] as number) || x.origin_server_ts - y.origin_server_ts || (x.event_id < y.event_id ? -1 : 1));
        for (const field of ["status", "priority", "title", "due", "labels"] as const) {
          const last = ups.filter((u) => field in ((u.content["set"] as object | undefined) ?? {})).pop();
          const expected = last ? (last.content["set"] as Record<string, unknown>)[field] : ((rootEv.content["fr.entente.task"] as Record<string, unknown>)[field] ?? { status: "todo", priority: 0, due: null, labels: [] }[field as string]);
          assert.deepStrictEqual(task[field], expected, `seed ${seed} ${id}.${field}`);
        }
      }
    }
  });

  it("skips rather than throws on arbitrary junk mixed into the events", () => {
    const rand = prng(42);
    const junk: unknown[] = [null, 1, "x", [], {}, { event_id: "$j" }, { event_id: "$k", type: "fr.entente.task.update", sender: "@x:y", origin_server_ts: 1, content: null },
      { event_id: "$l", type: "m.room.message", sender: "@x:y", origin_server_ts: 1, content: { msgtype: "fr.entente.task", "fr.entente.task": { title: { toString: 1 } } } },
      { event_id: "$m", type: "fr.entente.task.update", sender: "@x:y", origin_server_ts: 1, content: { "m.relates_to": { rel_type: "m.reference", event_id: "$root0" }, clock: 1, set: { assignees: "everyone" } } }];
    const { events } = scenario(7, { tasks: 2, updates: 20, noise: true });
    const result = foldTasks({ events: shuffled(rand, [...events, ...junk]), config, levels });
    assert.deepStrictEqual(result.tasks, fold(events).tasks);
    assert.ok(result.skipped.length >= junk.length - 1);
  });
});
