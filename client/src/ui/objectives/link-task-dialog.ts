// <ent-link-task-dialog>: links one of the working group's tasks to an objective, in a native
// modal <dialog> (focus trapped by the browser, Escape closes, focus back to the opener). A text
// filter narrows a list box grouped by room; a task already linked elsewhere says to which
// objective (linking it here moves it). The parent's `link` sends the task update.
import { LitElement, css, html, nothing } from "lit";
import type { Task } from "../../core/tasks/protocol.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { tasksTranslator, type TasksTranslate } from "../tasks/tasks-messages.ts";
import { deepActiveElement } from "./objective-dialog.ts";

export interface LinkableTask { roomId: string; roomName: string; task: Task; linkedTitle: string | undefined }

export class LinkTaskDialog extends LitElement {
  static override properties = {
    i18n: { attribute: false }, objectiveTitle: { state: true }, tasks: { state: true }, filter: { state: true }, failure: { state: true }, busy: { state: true },
  };
  declare i18n: I18n;
  /** Sends the link; a rejection is shown in the dialog. */
  link: (t: LinkableTask) => Promise<void> = () => Promise.resolve();
  declare objectiveTitle: string;
  declare tasks: LinkableTask[];
  declare filter: string;
  declare failure: string;
  declare busy: boolean;
  private opener: HTMLElement | undefined;

  static override styles = [theme, css`
    dialog { border: none; border-radius: 10px; padding: 1.5rem; width: min(36rem, 94vw); }
    form { display: grid; gap: 0.8rem; }
    h2 { margin: 0; font-size: 1.2rem; }
    .field { display: grid; gap: 0.25rem; }
    select { width: 100%; }
    .actions { display: flex; justify-content: flex-end; gap: 0.5rem; }
  `];

  constructor() {
    super();
    this.objectiveTitle = "";
    this.tasks = [];
    this.filter = "";
    this.failure = "";
    this.busy = false;
  }

  private get tr(): TasksTranslate {
    return tasksTranslator(this.i18n.locale);
  }

  open(objectiveTitle: string, tasks: LinkableTask[]): void {
    this.opener = deepActiveElement();
    this.objectiveTitle = objectiveTitle;
    this.tasks = tasks;
    this.filter = "";
    this.failure = "";
    void this.updateComplete.then(() => {
      this.renderRoot.querySelector("form")?.reset();
      this.renderRoot.querySelector("dialog")?.showModal();
    });
  }

  private shown(): LinkableTask[] {
    const f = this.filter.trim().toLocaleLowerCase("fr");
    return f === "" ? this.tasks : this.tasks.filter((t) => t.task.title.toLocaleLowerCase("fr").includes(f) || t.roomName.toLocaleLowerCase("fr").includes(f));
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const id = this.renderRoot.querySelector<HTMLSelectElement>("#link-task")?.value;
    const chosen = this.tasks.find((t) => t.task.id === id);
    if (chosen === undefined || this.busy) return;
    this.busy = true;
    this.failure = "";
    try {
      await this.link(chosen);
      this.renderRoot.querySelector("dialog")?.close();
    } catch (err: unknown) {
      this.failure = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  override render(): unknown {
    const tr = this.tr;
    const shown = this.shown();
    const rooms = [...new Set(shown.map((t) => t.roomName))];
    const label = (t: LinkableTask): string => (t.linkedTitle === undefined ? t.task.title : `${t.task.title} — ${tr("linkedTo", { title: t.linkedTitle })}`);
    return html`<dialog aria-labelledby="link-dlg-title" @close=${() => this.opener?.focus()}>
      <form @submit=${(e: SubmitEvent) => void this.submit(e)}>
        <h2 id="link-dlg-title">${tr("linkTaskTo", { title: this.objectiveTitle })}</h2>
        ${this.tasks.length === 0 ? html`<p class="muted">${tr("noTaskToLink")}</p>` : html`
          <div class="field"><label for="link-filter">${tr("filterTasks")}</label>
            <input id="link-filter" type="search" autocomplete="off" autofocus @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; }}></div>
          <div class="field"><label for="link-task">${tr("taskToLink")}</label>
            <select id="link-task" size="8" required>
              ${rooms.map((room) => html`<optgroup label=${room}>${shown.filter((t) => t.roomName === room).map((t, i) => html`<option value=${t.task.id} ?selected=${i === 0 && room === rooms[0]}>${label(t)}</option>`)}</optgroup>`)}
            </select></div>`}
        ${this.failure !== "" ? html`<p class="error" role="alert">${tr("saveFailed", { error: this.failure })}</p>` : nothing}
        <div class="actions">
          <button type="button" @click=${() => this.renderRoot.querySelector("dialog")?.close()}>${tr("cancel")}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || shown.length === 0}>${this.busy ? tr("sending") : tr("link")}</button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define("ent-link-task-dialog", LinkTaskDialog);
