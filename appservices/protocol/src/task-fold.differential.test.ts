// Differential test of the task fold: the fold as it was before it read raw events directly
// (commit 42bcd9b: envelopes from room-events.ts, every update parsed before sorting), copied here
// verbatim and ONLY here, against `foldTasks`, on seeded rooms full of edge cases: duplicates with
// different contents, redacted copies, redactions (authorised or not, of redactions, of unknown
// events), malformed envelopes and contents, every kind of bad field, orphans, deletes, v12
// creators, with and without a tasks state. Results must be deep-equal, tasks in the same order,
// with the same keys in the same order (JSON.stringify equal). A failure names the seed.
import assert from "node:assert/strict";
import { ROOM_MESSAGE, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE } from "./event-types.ts";
import { isObject, type JsonObject } from "./parse.ts";
import { parseRoomPowerLevels, userLevel, type RoomPowerLevels } from "./power-levels.ts";
import { compareFoldOrder, sortSkipped, type EventEnvelope, type SkippedEvent } from "./room-events.ts";
import { foldTasks, type Task, type TaskFoldInput, type TaskFoldResult } from "./task-fold.ts";
import { buildTaskRoot } from "./task-root.ts";
import { parseTaskUpdateOf, referencedEventId, type TaskUpdate } from "./task-update.ts";
import { parseTaskRoot } from "./task-root.ts";
import { buildTasksState, parseTasksState, DEFAULT_TASK_PERMISSIONS, type TasksState } from "./tasks-state.ts";
import { int, pick, prng, shuffled } from "./test-support.ts";

// ---- the fold before (verbatim, renamed foldTasksBefore / prepareEventsBefore) ----
const NO_CONTENT: JsonObject = Object.freeze({});

function envelope(raw: unknown): EventEnvelope | string {
  if (!isObject(raw)) return "event is not an object";
  const { event_id: eventId, type, sender, origin_server_ts: ts } = raw;
  if (typeof eventId !== "string" || eventId.length === 0) return "event has no event_id";
  if (typeof type !== "string" || typeof sender !== "string") return "event has no type or sender";
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "event has no origin_server_ts";
  // No allocation for what is absent (the fold reads tens of thousands of envelopes): one shared,
  // frozen empty content, and `unsigned` is only looked into.
  const unsigned = raw["unsigned"];
  const content = isObject(raw["content"]) ? raw["content"] : NO_CONTENT;
  const redacted = isObject(unsigned) && unsigned["redacted_because"] !== undefined;
  const env: EventEnvelope = { eventId, type, sender, originServerTs: ts, content, redacted };
  const redacts = typeof content["redacts"] === "string" ? content["redacts"] : raw["redacts"];
  if (type === ROOM_REDACTION && typeof redacts === "string") env.redacts = redacts;
  return env;
}

interface PreparedEvents {
  events: Map<string, EventEnvelope>;
  redacted: Set<string>;
  skipped: SkippedEvent[];
}

/**
 * Deduplicates by event id (the same event delivered twice, by /sync and by /relations, counts
 * once; if any copy is marked redacted, it is redacted) and collects redactions. A redaction
 * counts when its sender sent the target or holds the room's `redact` level, as clients judge it.
 */
function prepareEventsBefore(raw: Iterable<unknown>, levels: RoomPowerLevels): PreparedEvents {
  const events = new Map<string, EventEnvelope>();
  const skipped: SkippedEvent[] = [];
  // Ids of the events the redaction pass must look at (redacted copies, redactions): the pass then
  // reads their de-duplicated copy without walking every event again.
  const marked = new Set<string>();
  for (const r of raw) {
    const env = envelope(r);
    if (typeof env === "string") {
      skipped.push({ eventId: isObject(r) && typeof r["event_id"] === "string" ? r["event_id"] : "?", reason: env });
      continue;
    }
    if (env.redacted || env.redacts !== undefined) marked.add(env.eventId);
    const seen = events.get(env.eventId);
    if (seen === undefined) events.set(env.eventId, env);
    else if (env.redacted && !seen.redacted) events.set(env.eventId, env);
  }
  const redacted = new Set<string>();
  for (const id of marked) {
    const env = events.get(id);
    if (env === undefined) continue;
    if (env.redacted) redacted.add(env.eventId);
    if (env.redacts === undefined || env.redacted) continue;
    const target = events.get(env.redacts);
    if (target && (target.sender === env.sender || userLevel(levels, env.sender) >= levels.redact)) redacted.add(target.eventId);
  }
  return { events, redacted, skipped };
}


