// Fold benchmark of issue 13: a board of 2,000 tasks and 20,000 updates, folded in-process (pure
// CPU, no server). Target: fold ≤ 50 ms. The workload is seeded, so every run folds the same events.
import { OBJECTIVE_CHECKIN, ROOM_MESSAGE, TASK_UPDATE } from "../../appservices/protocol/src/event-types.ts";
import { foldObjectives } from "../../appservices/protocol/src/objective-fold.ts";
import { buildObjectiveRoot } from "../../appservices/protocol/src/objective-root.ts";
import { buildCheckin } from "../../appservices/protocol/src/objective-update.ts";
import { parseRoomPowerLevels, type RoomPowerLevels } from "../../appservices/protocol/src/power-levels.ts";
import { foldTasks, type TaskFoldResult } from "../../appservices/protocol/src/task-fold.ts";
import type { PartialTaskFields, TaskStatus } from "../../appservices/protocol/src/task-fields.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../appservices/protocol/src/task-update.ts";
import { parseTasksState, buildTasksState, type TasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { int, pick, prng, shuffled } from "../../appservices/protocol/src/test-support.ts";
import type { BenchRow } from "./stats.ts";
import { timeRuns } from "./time-runs.ts";

const USERS = Array.from({ length: 40 }, (_, i) => `@agent${i}:ville-${i % 2 === 0 ? "a" : "b"}.fr`);
const STATUSES: TaskStatus[] = ["todo", "doing", "blocked", "done", "cancelled"];

export interface FoldWorkload {
  events: unknown[];
  config: TasksState;
  levels: RoomPowerLevels;
}

/** `tasks` roots and `updates` updates (shuffled, as /relations pages and /sync interleave them). */
export function foldWorkload(tasks: number, updates: number, seed = 13): FoldWorkload {
  const rand = prng(seed);
  const state = parseTasksState(buildTasksState({ anchor: "$anchor" }));
  if (!state.ok) throw new Error(state.reason);
  const events: unknown[] = [];
  const clocks: number[] = [];
  for (let i = 0; i < tasks; i++) {
    const content = buildTaskRoot({
      anchor: "$anchor",
      title: `Tâche ${i} du groupe de travail`,
      description: "Préparer les pièces du dossier et les transmettre au secrétariat.",
      assignees: [pick(rand, USERS)],
      due: { tzid: "Europe/Paris", value: `2025${String(int(rand, 1, 12)).padStart(2, "0")}15T180000` },
      labels: ["conseil"],
      checklist: [{ id: "c0", text: "Premier point", done: false }],
      column: "todo",
      rank: `a${i}`,
      objective: i % 10 === 0 ? "$objective" : null,
    });
    events.push({ event_id: `$task${i}`, type: ROOM_MESSAGE, sender: pick(rand, USERS), origin_server_ts: 1_700_000_000_000 + i, content });
    clocks.push(0);
  }
  for (let u = 0; u < updates; u++) {
    const t = int(rand, 0, tasks - 1);
    clocks[t] = (clocks[t] ?? 0) + int(rand, 1, 2);
    const set: PartialTaskFields = rand() < 0.6 ? { status: pick(rand, STATUSES) } : { rank: `b${u}`, column: pick(rand, ["todo", "doing", "done"]) };
    if (rand() < 0.1) set.assignees = [pick(rand, USERS), pick(rand, USERS)];
    const checklist = rand() < 0.3 ? { add: [{ id: `c${u}`, text: "Point ajouté", done: false }], done: { c0: rand() < 0.5 } } : undefined;
    const content = buildTaskUpdate({ root: `$task${t}`, clock: clocks[t] ?? 1, set, ...(checklist ? { checklist } : {}) });
    events.push({ event_id: `$up${u}`, type: TASK_UPDATE, sender: pick(rand, USERS), origin_server_ts: 1_700_000_100_000 + u, content });
  }
  return { events: shuffled(rand, events), config: state.value, levels: parseRoomPowerLevels({ users_default: 0 }) };
}

export function foldOnce(w: FoldWorkload): TaskFoldResult {
  return foldTasks({ events: w.events, config: w.config, levels: w.levels });
}

export function tasksFoldBench(quick: boolean): BenchRow[] {
  const w = foldWorkload(2000, 20_000);
  for (let i = 0; i < 3; i++) foldOnce(w); // warm the JIT, as a long-lived client or bot would be
  const fold = timeRuns(quick ? 5 : 21, () => foldOnce(w));
  // The same board as it arrives over the wire: JSON text parsed, then folded.
  const json = JSON.stringify(w.events);
  const parseAndFold = timeRuns(quick ? 3 : 11, () => foldTasks({ events: JSON.parse(json) as unknown[], config: w.config, levels: w.levels }));
  // The fold alone on events laid out in memory as JSON.parse lays them out (a client's real
  // input), where the shuffled objects above scatter each event's parts across the heap.
  const parsed = JSON.parse(json) as unknown[];
  const foldParsed = timeRuns(quick ? 5 : 21, () => foldTasks({ events: parsed, config: w.config, levels: w.levels }), 3);
  const objectives = [{ event_id: "$objective", type: ROOM_MESSAGE, sender: USERS[0], origin_server_ts: 1, content: buildObjectiveRoot({ anchor: "$oa", title: "Objectif", keyResults: [{ id: "kr", title: "KR", unit: "%", start: 0, target: 100 }] }) }];
  for (let i = 0; i < 2000; i++) objectives.push({ event_id: `$ci${i}`, type: OBJECTIVE_CHECKIN, sender: USERS[i % 40]!, origin_server_ts: 2 + i, content: buildCheckin({ root: "$objective", clock: i + 1, keyResult: "kr", value: i % 100 }) });
  const objFold = timeRuns(quick ? 5 : 21, () => foldObjectives({ events: objectives, levels: w.levels }));
  return [
    { name: "tasks fold: 2,000 tasks + 20,000 updates (median)", value: fold.wall, unit: "ms", target: "≤ 50 ms", met: fold.wall <= 50 },
    // CPU time too: on a shared machine the wall time also counts the time other processes ran,
    // so the target is judged on CPU time as well (the load average is in bench-results.json).
    { name: "tasks fold: same, CPU time (median)", value: fold.cpu, unit: "ms", target: "≤ 50 ms", met: fold.cpu <= 50 },
    { name: "tasks fold: events as JSON.parse lays them out, CPU time (median)", value: foldParsed.cpu, unit: "ms", target: "≤ 50 ms", met: foldParsed.cpu <= 50 },
    { name: "tasks fold incl. JSON.parse of the events (median)", value: parseAndFold.wall, unit: "ms", target: "" },
    { name: "objectives fold: 1 objective + 2,000 check-ins (median)", value: objFold.wall, unit: "ms", target: "" },
  ];
}
