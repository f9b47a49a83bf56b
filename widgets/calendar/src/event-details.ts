// <entente-calendar-details>: one occurrence — when (in the agent's zone), where, what, who and
// their answers for this occurrence, the agent's own RSVP (this occurrence or the whole series),
// "Rejoindre la réunion" when the event has a video meeting link, and edit/cancel.
import { LitElement, css, html } from "lit";
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import { answersFor } from "./event-edit.ts";
import { formatDayLong, formatSpan } from "./format.ts";
import type { CalendarMessages } from "./messages.ts";
import type { Occurrence } from "./occurrences.ts";
import { recurrenceLabelFr, rsvpOf, type RsvpStatus } from "./protocol.ts";
import { baseStyles } from "./styles.ts";

const STATUSES: readonly RsvpStatus[] = ["accepted", "tentative", "declined"];

export type DetailsAction =
  | { kind: "rsvp"; status: RsvpStatus; scope: "series" | "occurrence" }
  | { kind: "edit"; scope: "series" | "occurrence" }
  | { kind: "cancel"; scope: "series" | "occurrence" }
  | { kind: "close" };

export class EventDetails extends LitElement {
  static override properties = { occurrence: { attribute: false }, userId: {}, tz: {}, language: {}, m: { attribute: false }, writable: { type: Boolean }, meetingUrl: {}, nameOf: { attribute: false }, editable: { type: Boolean }, cancellable: { type: Boolean }, scope: { state: true }, confirming: { state: true } };
  declare occurrence: Occurrence;
  declare userId: string;
  declare tz: string;
  declare language: WidgetLanguage;
  declare m: CalendarMessages;
  declare writable: boolean;
  /** where "Rejoindre la réunion" goes (meeting-link.ts), when the event has a meeting */
  declare meetingUrl: string | undefined;
  /** a person's name from their Matrix id (the room's members), the id itself when unknown */
  declare nameOf: (userId: string) => string;
  /** the fold would accept this agent's changes / cancellation of this event (power levels) */
  declare editable: boolean;
  declare cancellable: boolean;
  declare scope: "series" | "occurrence";
  declare confirming: "series" | "occurrence" | undefined;

  constructor() {
    super();
    this.scope = "series";
    this.confirming = undefined;
    this.editable = true;
    this.cancellable = true;
    this.nameOf = (userId) => userId;
  }

  static override styles = [baseStyles, css`
    h2 { font-size: 1.1rem; margin: 0 0 0.3rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; margin: 0.5rem 0; }
    dt { font-weight: 600; }
    dd { margin: 0; white-space: pre-wrap; }
    ul { margin: 0; padding-left: 1.2rem; }
    .row { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0; align-items: center; }
    a.join { display: inline-block; padding: 0.3rem 0.7rem; border-radius: 4px; background: var(--entente-accent, #000091); color: #fff; text-decoration: none; }
  `];

  #act(a: DetailsAction): void {
    this.dispatchEvent(new CustomEvent<DetailsAction>("details-action", { detail: a, bubbles: true, composed: true }));
  }

  override render() {
    const o = this.occurrence;
    const ev = o.event;
    const m = this.m;
    const day = o.allDay ? (o.startDay ?? "") : new Intl.DateTimeFormat("en-CA", { timeZone: this.tz }).format(o.start).replace(/-/g, "");
    const mine = rsvpOf(ev, this.userId, this.scope === "occurrence" ? o.recurrenceId : undefined);
    const series = o.series;
    return html`<section aria-labelledby="details-title">
      <h2 id="details-title">${o.summary}</h2>
      <p>${formatDayLong(this.language, day)} · ${formatSpan(this.language, this.tz, o, m.allDay)}${series ? html` · <span class="muted">${this.language === "fr" ? recurrenceLabelFr(ev.calendar.series.rrule) : m.recurring}</span>` : ""}${o.overridden ? html` · <span class="muted">${m.movedOccurrence}</span>` : ""}</p>
      <dl>
        ${o.location === null ? "" : html`<dt>${m.location}</dt><dd>${o.location}</dd>`}
        ${o.description === null ? "" : html`<dt>${m.description}</dt><dd>${o.description}</dd>`}
        ${ev.organizer === null ? "" : html`<dt>${m.organizer}</dt><dd title=${ev.organizer}>${this.nameOf(ev.organizer)}</dd>`}
      </dl>
      ${this.#video()}
      <h3>${m.attendees}</h3>
      <ul class="answers">${answersFor(o).map((a) => html`<li data-user=${a.userId}><span title=${a.userId}>${a.name ?? this.nameOf(a.userId)}</span> — <span class="status">${a.status === undefined ? m.noAnswer : m.status[a.status]}</span></li>`)}</ul>
      ${this.writable ? html`
        <h3 id="rsvp-title">${m.rsvpTitle}</h3>
        ${series ? html`<label>${m.rsvpFor} <select id="rsvp-scope" @change=${(e: Event) => { this.scope = (e.target as HTMLSelectElement).value as "series" | "occurrence"; }}>
          <option value="series" ?selected=${this.scope === "series"}>${m.rsvpSeries}</option>
          <option value="occurrence" ?selected=${this.scope === "occurrence"}>${m.rsvpOccurrence}</option></select></label>` : ""}
        <div class="row" role="group" aria-labelledby="rsvp-title">${STATUSES.map((s) => html`<button data-status=${s} aria-pressed=${mine === s ? "true" : "false"} @click=${() => this.#act({ kind: "rsvp", status: s, scope: this.scope })}>${m.answer[s]}</button>`)}</div>
        ${this.editable ? html`<div class="row">
          ${series ? html`<button id="edit-occurrence" @click=${() => this.#act({ kind: "edit", scope: "occurrence" })}>${m.editOccurrence}</button>
            <button id="edit-series" @click=${() => this.#act({ kind: "edit", scope: "series" })}>${m.editSeries}</button>` : html`<button id="edit-series" @click=${() => this.#act({ kind: "edit", scope: "series" })}>${m.edit}</button>`}
          ${series ? html`<button id="cancel-occurrence" @click=${() => { this.confirming = "occurrence"; }}>${m.cancelOccurrence}</button>` : ""}
          ${!this.cancellable ? "" : series ? html`<button id="cancel-series" @click=${() => { this.confirming = "series"; }}>${m.cancelSeries}</button>` : html`<button id="cancel-series" @click=${() => { this.confirming = "series"; }}>${m.cancelEvent}</button>`}
        </div>` : ""}
        ${this.confirming === undefined ? "" : html`<div class="row" role="alert"><button id="confirm-cancel" class="primary" @click=${() => { const scope = this.confirming ?? "series"; this.confirming = undefined; this.#act({ kind: "cancel", scope }); }}>${m.confirmCancel}</button></div>`}
      ` : ""}
      <div class="row"><button id="close-details" @click=${() => this.#act({ kind: "close" })}>${m.close}</button></div>
    </section>`;
  }

  #video() {
    const video = this.occurrence.event.video;
    if (video === null) return "";
    // The meeting's plain link opens in a new tab (the hosts' sandbox allows popups): no client
    // action is needed, so it works the same in our client and in Element.
    if (this.meetingUrl !== undefined) return html`<p><a class="join" href=${this.meetingUrl} target="_blank" rel="noopener noreferrer">${this.m.joinMeeting}</a></p>`;
    return html`<p class="muted">${this.m.meetingPending}</p>`;
  }
}

if (!customElements.get("entente-calendar-details")) customElements.define("entente-calendar-details", EventDetails);
