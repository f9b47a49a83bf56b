import assert from "node:assert/strict";
import { buildObjectiveRoot, buildObjectiveUpdate, foldObjectives, parseObjectivesState, parseRoomPowerLevels, buildObjectivesState } from "./protocol.ts";
import { rootEvent, rawEvent } from "../../../../appservices/protocol/src/test-support.ts";
import { OBJECTIVE_UPDATE } from "./protocol.ts";
import { checkDraft, draftFromObjective, emptyDraft, newKeyResults, objectiveChange, parseWholeNumber, type ObjectiveDraft } from "./objective-draft.ts";
import { objectivesAccess, stateEventLevel } from "./objectives-setup.ts";

const ALICE = "@alice:ville-a.fr";
const BOB = "@bob:agglo-b.fr";
const counter = (): (() => string) => {
  let n = 0;
  return () => `new${++n}`;
};

function draft(over: Partial<ObjectiveDraft> = {}): ObjectiveDraft {
  return {
    ...emptyDraft(ALICE), title: "Réduire les délais", periodStart: "2026-01-01", periodEnd: "2026-12-31",
    keyResults: [
      { id: undefined, title: "Dossiers traités", unit: "dossiers", start: "0", target: "120" },
      { id: undefined, title: "Délai moyen", unit: "jours", start: "30", target: "12" },
    ],
    ...over,
  };
}

describe("client core: the objective form (checks, new root, folded update of what changed)", () => {
  it("reads whole numbers only (canonical JSON has no fractions: the homeserver refuses 12.5)", () => {
    assert.equal(parseWholeNumber(" 1 200 "), 1200);
    assert.equal(parseWholeNumber("-3"), -3);
    assert.equal(parseWholeNumber("+7"), 7);
    for (const bad of ["", "abc", "1e5", "12,5", "12.5", "12 %", "9007199254740993"]) assert.equal(parseWholeNumber(bad), undefined, bad);
  });

  it("reports every problem at once, by field", () => {
    const r = checkDraft(draft({
      title: "  ", periodStart: "2026-02-30", periodEnd: "2026-03-01",
      keyResults: [{ id: undefined, title: "", unit: "x".repeat(51), start: "zéro", target: "10" }],
    }));
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors, [
      { field: "title", problem: "titleMissing" },
      { field: "period", problem: "periodBadDate" },
      { field: "kr.0.title", problem: "krTitleMissing" },
      { field: "kr.0.unit", problem: "krUnitTooLong" },
      { field: "kr.0.start", problem: "krStartNotNumber" },
    ]);
    const reversed = checkDraft(draft({ periodStart: "2026-12-31", periodEnd: "2026-01-01" }));
    assert.deepEqual(!reversed.ok && reversed.errors, [{ field: "period", problem: "periodReversed" }]);
    const half = checkDraft(draft({ periodEnd: "" }));
    assert.deepEqual(!half.ok && half.errors, [{ field: "period", problem: "periodIncomplete" }]);
    const none = checkDraft(draft({ periodStart: "", periodEnd: "", owner: "" }));
    assert.ok(none.ok && none.value.period === null && none.value.owner === null);
  });

  it("builds a root the protocol's fold reads back as typed", () => {
    const r = checkDraft(draft());
    assert.ok(r.ok);
    const root = buildObjectiveRoot({ anchor: "$a", title: r.value.title, owner: r.value.owner, period: r.value.period, status: r.value.status, keyResults: newKeyResults(r.value, counter()) });
    const folded = foldObjectives({ events: [rootEvent("$o", ALICE, 1, root)], levels: parseRoomPowerLevels({}) }).objectives.get("$o");
    assert.equal(folded?.title, "Réduire les délais");
    assert.deepEqual(folded?.period, { start: { date: "20260101" }, end: { date: "20261231" } });
    assert.deepEqual(folded?.keyResults, [
      { id: "new1", title: "Dossiers traités", unit: "dossiers", start: 0, target: 120 },
      { id: "new2", title: "Délai moyen", unit: "jours", start: 30, target: 12 },
    ]);
    assert.deepEqual(draftFromObjective(folded!), { ...draft(), keyResults: draft().keyResults.map((k, i) => ({ ...k, id: `new${i + 1}` })) });
  });

  it("sends only what changed; the fold applies it and keeps a concurrent edit of another field", () => {
    const levels = parseRoomPowerLevels({});
    const r = checkDraft(draft());
    assert.ok(r.ok);
    const root = rootEvent("$o", ALICE, 1, buildObjectiveRoot({ anchor: "$a", ...r.value, keyResults: newKeyResults(r.value, counter()) }));
    const before = foldObjectives({ events: [root], levels }).objectives.get("$o")!;
    const same = checkDraft(draftFromObjective(before));
    assert.ok(same.ok);
    assert.equal(objectiveChange(before, same.value, counter()), undefined, "nothing changed, nothing sent");

    const edited = draftFromObjective(before);
    edited.owner = BOB;
    edited.status = "at_risk";
    edited.keyResults = [
      { ...edited.keyResults[1]!, target: "10" }, // new1 removed, new2 patched
      { id: undefined, title: "Satisfaction", unit: "%", start: "60", target: "80" },
    ];
    const checked = checkDraft(edited);
    assert.ok(checked.ok);
    const change = objectiveChange(before, checked.value, () => "kr-added");
    assert.deepEqual(change, {
      set: { owner: BOB, status: "at_risk" },
      keyResults: { add: [{ id: "kr-added", title: "Satisfaction", unit: "%", start: 60, target: 80 }], remove: ["new1"], set: { new2: { target: 10 } } },
    });
    // Meanwhile another agent renamed it (same clock, later timestamp): both changes survive.
    const mine = rawEvent("$u1", OBJECTIVE_UPDATE, ALICE, 10, buildObjectiveUpdate({ root: "$o", clock: 1, ...change! }));
    const theirs = rawEvent("$u2", OBJECTIVE_UPDATE, BOB, 11, buildObjectiveUpdate({ root: "$o", clock: 1, set: { title: "Délais réduits" } }));
    const after = foldObjectives({ events: [root, theirs, mine], levels }).objectives.get("$o")!;
    assert.equal(after.title, "Délais réduits");
    assert.equal(after.owner, BOB);
    assert.equal(after.status, "at_risk");
    assert.deepEqual(after.keyResults.map((k) => [k.id, k.target]), [["new2", 10], ["kr-added", 80]]);
    // Clearing the period is sent as null.
    const cleared = checkDraft({ ...draftFromObjective(before), periodStart: "", periodEnd: "" });
    assert.ok(cleared.ok);
    assert.deepEqual(objectiveChange(before, cleared.value, counter())?.set, { period: null });
  });
});

