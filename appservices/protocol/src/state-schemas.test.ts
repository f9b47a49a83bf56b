import assert from "node:assert/strict";
import { buildAnchor, parseAnchor } from "./anchors.ts";
import { formatTaskDateFr, parseTaskDate } from "./dates.ts";
import { buildObjectivesState, DEFAULT_OBJECTIVE_PERMISSIONS, parseObjectivesState } from "./objectives-state.ts";
import { parseRoomPowerLevels, userLevel } from "./power-levels.ts";
import { buildTasksState, DEFAULT_COLUMNS, DEFAULT_TASK_PERMISSIONS, parseTasksState } from "./tasks-state.ts";

const reason = (p: { ok: boolean; reason?: string }): string => (p.ok ? "ok" : (p.reason ?? ""));

describe("protocol: dates (RFC 5545 shapes)", () => {
  it("accepts {tzid, value} and {date}, formats them in French", () => {
    const dt = parseTaskDate({ tzid: "Europe/Paris", value: "20250330T023000" }, "due");
    assert.deepEqual(dt, { ok: true, value: { tzid: "Europe/Paris", value: "20250330T023000" } });
    assert.equal(formatTaskDateFr({ tzid: "Europe/Paris", value: "20250314T180000" }), "14/03/2025 18:00");
    assert.deepEqual(parseTaskDate({ date: "20240229" }, "due"), { ok: true, value: { date: "20240229" } });
    assert.equal(formatTaskDateFr({ date: "20240229" }), "29/02/2024");
  });
  it("rejects impossible or badly shaped dates with a reason", () => {
    for (const bad of [{ date: "20250229" }, { date: "2025-03-14" }, { tzid: "Europe/Paris", value: "20250314T250000" }, { tzid: "Europe/Paris", value: "20251314T100000" },
      { tzid: "Paris time!", value: "20250314T100000" }, { value: "20250314T100000" }, "20250314", null, { tzid: "UTC", value: 20250314 }]) {
      const p = parseTaskDate(bad, "due");
      assert.equal(p.ok, false, JSON.stringify(bad));
      assert.match(reason(p), /^due/);
    }
  });
});

describe("protocol: fr.entente.tasks state", () => {
  it("round-trips through the builder with defaults for columns and permissions", () => {
    const content = buildTasksState({ anchor: "$anchor", bot: "@entente-tasks:ville-a.fr", permissions: { delete: 100 } });
    const parsed = parseTasksState(content);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, { version: 1, anchor: "$anchor", bot: "@entente-tasks:ville-a.fr", columns: DEFAULT_COLUMNS, permissions: { ...DEFAULT_TASK_PERMISSIONS, delete: 100 } });
    assert.deepEqual(parseTasksState({ anchor: "$a" }), { ok: true, value: { version: 1, anchor: "$a", columns: DEFAULT_COLUMNS, permissions: DEFAULT_TASK_PERMISSIONS } });
  });
  it("refuses unknown versions, missing anchors and malformed columns or levels", () => {
    assert.match(reason(parseTasksState({ version: 2, anchor: "$a" })), /unknown schema version 2/);
    assert.match(reason(parseTasksState({ version: 1 })), /anchor must be an event id/);
    assert.match(reason(parseTasksState({ anchor: "$a", columns: [{ id: "a", name: "A" }, { id: "a", name: "B" }] })), /duplicate ids/);
    assert.match(reason(parseTasksState({ anchor: "$a", columns: [{ id: "a", name: "A", status: "later" }] })), /columns\[0\]\.status/);
    assert.match(reason(parseTasksState({ anchor: "$a", power_levels: { delete: "50" } })), /power_levels\.delete/);
    assert.match(reason(parseTasksState({ anchor: "$a", bot: "tasks" })), /bot must be a Matrix user id/);
    assert.equal(parseTasksState([]).ok, false);
  });
});

describe("protocol: anchors and fr.entente.objectives state", () => {
  it("builds and parses anchors", () => {
    assert.deepEqual(parseAnchor(buildAnchor("Groupe voirie")), { ok: true, value: { version: 1, name: "Groupe voirie" } });
    assert.deepEqual(parseAnchor(buildAnchor()), { ok: true, value: { version: 1 } });
    assert.match(reason(parseAnchor({ version: 7 })), /unknown schema version/);
    assert.match(reason(parseAnchor({ name: 3 })), /name must be a string/);
  });
  it("round-trips the objectives state", () => {
    const parsed = parseObjectivesState(buildObjectivesState({ anchor: "$o", permissions: { checkin: 10 } }));
    assert.deepEqual(parsed, { ok: true, value: { version: 1, anchor: "$o", permissions: { ...DEFAULT_OBJECTIVE_PERMISSIONS, checkin: 10 } } });
    assert.match(reason(parseObjectivesState({ anchor: "o" })), /anchor/);
    assert.match(reason(parseObjectivesState({ anchor: "$o", version: 0 })), /positive integer/);
  });
});

describe("protocol: room power levels", () => {
  it("reads users, users_default and redact, tolerating legacy string levels and junk", () => {
    const pl = parseRoomPowerLevels({ users: { "@a:x": 100, "@b:x": "50", "@c:x": "high" }, users_default: 5 });
    assert.equal(userLevel(pl, "@a:x"), 100);
    assert.equal(userLevel(pl, "@b:x"), 50);
    assert.equal(userLevel(pl, "@c:x"), 5);
    assert.equal(userLevel(pl, "@z:y"), 5);
    assert.equal(pl.redact, 50);
    const none = parseRoomPowerLevels("nonsense");
    assert.equal(userLevel(none, "@a:x"), 0);
  });
});
