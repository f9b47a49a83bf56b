// CSV export of a working group's objectives for spreadsheet users: one line per objective, then
// one per key result and one per linked task. Written for French Excel, which opens a file by
// double-click only if it is UTF-8 with a byte-order mark, separated by ";" (the French list
// separator), with decimal commas; CRLF line ends and RFC 4180 quoting. Text cells that a
// spreadsheet would run as a formula (=, +, -, @, tab, CR first) are prefixed with an apostrophe
// (OWASP "CSV injection"): titles come from any member of the room, of any council.
import { formatTaskDateFr } from "./protocol.ts";
import type { Dashboard } from "./objectives-dashboard.ts";

type Cell = string | number | null;

const HEADERS = {
  fr: ["Salon", "Objectif", "Ligne", "Intitulé", "Statut", "Responsable ou assignés", "Période ou échéance", "Valeur", "Départ", "Cible", "Unité", "Progression (%)"],
  en: ["Room", "Objective", "Row", "Title", "Status", "Owner or assignees", "Period or due date", "Value", "Start", "Target", "Unit", "Progress (%)"],
} as const;
const KINDS = {
  fr: { objective: "Objectif", keyResult: "Résultat clé", task: "Tâche liée" },
  en: { objective: "Objective", keyResult: "Key result", task: "Linked task" },
} as const;

export const CSV_BOM = "\uFEFF";

/** "1234,5" (decimal comma, no grouping: Excel reads it as a number in a French locale). */
export function frenchNumber(n: number): string {
  const rounded = Math.round(n * 100) / 100;
  return String(rounded).replace(".", ",");
}

export function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? frenchNumber(value) : "";
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const percent = (share: number | null): number | null => (share === null ? null : Math.round(share * 1000) / 10);

export function objectivesCsv(d: Dashboard, locale: "fr" | "en" = "fr"): string {
  const kinds = KINDS[locale];
  const rows: Cell[][] = [[...HEADERS[locale]]];
  for (const card of d.objectives) {
    const o = card.objective;
    const period = o.period ? `${formatTaskDateFr(o.period.start)} – ${formatTaskDateFr(o.period.end)}` : null;
    rows.push([card.roomName, o.title, kinds.objective, o.title, o.status, o.owner, period, null, null, null, null, percent(card.progress.overall)]);
    for (const kr of card.keyResults) {
      rows.push([card.roomName, o.title, kinds.keyResult, kr.keyResult.title, null, null, null, kr.value, kr.keyResult.start, kr.keyResult.target, kr.keyResult.unit, percent(kr.progress)]);
    }
    for (const { task } of card.linkedTasks) {
      rows.push([card.roomName, o.title, kinds.task, task.title, task.status, task.assignees.join(", "), task.due ? formatTaskDateFr(task.due) : null, null, null, null, null, task.status === "done" ? 100 : 0]);
    }
  }
  return CSV_BOM + rows.map((r) => r.map(csvCell).join(";")).join("\r\n") + "\r\n";
}
