import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "./protocol.ts";
import { foldTasks } from "./protocol.ts";
import { buildTaskRoot, type TaskRootInput } from "./protocol.ts";
import { buildTaskUpdate } from "./protocol.ts";
import { rootEvent, updateEvent } from "../../../../appservices/protocol/src/test-support.ts";
import { endOfWeek, placeDue } from "./due-groups.ts";
import { collectMyTasks, groupMyTasks } from "./my-tasks.ts";

const ME = "@alice:ville-a.fr";
const BOB = "@bob:agglo-b.fr";
const PARIS = "Europe/Paris";
// Wednesday 25 March 2026, 10:00 in Paris (09:00Z, winter time)
const NOW = Date.parse("2026-03-25T09:00:00Z");

function roomList(roomId: string, roomName: string, roots: Omit<TaskRootInput, "anchor">[], updates: { root: number; set: Record<string, unknown> }[] = []) {
  const events = roots.map((r, i) => rootEvent(`$${roomId}-${i}`, ME, 1000 + i, buildTaskRoot({ anchor: "$a", ...r })));
  updates.forEach((u, i) => events.push(updateEvent(`$${roomId}-u${i}`, ME, 5000 + i, buildTaskUpdate({ root: `$${roomId}-${u.root}`, clock: i + 1, set: u.set }))));
  return { roomId, roomName, tasks: foldTasks({ events, levels: parseRoomPowerLevels({}) }).tasks.values() };
}

describe("client core: Mes tâches (collect and group by due date)", () => {
  it("places due dates in the agent's zone: overdue, today, this week (through Sunday), later, none", () => {
    assert.equal(endOfWeek(NOW, PARIS), "20260329");
    assert.equal(placeDue(null, NOW, PARIS).group, "none");
    assert.equal(placeDue({ date: "20260324" }, NOW, PARIS).group, "overdue");
    assert.equal(placeDue({ date: "20260325" }, NOW, PARIS).group, "today", "an all-day date is not overdue during its day");
    assert.equal(placeDue({ tzid: PARIS, value: "20260325T093000" }, NOW, PARIS).group, "overdue", "09:30 today has passed at 10:00");
    assert.equal(placeDue({ tzid: PARIS, value: "20260325T180000" }, NOW, PARIS).group, "today");
    assert.equal(placeDue({ date: "20260329" }, NOW, PARIS).group, "week");
    assert.equal(placeDue({ date: "20260330" }, NOW, PARIS).group, "later");
    // 23:30 in New York on the 25th is 04:30 on the 26th in Paris: "this week", not "today".
    assert.equal(placeDue({ tzid: "America/New_York", value: "20260325T233000" }, NOW, PARIS).group, "week");
    // Seen from Cayenne (UTC-3), it is still the 25th there at 02:30Z on the 26th... and 06:00 on the 25th now.
    assert.equal(placeDue({ tzid: PARIS, value: "20260326T023000" }, NOW, "America/Cayenne").group, "today");
    // Sunday 29 March 2026 is the DST change in Paris: Sunday is still "this week" and Monday is later.
    const sunday = Date.parse("2026-03-29T10:00:00Z");
    assert.equal(placeDue({ date: "20260329" }, sunday, PARIS).group, "today");
    assert.equal(placeDue({ date: "20260330" }, sunday, PARIS).group, "later");
    // An unknown zone from another client: read in the agent's zone rather than lost.
    assert.equal(placeDue({ tzid: "Mars/Olympus", value: "20260325T180000" }, NOW, PARIS).group, "today");
  });

  it("lists the agent's open tasks across rooms, folded (updates applied), grouped and sorted", () => {
    const budget = roomList("!budget", "Budget 2027", [
      { title: "Voter le budget", assignees: [ME], due: { date: "20260320" } },
      { title: "Relire la note", assignees: [ME, BOB], due: { tzid: PARIS, value: "20260325T170000" } },
      { title: "Tâche de Bob", assignees: [BOB], due: { date: "20260325" } },
      { title: "Déjà faite", assignees: [ME], due: { date: "20260325" } },
      { title: "Prévenir la presse", assignees: [], due: { date: "20260326" } },
    ], [
      { root: 3, set: { status: "done" } },
      { root: 4, set: { assignees: [ME] } },
    ]);
    const voirie = roomList("!voirie", "Voirie", [
      { title: "Appel d'offres", assignees: [ME], priority: 1 },
      { title: "Chantier rue Haute", assignees: [ME], due: { date: "20260415" } },
      { title: "Annulée", assignees: [ME], status: "cancelled" },
      { title: "Au plus tôt", assignees: [ME], due: { tzid: PARIS, value: "20260325T120000" }, priority: 9 },
    ]);
    const groups = groupMyTasks(collectMyTasks([budget, voirie], ME, NOW, PARIS));
    const titles = Object.fromEntries(groups.map((g) => [g.group, g.tasks.map((t) => `${t.task.title} (${t.roomName})`)]));
    assert.deepEqual(titles, {
      overdue: ["Voter le budget (Budget 2027)"],
      today: ["Au plus tôt (Voirie)", "Relire la note (Budget 2027)"],
      week: ["Prévenir la presse (Budget 2027)"],
      later: ["Chantier rue Haute (Voirie)"],
      none: ["Appel d'offres (Voirie)"],
    });
    assert.deepEqual(groups.map((g) => g.group), ["overdue", "today", "week", "later", "none"]);
    const press = groups[2]?.tasks[0];
    assert.equal(press?.roomId, "!budget", "assigned to me by an update");
    assert.equal(press?.task.id, "$!budget-4");
  });
});
