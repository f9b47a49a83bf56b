// <entente-task-details>: one task opened from the board: title, status, priority, due date,
// labels, assignees (picker of the room's members), description, checklist (add, tick, remove),
// comments (the task's Matrix thread, read and reply, so Element shows the same conversation) and
// delete (soft delete after a confirmation dialog). Each change is one fr.entente.task.update.
// Controls the agent's power level does not allow are disabled or hidden, with the reason.
// Escape or "Fermer" closes and the board puts focus back on the card.
import { LitElement, css, html, nothing } from "lit";
import { TASK_STATUSES, type TaskStatus } from "../../../appservices/protocol/src/task-fields.ts";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import type { BoardStore } from "./board-store.ts";
import { boardTranslator, type Translate } from "./messages.ts";
import { sendShowingError } from "./send-error.ts";
import { PRIORITIES, STATUS_KEYS, dateFromInput, dateToInput, parseLabels, priorityChoice } from "./task-card-text.ts";
import { taskRights } from "./task-permissions.ts";
import "./assignee-picker.ts";

/** A new checklist item id: random, so two councils adding at once never collide. */
function itemId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return `i${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

export class TaskDetails extends LitElement {
  static override properties = { task: { attribute: false }, error: { state: true }, tick: { state: true } };
  declare task: Task | undefined;
  declare error: string;
  declare tick: number;
  store: BoardStore | undefined;
  t: Translate = boardTranslator("fr");
  timeZone = "Europe/Paris";
  userId = "";
  #off: (() => void) | undefined;
  #loadedFor: string | undefined;

  static override styles = css`
    :host { display: block; margin-top: 1rem; border: 2px solid var(--entente-accent, #000091); border-radius: 6px; padding: .75rem; background: var(--entente-bg, #fff); }
    h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
    h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
    label { display: flex; flex-direction: column; gap: .15rem; font-size: .85rem; }
    textarea { min-height: 4rem; font: inherit; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { display: flex; gap: .5rem; align-items: center; padding: .15rem 0; }
    .comment { display: block; border-left: 3px solid #8888; padding-left: .5rem; margin: .25rem 0; }
    .who { font-size: .8rem; color: var(--entente-muted, #555); }
    .row { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; }
    button, input, select { font: inherit; }
    :focus-visible { outline: 3px solid var(--entente-accent, #000091); outline-offset: 2px; }
    .error { color: #b00020; }
    fieldset { border: 0; padding: 0; margin: 0; min-width: 0; }
    fieldset:disabled { opacity: .75; }
    .field { margin: .5rem 0; }
    .note { font-size: .85rem; color: var(--entente-muted, #555); }
    .danger { color: #fff; background: #b00020; border: 1px solid #b00020; border-radius: 4px; padding: .2rem .6rem; }
    dialog { border: 2px solid var(--entente-accent, #000091); border-radius: 6px; max-width: 28rem; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  constructor() {
    super();
    this.task = undefined;
    this.error = "";
    this.tick = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#off = this.store?.onChange(() => (this.tick += 1));
    this.addEventListener("keydown", this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#off?.();
    this.removeEventListener("keydown", this.#onKey);
  }

  readonly #onKey = (e: KeyboardEvent): void => {
    // Escape in the confirmation dialog closes the dialog only.
    if (e.key === "Escape" && this.renderRoot.querySelector("dialog[open]") === null) this.#close();
  };

  #close(): void {
    this.dispatchEvent(new CustomEvent("close"));
  }

  override updated(): void {
    const id = this.task?.id;
    if (id !== undefined && id !== this.#loadedFor) {
      this.#loadedFor = id;
      void this.store?.loadComments(id).catch(() => undefined);
      this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
    }
  }

  #send(work: () => Promise<unknown>): Promise<void> {
    return sendShowingError(this, work);
  }

  override render() {
    const task = this.task;
    const store = this.store;
    const t = this.t;
    if (task === undefined || store === undefined) return nothing;
    const rights = taskRights(task, store.levels, this.userId, store.config?.permissions);
    const update = (change: Parameters<BoardStore["update"]>[1]): Promise<void> => this.#send(() => store.update(task.id, change));
    const locked = rights.edit !== true;
    return html`<section role="dialog" aria-labelledby="details-title" aria-modal="false">
      <div class="row" style="justify-content: space-between">
        <h2 id="details-title" tabindex="-1">${task.title}</h2>
        <button id="close-details" @click=${() => this.#close()}>${t("close")}</button>
      </div>
      ${rights.edit !== true ? html`<p class="note" id="edit-note">${t("needEdit", { needs: rights.edit.needs })}</p>` : nothing}
      <fieldset ?disabled=${locked} aria-describedby=${locked ? "edit-note" : nothing}>
        <legend class="sr-only">${t("details")}</legend>
        ${this.#fields(task, update)}
        <div class="field">
          <entente-assignee-picker .value=${task.assignees} .members=${[...store.members.values()]} .self=${this.userId} .t=${t} .label=${t("assigneesLabel")}
            .allowOthers=${rights.assignOthers === true} .restriction=${rights.assignOthers === true ? "" : t("needAssign", { needs: rights.assignOthers.needs })}
            ?disabled=${locked} @assignees-change=${(e: CustomEvent<string[]>) => update({ set: { assignees: e.detail } })}></entente-assignee-picker>
        </div>
        <h3>${t("description")}</h3>
        <form @submit=${(e: SubmitEvent) => { e.preventDefault(); const v = String(new FormData(e.target as HTMLFormElement).get("description") ?? ""); void update({ set: { description: v === "" ? null : v } }); }}>
          <textarea id="description" name="description" aria-label=${t("description")} .value=${task.description ?? ""}></textarea>
          <button type="submit" id="save-description">${t("save")}</button>
        </form>
        ${this.#checklist(task, update)}
      </fieldset>
      ${this.#comments(task, store)}
      ${rights.delete === true
        ? html`<p><button id="delete-task" class="danger" @click=${() => this.renderRoot.querySelector<HTMLDialogElement>("#confirm-delete")?.showModal()}>${t("deleteTask")}</button></p>
          <dialog id="confirm-delete" aria-labelledby="confirm-title" aria-describedby="confirm-text">
            <h3 id="confirm-title">${t("confirmDeleteTitle", { title: task.title })}</h3>
            <p id="confirm-text">${t("confirmDeleteText")}</p>
            <form method="dialog" class="row">
              <button id="confirm-cancel" value="cancel" autofocus>${t("cancel")}</button>
              <button id="confirm-delete-button" class="danger" value="delete" @click=${(e: Event) => { e.preventDefault(); void this.#delete(task, store); }}>${t("confirmDelete")}</button>
            </form>
          </dialog>`
        : html`<p class="note" id="delete-note">${t("needDelete", { needs: rights.delete.needs })}</p>`}
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  async #delete(task: Task, store: BoardStore): Promise<void> {
    this.renderRoot.querySelector<HTMLDialogElement>("#confirm-delete")?.close();
    // Once the delete is folded the board closes these details and announces it.
    await this.#send(() => store.update(task.id, { delete: true }));
  }

  #fields(task: Task, update: (change: Parameters<BoardStore["update"]>[1]) => Promise<void>) {
    const t = this.t;
    const submit = (e: SubmitEvent, name: string): string => { e.preventDefault(); return String(new FormData(e.target as HTMLFormElement).get(name) ?? ""); };
    return html`
      <form class="row" @submit=${(e: SubmitEvent) => { const v = submit(e, "title").trim(); if (v !== "") void update({ set: { title: v.slice(0, 500) } }); }}>
        <label>${t("taskTitle")}<input id="edit-title" name="title" required maxlength="500" .value=${task.title}></label>
        <button type="submit" id="save-title">${t("saveTitle")}</button>
      </form>
      <div class="row">
        <label>${t("status")}
          <select id="status" @change=${(e: Event) => update({ set: { status: (e.target as HTMLSelectElement).value as TaskStatus } })}>
            ${TASK_STATUSES.map((s) => html`<option value=${s} ?selected=${task.status === s}>${t(STATUS_KEYS[s])}</option>`)}
          </select></label>
        <label>${t("priority")}
          <select id="priority" @change=${(e: Event) => update({ set: { priority: Number((e.target as HTMLSelectElement).value) } })}>
            ${PRIORITIES.map(([value, key]) => html`<option value=${value} ?selected=${priorityChoice(task.priority) === value}>${t(key)}</option>`)}
          </select></label>
        <label>${t("due")}
          <input id="due" type="datetime-local" .value=${dateToInput(task.due)}
            @change=${(e: Event) => update({ set: { due: dateFromInput((e.target as HTMLInputElement).value, this.timeZone) } })}></label>
      </div>
      <form class="row" @submit=${(e: SubmitEvent) => void update({ set: { labels: parseLabels(submit(e, "labels")) } })}>
        <label>${t("labels")}<input id="edit-labels" name="labels" .value=${task.labels.join(", ")}></label>
        <button type="submit" id="save-labels">${t("saveLabels")}</button>
      </form>`;
  }

  #checklist(task: Task, update: (change: Parameters<BoardStore["update"]>[1]) => Promise<void>) {
    const t = this.t;
    return html`
      <h3 id="checklist-title">${t("checklist")}</h3>
      <ul aria-labelledby="checklist-title" id="checklist">
        ${task.checklist.map((item) => html`<li data-item=${item.id}>
          <input type="checkbox" id=${`item-${item.id}`} .checked=${item.done} @change=${(e: Event) => update({ checklist: { done: { [item.id]: (e.target as HTMLInputElement).checked } } })}>
          <label for=${`item-${item.id}`} style="flex-direction: row">${item.text}</label>
          <button class="remove-item" aria-label=${t("removeItem", { text: item.text })} @click=${() => update({ checklist: { remove: [item.id] } })}>✕</button>
        </li>`)}
      </ul>
      <form class="row" @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        const form = e.target as HTMLFormElement;
        const text = String(new FormData(form).get("item") ?? "").trim();
        if (text === "") return;
        void update({ checklist: { add: [{ id: itemId(), text: text.slice(0, 1000), done: false }] } }).then(() => form.reset());
      }}>
        <label>${t("newItem")}<input name="item" id="new-item" maxlength="1000"></label>
        <button type="submit" id="add-item">${t("addItem")}</button>
      </form>`;
  }

  #comments(task: Task, store: BoardStore) {
    const t = this.t;
    const comments = store.comments(task.id);
    return html`
      <h3 id="comments-title">${t("comments")}</h3>
      <div aria-labelledby="comments-title" id="comments" aria-live="polite">
        ${comments.length === 0 ? html`<p class="who">${t("noComments")}</p>` : comments.map((c) => html`<p class="comment"><span class="who">${store.memberLabels.label(c.sender)}</span><br>${c.body}</p>`)}
      </div>
      <form class="row" @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        const form = e.target as HTMLFormElement;
        const text = String(new FormData(form).get("reply") ?? "").trim();
        if (text === "") return;
        void this.#send(() => store.comment(task.id, text)).then(() => form.reset());
      }}>
        <label>${t("reply")}<input name="reply" id="reply"></label>
        <button type="submit" id="send-reply">${t("send")}</button>
      </form>`;
  }
}

if (!customElements.get("entente-task-details")) customElements.define("entente-task-details", TaskDetails);
