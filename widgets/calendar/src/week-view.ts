// <entente-calendar-week>: seven day columns (an ARIA grid of one row), all-day events on top,
// timed events placed by wall-clock minutes (week-layout.ts) and laid side by side when they
// overlap. Arrows move the focused day; Enter creates an event on it at 09:00.
import { LitElement, css, html } from "lit";
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import { formatDayLong, formatDayShort, formatSpan } from "./format.ts";
import type { CalendarMessages } from "./messages.ts";
import type { Occurrence } from "./occurrences.ts";
import { baseStyles } from "./styles.ts";
import { dayKeyMove, focusDay, newEventAt, openOccurrence } from "./view-events.ts";
import { layoutDays, type DayColumn } from "./week-layout.ts";
import { addDays, mondayOf, weekdayOf } from "./zoned-time.ts";

const PX_PER_HOUR = 36;

export class WeekView extends LitElement {
  static override properties = { occurrences: { attribute: false }, day: {}, today: {}, tz: {}, language: {}, m: { attribute: false }, writable: { type: Boolean } };
  declare occurrences: Occurrence[];
  declare day: string;
  declare today: string;
  declare tz: string;
  declare language: WidgetLanguage;
  declare m: CalendarMessages;
  declare writable: boolean;

  static override styles = [baseStyles, css`
    .grid { display: grid; grid-template-columns: 3rem repeat(7, 1fr); }
    .hours { position: relative; height: ${24 * PX_PER_HOUR}px; font-size: 0.7rem; }
    .hours span { position: absolute; right: 0.25rem; transform: translateY(-0.5em); }
    [role="gridcell"] { border-left: 1px solid color-mix(in srgb, var(--entente-muted, #555) 40%, transparent); min-width: 0; }
    [role="gridcell"].today h3 { color: var(--entente-accent, #000091); }
    h3 { font-size: 0.8rem; margin: 0; padding: 0.2rem; text-align: center; }
    .allday { min-height: 1.4rem; padding: 0 2px; }
    .col { position: relative; height: ${24 * PX_PER_HOUR}px; background: repeating-linear-gradient(to bottom, transparent 0 ${PX_PER_HOUR - 1}px, color-mix(in srgb, var(--entente-muted, #555) 20%, transparent) ${PX_PER_HOUR - 1}px ${PX_PER_HOUR}px); }
    .col .event { position: absolute; white-space: normal; box-sizing: border-box; }
    .scroll { max-height: 70vh; overflow-y: auto; }
  `];

  override render() {
    const monday = mondayOf(this.day);
    const days = layoutDays(this.occurrences, monday, 7, this.tz);
    return html`<div class="scroll"><div class="grid" role="grid" aria-label=${this.m.week}>
      <div class="hours" aria-hidden="true">${Array.from({ length: 24 }, (_, h) => html`<span style="top:${h * PX_PER_HOUR}px">${String(h).padStart(2, "0")}:00</span>`)}</div>
      <div role="row" style="display:contents">${days.map((d) => this.#column(d))}</div>
    </div></div>`;
  }

  #column(d: DayColumn) {
    const count = d.allDay.length + d.timed.length;
    const label = `${formatDayLong(this.language, d.day)}${count === 0 ? ` — ${this.m.emptyDay}` : ` (${count})`}`;
    return html`<div role="gridcell" class=${d.day === this.today ? "today" : ""} data-day=${d.day} tabindex=${d.day === this.day ? 0 : -1}
        aria-selected=${d.day === this.day ? "true" : "false"} aria-label=${label} @keydown=${(e: KeyboardEvent) => this.#key(e, d.day)}>
      <h3 aria-hidden="true">${formatDayShort(this.language, d.day)}</h3>
      <div class="allday">${d.allDay.map((o) => this.#button(o, ""))}</div>
      <div class="col" @dblclick=${(e: MouseEvent) => this.#newAt(e, d.day)}>
        ${d.timed.map((s) => this.#button(s.occurrence, `top:${(s.top / 60) * PX_PER_HOUR}px;height:${(s.height / 60) * PX_PER_HOUR}px;left:${(s.lane / s.lanes) * 100}%;width:${100 / s.lanes}%`))}
      </div>
    </div>`;
  }

  #button(o: Occurrence, style: string) {
    const span = formatSpan(this.language, this.tz, o, this.m.allDay);
    return html`<button class="event" style=${style} data-key=${o.key} aria-label=${`${o.summary}, ${span}`} @click=${() => this.dispatchEvent(openOccurrence(o.key))}>
      <span aria-hidden="true">${o.allDay ? "" : html`<strong>${span}</strong> `}${o.summary}</span></button>`;
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
    this.renderRoot.querySelector<HTMLElement>('[role="gridcell"][tabindex="0"]')?.focus();
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
