// The objective form of the dashboard, pure: what the agent typed (a draft of strings, as form
// fields give them) checked against the protocol's rules (docs/tasks-protocol.md §6), turned into
// a root for a new objective, or into ONE fr.entente.objective.update holding only what changed
// (fields in `set`, key results added, removed or patched by id), so concurrent edits of other
// fields by other agents survive the last-writer-wins fold.
import { OBJECTIVE_STATUSES, type KeyResult, type KeyResultPatch, type Objective, type ObjectiveStatus, type PartialObjectiveFields, type Period } from "./protocol.ts";

export interface KeyResultDraft {
  /** the key result's id; undefined for one added in this form */
  id: string | undefined;
  title: string;
  unit: string;
  start: string;
  target: string;
}

export interface ObjectiveDraft {
  title: string;
  /** user id, "" for none */
  owner: string;
  /** "YYYY-MM-DD" as <input type=date> gives it, "" for none */
  periodStart: string;
  periodEnd: string;
  status: ObjectiveStatus;
  keyResults: KeyResultDraft[];
}

/** What a field can be wrong with (the view words it). */
export type DraftProblem = "titleMissing" | "titleTooLong" | "periodIncomplete" | "periodBadDate" | "periodReversed"
  | "krTitleMissing" | "krTitleTooLong" | "krUnitTooLong" | "krStartNotNumber" | "krTargetNotNumber" | "tooManyKeyResults";

/** A problem and where: "title", "period", or `kr.<index>.<field>`. */
export interface DraftError { field: string; problem: DraftProblem }

export interface CheckedObjective {
  title: string;
  owner: string | null;
  period: Period | null;
  status: ObjectiveStatus;
  /** in form order; `id` undefined for new ones */
  keyResults: (Omit<KeyResult, "id"> & { id: string | undefined })[];
}

/**
 * A whole number as typed ("1 200", "-3"), else undefined. Whole only: a Matrix event is
 * canonical JSON, which has no fractions (a homeserver refuses "12.5" with M_BAD_JSON), so key
 * results count in a unit small enough (metres rather than km, tenths of a point).
 * https://spec.matrix.org/v1.16/appendices/#canonical-json
 */
