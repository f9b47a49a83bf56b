// <ent-my-tasks>: the agent's open tasks across every room with a task list, grouped by due date
// (en retard, aujourd'hui, cette semaine, plus tard, sans échéance), each with its room (a link to
// it) and a status menu that sends a fr.entente.task.update. "Détails" opens an inline panel under
// the task (a disclosure: Escape closes it, focus goes back to its button) to change the due date,
// the priority and tick checklist items, sent as ONE fr.entente.task.update (core/tasks/task-edit.ts
// makes it; the port refuses, with the levels, what the fold would skip). Reloads when a task event arrives.
// A group shows its first PAGE tasks, then a button for PAGE more: an agent with 2,000 open tasks
// gets the view in a fraction of the time 2,000 rows (and their menus) take to lay out.
import { LitElement, css, html, nothing } from "lit";
import { TASK_STATUSES, type TaskStatus } from "../../core/tasks/protocol.ts";
import { formOf, isEmptyChange, PRIORITY_CHOICES, rebaseForm, taskChange, type TaskForm } from "../../core/tasks/task-edit.ts";
import { ObjectivesAccessError } from "../../core/tasks/objectives-setup.ts";
import { collectMyTasks, groupMyTasks, type MyTask, type MyTaskGroup } from "../../core/tasks/my-tasks.ts";
import type { DueGroup } from "../../core/tasks/due-groups.ts";
import { coalescedRun } from "../../core/coalesced-run.ts";
import { debouncedChanges } from "../../core/debounced-changes.ts";
import type { TasksPort } from "../../core/tasks/tasks-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { roomHash, threadHash } from "../app/route.ts";
import { dueText } from "./due-text.ts";
import { tasksTranslator } from "./tasks-messages.ts";

/** Rows shown per group before "Afficher n tâches de plus". */
export const MY_TASKS_PAGE = 100;

export class MyTasksView extends LitElement {
  static override properties = {
    port: { attribute: false }, i18n: { attribute: false },
    groups: { state: true }, zone: { state: true }, error: { state: true }, announce: { state: true }, busy: { state: true }, shown: { state: true },
    opened: { state: true }, form: { state: true }, formError: { state: true },
  };
  declare port: TasksPort;
  declare i18n: I18n;
  declare groups: MyTaskGroup[] | undefined;
  declare zone: string;
  declare error: string;
  declare announce: string;
  declare busy: string | undefined;
  /** rows shown per group (MY_TASKS_PAGE unless the agent asked for more) */
  declare shown: Partial<Record<DueGroup, number>>;
  /** the task whose details panel is open, its form, and what went wrong with it */
  declare opened: string | undefined;
  declare form: TaskForm | undefined;
  declare formError: string;
  /** The open form's values as the task stood (at opening, then at each reload): what the agent
   * touched is what differs from it, and only that is sent. */
  private baseline: TaskForm | undefined;
  /** Stops following the port's changes. */
  private unfollow: (() => void) | undefined;
  /** One load at a time; a change during a load asks for one more. */
  private readonly load = coalescedRun(async () => {
    try {
      this.zone = await this.port.timeZone();
      const t0 = performance.now();
      const lists = await this.port.taskLists();
      const t1 = performance.now();
      this.groups = groupMyTasks(collectMyTasks(lists, this.port.userId, Date.now(), this.zone));
      this.rebaseOpenForm();
      this.error = "";
      await this.updateComplete;
      // Where a load's time goes, for the bench (tests/bench/tasks-views.ts) and the browser's profiler.
      performance.measure("entente:my-tasks:lists", { start: t0, end: t1 });
      performance.measure("entente:my-tasks:render", { start: t1, end: performance.now() });
    } catch (e: unknown) {
      this.error = this.tr("loadFailed", { error: e instanceof Error ? e.message : String(e) });
    }
  });

  static override styles = [theme, css`
    :host { display: block; padding: 1rem 1.5rem; overflow-y: auto; }
    h1 { margin: 0 0 1rem; font-size: 1.4rem; }
    h2 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
    h2.overdue { color: var(--danger); }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: 1fr auto; gap: 0.2rem 1rem; padding: 0.5rem 0; border-bottom: 1px solid var(--border); }
    .title { font-weight: 600; }
    .meta { display: flex; gap: 1rem; flex-wrap: wrap; color: var(--muted); font-size: 0.92rem; }
    a { color: var(--accent); }
    .actions { display: flex; gap: 0.5rem; align-self: center; grid-row: 1 / span 2; grid-column: 2; }
    .panel { grid-column: 1 / -1; border: 1px solid var(--border); border-radius: var(--radius); padding: 0.75rem 1rem; margin-top: 0.4rem; display: grid; gap: 0.6rem; }
    .panel label { display: block; font-weight: 600; }
    .panel li { display: block; border: none; padding: 0.15rem 0; }
    .panel fieldset { border: none; margin: 0; padding: 0; }
    .panel legend { font-weight: 600; padding: 0; }
    .panel fieldset label { font-weight: normal; }
    .panel .buttons { display: flex; gap: 0.5rem; }
    .hint { color: var(--muted); font-size: 0.9rem; margin: 0.1rem 0 0; }
    button.more { margin-top: 0.5rem; }
  `];

