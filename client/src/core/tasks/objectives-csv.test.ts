import assert from "node:assert/strict";
import { OBJECTIVE_CHECKIN } from "./protocol.ts";
import { foldObjectives } from "./protocol.ts";
import { buildObjectiveRoot } from "./protocol.ts";
import { buildCheckin } from "./protocol.ts";
import { parseRoomPowerLevels } from "./protocol.ts";
import { foldTasks } from "./protocol.ts";
import { buildTaskRoot } from "./protocol.ts";
import { rawEvent, rootEvent } from "../../../../appservices/protocol/src/test-support.ts";
import { buildDashboard } from "./objectives-dashboard.ts";
import { CSV_BOM, csvCell, objectivesCsv } from "./objectives-csv.ts";

const ALICE = "@alice:ville-a.fr";
const BOB = "@bob:agglo-b.fr";
const NOW = Date.parse("2026-03-25T09:00:00Z");
const levels = parseRoomPowerLevels({});

function space() {
  const objectiveEvents = [
    rootEvent("$o1", ALICE, 1000, buildObjectiveRoot({
      anchor: "$oa", title: "Réduire les délais; vite", owner: BOB, period: { start: { date: "20260101" }, end: { date: "20261231" } },
      keyResults: [
        { id: "kr1", title: "Dossiers traités", unit: "dossiers", start: 0, target: 200 },
        { id: "kr2", title: "Délai moyen", unit: "jours", start: 30, target: 10 },
      ],
    })),
    rawEvent("$c1", OBJECTIVE_CHECKIN, BOB, 2000, buildCheckin({ root: "$o1", clock: 1, keyResult: "kr1", value: 50 })),
    rawEvent("$c2", OBJECTIVE_CHECKIN, BOB, 2001, buildCheckin({ root: "$o1", clock: 2, keyResult: "kr2", value: 22.5 })),
  ];
  const objectives = foldObjectives({ events: objectiveEvents, levels }).objectives.values();
  const taskEvents = [
    rootEvent("$t1", ALICE, 1100, buildTaskRoot({ anchor: "$a", title: "Numériser le formulaire", status: "done", objective: "$o1" })),
    rootEvent("$t2", ALICE, 1101, buildTaskRoot({ anchor: "$a", title: "=HYPERLINK(\"http://x\")", assignees: [BOB], objective: "$o1", due: { date: "20260301" } })),
    rootEvent("$t3", ALICE, 1102, buildTaskRoot({ anchor: "$a", title: "Sans objectif", due: { date: "20260310" }, status: "doing" })),
    rootEvent("$t4", ALICE, 1103, buildTaskRoot({ anchor: "$a", title: "Fini en retard", due: { date: "20260310" }, status: "done" })),
  ];
  const tasks = foldTasks({ events: taskEvents, levels }).tasks.values();
  return buildDashboard([{ roomId: "!r", roomName: "Urbanisme", objectives, tasks }], NOW, "Europe/Paris");
}

describe("client core: objectives dashboard and its CSV export", () => {
  it("combines check-ins and linked tasks into progress, and lists overdue tasks", () => {
    const d = space();
    const card = d.objectives[0]!;
    assert.deepEqual(card.keyResults.map((k) => [k.keyResult.id, k.value, k.progress]), [["kr1", 50, 0.25], ["kr2", 22.5, 0.375]]);
    assert.equal(card.progress.keyResultShare, 0.3125);
    assert.equal(card.progress.taskShare, 0.5);
    assert.equal(card.progress.overall, 0.40625);
    assert.deepEqual(card.linkedTasks.map((t) => t.task.id), ["$t1", "$t2"]);
    assert.deepEqual(d.overdue.map((t) => t.task.title), ["=HYPERLINK(\"http://x\")", "Sans objectif"], "past due and not done, oldest first");
  });

  it("writes UTF-8 with BOM, ';' separators, CRLF, decimal commas, quoting and no formula", () => {
    const csv = objectivesCsv(space());
    assert.ok(csv.startsWith(CSV_BOM));
    const bytes = Buffer.from(csv, "utf8");
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "the UTF-8 byte-order mark French Excel looks for");
    const lines = csv.slice(1).split("\r\n");
    assert.equal(lines.at(-1), "", "ends with CRLF");
    assert.deepEqual(lines.slice(0, -1), [
      "Salon;Objectif;Ligne;Intitulé;Statut;Responsable ou assignés;Période ou échéance;Valeur;Départ;Cible;Unité;Progression (%)",
      `Urbanisme;"Réduire les délais; vite";Objectif;"Réduire les délais; vite";on_track;'${BOB};01/01/2026 – 31/12/2026;;;;;40,6`,
      `Urbanisme;"Réduire les délais; vite";Résultat clé;Dossiers traités;;;;50;0;200;dossiers;25`,
      `Urbanisme;"Réduire les délais; vite";Résultat clé;Délai moyen;;;;22,5;30;10;jours;37,5`,
      `Urbanisme;"Réduire les délais; vite";Tâche liée;Numériser le formulaire;done;;;;;;;100`,
      `Urbanisme;"Réduire les délais; vite";Tâche liée;"'=HYPERLINK(""http://x"")";todo;'${BOB};01/03/2026;;;;;0`,
    ]);
    assert.match(objectivesCsv(space(), "en").split("\r\n")[0] ?? "", /^\uFEFFRoom;Objective;Row;Title/);
  });

  it("quotes separators, quotes and line breaks, neutralises formulas, leaves numbers alone", () => {
    assert.equal(csvCell("a;b"), '"a;b"');
    assert.equal(csvCell('il a dit "oui"'), '"il a dit ""oui"""');
    assert.equal(csvCell("deux\nlignes"), '"deux\nlignes"');
    assert.equal(csvCell("+33 1 23"), "'+33 1 23");
    assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
    assert.equal(csvCell("@bob:agglo-b.fr"), "'@bob:agglo-b.fr", "Excel would read a leading @ as a formula");
    assert.equal(csvCell(-5), "-5");
    assert.equal(csvCell(1234.567), "1234,57");
    assert.equal(csvCell(null), "");
  });
});