interface PendingUpdate {
  clock: number;
  env: EventEnvelope;
  update: TaskUpdate;
}

/** Mutable working copy of a task while its updates are applied. */
interface Working {
  task: Task;
  /** created on the first removal / `done` operation (most tasks have none) */
  removed: Set<string> | undefined;
  done: Map<string, boolean> | undefined;
}

function foldTasksBefore(input: TaskFoldInput): TaskFoldResult {
  const permissions = input.config?.permissions ?? DEFAULT_TASK_PERMISSIONS;
  const { events, redacted, skipped } = prepareEventsBefore(input.events, input.levels);
  const working = new Map<string, Working>();
  // Updates are grouped by the root they reference BEFORE being parsed; each group is then parsed,
  // sorted and applied at once, so parse results die young instead of all living until the end
  // (the garbage collector copying and promoting them was most of the fold's cost).
  const byRoot = new Map<string, EventEnvelope[]>();
  const unreferenced: EventEnvelope[] = [];
  for (const env of events.values()) {
    const isRoot = env.type === ROOM_MESSAGE && env.content["msgtype"] === TASK_MSGTYPE;
    if (!isRoot && env.type !== TASK_UPDATE) continue;
    if (redacted.has(env.eventId)) {
      skipped.push({ eventId: env.eventId, reason: "redacted" });
      continue;
    }
    if (isRoot) {
      const reason = acceptRoot(env, input, permissions.create, permissions.assign, working);
      if (reason !== undefined) skipped.push({ eventId: env.eventId, reason });
      continue;
    }
    const root = referencedEventId(env.content);
    if (root === undefined) {
      unreferenced.push(env);
      continue;
    }
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [env]);
    else list.push(env);
  }
  // No well-formed reference: parsing says why.
  for (const env of unreferenced) {
    const parsed = parseTaskUpdateOf(env.content, undefined);
    skipped.push({ eventId: env.eventId, reason: parsed.ok ? "references no known task" : parsed.reason });
  }
  let maxClock = 0;
  for (const [rootId, envs] of byRoot) {
    const w = working.get(rootId);
    const updates: PendingUpdate[] = [];
    for (const env of envs) {
      const parsed = parseTaskUpdateOf(env.content, rootId);
      if (!parsed.ok) {
        skipped.push({ eventId: env.eventId, reason: parsed.reason });
        continue;
      }
      if (parsed.value.clock > maxClock) maxClock = parsed.value.clock;
      if (w === undefined) skipped.push({ eventId: env.eventId, reason: "references no known task" });
      else updates.push({ clock: parsed.value.clock, env, update: parsed.value });
    }
    if (w === undefined) continue;
    updates.sort(compareFoldOrder);
    for (const u of updates) {
      const reason = applyUpdate(w, u, input.levels, permissions);
      if (reason !== undefined) skipped.push({ eventId: u.env.eventId, reason });
    }
  }
  const tasks = new Map<string, Task>();
  for (const [id, w] of working) {
    if (w.done !== undefined) w.task.checklist = w.task.checklist.map((i) => ({ ...i, done: w.done?.get(i.id) ?? i.done }));
    tasks.set(id, w.task);
  }
  return { tasks, skipped: sortSkipped(skipped), maxClock };
}

/** Assigning anyone but yourself, or un-assigning someone else, takes the `assign` level. */
function touchesOthers(sender: string, before: readonly string[], after: readonly string[]): boolean {
  const b = new Set(before);
  const a = new Set(after);
  for (const id of a) if (!b.has(id) && id !== sender) return true;
  for (const id of b) if (!a.has(id) && id !== sender) return true;
  return false;
}

