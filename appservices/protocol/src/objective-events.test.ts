import assert from "node:assert/strict";
import { OBJECTIVE_CONTENT_KEY } from "./event-types.ts";
import { buildObjectiveRoot, OBJECTIVE_DEFAULTS, objectiveBody, parseObjectiveRoot } from "./objective-root.ts";
import { buildCheckin, buildObjectiveUpdate, parseCheckin, parseObjectiveUpdate } from "./objective-update.ts";

const reason = (p: { ok: boolean; reason?: string }): string => (p.ok ? "ok" : (p.reason ?? ""));
const KR = { id: "kr1", title: "Dossiers traités", unit: "dossiers", start: 0, target: 120 };

describe("protocol: objective root", () => {
  it("builds a root with a French body and parses it back", () => {
    const content = buildObjectiveRoot({ anchor: "$oa", title: "Réduire les délais d'instruction", owner: "@alice:ville-a.fr", period: { start: { date: "20250101" }, end: { date: "20251231" } }, keyResults: [KR] });
    assert.equal(content["body"], "🎯 Objectif : Réduire les délais d'instruction (du 01/01/2025 au 31/12/2025)");
    assert.equal(objectiveBody({ title: "Sans période" }), "🎯 Objectif : Sans période");
    const parsed = parseObjectiveRoot(JSON.parse(JSON.stringify(content)));
    assert.deepEqual(parsed, {
      ok: true,
      value: { version: 1, anchor: "$oa", fields: { ...OBJECTIVE_DEFAULTS, title: "Réduire les délais d'instruction", owner: "@alice:ville-a.fr", period: { start: { date: "20250101" }, end: { date: "20251231" } } }, keyResults: [KR] },
    });
  });
  it("refuses malformed objectives", () => {
    const good = buildObjectiveRoot({ anchor: "$oa", title: "O" });
    const withO = (patch: Record<string, unknown>) => ({ ...good, [OBJECTIVE_CONTENT_KEY]: { ...(good[OBJECTIVE_CONTENT_KEY] as object), ...patch } });
    const cases: [unknown, RegExp][] = [
      [withO({ version: 9 }), /unknown schema version 9/],
      [withO({ status: "great" }), /status must be one of/],
      [withO({ owner: "alice" }), /owner must be a Matrix user id/],
      [withO({ period: { start: { date: "20250101" } } }), /period\.end/],
      [withO({ key_results: [{ id: "a", title: "A", start: 0 }] }), /needs title, start and target/],
      [withO({ key_results: [{ ...KR, target: "120" }] }), /target must be a finite number/],
      [withO({ key_results: [KR, KR] }), /duplicate ids/],
      [{ ...good, msgtype: "fr.entente.task" }, /msgtype/],
    ];
    for (const [content, re] of cases) assert.match(reason(parseObjectiveRoot(content)), re);
  });
});

describe("protocol: objective update and check-in", () => {
  it("round-trips an update with key-result operations", () => {
    const content = buildObjectiveUpdate({ root: "$o", clock: 4, set: { status: "at_risk" }, keyResults: { add: [KR], remove: ["kr0"], set: { kr2: { target: 50 } } }, delete: false });
    assert.deepEqual(parseObjectiveUpdate(JSON.parse(JSON.stringify(content))), {
      ok: true,
      value: { version: 1, root: "$o", clock: 4, set: { status: "at_risk" }, keyResults: { add: [KR], remove: ["kr0"], set: { kr2: { target: 50 } } }, delete: false },
    });
    assert.match(reason(parseObjectiveUpdate({ ...content, key_results: { set: { kr2: { target: null } } } })), /key_results\.set\.kr2\.target/);
    assert.match(reason(parseObjectiveUpdate({ ...content, clock: undefined })), /clock/);
  });
  it("round-trips a check-in and refuses bad values", () => {
    const content = buildCheckin({ root: "$o", clock: 3, keyResult: "kr1", value: 42.5, note: "après la commission" });
    assert.deepEqual(parseCheckin(content), { ok: true, value: { version: 1, root: "$o", clock: 3, keyResult: "kr1", value: 42.5, note: "après la commission" } });
    assert.match(reason(parseCheckin({ ...content, value: "42" })), /value must be a finite number/);
    assert.match(reason(parseCheckin({ ...content, key_result: "" })), /key_result must not be empty/);
    assert.match(reason(parseCheckin({ ...content, version: 2 })), /unknown schema version/);
  });
});
