// <entente-calendar-form>: create or edit an event (or one occurrence). Labelled fields, the
// problem announced in an alert next to the button, nothing sent until the draft is valid.
import { LitElement, css, html } from "lit";
import type { EventDraft, Repeat } from "./event-edit.ts";
import type { CalendarMessages } from "./messages.ts";
import { baseStyles } from "./styles.ts";

export type FormMode = "new" | "series" | "occurrence";

/** The form's title, also the name of the dialog holding it (an id cannot cross the shadow root). */
export const formTitle = (mode: FormMode, m: CalendarMessages): string => (mode === "new" ? m.newEvent : mode === "occurrence" ? m.editOccurrence : m.edit);

export class EventForm extends LitElement {
  static override properties = { draft: { attribute: false }, mode: {}, m: { attribute: false }, problem: {}, busy: { type: Boolean }, custom: { type: Boolean } };
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
  }

  static override styles = [baseStyles, css`
    form { display: grid; gap: 0.5rem; }
    label { display: grid; gap: 0.15rem; }
    .pair { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .check { display: flex; gap: 0.4rem; align-items: center; }
    .problem { color: #b00020; }
    h2 { font-size: 1.1rem; margin: 0; }
  `];

  #set<K extends keyof EventDraft>(key: K, value: EventDraft[K]): void {
    this.draft = { ...this.draft, [key]: value };
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
