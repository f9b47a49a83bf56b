// <ent-objective-dialog>: create or edit an objective in a native modal <dialog> (the browser
// traps focus in it and closes it on Escape, RGAA 7.1; focus goes back to the opener). Title,
// owner picked among the working group's members, period, status, and key results to add, edit
// or remove. Every problem is shown at its field (aria-invalid + aria-describedby) and counted in
// an alert; focus goes to the first wrong field. The parent's `save` sends the events; the dialog
// stays open with the error in words if it fails.
import { LitElement, css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { OBJECTIVE_STATUSES, type ObjectiveStatus } from "../../core/tasks/protocol.ts";
import { checkDraft, type CheckedObjective, type DraftError, type KeyResultDraft, type ObjectiveDraft } from "../../core/tasks/objective-draft.ts";
import type { MemberRef, ObjectiveRoomChoice } from "../../core/tasks/tasks-port.ts";
import { memberOptionLabel } from "../../core/tasks/member-option.ts";
import { defaultObjectiveRoom } from "../../core/tasks/objective-room-choice.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { tasksTranslator, type TasksTranslate } from "../tasks/tasks-messages.ts";

export interface ObjectiveSaveRequest { roomId: string; checked: CheckedObjective }

type Row = KeyResultDraft & { key: number };

export class ObjectiveDialog extends LitElement {
  static override properties = {
    i18n: { attribute: false }, mode: { state: true }, rooms: { state: true }, members: { state: true },
    draft: { state: true }, rows: { state: true }, roomId: { state: true }, errors: { state: true }, failure: { state: true }, busy: { state: true }, announce: { state: true },
  };
  declare i18n: I18n;
  /** Sends what the form holds; a rejection is shown in the dialog. */
  save: (req: ObjectiveSaveRequest) => Promise<void> = () => Promise.resolve();
  declare mode: "create" | "edit";
  declare rooms: ObjectiveRoomChoice[];
  declare members: MemberRef[];
  declare draft: ObjectiveDraft;
  declare rows: Row[];
  declare roomId: string;
  declare errors: DraftError[];
  declare failure: string;
  declare busy: boolean;
  declare announce: string;
  private nextKey = 0;
  private opener: HTMLElement | undefined;

  static override styles = [theme, css`
    dialog { border: none; border-radius: 10px; padding: 1.5rem; width: min(44rem, 94vw); max-height: 90vh; overflow-y: auto; }
    form { display: grid; gap: 0.8rem; }
    h2 { margin: 0; font-size: 1.2rem; }
    .field { display: grid; gap: 0.25rem; min-width: 0; }
    .field input, .field select { width: 100%; box-sizing: border-box; }
    .error, .problem { overflow-wrap: anywhere; }
    .row2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.8rem; }
    fieldset { border: 1px solid var(--border); border-radius: var(--radius); display: grid; gap: 0.5rem; padding: 0.6rem 0.8rem; }
    fieldset.kr { grid-template-columns: minmax(0, 2fr) repeat(3, minmax(0, 1fr)); align-items: end; }
    fieldset.kr legend { font-weight: 600; }
    fieldset.kr .remove { grid-column: 1 / -1; justify-self: start; }
    .problem { color: var(--danger); font-size: 0.9rem; margin: 0; }
    [aria-invalid="true"] { border-color: var(--danger); border-width: 2px; }
    .actions { display: flex; justify-content: flex-end; gap: 0.5rem; }
  `];

  constructor() {
    super();
    this.mode = "create";
    this.rooms = [];
    this.members = [];
    this.draft = { title: "", owner: "", periodStart: "", periodEnd: "", status: "on_track", keyResults: [] };
    this.rows = [];
    this.roomId = "";
    this.errors = [];
    this.failure = "";
    this.busy = false;
    this.announce = "";
  }

  private get tr(): TasksTranslate {
    return tasksTranslator(this.i18n.locale);
  }

  /** Opens the form; `roomId` is the objective's room (edit) or the room picked first (create). */
  open(input: { mode: "create" | "edit"; draft: ObjectiveDraft; rooms: ObjectiveRoomChoice[]; members: MemberRef[]; roomId?: string }): void {
    this.opener = deepActiveElement();
    this.mode = input.mode;
    this.draft = { ...input.draft };
    this.rows = input.draft.keyResults.map((k) => ({ ...k, key: this.nextKey++ }));
    this.rooms = input.rooms;
    // Owners offered: the members, plus the current owner if they have left.
    const owner = input.draft.owner;
    this.members = owner !== "" && !input.members.some((m) => m.userId === owner) ? [...input.members, { userId: owner, name: owner }] : input.members;
    this.roomId = input.roomId ?? defaultObjectiveRoom(input.rooms);
    this.errors = [];
    this.failure = "";
    this.announce = "";
    void this.updateComplete.then(() => this.dialog()?.showModal());
  }

  private dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  private close(): void {
    this.dialog()?.close();
  }

  private onClosed(): void {
    this.opener?.focus();
  }

  private set<K extends keyof ObjectiveDraft>(key: K, value: ObjectiveDraft[K]): void {
    this.draft = { ...this.draft, [key]: value };
  }

  private setRow(key: number, field: "title" | "unit" | "start" | "target", value: string): void {
    this.rows = this.rows.map((r) => (r.key === key ? { ...r, [field]: value } : r));
  }

  private async addRow(): Promise<void> {
    const key = this.nextKey++;
    this.rows = [...this.rows, { id: undefined, title: "", unit: "", start: "0", target: "", key }];
    this.announce = this.tr("keyResultAdded", { n: this.rows.length });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#kr-${key}-title`)?.focus();
  }

  private async removeRow(key: number): Promise<void> {
    const i = this.rows.findIndex((r) => r.key === key);
    this.rows = this.rows.filter((r) => r.key !== key);
    this.errors = [];
    this.announce = this.tr("keyResultRemoved");
    await this.updateComplete;
    const next = this.rows[Math.min(i, this.rows.length - 1)];
    (next ? this.renderRoot.querySelector<HTMLElement>(`#kr-${next.key}-title`) : this.renderRoot.querySelector<HTMLElement>("#add-kr"))?.focus();
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const checked = checkDraft({ ...this.draft, keyResults: this.rows });
    if (!checked.ok) {
      this.errors = checked.errors;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    this.errors = [];
    this.failure = "";
    this.busy = true;
    try {
      await this.save({ roomId: this.roomId, checked: checked.value });
      this.close();
    } catch (err: unknown) {
      this.failure = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  /** Attributes and message of a field's problem (ids: `<id>-err`). */
  private problem(field: string, id: string): { invalid: "true" | "false"; describedby: string; note: unknown } {
    const p = this.errors.find((x) => x.field === field);
    if (p === undefined) return { invalid: "false", describedby: "", note: nothing };
    return { invalid: "true", describedby: `${id}-err`, note: html`<p class="problem" id=${`${id}-err`}>${this.tr(`err_${p.problem}`)}</p>` };
  }

  private renderRoom(): unknown {
    const tr = this.tr;
    if (this.mode === "edit") return nothing;
    if (!this.rooms.some((r) => r.access.kind !== "forbidden")) return html`<p class="error">${tr("noRoomAllowed")}</p>`;
    return html`<div class="field"><label for="obj-room">${tr("objectiveRoom")}</label>
      <select id="obj-room" @change=${(e: Event) => { this.roomId = (e.target as HTMLSelectElement).value; }}>
        ${this.rooms.map((r) => html`<option value=${r.roomId} ?selected=${r.roomId === this.roomId} ?disabled=${r.access.kind === "forbidden"}>${
          r.access.kind === "forbidden" ? tr("roomForbidden", { room: r.name, needed: r.access.needed }) : r.access.kind === "setup" ? tr("roomNeedsSetup", { room: r.name }) : r.name}</option>`)}
      </select></div>`;
  }

  private renderRow(row: Row, i: number): unknown {
    const tr = this.tr;
    const n = i + 1;
    const input = (field: "title" | "unit" | "start" | "target", label: string, extra: { numeric?: boolean; required?: boolean } = {}) => {
      const id = `kr-${row.key}-${field}`;
      const p = this.problem(`kr.${i}.${field}`, id);
      // Short visible label; the line's number completes the accessible name (label in name, RGAA 11.2).
      return html`<div class="field"><label for=${id}>${label}<span class="visually-hidden">${tr("krOf", { n })}</span></label>
        <input id=${id} .value=${row[field]} autocomplete="off" ?required=${extra.required === true} inputmode=${extra.numeric ? "numeric" : "text"}
          aria-invalid=${p.invalid} aria-describedby=${p.describedby || nothing} @input=${(e: Event) => this.setRow(row.key, field, (e.target as HTMLInputElement).value)}>${p.note}</div>`;
    };
    return html`<fieldset class="kr" data-row=${row.key}><legend>${tr("keyResultN", { n })}</legend>
      ${input("title", tr("krTitle"), { required: true })}
      ${input("unit", tr("krUnit"))}
      ${input("start", tr("krStart"), { numeric: true, required: true })}
      ${input("target", tr("krTarget"), { numeric: true, required: true })}
      <button type="button" class="remove" @click=${() => void this.removeRow(row.key)}>${tr("removeKeyResult", { n })}</button>
    </fieldset>`;
  }

  override render(): unknown {
    const tr = this.tr;
    const d = this.draft;
    const title = this.problem("title", "obj-title");
    const period = this.problem("period", "obj-period");
    const canSend = this.mode === "edit" || this.rooms.some((r) => r.roomId === this.roomId && r.access.kind !== "forbidden");
    return html`<dialog aria-labelledby="obj-dlg-title" @close=${() => this.onClosed()}>
      <form novalidate @submit=${(e: SubmitEvent) => void this.submit(e)}>
        <h2 id="obj-dlg-title">${this.mode === "create" ? tr("newObjective") : tr("editObjective")}</h2>
        <p class="visually-hidden" role="status" aria-live="polite">${this.announce}</p>
        ${this.errors.length > 0 ? html`<p class="error" role="alert">${tr("formHasErrors", { count: this.errors.length })}</p>` : nothing}
        ${this.renderRoom()}
        <div class="field"><label for="obj-title">${tr("objTitle")}</label>
          <input id="obj-title" autofocus required maxlength="500" .value=${d.title} aria-invalid=${title.invalid} aria-describedby=${title.describedby || nothing}
            @input=${(e: Event) => this.set("title", (e.target as HTMLInputElement).value)}>${title.note}</div>
        <div class="row2">
          <div class="field"><label for="obj-owner">${tr("objOwner")}</label>
            <select id="obj-owner" @change=${(e: Event) => this.set("owner", (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${d.owner === ""}>${tr("noOwner")}</option>
              ${this.members.map((m) => html`<option value=${m.userId} ?selected=${m.userId === d.owner}>${memberOptionLabel(m)}</option>`)}
            </select></div>
          <div class="field"><label for="obj-status">${tr("objStatus")}</label>
            <select id="obj-status" @change=${(e: Event) => this.set("status", (e.target as HTMLSelectElement).value as ObjectiveStatus)}>
              ${OBJECTIVE_STATUSES.map((s) => html`<option value=${s} ?selected=${s === d.status}>${tr(`objStatus_${s}`)}</option>`)}
            </select></div>
          <div class="field"><label for="obj-start">${tr("periodStart")}</label>
            <input id="obj-start" type="date" .value=${d.periodStart} aria-invalid=${period.invalid} aria-describedby=${period.describedby || nothing}
              @input=${(e: Event) => this.set("periodStart", (e.target as HTMLInputElement).value)}></div>
          <div class="field"><label for="obj-end">${tr("periodEnd")}</label>
            <input id="obj-end" type="date" .value=${d.periodEnd} aria-invalid=${period.invalid} aria-describedby=${period.describedby || nothing}
              @input=${(e: Event) => this.set("periodEnd", (e.target as HTMLInputElement).value)}></div>
        </div>
        ${period.note}
        <h3>${tr("keyResults")}</h3>
        ${this.rows.length === 0 ? html`<p class="muted">${tr("noKeyResults")}</p>` : repeat(this.rows, (r) => r.key, (r, i) => this.renderRow(r, i))}
        <div><button type="button" id="add-kr" @click=${() => void this.addRow()}>${tr("addKeyResult")}</button></div>
        ${this.failure !== "" ? html`<p class="error" role="alert">${tr("saveFailed", { error: this.failure })}</p>` : nothing}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${tr("cancel")}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || !canSend}>${this.busy ? tr("sending") : this.mode === "create" ? tr("create") : tr("save")}</button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define("ent-objective-dialog", ObjectiveDialog);

/** The focused element, inside shadow roots too (document.activeElement stops at the first host). */
export function deepActiveElement(): HTMLElement | undefined {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a instanceof HTMLElement ? a : undefined;
}
