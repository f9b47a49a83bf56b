// <entente-calendar>: the widget. Holds the view (month, week, list), the focused day, the open
// occurrence and the form; refolds the model when the source says it changed; turns the views'
// and dialogs' events into protocol events (event-edit.ts) sent through the widget API.
import { LitElement, css, html } from "lit";
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import { allowedOn } from "./calendar-model.ts";
import { meetingLink } from "./meeting-link.ts";
import type { CalendarSource } from "./calendar-source.ts";
import type { DetailsAction } from "./event-details.ts";
import {
  blankDraft, cancelEventContent, cancelOccurrenceContent, draftFrom, draftSeries, editOccurrenceContent, editSeriesContent, newEventContent, newUid, originalRule, repeatOf, rsvpContent, type EventDraft,
} from "./event-edit.ts";
import { formTitle, type FormMode } from "./event-form.ts";
import { formatDayLong, formatMonth } from "./format.ts";
import { calendarMessages } from "./messages.ts";
import { addMonths, monthSpan } from "./month-grid.ts";
import { expandOccurrences, type Occurrence } from "./occurrences.ts";
import { EVENT_RSVP, EVENT_UPDATE, ROOM_MESSAGE, type JsonObject } from "./protocol.ts";
import { baseStyles } from "./styles.ts";
import type { FocusDay, NewEventAt, OpenOccurrence } from "./view-events.ts";
import { addDays, dayOf, instantOf, isKnownZone, mondayOf, parseWall } from "./zoned-time.ts";
import "./month-view.ts";
import "./week-view.ts";
import "./agenda-view.ts";
import "./event-details.ts";
import "./event-form.ts";

export type ViewKind = "month" | "week" | "agenda";
const VIEWS: readonly ViewKind[] = ["month", "week", "agenda"];
const AGENDA_DAYS = 31;

interface FormState { mode: FormMode; draft: EventDraft; occurrence: Occurrence | undefined; problem: string; busy: boolean }

export class CalendarApp extends LitElement {
  static override properties = {
    view: { state: true }, day: { state: true }, selected: { state: true }, form: { state: true }, error: { state: true }, revision: { state: true },
  };
  declare view: ViewKind;
  declare day: string;
  declare selected: string | undefined;
  declare form: FormState | undefined;
  declare error: string;
  declare revision: number;
  source!: CalendarSource;
  tz = "Europe/Paris";
  language: WidgetLanguage = "fr";
  userId = "";
  roomId = "";
  writable = false;
  now: () => number = () => Date.now();
  #moveFocus = false;

  constructor() {
    super();
    this.view = "month";
    this.day = "";
    this.selected = undefined;
    this.form = undefined;
    this.error = "";
    this.revision = 0;
  }

  static override styles = [baseStyles, css`
    header { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.5rem; }
    h1 { font-size: 1.1rem; margin: 0 auto 0 0; text-transform: capitalize; }
    [role="tablist"] { display: flex; gap: 0.25rem; }
    dialog { max-width: 34rem; width: 92vw; color: inherit; background: var(--entente-bg, #fff); border: 1px solid var(--entente-muted, #555); border-radius: 6px; }
    .error { color: #b00020; }
    footer { font-size: 0.75rem; margin-top: 0.4rem; }
  `];

