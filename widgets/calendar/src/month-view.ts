// <entente-calendar-month>: the month as an ARIA grid (rows of seven days from Monday); one
// focusable day at a time (roving tabindex), arrows/Home/End/PageUp/PageDown move it, Enter on a
// day creates an event there; each event is a button.
import { html } from "lit";
import { formatDayLong, formatTime, formatWeekday } from "./format.ts";
import { PeriodView } from "./period-view.ts";
import { monthGrid } from "./month-grid.ts";
import { baseStyles } from "./styles.ts";
import { dayKeyMove, focusDay, newEventAt, openOccurrence } from "./view-events.ts";
import { css } from "lit";
import { addDays, weekdayOf } from "./zoned-time.ts";

const SHOWN = 3;

export class MonthView extends PeriodView {
  static override styles = [baseStyles, css`
    table { width: 100%; border-collapse: collapse; table-layout: fixed; }
    th { font-weight: 600; font-size: 0.8rem; padding: 0.2rem; }
    td { border: 1px solid color-mix(in srgb, var(--entente-muted, #555) 40%, transparent); vertical-align: top; height: 5.5rem; padding: 0.15rem; }
    td.out { background: color-mix(in srgb, var(--entente-muted, #555) 8%, transparent); }
    td.out .num { color: var(--entente-muted, #555); }
    td.today .num { background: var(--entente-accent, #000091); color: #fff; border-radius: 1rem; padding: 0 0.35rem; }
    .num { font-size: 0.8rem; }
    .event + .event { margin-top: 2px; }
  `];

  override render() {
    const weeks = monthGrid(this.occurrences, this.day, this.tz);
    return html`<table role="grid" aria-label=${this.m.month}>
      <thead><tr role="row">${(weeks[0] ?? []).map((d) => html`<th role="columnheader" scope="col">${formatWeekday(this.language, d.day)}</th>`)}</tr></thead>
      <tbody>${weeks.map((week) => html`<tr role="row">${week.map((d) => {
        // Named from its content (axe: label-content-name-mismatch): the full date, read only.
        return html`<td role="gridcell" class="${d.inMonth ? "" : "out"} ${d.day === this.today ? "today" : ""}" data-day=${d.day}
            tabindex=${d.day === this.day ? 0 : -1} aria-selected=${d.day === this.day ? "true" : "false"}
            @keydown=${(e: KeyboardEvent) => this.#key(e, d.day)} @click=${(e: Event) => { if (e.target === e.currentTarget) this.dispatchEvent(focusDay(d.day)); }}>
          <span class="num" aria-hidden="true">${Number(d.day.slice(6))}</span><span class="sr-only">${formatDayLong(this.language, d.day)}</span>
          ${d.occurrences.slice(0, SHOWN).map((o) => html`<button class="event" data-key=${o.key} @click=${() => this.dispatchEvent(openOccurrence(o.key))}>${o.allDay ? "" : `${formatTime(this.language, this.tz, o.start)} `}${o.summary}</button>`)}
          ${d.occurrences.length > SHOWN ? html`<button class="more" @click=${() => this.dispatchEvent(new CustomEvent("show-day", { detail: { day: d.day }, bubbles: true, composed: true }))}>${this.m.more(d.occurrences.length - SHOWN)}</button>` : ""}
        </td>`;
      })}</tr>`)}</tbody>
    </table>`;
  }

  #key(e: KeyboardEvent, day: string): void {
    if (e.target !== e.currentTarget) return;
    if ((e.key === "Enter" || e.key === " ") && this.writable) {
      e.preventDefault();
      this.dispatchEvent(newEventAt(day));
      return;
    }
    const move = dayKeyMove(e.key, e.shiftKey, weekdayOf(day));
    if (move === undefined) return;
    e.preventDefault();
    const next = move === "month-back" ? addDays(day, -28) : move === "month-forward" ? addDays(day, 28) : addDays(day, move);
    this.dispatchEvent(focusDay(next));
  }

  /** Focus the selected day after it moved (called by the app once rendered). */
  focusSelected(): void {
    // The app calls this from its own updated(): this view may not have re-rendered yet.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('td[tabindex="0"]')?.focus());
  }
}

if (!customElements.get("entente-calendar-month")) customElements.define("entente-calendar-month", MonthView);
