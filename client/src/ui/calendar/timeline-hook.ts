// The timeline's hook for messages it does not render itself: today a calendar event root
// (msgtype fr.entente.event) becomes <ent-calendar-event>. Returns undefined for everything else,
// so the timeline keeps its own rendering (the French `body` fallback of the root included).
import { html } from "lit";
import type { EventCard } from "../../core/calendar/event-card-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import "./calendar-event-card.ts";

export function customMessageBody(m: { calendarEvent?: EventCard }, i18n: I18n): unknown {
  if (m.calendarEvent === undefined) return undefined;
  return html`<ent-calendar-event .event=${m.calendarEvent} .i18n=${i18n}></ent-calendar-event>`;
}