function acceptRoot(env: EventEnvelope, input: TaskFoldInput, create: number, assign: number, working: Map<string, Working>): string | undefined {
  const parsed = parseTaskRoot(env.content);
  if (!parsed.ok) return parsed.reason;
  const root = parsed.value;
  if (input.config !== undefined && root.anchor !== input.config.anchor) return "references another task list's anchor";
  const level = userLevel(input.levels, env.sender);
  if (level < create) return `sender's power level ${level} is below create (${create})`;
  if (level < assign && touchesOthers(env.sender, [], root.fields.assignees)) return `sender's power level ${level} is below assign (${assign})`;
  const task: Task = {
    ...root.fields,
    id: env.eventId,
    creator: env.sender,
    createdAt: env.originServerTs,
    checklist: root.checklist.map((i) => ({ ...i })),
    deleted: false,
    clock: 0,
    updates: 0,
    lastUpdatedBy: env.sender,
  };
  working.set(env.eventId, { task, removed: undefined, done: undefined });
  return undefined;
}

function permissionProblem(w: Working, u: PendingUpdate, level: number, p: typeof DEFAULT_TASK_PERMISSIONS): string | undefined {
  const { task } = w;
  const sender = u.env.sender;
  const own = sender === task.creator || task.assignees.includes(sender);
  if (u.update.delete && level < p.delete && sender !== task.creator) return `sender's power level ${level} is below delete (${p.delete})`;
  if (!own && level < p.edit) return `sender's power level ${level} is below edit (${p.edit})`;
  const assignees = u.update.set.assignees;
  if (assignees !== undefined && level < p.assign && touchesOthers(sender, task.assignees, assignees)) {
    return `sender's power level ${level} is below assign (${p.assign})`;
  }
  return undefined;
}

function applyUpdate(w: Working, u: PendingUpdate, levels: RoomPowerLevels, p: typeof DEFAULT_TASK_PERMISSIONS): string | undefined {
  const { task } = w;
  if (task.deleted) return "task was deleted before this update";
  const problem = permissionProblem(w, u, userLevel(levels, u.env.sender), p);
  if (problem !== undefined) return problem;
  // Last writer wins per field: in fold order, each set field simply overwrites.
  // (parsed values are fresh objects, never shared with another task)
  Object.assign(task, u.update.set);
  const ops = u.update.checklist;
  if (ops.remove.length > 0) {
    const removed = (w.removed ??= new Set());
    for (const id of ops.remove) removed.add(id);
    task.checklist = task.checklist.filter((i) => !removed.has(i.id));
  }
  for (const item of ops.add) {
    // Additions merge: concurrent adds all survive; the first add of an id wins, removal is final.
    if (!w.removed?.has(item.id) && !task.checklist.some((i) => i.id === item.id)) task.checklist.push({ ...item });
  }
  for (const id in ops.done) (w.done ??= new Map()).set(id, ops.done[id] === true);
  if (u.update.delete) task.deleted = true;
  task.clock = Math.max(task.clock, u.clock);
  task.updates += 1;
  task.lastUpdatedBy = u.env.sender;
  return undefined;
}

// ---- seeded rooms full of edge cases ----
const USERS = ["@alice:ville-a.fr", "@bob:ville-b.fr", "@carol:ville-a.fr", "@dan:ville-b.fr", "@mod:ville-a.fr", "@founder:ville-a.fr"];
const STATUSES = ["todo", "doing", "blocked", "done", "cancelled"];

function levelsFor(rand: () => number): RoomPowerLevels {
  const content = { users: { "@mod:ville-a.fr": 50, "@dan:ville-b.fr": -1, "@carol:ville-a.fr": pick(rand, [0, 10, 50]) }, users_default: pick(rand, [0, 0, 5]), redact: pick(rand, [0, 50, 100]) };
  const create = rand() < 0.3 ? { sender: "@founder:ville-a.fr", content: { room_version: "12", additional_creators: ["@bob:ville-b.fr"] } } : undefined;
  return parseRoomPowerLevels(content, create);
}

function configFor(rand: () => number): TasksState | undefined {
  if (rand() < 0.2) return undefined;
  const p = parseTasksState(buildTasksState({ anchor: "$anchor", permissions: { create: pick(rand, [0, 0, 0, 10]), edit: pick(rand, [0, 0, 50]), assign: pick(rand, [0, 50]), delete: pick(rand, [0, 50]) } }));
  if (!p.ok) throw new Error(p.reason);
  return p.value;
}

