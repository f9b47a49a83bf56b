import assert from "node:assert/strict";
import { parseTaskCommand } from "./task-command.ts";

const NOW = Date.parse("2027-03-20T10:00:00Z");
const opts = { timeZone: "Europe/Paris", now: NOW };

describe("!tâche arguments", () => {
  it("reads the issue's example: title, assignee of another council, due date", () => {
    assert.deepEqual(parseTaskCommand("Préparer le budget @bob:agglo-b pour le 15/01", opts),
      { ok: true, value: { title: "Préparer le budget", assignees: ["@bob:agglo-b"], due: { date: "20280115" } } });
  });
  it("takes a time in the sender's zone, a year, English words and m.mentions", () => {
    assert.deepEqual(parseTaskCommand("Budget avant le 28/03/2027 à 10h @a:x @b:y", { ...opts, mentions: ["@c:z", "@bot:x"], botUserId: "@bot:x" }),
      { ok: true, value: { title: "Budget", assignees: ["@a:x", "@b:y", "@c:z"], due: { tzid: "Europe/Paris", value: "20270328T100000" } } });
    assert.deepEqual(parseTaskCommand("Minutes by 21/03 at 18:30", { ...opts, timeZone: "America/Cayenne" }),
      { ok: true, value: { title: "Minutes", assignees: [], due: { tzid: "America/Cayenne", value: "20270321T183000" } } });
    assert.deepEqual(parseTaskCommand("Relire le 20/03", opts), { ok: true, value: { title: "Relire", assignees: [], due: { date: "20270320" } } });
  });
  it("answers malformed input in plain words", () => {
    const e = (a: string): string => { const r = parseTaskCommand(a, opts); assert.equal(r.ok, false); return r.ok ? "" : r.error; };
    assert.match(e(""), /Il manque le titre.*needs a title/);
    assert.match(e("@bob:x pour le 12/05"), /Il manque le titre/);
    assert.match(e("X pour le 31/04"), /n'existe pas.*is not a date/);
    assert.match(e("X pour le 29/02/2027"), /29\/02\/2027/);
    assert.match(e("X pour le 12/05 à 25h"), /25h.*not a time/);
    assert.match(e("x".repeat(501)), /500/);
  });
  it("answers in the command's language when it has one (!tâche French, !task English)", () => {
    const e = (a: string, lang: "fr" | "en"): string => { const r = parseTaskCommand(a, { ...opts, lang }); return r.ok ? "" : r.error; };
    assert.equal(e("", "en"), "The task needs a title: !task <title> [@person] [by DD/MM]");
    assert.equal(e("", "fr"), "Il manque le titre de la tâche : !tâche <titre> [@personne] [pour le JJ/MM]");
    assert.equal(e("X by 31/04", "en"), "31/04 is not a date.");
  });
});
