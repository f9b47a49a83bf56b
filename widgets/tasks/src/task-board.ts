// <entente-task-board>: the room's tasks in columns. Drag-and-drop between and within columns, and
// for keyboard users (RGAA) move buttons on each card (left/right/up/down) with the result
// announced; filters by assignee, label and due date; a form to create a task; details in
// <entente-task-details>. Every change is sent as an event; the board redraws from the fold.
import { LitElement, css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import type { BoardColumn } from "../../../appservices/protocol/src/tasks-state.ts";
import { buildColumns, filterChoices, keyboardTarget, NO_FILTERS, planMove, toFullIndex, type BoardColumnView, type BoardFilters, type DueFilter } from "./board-model.ts";
import type { BoardStore } from "./board-store.ts";
import { boardTranslator, type Translate } from "./messages.ts";
import { sendShowingError } from "./send-error.ts";
import { dateFromInput, dateText, localDays, parseLabels } from "./task-card-text.ts";
import { boardRights } from "./task-permissions.ts";
import { measureSince, now } from "./load-marks.ts";
import "./task-details.ts";
import "./assignee-picker.ts";

type Dir = "left" | "right" | "up" | "down";

export class TaskBoard extends LitElement {
  static override properties = {
    filters: { state: true }, creating: { state: true }, titleError: { state: true }, newAssignees: { state: true }, openId: { state: true }, announce: { state: true }, error: { state: true }, tick: { state: true }, shown: { state: true },
  };
  /** Cards drawn per column before "show more": a 2,000-task board stays quick to draw. */
  static readonly PAGE = 50;
  /** Cards each "Afficher n tâches de plus" adds. */
  static readonly MORE = 100;
  /**
   * Cards drawn per column in the list's first frame, the rest of the page right after it is
   * painted: more than a maximised frame shows at once (the client's side panel shows 2-3), and a
   * tenth of Lit's first render of 150 cards (~100-200 ms in the bench, issue 13).
   */
  static readonly FIRST = 10;
  declare filters: BoardFilters;
  declare creating: boolean;
  /** The new task's title left empty: said under the field in our words, not the browser's. */
  declare titleError: boolean;
  /** Assignees chosen in the create form. */
  declare newAssignees: string[];
  declare openId: string | undefined;
  declare announce: string;
  declare error: string;
  declare tick: number;
  /** Cards shown per column id (default PAGE). */
  declare shown: Record<string, number>;
  store: BoardStore | undefined;
  t: Translate = boardTranslator("fr");
  userId = "";
  timeZone = "Europe/Paris";
  #off: (() => void) | undefined;
  #dragged: string | undefined;

  static override styles = css`
    :host { display: block; font: 0.95rem/1.4 system-ui, sans-serif; color: var(--entente-fg, #1b1b1b); background: var(--entente-bg, #fff); padding: .5rem; }
    h1 { font-size: 1.15rem; margin: 0 0 .5rem; }
    h2 { font-size: 1rem; margin: 0; }
    .bar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: .75rem; }
    label { display: flex; flex-direction: column; font-size: .85rem; gap: .15rem; }
    .columns { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(13rem, 1fr); gap: .75rem; overflow-x: auto; align-items: start; }
    section.col { background: color-mix(in srgb, var(--entente-fg, #000) 5%, transparent); border-radius: 6px; padding: .5rem; min-height: 6rem; }
    section.col.over { outline: 3px dashed var(--entente-accent, #000091); }
    ol { list-style: none; margin: .5rem 0 0; padding: 0; display: flex; flex-direction: column; gap: .5rem; min-height: 3rem; }
    li.card { background: var(--entente-bg, #fff); border: 1px solid #8888; border-radius: 6px; padding: .4rem .5rem; cursor: grab; }
    /* Cards out of view are not laid out nor painted until scrolled to (in the client's side panel
       a few of the 150 first cards show); they stay in the DOM and the accessibility tree. */
    li.card { content-visibility: auto; contain-intrinsic-size: auto 6rem; }
    li.card[aria-grabbed="true"] { opacity: .5; }
    .open { all: unset; font-weight: 600; cursor: pointer; display: block; }
    .meta { color: var(--entente-muted, #555); font-size: .8rem; }
    .moves { display: flex; gap: .25rem; margin-top: .25rem; }
    .moves button { min-width: 2rem; }
    button { font: inherit; }
    :focus-visible, .open:focus-visible { outline: 3px solid var(--entente-accent, #000091); outline-offset: 2px; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .error { color: #b00020; }
    /* A narrow frame (the client's side panel, ~26rem at 1280 px): columns one under the other
       instead of a sideways scroll that hides the first ones. */
    @media (max-width: 36rem) {
      .columns { grid-auto-flow: row; grid-auto-columns: auto; overflow-x: visible; }
      section.col { min-height: 0; }
      .bar { gap: .5rem; }
    }
    form.create { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .75rem; padding: .5rem; border: 1px solid #8888; border-radius: 6px; }
  `;

  constructor() {
    super();
    this.filters = { ...NO_FILTERS };
    this.creating = false;
    this.titleError = false;
    this.newAssignees = [];
    this.openId = undefined;
    this.announce = "";
    this.error = "";
    this.tick = 0;
    this.shown = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#off = this.store?.onChange(() => {
      // The first render of the loaded list is measured (load-marks.ts): from the fold's end to painted.
      if (this.#firstReady === undefined && this.store?.status === "ready") this.#firstReady = now();
      this.tick += 1;
    });
  }

  /** When the list was first ready (performance.now()), until its render is measured. */
  #firstReady: number | undefined;
  #rendered = false;
  /** The list's first frame: FIRST cards per column, no "show more" (the full page follows once painted). */
  #firstFrame = true;

  #measureFirstRender(): void {
    const from = this.#firstReady;
    if (from === undefined || this.#rendered) return;
    this.#rendered = true;
    measureSince("render", from);
    requestAnimationFrame(() => setTimeout(() => {
      measureSince("painted", from);
      this.#firstFrame = false;
      this.requestUpdate();
      // Read by tests/bench/board-e2e.ts: the whole first page of every column rendered and painted.
      void this.updateComplete.then(() => requestAnimationFrame(() => setTimeout(() => measureSince("page-painted", from), 0)));
    }, 0));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#off?.();
  }

  #views(filters: BoardFilters): BoardColumnView[] {
    const s = this.store;
    if (s === undefined) return [];
    const { today, inAWeek } = localDays(new Date());
    return buildColumns(s.result.tasks.values(), s.config?.columns, filters, today, inAWeek);
  }

  #send(work: () => Promise<unknown>): Promise<void> {
    return sendShowingError(this, work);
  }

  /** Moves `task` to place `visibleIndex` among the other visible tasks of `column`. */
  async #move(task: Task, column: BoardColumn, visibleIndex: number): Promise<void> {
    const store = this.store;
    if (store === undefined) return;
    const visible = this.#views(this.filters).find((v) => v.column.id === column.id)?.tasks ?? [];
    const full = this.#views(NO_FILTERS).find((v) => v.column.id === column.id)?.tasks ?? [];
    const index = toFullIndex(visible, full, task.id, visibleIndex);
    const plan = planMove(task, column, full, index);
    await this.#send(async () => {
      for (const u of plan) await store.update(u.taskId, { set: u.set });
    });
    this.announce = this.t("moved", { title: task.title, column: column.name, pos: visibleIndex + 1 });
  }

  async #keyMove(task: Task, dir: Dir): Promise<void> {
    const target = keyboardTarget(this.#views(this.filters), task.id, dir);
    if (target === undefined) return;
    // Moved past the column's shown cards (down from the last one shown, or sideways into a
    // shorter page): show it there, so focus can follow it.
    if (target.index >= this.#shownIn(target.column.id)) this.shown = { ...this.shown, [target.column.id]: target.index + 1 };
    // Focus follows the card once the move comes back from the room, so the agent can keep moving it.
    this.#focusAfterMove = { id: task.id, column: target.column.id, dir, index: target.index };
    await this.#move(task, target.column, target.index);
  }

  /** Where the moved card should end up (its place among the column's visible cards). */
  #focusAfterMove: { id: string; column: string; dir: Dir; index: number } | undefined;

  override updated(): void {
    this.#measureFirstRender();
    const f = this.#focusAfterMove;
    if (f === undefined) return;
    const column = this.renderRoot.querySelector<HTMLElement>(`section[data-column="${CSS.escape(f.column)}"]`);
    const card = column?.querySelector<HTMLElement>(`li[data-task="${CSS.escape(f.id)}"]`) ?? null;
    // Only once the card is at its new place: moving a focused node in the DOM (the list
    // reordering as the move's updates are folded) would drop the focus.
    if (card === null || [...(column?.querySelectorAll("li.card") ?? [])].indexOf(card) !== f.index) return;
    this.#focusAfterMove = undefined;
    const same = card.querySelector<HTMLButtonElement>(`button.move-${f.dir}`);
    (same !== null && !same.disabled ? same : card.querySelector<HTMLButtonElement>("button.open"))?.focus();
  }

  #onDrop(ev: DragEvent, column: BoardColumn, view: BoardColumnView): void {
    ev.preventDefault();
    (ev.currentTarget as HTMLElement).classList.remove("over");
    const id = ev.dataTransfer?.getData("text/x-entente-task") || this.#dragged;
    this.#dragged = undefined;
    const task = id === undefined ? undefined : this.store?.result.tasks.get(id);
    if (task === undefined) return;
    // Dropped on a card: before it; elsewhere in the column: at the end.
    const over = (ev.target as HTMLElement | null)?.closest?.("li.card") as HTMLElement | null;
    const others = view.tasks.filter((t) => t.id !== task.id);
    const beforeId = over?.dataset["task"];
    // "The end" is after the last card shown, not after cards hidden behind "show more".
    const shownOthers = Math.min(others.length, view.tasks.slice(0, this.#shownIn(column.id)).filter((t) => t.id !== task.id).length);
    const at = beforeId === undefined || beforeId === task.id ? shownOthers : Math.max(0, others.findIndex((t) => t.id === beforeId));
    if (at >= this.#shownIn(column.id)) this.shown = { ...this.shown, [column.id]: at + 1 };
    void this.#move(task, column, at);
  }

  #create(ev: SubmitEvent): void {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const title = String(data.get("title") ?? "").trim();
    this.titleError = title === "";
    if (title === "") {
      // once the error is drawn and linked to the field, so focusing it reads both
      void this.updateComplete.then(() => (form.elements.namedItem("title") as HTMLInputElement | null)?.focus());
      return;
    }
    const assignees = this.newAssignees;
    const due = dateFromInput(String(data.get("due") ?? ""), this.timeZone);
    const labels = parseLabels(String(data.get("labels") ?? ""));
    void this.#send(async () => {
      await this.store?.createTask({ title, assignees, labels, ...(due === null ? {} : { due }) });
      form.reset();
      this.newAssignees = [];
      this.creating = false;
    });
  }

  #filter(key: keyof BoardFilters, value: string): void {
    this.filters = { ...this.filters, [key]: key === "due" ? (value as DueFilter) : value };
  }

  override render() {
    const t = this.t;
    const s = this.store;
    if (s === undefined) return nothing;
    if (s.status === "loading") return html`<p role="status">${t("loading")}</p>`;
    if (s.status === "no-list") return html`<p role="status">${t("noList")}</p>`;
    if (s.status === "bad-list") return html`<p role="alert">${t("badList", { reason: s.problem })}</p>`;
    if (s.status === "error") return html`<p role="alert">${t("error", { reason: s.problem })}</p>`;
    const views = this.#views(this.filters);
    const choices = filterChoices(s.result.tasks.values());
    const open = this.openId === undefined ? undefined : s.result.tasks.get(this.openId);
    const rights = boardRights(s.levels, this.userId, s.config?.permissions);
    return html`
      <h1>${t("title")}</h1>
      <div class="bar" role="group" aria-label=${t("filters")}>
        <label>${t("filterAssignee")}
          <select id="filter-assignee" @change=${(e: Event) => this.#filter("assignee", (e.target as HTMLSelectElement).value)}>
            <option value="">${t("everyone")}</option>
            ${choices.assignees.map((a) => html`<option value=${a} ?selected=${this.filters.assignee === a}>${s.memberLabels.label(a)}</option>`)}
          </select></label>
        <label>${t("filterLabel")}
          <select id="filter-label" @change=${(e: Event) => this.#filter("label", (e.target as HTMLSelectElement).value)}>
            <option value="">${t("anyLabel")}</option>
            ${choices.labels.map((l) => html`<option value=${l} ?selected=${this.filters.label === l}>${l}</option>`)}
          </select></label>
        <label>${t("filterDue")}
          <select id="filter-due" @change=${(e: Event) => this.#filter("due", (e.target as HTMLSelectElement).value)}>
            <option value="all">${t("dueAll")}</option><option value="overdue">${t("dueOverdue")}</option>
            <option value="week">${t("dueWeek")}</option><option value="none">${t("dueNone")}</option>
          </select></label>
        ${rights.create === true
          ? html`<button id="new-task" aria-expanded=${this.creating ? "true" : "false"} @click=${() => { this.creating = !this.creating; this.titleError = false; }}>${t("newTask")}</button>`
          : html`<p class="meta" id="create-note">${t("needCreate", { needs: rights.create.needs })}</p>`}
      </div>
      ${this.creating && rights.create === true ? html`
        <form class="create" novalidate @submit=${(e: SubmitEvent) => this.#create(e)} aria-label=${t("newTask")}>
          <label>${t("taskTitle")}<input name="title" required maxlength="500" autofocus aria-invalid=${this.titleError ? "true" : "false"}
            aria-describedby=${this.titleError ? "title-error" : nothing}></label>
          ${this.titleError ? html`<p class="error" id="title-error" role="alert">${t("titleNeeded")}</p>` : nothing}
          <entente-assignee-picker class="new-assignees" .value=${this.newAssignees} .members=${[...s.members.values()]} .self=${this.userId} .t=${t} .label=${t("assignees")}
            .allowOthers=${rights.assignOthers === true} .restriction=${rights.assignOthers === true ? "" : t("needAssign", { needs: rights.assignOthers.needs })}
            @assignees-change=${(e: CustomEvent<string[]>) => (this.newAssignees = e.detail)}></entente-assignee-picker>
          <label>${t("labels")}<input name="labels"></label>
          <label>${t("due")}<input name="due" type="datetime-local"></label>
          <button type="submit" id="create-submit">${t("create")}</button>
          <button type="button" @click=${() => { this.creating = false; this.titleError = false; }}>${t("cancel")}</button>
        </form>` : nothing}
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="columns">
        ${views.map((v, ci) => this.#column(v, ci, views.length))}
      </div>
      <p class="sr-only" aria-live="polite" id="announce">${this.announce}</p>
      ${open !== undefined ? html`<entente-task-details .task=${open} .store=${s} .t=${t} .timeZone=${this.timeZone} .userId=${this.userId}
          @close=${() => this.#closeDetails()}></entente-task-details>` : nothing}
    `;
  }

  override willUpdate(): void {
    // The open task was deleted (here or by someone else): close its details and say so.
    const open = this.openId === undefined ? undefined : this.store?.result.tasks.get(this.openId);
    if (open?.deleted === true) this.#deleted(open.title);
  }

  /** After a delete: the card is gone, focus goes to the board's first control and the result is announced. */
  #deleted(title: string): void {
    this.openId = undefined;
    this.announce = this.t("deletedTask", { title });
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("#new-task, #filter-assignee")?.focus());
  }

  #closeDetails(): void {
    const id = this.openId;
    this.openId = undefined;
    void this.updateComplete.then(() => {
      if (id !== undefined) this.renderRoot.querySelector<HTMLButtonElement>(`li[data-task="${CSS.escape(id)}"] button.open`)?.focus();
    });
  }

  #shownIn(columnId: string): number {
    const shown = this.shown[columnId] ?? TaskBoard.PAGE;
    return this.#inFirstFrame() ? Math.min(shown, TaskBoard.FIRST) : shown;
  }

  #inFirstFrame(): boolean {
    return this.#firstFrame && this.#firstReady !== undefined;
  }

  /** The column's next cards; focus goes to the first that appeared (keyboard users keep their place). */
  async #showMore(v: BoardColumnView, before: number): Promise<void> {
    this.shown = { ...this.shown, [v.column.id]: before + TaskBoard.MORE };
    await this.updateComplete;
    const next = v.tasks[before];
    if (next !== undefined) this.renderRoot.querySelector<HTMLButtonElement>(`section[data-column="${CSS.escape(v.column.id)}"] li[data-task="${CSS.escape(next.id)}"] button.open`)?.focus();
  }

  #column(v: BoardColumnView, ci: number, n: number) {
    const t = this.t;
    const shown = this.#shownIn(v.column.id);
    const headingId = `col-${ci}`;
    return html`<section class="col" aria-labelledby=${headingId} data-column=${v.column.id}
        @dragover=${(e: DragEvent) => { e.preventDefault(); (e.currentTarget as HTMLElement).classList.add("over"); }}
        @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove("over")}
        @drop=${(e: DragEvent) => this.#onDrop(e, v.column, v)}>
      <h2 id=${headingId}>${v.column.name} <span class="meta">(${t("count", { n: v.tasks.length })})</span></h2>
      <ol>
        ${v.tasks.length === 0 ? html`<li class="meta">${t("emptyColumn")}</li>` : nothing}
        ${repeat(v.tasks.slice(0, shown), (task) => task.id, (task, ti) => this.#card(task, ci, ti, n, v.tasks.length))}
      </ol>
      ${v.tasks.length > shown && !this.#inFirstFrame() ? html`<button class="more" @click=${() => void this.#showMore(v, shown)}>
        ${t("showMore", { n: Math.min(TaskBoard.MORE, v.tasks.length - shown), total: v.tasks.length })}</button>` : nothing}
    </section>`;
  }

  #card(task: Task, ci: number, ti: number, columns: number, count: number) {
    const t = this.t;
    const done = task.checklist.filter((i) => i.done).length;
    return html`<li class="card" draggable="true" data-task=${task.id}
        @dragstart=${(e: DragEvent) => { this.#dragged = task.id; e.dataTransfer?.setData("text/x-entente-task", task.id); }}
        @dragend=${() => (this.#dragged = undefined)}>
      <button class="open" aria-label=${t("open", { title: task.title })} @click=${() => (this.openId = task.id)}>${task.title}</button>
      <div class="meta">
        ${task.assignees.length > 0 ? html`<span>${task.assignees.map((id) => this.store === undefined ? id : this.store.memberLabels.label(id)).join(", ")}</span>` : nothing}
        ${task.due !== null ? html` · <span>${t("dueOn", { date: dateText(task.due) })}</span>` : nothing}
        ${task.labels.length > 0 ? html` · <span>${task.labels.join(", ")}</span>` : nothing}
        ${task.checklist.length > 0 ? html` · <span>☑ ${done}/${task.checklist.length}</span>` : nothing}
      </div>
      <div class="moves">
        <button class="move-left" ?disabled=${ci === 0} aria-label=${t("moveLeft", { title: task.title })} @click=${() => this.#keyMove(task, "left")}>←</button>
        <button class="move-up" ?disabled=${ti === 0} aria-label=${t("moveUp", { title: task.title })} @click=${() => this.#keyMove(task, "up")}>↑</button>
        <button class="move-down" ?disabled=${ti === count - 1} aria-label=${t("moveDown", { title: task.title })} @click=${() => this.#keyMove(task, "down")}>↓</button>
        <button class="move-right" ?disabled=${ci === columns - 1} aria-label=${t("moveRight", { title: task.title })} @click=${() => this.#keyMove(task, "right")}>→</button>
      </div>
    </li>`;
  }
}

if (!customElements.get("entente-task-board")) customElements.define("entente-task-board", TaskBoard);
