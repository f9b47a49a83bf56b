import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "../../protocol/src/power-levels.ts";
import { foldTasks } from "../../protocol/src/task-fold.ts";
import { buildTaskRoot, type TaskRootInput } from "../../protocol/src/task-root.ts";
import { rootEvent } from "../../protocol/src/test-support.ts";
import { agentTasks, digestDay, digestText, myTasksText, parseDigestRecord } from "./digest.ts";

const ME = "@alice:ville-a";
const room = (roomId: string, roomName: string, roots: Omit<TaskRootInput, "anchor">[]) =>
  ({ roomId, roomName, tasks: foldTasks({ events: roots.map((r, i) => rootEvent(`$${roomId}${i}`, ME, i, buildTaskRoot({ anchor: "$a", ...r }))), levels: parseRoomPowerLevels({}) }).tasks.values() });

describe("tasks bot: daily digest (pure)", () => {
  it("is due from 08:00 local time, across the spring DST change and in other zones", () => {
    assert.equal(digestDay(Date.parse("2027-03-27T06:59:59Z"), "Europe/Paris"), undefined, "07:59:59 winter time");
    assert.equal(digestDay(Date.parse("2027-03-27T07:00:00Z"), "Europe/Paris"), "20270327");
    assert.equal(digestDay(Date.parse("2027-03-28T05:59:59Z"), "Europe/Paris"), undefined, "07:59:59 summer time");
    assert.equal(digestDay(Date.parse("2027-03-28T06:00:00Z"), "Europe/Paris"), "20270328");
    assert.equal(digestDay(Date.parse("2027-03-28T10:59:59Z"), "America/Cayenne"), undefined);
    assert.equal(digestDay(Date.parse("2027-03-28T11:00:00Z"), "America/Cayenne"), "20270328");
    assert.equal(digestDay(Date.parse("2027-03-28T02:00:00Z"), "America/Cayenne"), "20270327", "still the evening before in Cayenne");
  });

  it("reads its own record", () => {
    assert.equal(parseDigestRecord({ "fr.entente.tasks.digest": { date: "20270327" } }), "20270327");
    assert.equal(parseDigestRecord({ "fr.entente.tasks.digest": { date: "27/03" } }), undefined);
    assert.equal(parseDigestRecord({ body: "x" }), undefined);
  });

  it("lists the agent's overdue and today's tasks across rooms, nothing else", () => {
    const now = Date.parse("2027-03-27T07:00:00Z");
    const tasks = agentTasks([
      room("!v", "Voirie", [
        { title: "Réparer la chaussée", assignees: [ME], due: { date: "20270325" } },
        { title: "Commander les panneaux", assignees: [ME], due: { tzid: "Europe/Paris", value: "20270327T170000" } },
        { title: "Tâche de bob", assignees: ["@bob:ville-a"], due: { date: "20270327" } },
        { title: "Faite", assignees: [ME], due: { date: "20270327" }, status: "done" },
      ]),
      room("!b", "Budget", [
        { title: "Relire le budget", assignees: [ME], due: { date: "20270415" }, status: "doing" },
        { title: "Voter le budget", assignees: [ME], due: { date: "20270327" } },
      ]),
    ], ME, now, "Europe/Paris");
    assert.deepEqual(tasks.map((t) => [t.task.title, t.group]), [
      ["Réparer la chaussée", "overdue"], ["Voter le budget", "today"], ["Commander les panneaux", "today"], ["Relire le budget", "later"],
    ]);
    assert.equal(digestText(tasks, "20270327"), [
      "☀️ Résumé du 27/03/2027 — vos tâches en retard et du jour (your overdue tasks and today's) :",
      "En retard (overdue) — 1 :",
      "• Réparer la chaussée — Voirie — échéance 25/03/2027",
      "Aujourd'hui (today) — 2 :",
      "• Voter le budget — Budget — échéance 27/03/2027",
      "• Commander les panneaux — Voirie — échéance 27/03/2027 17:00 (Europe/Paris)",
    ].join("\n"));
    assert.match(digestText([], "20270328"), /^☀️ Résumé du 28\/03\/2027 : rien en retard ni pour aujourd'hui/);
    assert.match(myTasksText(tasks, 2), /Plus tard \(later\) — 1 :\n• Relire le budget — Budget — échéance 15\/04\/2027 \[en cours\][\s\S]*… et 2 dans d'autres salons/);
    assert.match(myTasksText(tasks, 2, "en"), /^Your open tasks \(\d+\):[\s\S]*Later — 1:\n• Relire le budget — Budget — due 15\/04\/2027 \[in progress\][\s\S]*… and 2 in other rooms: type !my-tasks/);
    assert.doesNotMatch(myTasksText(tasks, 2, "fr"), /\(later\)|other rooms|doing/, "!mes-tâches: French only, the status too");
  });
});