export function parseWholeNumber(s: string): number | undefined {
  const t = s.trim().replace(/[\s\u202f\u00a0]/g, "");
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** "2026-03-25" → "20260325" when the day exists. */
function icalDay(iso: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${m[1]}${m[2]}${m[3]}`;
}

function checkPeriod(d: ObjectiveDraft, errors: DraftError[]): Period | null {
  const [s, e] = [d.periodStart.trim(), d.periodEnd.trim()];
  if (s === "" && e === "") return null;
  if (s === "" || e === "") {
    errors.push({ field: "period", problem: "periodIncomplete" });
    return null;
  }
  const [start, end] = [icalDay(s), icalDay(e)];
  if (start === undefined || end === undefined) errors.push({ field: "period", problem: "periodBadDate" });
  else if (end < start) errors.push({ field: "period", problem: "periodReversed" });
  else return { start: { date: start }, end: { date: end } };
  return null;
}

/** Checks a draft: the objective to send, or every problem found (none is left for later). */
export function checkDraft(d: ObjectiveDraft): { ok: true; value: CheckedObjective } | { ok: false; errors: DraftError[] } {
  const errors: DraftError[] = [];
  const title = d.title.trim();
  if (title === "") errors.push({ field: "title", problem: "titleMissing" });
  else if (title.length > 500) errors.push({ field: "title", problem: "titleTooLong" });
  const period = checkPeriod(d, errors);
  if (d.keyResults.length > 50) errors.push({ field: "keyResults", problem: "tooManyKeyResults" });
  const keyResults: CheckedObjective["keyResults"] = [];
  d.keyResults.forEach((k, i) => {
    const krTitle = k.title.trim();
    const unit = k.unit.trim();
    const [start, target] = [parseWholeNumber(k.start), parseWholeNumber(k.target)];
    if (krTitle === "") errors.push({ field: `kr.${i}.title`, problem: "krTitleMissing" });
    else if (krTitle.length > 500) errors.push({ field: `kr.${i}.title`, problem: "krTitleTooLong" });
    if (unit.length > 50) errors.push({ field: `kr.${i}.unit`, problem: "krUnitTooLong" });
    if (start === undefined) errors.push({ field: `kr.${i}.start`, problem: "krStartNotNumber" });
    if (target === undefined) errors.push({ field: `kr.${i}.target`, problem: "krTargetNotNumber" });
    if (start !== undefined && target !== undefined) keyResults.push({ id: k.id, title: krTitle, unit, start, target });
  });
  if (errors.length > 0) return { ok: false, errors };
  const status = (OBJECTIVE_STATUSES as readonly string[]).includes(d.status) ? d.status : "on_track";
  return { ok: true, value: { title, owner: d.owner.trim() === "" ? null : d.owner.trim(), period, status, keyResults } };
}

const isoDay = (ical: string): string => `${ical.slice(0, 4)}-${ical.slice(4, 6)}-${ical.slice(6, 8)}`;
/** A period bound as the date input shows it (a date-time bound keeps its day). */
const dayOf = (d: Period["start"]): string => isoDay("date" in d ? d.date : d.value.slice(0, 8));
const numberText = (n: number): string => String(n);

/** An empty draft: the agent owns it, on track, no key result yet. */
export function emptyDraft(owner: string): ObjectiveDraft {
  return { title: "", owner, periodStart: "", periodEnd: "", status: "on_track", keyResults: [] };
}

/** The form's starting values for editing a folded objective. */
export function draftFromObjective(o: Objective): ObjectiveDraft {
  return {
    title: o.title,
    owner: o.owner ?? "",
    periodStart: o.period ? dayOf(o.period.start) : "",
    periodEnd: o.period ? dayOf(o.period.end) : "",
    status: o.status,
    keyResults: o.keyResults.map((k) => ({ id: k.id, title: k.title, unit: k.unit, start: numberText(k.start), target: numberText(k.target) })),
  };
}

/** Key results with fresh ids (`newId` is injected: random in the client, a counter in tests). */
export function newKeyResults(checked: CheckedObjective, newId: () => string): KeyResult[] {
  return checked.keyResults.map((k) => ({ ...k, id: k.id ?? newId() }));
}

export interface ObjectiveChange {
  set: PartialObjectiveFields;
  keyResults: { add: KeyResult[]; remove: string[]; set: Record<string, KeyResultPatch> };
}

const samePeriod = (a: Period | null, b: Period | null): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Only what differs between the folded objective and the checked form; undefined when nothing does. */
export function objectiveChange(before: Objective, after: CheckedObjective, newId: () => string): ObjectiveChange | undefined {
  const set: PartialObjectiveFields = {};
  if (after.title !== before.title) set.title = after.title;
  if (after.owner !== before.owner) set.owner = after.owner;
  if (!samePeriod(after.period, before.period)) set.period = after.period;
  if (after.status !== before.status) set.status = after.status;
  const kept = new Set(after.keyResults.map((k) => k.id).filter((id) => id !== undefined));
  const remove = before.keyResults.filter((k) => !kept.has(k.id)).map((k) => k.id);
  const add: KeyResult[] = [];
  const patches: Record<string, KeyResultPatch> = {};
  for (const k of after.keyResults) {
    const old = k.id === undefined ? undefined : before.keyResults.find((b) => b.id === k.id);
    if (old === undefined) {
      add.push({ id: newId(), title: k.title, unit: k.unit, start: k.start, target: k.target });
      continue;
    }
    const patch: KeyResultPatch = {};
    if (k.title !== old.title) patch.title = k.title;
    if (k.unit !== old.unit) patch.unit = k.unit;
    if (k.start !== old.start) patch.start = k.start;
    if (k.target !== old.target) patch.target = k.target;
    if (Object.keys(patch).length > 0) patches[old.id] = patch;
  }
  const changed = Object.keys(set).length > 0 || add.length > 0 || remove.length > 0 || Object.keys(patches).length > 0;
  return changed ? { set, keyResults: { add, remove, set: patches } } : undefined;
}
