// <entente-calendar-form>: create or edit an event (or one occurrence). Labelled fields, the
// problem announced in an alert next to the button, nothing sent until the draft is valid.
// Attendees: a checkbox per person of the room (bots left out), and a Matrix id typed in for
// someone not in the room yet (the calendar bot invites them); not per occurrence.
import { LitElement, css, html } from "lit";
import type { EventDraft, Repeat } from "./event-edit.ts";
import type { CalendarMessages } from "./messages.ts";
import { baseStyles } from "./styles.ts";
import { isServiceMember } from "../../../appservices/protocol/src/service-members.ts";
import { isUserId } from "../../../appservices/protocol/src/parse.ts";

export type FormMode = "new" | "series" | "occurrence";

/** Someone the form may invite: a member of the room, as the calendar names them. */
export interface Person { userId: string; label: string }

/** An id typed in as an attendee: a Matrix user id, and not a bot's (the bot would invite it). Pure. */
export function typedAttendee(id: string): "ok" | "invalid" | "bot" {
  if (!isUserId(id)) return "invalid";
  return isServiceMember(id) ? "bot" : "ok";
}

/** The form's title, also the name of the dialog holding it (an id cannot cross the shadow root). */
export const formTitle = (mode: FormMode, m: CalendarMessages): string => (mode === "new" ? m.newEvent : mode === "occurrence" ? m.editOccurrence : m.edit);

export class EventForm extends LitElement {
  static override properties = {
    draft: { attribute: false }, mode: {}, m: { attribute: false }, problem: {}, busy: { type: Boolean }, custom: { type: Boolean },
    people: { attribute: false }, self: {}, typed: { state: true }, typedProblem: { state: true }, inviteLevel: { attribute: false },
  };
  /** The room's invite level when the agent is below it: nobody outside the room can be added. */
  declare inviteLevel: number | undefined;
  /** The room's people who may be invited (bots left out), with their labels. */
  declare people: readonly Person[];
  /** The agent filling the form (the organizer of a new event: not offered). */
  declare self: string;
  declare typed: string;
  declare typedProblem: string;
  /** the event's rule is one the form cannot show: offer to keep it */
  declare custom: boolean;
  declare draft: EventDraft;
  declare mode: FormMode;
  declare m: CalendarMessages;
  declare problem: string;
  declare busy: boolean;

  constructor() {
    super();
    this.problem = "";
    this.busy = false;
    this.custom = false;
    this.people = [];
    this.self = "";
    this.typed = "";
    this.typedProblem = "";
    this.inviteLevel = undefined;
  }

  static override styles = [baseStyles, css`
    form { display: grid; gap: 0.5rem; }
    label { display: grid; gap: 0.15rem; }
    .pair { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .check { display: flex; gap: 0.4rem; align-items: center; }
    .problem { color: #b00020; }
    fieldset { display: grid; gap: 0.3rem; border: 1px solid #ccc; border-radius: 4px; padding: 0.4rem 0.6rem; }
    .people { max-height: 12rem; overflow-y: auto; display: grid; gap: 0.2rem; }
    .hint { margin: 0; font-size: 0.9em; color: #555; }
    h2 { font-size: 1.1rem; margin: 0; }
  `];

