// <entente-calendar-week>: seven day columns (an ARIA grid of one row), all-day events on top,
// timed events placed by wall-clock minutes (week-layout.ts) and laid side by side when they
// overlap. Arrows move the focused day; Enter creates an event on it at 09:00.
import { css, html } from "lit";
import { formatDayLong, formatDayShort, formatSpan } from "./format.ts";
import { PeriodView } from "./period-view.ts";
import type { Occurrence } from "./occurrences.ts";
import { baseStyles } from "./styles.ts";
import { dayKeyMove, focusDay, newEventAt, openOccurrence } from "./view-events.ts";
import { layoutDays, type DayColumn } from "./week-layout.ts";
import { addDays, mondayOf, weekdayOf } from "./zoned-time.ts";

const PX_PER_HOUR = 36;

export class WeekView extends PeriodView {
  static override styles = [baseStyles, css`
    .head, .body { display: grid; grid-template-columns: 3rem repeat(7, minmax(0, 1fr)); }
    .head [role="columnheader"] { border-left: 1px solid color-mix(in srgb, var(--entente-muted, #555) 40%, transparent); padding: 0 2px 2px; min-width: 0; }
    .head .today { color: var(--entente-accent, #000091); }
    .day { display: block; font-size: 0.8rem; font-weight: 600; text-align: center; }
    .hours { position: relative; height: ${24 * PX_PER_HOUR}px; font-size: 0.7rem; }
    .hours span { position: absolute; right: 0.25rem; transform: translateY(-0.5em); }
    .hours span:first-child { transform: none; }
    [role="gridcell"] { position: relative; height: ${24 * PX_PER_HOUR}px; min-width: 0; border-left: 1px solid color-mix(in srgb, var(--entente-muted, #555) 40%, transparent);
      background: repeating-linear-gradient(to bottom, transparent 0 ${PX_PER_HOUR - 1}px, color-mix(in srgb, var(--entente-muted, #555) 20%, transparent) ${PX_PER_HOUR - 1}px ${PX_PER_HOUR}px); }
    [role="gridcell"] .event { position: absolute; white-space: normal; box-sizing: border-box; }
    .scroll { max-height: 65vh; overflow-y: auto; }
  `];

  override render() {
    const monday = mondayOf(this.day);
    const days = layoutDays(this.occurrences, monday, 7, this.tz);
    // Row 1: the days (column headers) with their all-day events; row 2: the time grid, one
    // focusable cell per day. Hour labels are decoration (each event says its own time).
    return html`<div role="grid" aria-label=${this.m.week}>
      <div role="row" class="head"><span aria-hidden="true"></span>${days.map((d) => html`<div role="columnheader" class=${d.day === this.today ? "today" : ""}>
        <span class="day" aria-hidden="true">${formatDayShort(this.language, d.day)}</span><span class="sr-only">${formatDayLong(this.language, d.day)}</span>
        ${d.allDay.map((o) => this.#button(o, ""))}</div>`)}</div>
      <div class="scroll"><div role="row" class="body">
        <div class="hours" aria-hidden="true">${Array.from({ length: 24 }, (_, h) => html`<span style="top:${h * PX_PER_HOUR}px">${String(h).padStart(2, "0")}:00</span>`)}</div>
        ${days.map((d) => this.#column(d))}
      </div></div>
    </div>`;
  }

  #column(d: DayColumn) {
    const empty = d.allDay.length + d.timed.length === 0;
    return html`<div role="gridcell" data-day=${d.day} tabindex=${d.day === this.day ? 0 : -1} aria-selected=${d.day === this.day ? "true" : "false"}
        @keydown=${(e: KeyboardEvent) => this.#key(e, d.day)} @dblclick=${(e: MouseEvent) => this.#newAt(e, d.day)}>
      <span class="sr-only">${formatDayLong(this.language, d.day)}${empty ? ` — ${this.m.emptyDay}` : ""}</span>
      ${d.timed.map((s) => this.#button(s.occurrence, `top:${(s.top / 60) * PX_PER_HOUR}px;height:${(s.height / 60) * PX_PER_HOUR}px;left:${(s.lane / s.lanes) * 100}%;width:${100 / s.lanes}%`))}
    </div>`;
  }

  #button(o: Occurrence, style: string) {
    const span = formatSpan(this.language, this.tz, o, this.m.allDay);
    return html`<button class="event" style=${style} data-key=${o.key} @click=${() => this.dispatchEvent(openOccurrence(o.key))}>
      ${o.allDay ? "" : html`<strong>${span}</strong> `}${o.summary}</button>`;
  }

  #newAt(e: MouseEvent, day: string): void {
    if (!this.writable || e.target !== e.currentTarget) return;
    const y = e.offsetY;
    this.dispatchEvent(newEventAt(day, Math.floor((y / PX_PER_HOUR) * 2) * 30));
  }

  #key(e: KeyboardEvent, day: string): void {
    if (e.target !== e.currentTarget) return;
    if ((e.key === "Enter" || e.key === " ") && this.writable) {
      e.preventDefault();
      this.dispatchEvent(newEventAt(day, 9 * 60));
      return;
    }
    const move = dayKeyMove(e.key, e.shiftKey, weekdayOf(day));
    if (move === undefined || typeof move !== "number") return;
    e.preventDefault();
    this.dispatchEvent(focusDay(addDays(day, move)));
  }

  focusSelected(): void {
    // The app calls this from its own updated(): this view may not have re-rendered yet.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[role="gridcell"][tabindex="0"]')?.focus());
  }

  override updated(): void {
    // Start the day at 08:00 rather than midnight, once.
    const scroll = this.renderRoot.querySelector<HTMLElement>(".scroll");
    if (scroll !== null && scroll.dataset["scrolled"] === undefined) {
      scroll.scrollTop = 8 * PX_PER_HOUR;
      scroll.dataset["scrolled"] = "1";
    }
  }
}

if (!customElements.get("entente-calendar-week")) customElements.define("entente-calendar-week", WeekView);