/** A field value: mostly valid, sometimes each kind of wrong. */
function fieldValue(rand: () => number, field: string, badRate = 0.08): unknown {
  const bad = rand() < badRate;
  switch (field) {
    case "status": return bad ? pick(rand, ["finished", 3, null, ""]) : pick(rand, STATUSES);
    case "title": return bad ? pick(rand, ["", 7, null, "x".repeat(501)]) : pick(rand, ["Titre", "Préparer le conseil", "x".repeat(500)]);
    case "description": return bad ? pick(rand, [5, "x".repeat(20_001)]) : pick(rand, [null, "", "Une description"]);
    case "priority": return bad ? pick(rand, [-1, 10, 1.5, "1"]) : int(rand, 0, 9);
    case "assignees": return bad ? pick(rand, ["@a:b", ["not a user"], [1], ["@a :b"], Array.from({ length: 51 }, (_, i) => `@u${i}:x`)]) : USERS.filter(() => rand() < 0.3).concat(rand() < 0.2 ? [USERS[0]!] : []);
    case "labels": return bad ? pick(rand, [[""], ["x".repeat(101)], "conseil", [null]]) : pick(rand, [[], ["urgent"], ["urgent", "urgent", "voirie"]]);
    case "column": return bad ? pick(rand, ["", 1, "x".repeat(65)]) : pick(rand, [null, "todo", "doing"]);
    case "rank": return bad ? pick(rand, ["", [], "x".repeat(129)]) : pick(rand, [null, "a0", "b12", "x".repeat(128)]);
    case "due":
    case "start": return bad ? pick(rand, [{ tzid: "Europe/Paris", value: "20250231T180000" }, { date: "2025-03-14" }, "demain", {}]) : pick(rand, [null, { tzid: "Europe/Paris", value: "20250314T180000" }, { date: "20250314" }]);
    case "reminders": return bad ? pick(rand, [[{ before: "1D" }], {}, [1]]) : pick(rand, [[], [{ before: "P1D" }, { before: "PT2H" }]]);
    case "parent":
    case "objective": return bad ? pick(rand, ["parent", "$a b", 3]) : pick(rand, [null, "$root1", "$objective"]);
    default: return rand() < 0.5 ? "ignored" : { nested: true };
  }
}
const FIELDS = ["status", "title", "description", "priority", "assignees", "labels", "column", "rank", "due", "start", "reminders", "parent", "objective", "unknown_field"];

function randomSet(rand: () => number): JsonObject {
  const set: JsonObject = {};
  const n = int(rand, 0, 3);
  for (let i = 0; i < n; i++) {
    const f = pick(rand, FIELDS);
    set[f] = fieldValue(rand, f);
  }
  return set;
}

function checklistOps(rand: () => number): unknown {
  const r = rand();
  if (r < 0.6) return undefined;
  if (r < 0.63) return pick(rand, ["add", [], null]);
  const ops: JsonObject = {};
  if (rand() < 0.6) ops["add"] = rand() < 0.05 ? pick(rand, ["x", [{ id: "" , text: "t" }], [{ id: "k1" }], [{ id: "k1", text: "t", done: "no" }]]) : Array.from({ length: int(rand, 0, 2) }, () => ({ id: pick(rand, ["k0", "k1", "k2", "__proto__", "constructor"]), text: `point ${int(rand, 0, 9)}`, ...(rand() < 0.3 ? { done: rand() < 0.5 } : {}) }));
  if (rand() < 0.3) ops["remove"] = rand() < 0.05 ? pick(rand, ["k1", [3], [""]]) : [pick(rand, ["k0", "k1", "k2", "__proto__"])];
  if (rand() < 0.5) ops["done"] = rand() < 0.05 ? pick(rand, [[], { k1: "yes" }, "k1"]) : { [pick(rand, ["k0", "k1", "k2", "__proto__", "toString"])]: rand() < 0.5 };
  return ops;
}

function relatesTo(rand: () => number, roots: readonly string[]): unknown {
  const r = rand();
  if (r < 0.8) return { rel_type: "m.reference", event_id: pick(rand, roots) };
  if (r < 0.9) return { rel_type: "m.reference", event_id: pick(rand, ["$missing", "$text0", "$member", "$u0", "$u1"]) };
  return pick(rand, [undefined, "$root0", { rel_type: "m.thread", event_id: "$root0" }, { rel_type: "m.reference" }, { rel_type: "m.reference", event_id: "root0" },
    { rel_type: "m.reference", event_id: "$root 0" }, { rel_type: "m.reference", event_id: "$root\u00a00" }, { rel_type: "m.reference", event_id: `$${"r".repeat(255)}` }, { rel_type: "m.reference", event_id: "$" }, { rel_type: "m.reference", event_id: "$é" }]);
}