describe("client core: who may create objectives in a room (objectives-setup)", () => {
  const pl = { users: { [ALICE]: 100, [BOB]: 0 }, users_default: 0, state_default: 50, events: {} };
  const levels = parseRoomPowerLevels(pl);
  const state = (() => {
    const s = parseObjectivesState(buildObjectivesState({ anchor: "$a", permissions: { create: 10 } }));
    assert.ok(s.ok);
    return s.value;
  })();

  it("asks the homeserver's level for the state event (events, else state_default, 0 without power levels)", () => {
    assert.equal(stateEventLevel(pl, "fr.entente.objectives"), 50);
    assert.equal(stateEventLevel({ ...pl, events: { "fr.entente.objectives": 75 } }, "fr.entente.objectives"), 75);
    assert.equal(stateEventLevel({ users: {} }, "fr.entente.objectives"), 50);
    assert.equal(stateEventLevel(undefined, "fr.entente.objectives"), 0);
  });

  it("sets the list up only with the configure and state levels; creates with the list's create level", () => {
    assert.deepEqual(objectivesAccess({ userId: ALICE, levels, powerLevelsContent: pl, state: undefined }), { kind: "setup" });
    assert.deepEqual(objectivesAccess({ userId: BOB, levels, powerLevelsContent: pl, state: undefined }), { kind: "forbidden", action: "setup", needed: 50, mine: 0 });
    const strict = { ...pl, events: { "fr.entente.objectives": 100 }, users: { [ALICE]: 75 } };
    assert.deepEqual(objectivesAccess({ userId: ALICE, levels: parseRoomPowerLevels(strict), powerLevelsContent: strict, state: undefined }), { kind: "forbidden", action: "setup", needed: 100, mine: 75 });
    assert.deepEqual(objectivesAccess({ userId: ALICE, levels, powerLevelsContent: pl, state }), { kind: "ready" });
    assert.deepEqual(objectivesAccess({ userId: BOB, levels, powerLevelsContent: pl, state }), { kind: "forbidden", action: "create", needed: 10, mine: 0 });
    // Room version 12: the creator outranks every level without being listed.
    const v12 = parseRoomPowerLevels({ users: {}, state_default: 50 }, { sender: BOB, content: { room_version: "12" } });
    assert.deepEqual(objectivesAccess({ userId: BOB, levels: v12, powerLevelsContent: { users: {}, state_default: 50 }, state: undefined }), { kind: "setup" });
  });
});
