// The readable fallback `body` of an event root, in French, for clients that know nothing of
// fr.entente.event: "📅 Commission travaux — mar. 1 déc. 2026 18:00–20:00 (hebdomadaire)".
// Wall-clock values are shown as written (in the event's zone); clients that know the protocol
// show each member the time in their own `m.tz`.
import type { CalendarDate, SeriesEntry } from "./calendar-dates.ts";

// The wall clock is formatted as if it were UTC: only the calendar date's parts matter here.
const DAY = new Intl.DateTimeFormat("fr-FR", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

function dayOf(d: CalendarDate): string {
  const s = "date" in d ? d.date : d.value;
  return DAY.format(new Date(Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)))));
}

const timeOf = (d: { value: string }): string => `${d.value.slice(9, 11)}:${d.value.slice(11, 13)}`;

const FREQ_FR: Record<string, [string, string]> = {
  DAILY: ["quotidien", "jours"],
  WEEKLY: ["hebdomadaire", "semaines"],
  MONTHLY: ["mensuel", "mois"],
  YEARLY: ["annuel", "ans"],
};

/** "hebdomadaire", "toutes les 2 semaines", or undefined for a single event. */
export function recurrenceLabelFr(rrule: string | undefined): string | undefined {
  if (rrule === undefined) return undefined;
  const parts = new Map(rrule.split(";").map((p) => p.split("=") as [string, string]));
  const freq = FREQ_FR[parts.get("FREQ") ?? ""];
  if (freq === undefined) return "récurrent";
  const interval = Number(parts.get("INTERVAL") ?? "1");
  if (!(interval > 1)) return freq[0];
  return `${freq[1] === "semaines" ? "toutes" : "tous"} les ${interval} ${freq[1]}`;
}

export function whenFr(series: SeriesEntry): string {
  const { dtstart, dtend } = series;
  if ("date" in dtstart) {
    // DTEND of an all-day event is exclusive (RFC 5545 §3.6.1): a one-day event ends the next day.
    const last = "date" in dtend ? addDays(dtend.date, -1) : dtstart.date;
    return last > dtstart.date ? `${dayOf(dtstart)} – ${dayOf({ date: last })}` : `${dayOf(dtstart)} (journée)`;
  }
  if ("date" in dtend) return dayOf(dtstart);
  const sameDay = dtend.value.slice(0, 8) === dtstart.value.slice(0, 8);
  return sameDay ? `${dayOf(dtstart)} ${timeOf(dtstart)}–${timeOf(dtend)}` : `${dayOf(dtstart)} ${timeOf(dtstart)} – ${dayOf(dtend)} ${timeOf(dtend)}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)) + days));
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
}

export function eventBodyFr(summary: string, series: SeriesEntry, cancelled = false): string {
  const label = recurrenceLabelFr(series.rrule);
  const body = `📅 ${summary} — ${whenFr(series)}${label === undefined ? "" : ` (${label})`}`;
  return cancelled ? `❌ Annulé : ${body}` : body;
}