function updateContent(rand: () => number, roots: readonly string[]): unknown {
  if (rand() < 0.02) return pick(rand, [null, [], "text", 3]);
  const content: JsonObject = {};
  const v = rand();
  if (v < 0.7) content["version"] = 1;
  else if (v < 0.75) content["version"] = pick(rand, [2, 0, "1", 1.5]);
  const rel = relatesTo(rand, roots);
  if (rel !== undefined) content["m.relates_to"] = rel;
  const c = rand();
  content["clock"] = c < 0.93 ? int(rand, 0, 8) : pick(rand, [-1, 1.5, "3", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, undefined, null]);
  if (rand() < 0.85) content["set"] = rand() < 0.03 ? pick(rand, [[], "status", null]) : randomSet(rand);
  const ops = checklistOps(rand);
  if (ops !== undefined) content["checklist"] = ops;
  if (rand() < 0.02) content["delete"] = rand() < 0.8 ? true : pick(rand, ["yes", 1, false]);
  return content;
}

function rootContent(rand: () => number, i: number): unknown {
  const r = rand();
  if (r < 0.03) return pick(rand, [null, { msgtype: "m.text", body: "hello" }, { msgtype: TASK_MSGTYPE }, { msgtype: TASK_MSGTYPE, "fr.entente.task": { version: 1 }, "m.relates_to": { rel_type: "m.reference", event_id: "$anchor" } }]);
  const fields: Record<string, unknown> = { title: `Tâche ${i}` };
  for (const f of FIELDS) if (f !== "title" && rand() < 0.25) fields[f] = fieldValue(rand, f, 0.02);
  const checklist = rand() < 0.5 ? [{ id: "k0", text: "premier point", done: rand() < 0.3 }, ...(rand() < 0.3 ? [{ id: "k1", text: "second", done: false }] : [])] : [];
  const content = buildTaskRoot({ anchor: rand() < 0.93 ? "$anchor" : "$other", title: `Tâche ${i}`, checklist });
  const task = content["fr.entente.task"] as JsonObject;
  Object.assign(task, fields);
  if (rand() < 0.03) task["checklist"] = pick(rand, [[{ id: "k0", text: "a" }, { id: "k0", text: "b" }], "x"]);
  if (rand() < 0.03) task["version"] = 2;
  return content;
}

interface Ev { event_id?: unknown; type?: unknown; sender?: unknown; origin_server_ts?: unknown; content?: unknown; unsigned?: unknown; redacts?: unknown }

