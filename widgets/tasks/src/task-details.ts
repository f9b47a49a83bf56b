// <entente-task-details>: one task opened from the board: status, due date, description,
// checklist (add, tick, remove) and comments, which are the task's Matrix thread (read and reply,
// so Element shows the same conversation). Escape or "Fermer" closes and the board puts focus
// back on the card.
import { LitElement, css, html, nothing } from "lit";
import { TASK_STATUSES, type TaskStatus } from "../../../appservices/protocol/src/task-fields.ts";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import type { BoardStore } from "./board-store.ts";
import { boardTranslator, type Translate } from "./messages.ts";
import { sendShowingError } from "./send-error.ts";
import { STATUS_KEYS, dateFromInput, dateToInput } from "./task-card-text.ts";

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
    if (e.key === "Escape") this.#close();
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
    const update = (change: Parameters<BoardStore["update"]>[1]): Promise<void> => this.#send(() => store.update(task.id, change));
    const comments = store.comments(task.id);
    return html`<section role="dialog" aria-labelledby="details-title" aria-modal="false">
      <div class="row" style="justify-content: space-between">
        <h2 id="details-title" tabindex="-1">${task.title}</h2>
        <button id="close-details" @click=${() => this.#close()}>${t("close")}</button>
      </div>
      <div class="row">
        <label>${t("status")}
          <select id="status" @change=${(e: Event) => update({ set: { status: (e.target as HTMLSelectElement).value as TaskStatus } })}>
            ${TASK_STATUSES.map((s) => html`<option value=${s} ?selected=${task.status === s}>${t(STATUS_KEYS[s])}</option>`)}
          </select></label>
        <label>${t("due")}
          <input id="due" type="datetime-local" .value=${dateToInput(task.due)}
            @change=${(e: Event) => update({ set: { due: dateFromInput((e.target as HTMLInputElement).value, this.timeZone) } })}></label>
      </div>
      <h3>${t("description")}</h3>
      <form @submit=${(e: SubmitEvent) => { e.preventDefault(); const v = String(new FormData(e.target as HTMLFormElement).get("description") ?? ""); void update({ set: { description: v === "" ? null : v } }); }}>
        <textarea id="description" name="description" aria-label=${t("description")} .value=${task.description ?? ""}></textarea>
        <button type="submit" id="save-description">${t("save")}</button>
      </form>
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
      </form>
      <h3 id="comments-title">${t("comments")}</h3>
      <div aria-labelledby="comments-title" id="comments" aria-live="polite">
        ${comments.length === 0 ? html`<p class="who">${t("noComments")}</p>` : comments.map((c) => html`<p class="comment"><span class="who">${c.sender}</span><br>${c.body}</p>`)}
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
      </form>
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }
}

if (!customElements.get("entente-task-details")) customElements.define("entente-task-details", TaskDetails);