  #set<K extends keyof EventDraft>(key: K, value: EventDraft[K]): void {
    this.draft = { ...this.draft, [key]: value };
  }

  #toggle(userId: string, on: boolean): void {
    const rest = this.draft.attendees.filter((id) => id !== userId);
    this.#set("attendees", on ? [...rest, userId] : rest);
  }

  #addTyped(): void {
    const id = this.typed.trim();
    const check = typedAttendee(id);
    if (check !== "ok") {
      this.typedProblem = check === "bot" ? this.m.problem.attendeeBot : this.m.problem.attendee;
      return;
    }
    this.typedProblem = "";
    this.typed = "";
    if (id !== this.self && !this.draft.attendees.includes(id)) this.#set("attendees", [...this.draft.attendees, id]);
  }

  #attendees() {
    const m = this.m;
    const d = this.draft;
    const offered = this.people.filter((p) => p.userId !== this.self);
    const known = new Set(offered.map((p) => p.userId));
    const others = d.attendees.filter((id) => !known.has(id) && id !== this.self).map((userId) => ({ userId, label: userId }));
    const all = [...offered, ...others];
    return html`<fieldset><legend>${m.attendees}</legend>
      ${this.mode === "new" ? html`<p class="hint">${m.attendeesHint}</p>` : ""}
      ${all.length === 0 ? html`<p class="hint">${m.noPeople}</p>` : html`<div class="people">${all.map((p) => html`<label class="check"><input type="checkbox" data-user=${p.userId}
        .checked=${d.attendees.includes(p.userId)} @change=${(e: Event) => this.#toggle(p.userId, (e.target as HTMLInputElement).checked)} /> ${p.label}</label>`)}</div>`}
      ${this.inviteLevel !== undefined ? html`<p class="hint" id="f-invite-level">${m.inviteNeedsLevel(this.inviteLevel)}</p>` : html`<div class="pair"><label>${m.inviteById} <input id="f-invite" type="text" placeholder="@nom:serveur" autocomplete="off" .value=${this.typed}
          aria-describedby="f-invite-problem" aria-invalid=${this.typedProblem === "" ? "false" : "true"}
          @input=${(e: Event) => { this.typed = (e.target as HTMLInputElement).value; }}
          @keydown=${(e: KeyboardEvent) => { if (e.key === "Enter") { e.preventDefault(); this.#addTyped(); } }} /></label>
        <button type="button" id="f-invite-add" @click=${() => this.#addTyped()}>${m.addAttendee}</button></div>`}
      <p class="problem" id="f-invite-problem" role="alert">${this.typedProblem}</p>
    </fieldset>`;
  }

  #submit(e: Event): void {
    e.preventDefault();
    this.dispatchEvent(new CustomEvent<EventDraft>("save-draft", { detail: this.draft, bubbles: true, composed: true }));
  }

  override render() {
    const d = this.draft;
    const m = this.m;
    const input = (key: "summary" | "location" | "startDate" | "endDate" | "startTime" | "endTime" | "until", type: string) =>
      html`<input id=${`f-${key}`} name=${key} type=${type} .value=${d[key]} @input=${(e: Event) => this.#set(key, (e.target as HTMLInputElement).value)} />`;
    return html`<form @submit=${(e: Event) => this.#submit(e)} aria-labelledby="form-title">
      <h2 id="form-title">${formTitle(this.mode, m)}</h2>
      <label>${m.summary} ${input("summary", "text")}</label>
      <label class="check"><input id="f-allday" type="checkbox" .checked=${d.allDay} @change=${(e: Event) => this.#set("allDay", (e.target as HTMLInputElement).checked)} /> ${m.allDay}</label>
      <div class="pair"><label>${m.start} ${input("startDate", "date")}</label>${d.allDay ? "" : html`<label>${m.startTime} ${input("startTime", "time")}</label>`}</div>
      <div class="pair"><label>${m.end} ${input("endDate", "date")}</label>${d.allDay ? "" : html`<label>${m.endTime} ${input("endTime", "time")}</label>`}</div>
      ${this.mode === "occurrence" ? "" : html`<div class="pair">
        <label>${m.repeat} <select id="f-repeat" @change=${(e: Event) => this.#set("repeat", (e.target as HTMLSelectElement).value as Repeat)}>
          <option value="none" ?selected=${d.repeat === "none"}>${m.repeatNone}</option>
          <option value="weekly" ?selected=${d.repeat === "weekly"}>${m.repeatWeekly}</option>
          <option value="monthly" ?selected=${d.repeat === "monthly"}>${m.repeatMonthly}</option>
          ${this.custom ? html`<option value="custom" ?selected=${d.repeat === "custom"}>${m.repeatCustom}</option>` : ""}</select></label>
        ${d.repeat === "none" || d.repeat === "custom" ? "" : html`<label>${m.until} ${input("until", "date")}</label>`}</div>`}
      <label>${m.location} ${input("location", "text")}</label>
      <label>${m.description} <textarea id="f-description" rows="3" .value=${d.description} @input=${(e: Event) => this.#set("description", (e.target as HTMLTextAreaElement).value)}></textarea></label>
      ${this.mode === "occurrence" ? "" : html`<label class="check"><input id="f-video" type="checkbox" .checked=${d.video} @change=${(e: Event) => this.#set("video", (e.target as HTMLInputElement).checked)} /> ${m.video}</label>`}
      ${this.mode === "occurrence" ? "" : this.#attendees()}
      <p class="problem" role="alert">${this.problem}</p>
      <div class="pair"><button class="primary" type="submit" ?disabled=${this.busy}>${m.save}</button>
        <button type="button" @click=${() => this.dispatchEvent(new CustomEvent("close-form", { bubbles: true, composed: true }))}>${m.close}</button></div>
    </form>`;
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>("#f-summary")?.focus();
  }
}

if (!customElements.get("entente-calendar-form")) customElements.define("entente-calendar-form", EventForm);
