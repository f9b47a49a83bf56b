// <entente-calendar-agenda>: the coming days that have events, as a list of days, each a list of
// buttons; an empty state when nothing is planned.
import { LitElement, css, html } from "lit";
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import { formatDayLong, formatSpan } from "./format.ts";
import type { CalendarMessages } from "./messages.ts";
import { agendaDays } from "./month-grid.ts";
import type { Occurrence } from "./occurrences.ts";
import { baseStyles } from "./styles.ts";
import { openOccurrence } from "./view-events.ts";

export class AgendaView extends LitElement {
  static override properties = { occurrences: { attribute: false }, from: {}, to: {}, tz: {}, language: {}, m: { attribute: false } };
  declare occurrences: Occurrence[];
  declare from: string;
  declare to: string;
  declare tz: string;
  declare language: WidgetLanguage;
  declare m: CalendarMessages;

  static override styles = [baseStyles, css`
    ol { list-style: none; margin: 0; padding: 0; }
    h3 { font-size: 0.9rem; margin: 0.8rem 0 0.3rem; text-transform: capitalize; }
    li li { margin: 0.2rem 0; }
    .event { white-space: normal; padding: 0.3rem; font-size: 0.9rem; }
    .when { font-weight: 600; margin-right: 0.5rem; }
  `];

  override render() {
    const days = agendaDays(this.occurrences, this.from, this.to, this.tz);
    if (days.length === 0) return html`<p class="empty" role="status">${this.m.empty}</p>`;
    return html`<ol aria-label=${this.m.agenda}>${days.map((d) => html`<li>
      <h3 id=${`d${d.day}`}>${formatDayLong(this.language, d.day)}</h3>
      <ol aria-labelledby=${`d${d.day}`}>${d.occurrences.map((o) => html`<li><button class="event" data-key=${o.key} @click=${() => this.dispatchEvent(openOccurrence(o.key))}>
        <span class="when">${formatSpan(this.language, this.tz, o, this.m.allDay)}</span>${o.summary}${o.location === null ? "" : html` <span class="muted">— ${o.location}</span>`}
      </button></li>`)}</ol></li>`)}</ol>`;
  }
}

if (!customElements.get("entente-calendar-agenda")) customElements.define("entente-calendar-agenda", AgendaView);
