import assert from "node:assert/strict";
import { OBJECTIVE_CHECKIN, OBJECTIVE_UPDATE } from "./event-types.ts";
import { foldObjectives } from "./objective-fold.ts";
import { keyResultProgress, objectiveProgress } from "./objective-progress.ts";
import { buildObjectiveRoot } from "./objective-root.ts";
import { buildCheckin, buildObjectiveUpdate } from "./objective-update.ts";
import { buildObjectivesState, parseObjectivesState } from "./objectives-state.ts";
import { parseRoomPowerLevels } from "./power-levels.ts";
import { foldTasks } from "./task-fold.ts";
import { buildTaskRoot } from "./task-root.ts";
import { buildTaskUpdate } from "./task-update.ts";
import { prng, rawEvent, redactedCopy, rootEvent, shuffled, updateEvent, type RawEvent } from "./test-support.ts";

const ALICE = "@alice:ville-a.fr";
const BOB = "@bob:ville-b.fr";
const EVE = "@eve:ville-b.fr";
const levels = parseRoomPowerLevels({ users: { [EVE]: -10 } });
const stateParsed = parseObjectivesState(buildObjectivesState({ anchor: "$oa" }));
if (!stateParsed.ok) throw new Error(stateParsed.reason);
const config = stateParsed.value;
const KR1 = { id: "kr1", title: "Dossiers traités", unit: "dossiers", start: 0, target: 100 };
const KR2 = { id: "kr2", title: "Délai moyen", unit: "jours", start: 30, target: 10 };

const root = rootEvent("$o1", ALICE, 1000, buildObjectiveRoot({ anchor: "$oa", title: "Délais", owner: BOB, keyResults: [KR1, KR2] }));
const checkin = (id: string, sender: string, clock: number, kr: string, value: number, ts = 2000): RawEvent => rawEvent(id, OBJECTIVE_CHECKIN, sender, ts, buildCheckin({ root: "$o1", clock, keyResult: kr, value }));
const update = (id: string, sender: string, clock: number, u: Omit<Parameters<typeof buildObjectiveUpdate>[0], "root" | "clock">): RawEvent =>
  rawEvent(id, OBJECTIVE_UPDATE, sender, 3000, buildObjectiveUpdate({ root: "$o1", clock, ...u }));
const fold = (events: unknown[]) => foldObjectives({ events, config, levels });

describe("protocol: objective fold and progress", () => {
  it("keeps the latest check-in per key result in fold order and folds updates", () => {
    const r = fold([
      checkin("$c2", BOB, 2, "kr1", 40),
      checkin("$c1", ALICE, 1, "kr1", 10, 9999),
      checkin("$c3", BOB, 2, "kr2", 20),
      update("$u1", ALICE, 3, { set: { status: "at_risk" }, keyResults: { set: { kr2: { target: 15 } } } }),
      root,
    ]);
    const o = r.objectives.get("$o1")!;
    assert.equal(o.current["kr1"]!.value, 40);
    assert.equal(o.current["kr2"]!.value, 20);
    assert.equal(o.status, "at_risk");
    assert.equal(o.keyResults[1]!.target, 15);
    assert.equal(o.checkins, 3);
    assert.deepEqual(r.skipped, []);
  });
  it("skips check-ins of unknown or removed key results, unauthorised and redacted events", () => {
    const c = checkin("$c5", BOB, 5, "kr1", 99);
    const r = fold([
      root,
      update("$rm", ALICE, 2, { keyResults: { remove: ["kr2"] } }),
      checkin("$c4", BOB, 3, "kr2", 5),
      checkin("$c6", BOB, 1, "kr9", 5),
      checkin("$eve", EVE, 1, "kr1", 100),
      update("$eveu", EVE, 1, { set: { title: "Piraté" } }),
      redactedCopy(c, "$r"),
    ]);
    const o = r.objectives.get("$o1")!;
    assert.deepEqual(o.keyResults.map((k) => k.id), ["kr1"]);
    assert.equal(o.title, "Délais");
    assert.deepEqual(o.current, {});
    assert.deepEqual(r.skipped.map((s) => [s.eventId, s.reason]), [
      ["$c4", "check-in of an unknown key result"],
      ["$c5", "redacted"],
      ["$c6", "check-in of an unknown key result"],
      ["$eve", "sender's power level -10 is below checkin (0)"],
      ["$eveu", "sender's power level -10 is below edit (0)"],
    ]);
  });
  it("combines key-result progress with the done share of linked tasks", () => {
    assert.equal(keyResultProgress(0, 100, 40), 0.4);
    assert.equal(keyResultProgress(30, 10, 20), 0.5); // decreasing targets work too
    assert.equal(keyResultProgress(0, 100, 150), 1);
    assert.equal(keyResultProgress(5, 5, 5), 1);
    const o = fold([root, checkin("$c1", BOB, 1, "kr1", 40), checkin("$c2", BOB, 1, "kr2", 20)]).objectives.get("$o1")!;
    const task = (id: string, status: string, objective = "$o1") => rootEvent(id, ALICE, 1, buildTaskRoot({ anchor: "$ta", title: id, objective, status: status as "todo" }));
    const tasks = foldTasks({
      events: [task("$t1", "done"), task("$t2", "todo"), task("$t3", "cancelled"), task("$t4", "done"), task("$t5", "done", "$other"), task("$t6", "done"),
        updateEvent("$d", ALICE, 5, buildTaskUpdate({ root: "$t6", clock: 1, delete: true }))],
      levels,
    }).tasks.values();
    const p = objectiveProgress(o, tasks);
    assert.deepEqual(p.keyResults, [{ id: "kr1", value: 40, progress: 0.4 }, { id: "kr2", value: 20, progress: 0.5 }]);
    assert.ok(Math.abs(p.keyResultShare! - 0.45) < 1e-12);
    assert.equal(p.linkedTasks, 3);
    assert.equal(p.doneTasks, 2);
    assert.ok(Math.abs(p.overall! - (0.45 + 2 / 3) / 2) < 1e-12);
    const bare = fold([rootEvent("$o2", ALICE, 1, buildObjectiveRoot({ anchor: "$oa", title: "Vide" }))]).objectives.get("$o2")!;
    assert.deepEqual(objectiveProgress(bare, []), { keyResults: [], keyResultShare: null, linkedTasks: 0, doneTasks: 0, taskShare: null, overall: null });
  });
  it("gives the same objectives whatever the delivery order (100 seeds)", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = prng(seed);
      const events: RawEvent[] = [root];
      for (let i = 0; i < 30; i++) {
        const sender = [ALICE, BOB, EVE][Math.floor(rand() * 3)]!;
        const clock = 1 + Math.floor(rand() * 8);
        if (rand() < 0.6) events.push(checkin(`$c${i}`, sender, clock, rand() < 0.5 ? "kr1" : "kr2", Math.floor(rand() * 100), 2000 + Math.floor(rand() * 5)));
        else events.push(update(`$u${i}`, sender, clock, rand() < 0.3 ? { keyResults: { remove: ["kr2"], add: [{ ...KR2, id: `kr${i}` }] } } : { set: { status: rand() < 0.5 ? "on_track" : "off_track" } }));
      }
      const expected = fold(events);
      for (let k = 0; k < 3; k++) assert.deepStrictEqual(fold(shuffled(rand, [...events, ...events.slice(0, 5)])), expected, `seed ${seed}`);
    }
  });
});