  constructor() {
    super();
    this.zone = "Europe/Paris";
    this.error = "";
    this.announce = "";
    this.busy = undefined;
    this.groups = undefined;
    this.shown = {};
    this.opened = undefined;
    this.form = undefined;
    this.formError = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unfollow = debouncedChanges((l) => this.port.onChange(l), () => void this.load(), 400);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unfollow?.();
  }

  private get tr() {
    return tasksTranslator(this.i18n.locale);
  }

  private async setStatus(t: MyTask, status: TaskStatus): Promise<void> {
    const tr = this.tr;
    this.busy = t.task.id;
    try {
      await this.port.setTaskStatus(t.roomId, t.task.id, status);
      this.announce = tr("statusChanged", { title: t.task.title, status: tr(`status_${status}`) });
      await this.load();
    } catch (e: unknown) {
      this.announce = tr("statusFailed", { title: t.task.title, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.busy = undefined;
    }
  }

  /** The open form follows the task's changes by others in the fields the agent left alone. */
  private rebaseOpenForm(): void {
    if (this.opened === undefined || this.form === undefined || this.baseline === undefined) return;
    const now = this.groups?.flatMap((g) => g.tasks).find((t) => t.task.id === this.opened);
    if (now === undefined) return;
    const r = rebaseForm(this.baseline, this.form, formOf(now.task));
    this.baseline = r.baseline;
    this.form = r.form;
  }

  private domId(t: MyTask): string {
    return t.task.id.replace(/[^A-Za-z0-9_-]/g, "_");
  }

  /** Opens or closes a task's details panel; opening focuses its first field. */
  private async toggleDetails(t: MyTask): Promise<void> {
    if (this.opened === t.task.id) {
      this.closeDetails(t);
      return;
    }
    this.opened = t.task.id;
    this.form = formOf(t.task);
    this.baseline = this.form;
    this.formError = "";
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#due-${this.domId(t)}`)?.focus();
  }

  private closeDetails(t: MyTask): void {
    this.opened = undefined;
    this.form = undefined;
    this.baseline = undefined;
    this.formError = "";
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#details-${this.domId(t)}`)?.focus());
  }

  private async saveDetails(t: MyTask, e: Event): Promise<void> {
    e.preventDefault();
    const tr = this.tr;
    const form = this.form;
    if (form === undefined || this.baseline === undefined) return;
    const change = taskChange(t.task, this.baseline, form);
    if (change === "badDue") {
      this.formError = tr("badDue");
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#due-${this.domId(t)}`)?.focus();
      return;
    }
    if (isEmptyChange(change)) {
      this.formError = "";
      this.announce = tr("nothingChanged");
      return;
    }
    this.busy = t.task.id;
    try {
      await this.port.editTask(t.roomId, t.task.id, change);
      this.announce = tr("taskSaved", { title: t.task.title });
      this.closeDetails(t);
      await this.load();
    } catch (err: unknown) {
      this.formError = err instanceof ObjectivesAccessError ? tr("taskDenied", { needed: err.access.needed, mine: err.access.mine })
        : tr("saveFailed", { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.busy = undefined;
    }
  }

  private renderDetails(t: MyTask, form: TaskForm): unknown {
    const tr = this.tr;
    const id = this.domId(t);
    const busy = this.busy === t.task.id;
    const set = (patch: Partial<TaskForm>): void => { this.form = { ...form, ...patch }; };
    return html`<form class="panel" id=${`panel-${id}`} aria-label=${tr("detailsOf", { title: t.task.title })}
      @submit=${(e: Event) => void this.saveDetails(t, e)}
      @keydown=${(e: KeyboardEvent) => { if (e.key === "Escape") { e.stopPropagation(); this.closeDetails(t); } }}>
      <div>
        <label for=${`due-${id}`}>${tr("dueDate")}</label>
        <input type="date" id=${`due-${id}`} .value=${form.due} aria-describedby=${`due-hint-${id}${this.formError !== "" ? ` err-${id}` : ""}`}
          aria-invalid=${this.formError === tr("badDue") ? "true" : "false"} @input=${(e: Event) => set({ due: (e.target as HTMLInputElement).value })}>
        <p class="hint" id=${`due-hint-${id}`}>${tr("dueHint")}</p>
      </div>
      <div>
        <label for=${`prio-${id}`}>${tr("priority")}</label>
        <select id=${`prio-${id}`} @change=${(e: Event) => set({ priority: Number((e.target as HTMLSelectElement).value) })}>
          ${PRIORITY_CHOICES.map((p) => html`<option value=${p} ?selected=${p === form.priority}>${tr(`priority_${p}`)}</option>`)}
        </select>
      </div>
      <fieldset>
        <legend>${tr("checklist")}</legend>
        ${t.task.checklist.length === 0 ? html`<p class="hint">${tr("noChecklist")}</p>` : html`<ul>${t.task.checklist.map((item) => html`<li class="item">
          <label><input type="checkbox" .checked=${form.done[item.id] ?? item.done}
            @change=${(e: Event) => set({ done: { ...form.done, [item.id]: (e.target as HTMLInputElement).checked } })}> ${item.text}</label></li>`)}</ul>`}
      </fieldset>
      ${this.formError !== "" ? html`<p class="error" id=${`err-${id}`} role="alert">${this.formError}</p>` : nothing}
      <div class="buttons">
        <button type="submit" class="primary" ?disabled=${busy}>${busy ? tr("sending") : tr("save")}</button>
        <button type="button" @click=${() => this.closeDetails(t)}>${tr("closeDetails")}</button>
      </div>
    </form>`;
  }

  /** Shows the next page of a group; focus goes to the first task that appeared. */
  private async showMore(g: MyTaskGroup): Promise<void> {
    const before = this.shown[g.group] ?? MY_TASKS_PAGE;
    this.shown = { ...this.shown, [g.group]: before + MY_TASKS_PAGE };
    await this.updateComplete;
    const next = g.tasks[before];
    if (next !== undefined) this.renderRoot.querySelector<HTMLElement>(`li[data-task="${CSS.escape(next.task.id)}"] select`)?.focus();
  }

  private renderGroup(g: MyTaskGroup): unknown {
    const tr = this.tr;
    const limit = this.shown[g.group] ?? MY_TASKS_PAGE;
    const rest = g.tasks.length - limit;
    return html`<section aria-labelledby=${`g-${g.group}`}>
      <h2 id=${`g-${g.group}`} class=${g.group}>${tr(`group_${g.group}`)} (${g.tasks.length})</h2>
      <ul>${g.tasks.slice(0, limit).map((t) => this.renderTask(t))}</ul>
      ${rest > 0 ? html`<button type="button" class="more" @click=${() => void this.showMore(g)}>${tr("showMore", { n: Math.min(rest, MY_TASKS_PAGE), total: g.tasks.length })}</button>` : nothing}
    </section>`;
  }

  private renderTask(t: MyTask): unknown {
    const tr = this.tr;
    const id = this.domId(t);
    const open = this.opened === t.task.id && this.form !== undefined;
    return html`<li data-task=${t.task.id}>
      <span class="title" id=${`t-${id}`}>${t.task.title}</span>
      <span class="actions">
        <select aria-label=${tr("statusOf", { title: t.task.title })} ?disabled=${this.busy === t.task.id}
          @change=${(e: Event) => void this.setStatus(t, (e.target as HTMLSelectElement).value as TaskStatus)}>
          ${TASK_STATUSES.map((s) => html`<option value=${s} ?selected=${s === t.task.status}>${tr(`status_${s}`)}</option>`)}
        </select>
        <button type="button" id=${`details-${id}`} aria-expanded=${open ? "true" : "false"} aria-controls=${open ? `panel-${id}` : nothing}
          aria-label=${tr("detailsOf", { title: t.task.title })} @click=${() => void this.toggleDetails(t)}>${tr("details")}</button>
      </span>
      <span class="meta">
        <a href=${roomHash(t.roomId)} aria-label=${tr("openRoom", { room: t.roomName })}>${tr("inRoom", { room: t.roomName })}</a>
        <a href=${threadHash(t.roomId, t.task.id)} aria-label=${tr("openThreadOf", { title: t.task.title })}>${tr("openThread")}</a>
        ${t.task.due ? html`<span>${tr("due", { date: dueText(t.task.due, this.zone) })}</span>` : nothing}
      </span>
      ${open && this.form !== undefined ? this.renderDetails(t, this.form) : nothing}
    </li>`;
  }

  override render(): unknown {
    const tr = this.tr;
    const groups = this.groups;
    const total = groups?.reduce((n, g) => n + g.tasks.length, 0) ?? 0;
    return html`<h1>${tr("myTasks")}</h1>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announce}</p>
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${groups === undefined ? html`<p aria-busy="true">${tr("loading")}</p>`
        : total === 0 ? html`<p class="muted">${tr("noTasks")}</p>`
        : groups.filter((g) => g.tasks.length > 0).map((g) => this.renderGroup(g))}`;
  }
}
customElements.define("ent-my-tasks", MyTasksView);