function room(seed: number, tasks: number, updates: number): unknown[] {
  const rand = prng(seed);
  const events: unknown[] = [];
  const roots = Array.from({ length: tasks }, (_, i) => `$root${i}`);
  for (let i = 0; i < tasks; i++) events.push({ event_id: roots[i], type: ROOM_MESSAGE, sender: pick(rand, rand() < 0.8 ? USERS.slice(0, 3) : USERS), origin_server_ts: 1000 + int(rand, 0, 20), content: rootContent(rand, i) });
  events.push({ event_id: "$text0", type: ROOM_MESSAGE, sender: USERS[0], origin_server_ts: 900, content: { msgtype: "m.text", body: "bonjour" } });
  events.push({ event_id: "$member", type: "m.room.member", sender: USERS[1], origin_server_ts: 901, content: { membership: "join" } });
  for (let i = 0; i < updates; i++) {
    // ids collide now and then: with a root, or with another update
    const id = rand() < 0.02 ? pick(rand, [...roots, "$u0", "$text0"]) : `$u${i}`;
    const ev: Ev = { event_id: id, type: rand() < 0.97 ? TASK_UPDATE : pick(rand, [ROOM_MESSAGE, "fr.entente.task.updat"]), sender: pick(rand, USERS), origin_server_ts: 2000 + int(rand, 0, 30), content: updateContent(rand, roots) };
    if (rand() < 0.02) delete ev.origin_server_ts;
    if (rand() < 0.01) ev.sender = pick(rand, [undefined, 3]);
    if (rand() < 0.01) ev.origin_server_ts = pick(rand, [Infinity, NaN, "5"]);
    if (rand() < 0.02) ev.unsigned = pick(rand, [{}, { age: 4 }, { redacted_because: { event_id: "$x" } }, "x"]);
    events.push(ev);
    const r = rand();
    if (r < 0.04) events.push({ ...ev, content: {}, unsigned: { redacted_because: { event_id: `$by${i}` } } });
    else if (r < 0.045) events.push({ ...ev, type: pick(rand, [ROOM_MESSAGE, "m.room.member", TASK_UPDATE]), content: pick(rand, [{}, { msgtype: TASK_MSGTYPE }, updateContent(rand, roots)]), unsigned: { redacted_because: { event_id: `$by${i}` } } }); // a redacted copy that says otherwise
    else if (r < 0.08) {
      const target = rand() < 0.8 ? id : pick(rand, [...roots, "$missing", "$text0", "$u0", `$red${i - 1}`]);
      const red: Ev = { event_id: `$red${i}`, type: ROOM_REDACTION, sender: pick(rand, USERS), origin_server_ts: 3000 + i, content: rand() < 0.5 ? { redacts: target } : {} };
      if (rand() < 0.6 || !isObject(red.content) || red.content["redacts"] === undefined) red.redacts = target;
      if (rand() < 0.05) red.unsigned = { redacted_because: { event_id: "$y" } };
      events.push(red);
    } else if (r < 0.11) events.push(structuredClone(ev)); // plain duplicate
    else if (r < 0.12) events.push({ ...ev, content: updateContent(rand, roots) }); // same id, other content
  }
  // Root redactions and junk
  for (let i = 0; i < tasks; i++) if (rand() < 0.05) events.push({ event_id: `$rr${i}`, type: ROOM_REDACTION, sender: pick(rand, USERS), origin_server_ts: 4000, content: { redacts: roots[i] } });
  events.push(null, 3, "x", [], {}, { event_id: "" }, { event_id: "$j", type: TASK_UPDATE }, { event_id: 5, type: TASK_UPDATE, sender: "@x:y", origin_server_ts: 1 });
  return shuffled(rand, events);
}

const levelsCache = new Map<number, RoomPowerLevels>();
function inputFor(seed: number, events: unknown[]): TaskFoldInput {
  const rand = prng(seed * 31 + 7);
  const levels = levelsFor(rand);
  levelsCache.set(seed, levels);
  const config = configFor(rand);
  return config === undefined ? { events, levels } : { events, levels, config };
}

function assertSame(after: TaskFoldResult, before: TaskFoldResult, what: string): void {
  assert.deepStrictEqual(after, before, what);
  assert.deepStrictEqual([...after.tasks.keys()], [...before.tasks.keys()], `${what}: task order`);
  const json = (r: TaskFoldResult): string => JSON.stringify([[...r.tasks.values()], r.skipped, r.maxClock]);
  assert.equal(json(after), json(before), `${what}: key order`);
}

describe("protocol: task fold, differential against the fold before raw-event reading", () => {
  it("gives the same result as the previous fold on 400 seeded rooms full of edge cases", () => {
    let skipped = 0;
    let tasks = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const events = room(seed, int(prng(seed), 1, 8), int(prng(seed + 1), 0, 120));
      const input = inputFor(seed, events);
      const before = foldTasksBefore(input);
      assertSame(foldTasks(input), before, `seed ${seed}`);
      skipped += before.skipped.length;
      tasks += before.tasks.size;
    }
    // the rooms exercise both outcomes plenty
    assert.ok(skipped > 4000 && tasks > 800, `${skipped} skipped, ${tasks} tasks`);
  });

  it("gives the same result for tasks with long histories (hundreds of updates each)", () => {
    for (let seed = 500; seed < 510; seed++) {
      const events = room(seed, 2, 400);
      const input = inputFor(seed, events);
      const before = foldTasksBefore(input);
      assertSame(foldTasks(input), before, `seed ${seed}`);
      for (const t of before.tasks.values()) assert.ok(t.updates > 0);
    }
  });

  it("gives the same result on a large board (300 tasks, 5,000 updates) and on events given as an iterable", () => {
    const events = room(2026, 300, 5000);
    const input = inputFor(2026, events);
    const before = foldTasksBefore(input);
    assertSame(foldTasks(input), before, "large");
    assertSame(foldTasks({ ...input, events: new Set(events).values() }), before, "iterator");
    assert.ok(before.tasks.size > 120, `${before.tasks.size} tasks`);
  });
});