  #unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.day === "") this.day = dayOf(this.tz, this.now());
    this.#unsubscribe = this.source.onChange(() => { this.revision += 1; });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
  }

  get m() {
    return calendarMessages(this.language);
  }

  #range(): { from: string; to: string } {
    if (this.view === "month") return monthSpan(this.day);
    if (this.view === "week") return { from: mondayOf(this.day), to: addDays(mondayOf(this.day), 7) };
    return { from: this.day, to: addDays(this.day, AGENDA_DAYS) };
  }

  #occurrences(): Occurrence[] {
    return expandOccurrences(this.source.model.view().events.values(), { ...this.#range(), tz: this.tz });
  }

  override render() {
    const m = this.m;
    const view = this.source.model.view();
    const occurrences = this.#occurrences();
    const selected = occurrences.find((o) => o.key === this.selected);
    const title = this.view === "month" ? formatMonth(this.language, this.day) : this.view === "week" ? `${m.week} — ${formatDayLong(this.language, mondayOf(this.day))}` : formatDayLong(this.language, this.day);
    const common = { occurrences, tz: this.tz, lang: this.language, m };
    return html`
      <header>
        <h1 id="title" aria-live="polite">${title}</h1>
        <div role="tablist" aria-label=${m.views}>${VIEWS.map((v) => html`<button role="tab" id=${`view-${v}`} aria-selected=${this.view === v ? "true" : "false"} @click=${() => { this.view = v; }}>${m[v]}</button>`)}</div>
        <button id="prev" @click=${() => this.#shift(-1)}><span aria-hidden="true">‹</span><span class="sr-only">${m.previous}</span></button>
        <button id="today" @click=${() => { this.day = dayOf(this.tz, this.now()); }}>${m.today}</button>
        <button id="next" @click=${() => this.#shift(1)}><span class="sr-only">${m.next}</span><span aria-hidden="true">›</span></button>
        ${this.writable && view.binding !== undefined ? html`<button id="new-event" class="primary" @click=${() => this.#openNew(this.day, 9 * 60)}>${m.newEvent}</button>` : ""}
      </header>
      ${view.binding === undefined ? html`<p class="muted" role="status" id="no-calendar">${m.noCalendar}</p>` : ""}
      ${this.writable ? "" : html`<p class="muted" role="status">${m.readOnly}</p>`}
      ${this.error === "" ? "" : html`<p class="error" role="alert">${this.error}</p>`}
      <main @open-occurrence=${(e: OpenOccurrence) => { this.selected = e.detail.key; }} @focus-day=${(e: FocusDay) => this.#focusDay(e.detail.day)}
        @new-event=${(e: NewEventAt) => this.#openNew(e.detail.day, e.detail.minutes)} @show-day=${(e: FocusDay) => { this.day = e.detail.day; this.view = "agenda"; }}>
        ${this.view === "month" ? html`<entente-calendar-month .occurrences=${occurrences} .day=${this.day} .today=${dayOf(this.tz, this.now())} .tz=${this.tz} .language=${this.language} .m=${m} ?writable=${this.writable && view.binding !== undefined}></entente-calendar-month>`
          : this.view === "week" ? html`<entente-calendar-week .occurrences=${common.occurrences} .day=${this.day} .today=${dayOf(this.tz, this.now())} .tz=${this.tz} .language=${this.language} .m=${m} ?writable=${this.writable && view.binding !== undefined}></entente-calendar-week>`
          : html`<entente-calendar-agenda .occurrences=${occurrences} .from=${this.day} .to=${addDays(this.day, AGENDA_DAYS)} .tz=${this.tz} .language=${this.language} .m=${m}></entente-calendar-agenda>`}
      </main>
      <footer class="muted">${m.timesIn(this.tz)}</footer>
      <dialog id="details-dialog" aria-label=${selected?.summary ?? ""} @close=${() => { this.selected = undefined; }}>
        ${selected === undefined || this.form !== undefined ? "" : html`<entente-calendar-details .occurrence=${selected} .userId=${this.userId} .tz=${this.tz} .language=${this.language} .m=${m} ?writable=${this.writable}
          .meetingUrl=${meetingLink(selected.event, this.source.model.widgets(), this.roomId)} .nameOf=${(id: string) => this.source.model.memberName(id)} .editable=${allowedOn(view, selected.event, this.userId).edit} .cancellable=${allowedOn(view, selected.event, this.userId).cancel}
          @details-action=${(e: CustomEvent<DetailsAction>) => void this.#onDetails(selected, e.detail)}></entente-calendar-details>`}
      </dialog>
      <dialog id="form-dialog" aria-label=${this.form === undefined ? "" : formTitle(this.form.mode, m)} @close=${() => { this.form = undefined; }}>
        ${this.form === undefined ? "" : html`<entente-calendar-form .draft=${this.form.draft} .mode=${this.form.mode} .m=${m} .people=${this.source.model.people()} .inviteLevel=${this.source.model.inviteLevelAbove(this.userId)} .self=${this.form.mode === "new" ? this.userId : (this.form.occurrence?.event.organizer ?? "")} .problem=${this.form.problem} ?busy=${this.form.busy} ?custom=${this.form.occurrence !== undefined && repeatOf(this.form.occurrence.event.calendar.series.rrule) === "custom"}
          @save-draft=${(e: CustomEvent<EventDraft>) => void this.#save(e.detail)} @close-form=${() => { this.form = undefined; }}></entente-calendar-form>`}
      </dialog>`;
  }

  override updated(): void {
    const sync = (id: string, open: boolean): void => {
      const d = this.renderRoot.querySelector<HTMLDialogElement>(`#${id}`);
      if (d === null) return;
      if (open && !d.open) d.showModal();
      if (!open && d.open) d.close();
    };
    sync("form-dialog", this.form !== undefined);
    sync("details-dialog", this.selected !== undefined && this.form === undefined && this.#occurrences().some((o) => o.key === this.selected));
    if (this.#moveFocus) {
      this.#moveFocus = false;
      (this.renderRoot.querySelector("entente-calendar-month, entente-calendar-week") as { focusSelected?: () => void } | null)?.focusSelected?.();
    }
  }

  #shift(n: number): void {
    if (this.view === "month") this.day = addMonths(this.day, n);
    else this.day = addDays(this.day, n * (this.view === "week" ? 7 : AGENDA_DAYS));
  }

  #focusDay(day: string): void {
    this.day = day;
    this.#moveFocus = true;
  }

  #openNew(day: string, minutes: number | undefined): void {
    const w = parseWall(day);
    const start = instantOf(this.tz, { ...w, hour: Math.floor((minutes ?? 540) / 60), minute: (minutes ?? 540) % 60 });
    this.selected = undefined;
    this.form = { mode: "new", draft: blankDraft(start, this.tz), occurrence: undefined, problem: "", busy: false };
  }

  async #send(type: string, content: JsonObject): Promise<boolean> {
    try {
      await this.source.send(type, content);
      this.error = "";
      return true;
    } catch (e) {
      this.error = this.m.sendFailed(e instanceof Error ? e.message : String(e));
      return false;
    }
  }

  async #onDetails(o: Occurrence, a: DetailsAction): Promise<void> {
    const maxClock = this.source.model.view().maxClock;
    if (a.kind === "close") this.selected = undefined;
    else if (a.kind === "rsvp") await this.#send(EVENT_RSVP, rsvpContent(o, a.status, a.scope));
    else if (a.kind === "edit") {
      const mode = a.scope === "occurrence" && o.series ? "occurrence" : "series";
      this.form = { mode, draft: draftFrom(o, this.tz, mode === "occurrence" ? "occurrence" : "series"), occurrence: o, problem: "", busy: false };
    }
    else if (await this.#send(EVENT_UPDATE, a.scope === "occurrence" && o.series ? cancelOccurrenceContent(o, maxClock) : cancelEventContent(o.event, maxClock))) this.selected = undefined;
  }

  /** Times are stored in the event's own zone, or the binding's default zone for a new one. */
  #storeZone(o: Occurrence | undefined): string {
    const start = o?.event.calendar.series.dtstart;
    if (start !== undefined && "tzid" in start && isKnownZone(start.tzid)) return start.tzid;
    const binding = this.source.model.view().binding?.defaultTzid;
    return binding !== undefined && isKnownZone(binding) ? binding : this.tz;
  }

  async #save(draft: EventDraft): Promise<void> {
    const form = this.form;
    if (form === undefined) return;
    const original = form.mode === "series" && form.occurrence !== undefined ? originalRule(form.occurrence.event, this.tz) : undefined;
    const storeTz = this.#storeZone(form.occurrence);
    const check = form.mode === "occurrence" ? draftSeries({ ...draft, repeat: "none" }, this.tz, undefined, storeTz) : draftSeries(draft, this.tz, original, storeTz);
    if (!check.ok) {
      this.form = { ...form, draft, problem: this.m.problem[check.problem] };
      return;
    }
    this.form = { ...form, draft, problem: "", busy: true };
    const view = this.source.model.view();
    const o = form.occurrence;
    let type = EVENT_UPDATE;
    let content: JsonObject;
    if (form.mode === "new" || o === undefined) {
      type = ROOM_MESSAGE;
      content = newEventContent(draft, check.series, { anchor: view.binding?.anchor ?? "", uid: newUid(Math.random, this.userId.split(":").slice(1).join(":")), organizer: this.userId });
    } else if (form.mode === "occurrence") content = editOccurrenceContent(o, draft, check.series, view.maxClock);
    else content = editSeriesContent(o.event, draft, check.series, view.maxClock);
    const ok = await this.#send(type, content);
    this.form = ok ? undefined : { ...form, draft, busy: false, problem: this.error };
  }
}

if (!customElements.get("entente-calendar")) customElements.define("entente-calendar", CalendarApp);
