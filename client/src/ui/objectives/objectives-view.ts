// <ent-objectives>: a working group's (space's) objectives dashboard: each objective of its rooms
// with key results and progress bars (the protocol's progress: check-ins combined with the done
// share of linked tasks), a check-in form per key result, linked tasks, the space's overdue tasks,
// and a CSV export for spreadsheets; objectives created and edited (key results included) in a
// dialog, tasks linked and unlinked. Without a space: the list of working groups to pick from.
import { LitElement, css, html, nothing } from "lit";
import { formatTaskDateFr } from "../../core/tasks/protocol.ts";
import { buildDashboard, type Dashboard, type KeyResultRow, type ObjectiveCard, type RoomObjectives } from "../../core/tasks/objectives-dashboard.ts";
import { draftFromObjective, emptyDraft, newKeyResults, objectiveChange, parseWholeNumber } from "../../core/tasks/objective-draft.ts";
import { plainError } from "../shared/plain-error.ts";
import { errorKind } from "../../core/error-kind.ts";
import { ObjectivesAccessError } from "../../core/tasks/objectives-setup.ts";
import { objectivesEmptyHint } from "../../core/tasks/objectives-empty.ts";
import { objectivesCsv } from "../../core/tasks/objectives-csv.ts";
import { coalescedRun } from "../../core/coalesced-run.ts";
import { debouncedChanges } from "../../core/debounced-changes.ts";
import type { TasksPort } from "../../core/tasks/tasks-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { roomHash } from "../app/route.ts";
import { dueText } from "../tasks/due-text.ts";
import { tasksTranslator } from "../tasks/tasks-messages.ts";
import { objectivesHash } from "../tasks/tasks-route.ts";
import type { ObjectiveDialog, ObjectiveSaveRequest } from "./objective-dialog.ts";
import type { LinkableTask, LinkTaskDialog } from "./link-task-dialog.ts";
import "./objective-dialog.ts";
import "./link-task-dialog.ts";

const pct = (share: number | null): number => (share === null ? 0 : Math.round(share * 100));
const safeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, "_");
/** A key result id: random, short (ids are unique per objective, ≤ 64 characters). */
const newKrId = (): string => `kr-${crypto.randomUUID().slice(0, 8)}`;

export class ObjectivesView extends LitElement {
  static override properties = {
    port: { attribute: false }, i18n: { attribute: false }, spaceId: { attribute: false },
    dashboard: { state: true }, confirming: { state: true }, zone: { state: true }, error: { state: true }, announce: { state: true }, busy: { state: true },
  };
  declare port: TasksPort;
  declare i18n: I18n;
  declare spaceId: string | undefined;
  declare dashboard: Dashboard | undefined;
  /** The objective whose deletion waits for the agent's confirmation. */
  declare confirming: string | undefined;
  /** the folded rooms the dashboard was built from (tasks to link) */
  private rooms: RoomObjectives[] = [];
  /** Display names of the space's members (owners are shown by name, their id in a tooltip). */
  private names = new Map<string, string>();
  declare zone: string;
  declare error: string;
  declare announce: string;
  declare busy: boolean;
  /** Stops following the port's changes. */
  private unfollow: (() => void) | undefined;
  /** One load at a time; a change during a load asks for one more. */
  private readonly reload = coalescedRun(async () => {
    const spaceId = this.spaceId;
    if (spaceId === undefined) return;
    try {
      this.zone = await this.port.timeZone();
      const [rooms, members] = await Promise.all([this.port.spaceObjectives(spaceId), this.port.spaceMembers(spaceId)]);
      if (this.spaceId === spaceId) {
        this.rooms = rooms;
        this.names = new Map(members.map((m) => [m.userId, m.name]));
        this.dashboard = buildDashboard(rooms, Date.now(), this.zone);
      }
      this.error = "";
    } catch (e: unknown) {
      this.error = this.tr("loadFailed", { error: e instanceof Error ? e.message : String(e) });
    }
  });
  /** The space loaded (undefined: the chooser); null before the first update. */
  private loadedFor: string | undefined | null = null;

  static override styles = [theme, css`
    :host { display: block; padding: 1rem 1.5rem; overflow-y: auto; }
    h1 { margin: 0 0 1rem; font-size: 1.4rem; }
    h2 { font-size: 1.15rem; margin: 0 0 0.3rem; }
    h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
    .bar { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
    article { border: 1px solid var(--border); border-radius: var(--radius); padding: 0.8rem 1rem; margin-bottom: 1rem; }
    .meta { display: flex; gap: 1rem; flex-wrap: wrap; color: var(--muted); font-size: 0.92rem; }
    progress { width: 14rem; height: 1rem; accent-color: var(--accent); }
    ul { margin: 0; padding-left: 1.2rem; }
    .kr { display: grid; grid-template-columns: minmax(10rem, 1fr) auto 14rem; gap: 0.3rem 1rem; align-items: center; padding: 0.3rem 0; }
    .kr form { grid-column: 1 / -1; display: flex; gap: 0.5rem; align-items: center; }
    .kr input { width: 8rem; }
    .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.6rem; }
    ul.linked li { display: flex; gap: 0.8rem; align-items: center; padding: 0.15rem 0; }
    .confirm { margin-top: 0.6rem; padding: 0.6rem 0.8rem; border: 1px solid var(--danger); border-radius: var(--radius); display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
    .confirm p { margin: 0; flex-basis: 100%; }
    button.danger { background: var(--danger); color: #ffffff; border-color: var(--danger); }
    .empty { border: 1px dashed var(--border); border-radius: var(--radius); padding: 1rem; display: grid; gap: 0.6rem; justify-items: start; }
    a { color: var(--accent); }
  `];

  constructor() {
    super();
    this.zone = "Europe/Paris";
    this.error = "";
    this.announce = "";
    this.busy = false;
    this.dashboard = undefined;
  }

  /** A number as the agent reads it: "12,5" in French. */
  private num(n: number): string {
    return n.toLocaleString(this.i18n.locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 2 });
  }

  private get tr() {
    return tasksTranslator(this.i18n.locale);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unfollow = debouncedChanges((l) => this.port.onChange(l), () => void this.load(), 400);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unfollow?.();
  }

  override willUpdate(): void {
    if (this.spaceId !== this.loadedFor) {
      this.loadedFor = this.spaceId;
      this.dashboard = undefined;
      void this.load();
    }
  }

  private load(): Promise<void> {
    if (this.spaceId !== undefined) return this.reload();
    this.openSoleSpace();
    return Promise.resolve();
  }

  /** In one working group only: its dashboard at once, no choice to make. The address is replaced,
   * so Back leaves « Objectifs » instead of landing on the chooser again. Else the chooser, redrawn
   * (a group joined since shows up). */
  private openSoleSpace(): void {
    const spaces = this.port.spaces();
    const only = spaces.length === 1 ? spaces[0] : undefined;
    if (only !== undefined) location.replace(objectivesHash(only.spaceId));
    else this.requestUpdate();
  }

  private async checkin(card: ObjectiveCard, row: KeyResultRow, form: HTMLFormElement): Promise<void> {
    const tr = this.tr;
    const input = form.querySelector("input");
    const value = parseWholeNumber(input?.value ?? "");
    if (value === undefined) {
      this.announce = tr("badNumber");
      input?.setAttribute("aria-invalid", "true");
      input?.focus();
      return;
    }
    input?.removeAttribute("aria-invalid");
    this.busy = true;
    try {
      await this.port.addCheckin(card.roomId, card.objective.id, row.keyResult.id, value);
      this.announce = tr("checkinAdded", { title: row.keyResult.title, value: String(value) });
      form.reset();
      await this.load();
    } catch (e: unknown) {
      this.announce = tr("checkinFailed", { error: this.words(e) });
    } finally {
      this.busy = false;
    }
  }

  /** An error in one plain line: the agent's power level in words, else the server's message. */
  private words(e: unknown): string {
    if (e instanceof ObjectivesAccessError) return this.tr(`denied_${e.access.action}`, { needed: e.access.needed, mine: e.access.mine });
    if (errorKind(e, navigator.onLine) !== "other") return plainError(this.i18n.t, e);
    // A Matrix error: its code and the server's sentence, not the SDK's message with the URL.
    const m = e as { errcode?: unknown; data?: { error?: unknown } } | undefined;
    if (typeof m?.errcode === "string" && typeof m.data?.error === "string") return `${m.errcode} : ${m.data.error}`;
    return e instanceof Error ? e.message : String(e);
  }

  private objectiveDialog(): ObjectiveDialog | null {
    return this.renderRoot.querySelector("ent-objective-dialog");
  }

  private async openCreate(): Promise<void> {
    const spaceId = this.spaceId;
    const dialog = this.objectiveDialog();
    if (spaceId === undefined || dialog === null) return;
    const members = await this.port.spaceMembers(spaceId);
    dialog.save = async (req: ObjectiveSaveRequest) => {
      const c = req.checked;
      try {
        await this.port.createObjective(req.roomId, { title: c.title, owner: c.owner, period: c.period, status: c.status, keyResults: newKeyResults(c, newKrId) });
      } catch (e: unknown) {
        throw new Error(this.words(e));
      }
      this.announce = this.tr("objectiveCreated", { title: c.title });
      await this.load();
    };
    dialog.open({ mode: "create", draft: emptyDraft(this.port.userId), rooms: this.port.objectiveRooms(spaceId), members });
  }

  private async openEdit(card: ObjectiveCard): Promise<void> {
    const dialog = this.objectiveDialog();
    if (this.spaceId === undefined || dialog === null) return;
    const members = await this.port.spaceMembers(this.spaceId);
    dialog.save = async (req: ObjectiveSaveRequest) => {
      const change = objectiveChange(card.objective, req.checked, newKrId);
      if (change === undefined) {
        this.announce = this.tr("nothingChanged");
        return;
      }
      try {
        await this.port.updateObjective(card.roomId, card.objective.id, change);
      } catch (e: unknown) {
        throw new Error(this.words(e));
      }
      this.announce = this.tr("objectiveSaved", { title: req.checked.title });
      await this.load();
    };
    dialog.open({ mode: "edit", draft: draftFromObjective(card.objective), rooms: [], members, roomId: card.roomId });
  }

  private openLink(card: ObjectiveCard): void {
    const dialog = this.renderRoot.querySelector<LinkTaskDialog>("ent-link-task-dialog");
    if (dialog === null) return;
    const titles = new Map(this.dashboard?.objectives.map((c) => [c.objective.id, c.objective.title]) ?? []);
    const tasks: LinkableTask[] = [];
    for (const r of this.rooms) {
      for (const task of r.tasks) {
        if (task.deleted || task.objective === card.objective.id) continue;
        tasks.push({ roomId: r.roomId, roomName: r.roomName, task, linkedTitle: task.objective === null ? undefined : titles.get(task.objective) });
      }
    }
    tasks.sort((a, b) => a.roomName.localeCompare(b.roomName, "fr") || a.task.title.localeCompare(b.task.title, "fr"));
    dialog.link = async (t: LinkableTask) => {
      try {
        await this.port.linkTask(t.roomId, t.task.id, card.objective.id);
      } catch (e: unknown) {
        throw new Error(this.words(e));
      }
      this.announce = this.tr("taskLinked", { task: t.task.title, title: card.objective.title });
      await this.load();
    };
    dialog.open(card.objective.title, tasks);
  }

  private async unlink(card: ObjectiveCard, roomId: string, taskId: string, title: string): Promise<void> {
    this.busy = true;
    try {
      await this.port.linkTask(roomId, taskId, null);
      this.announce = this.tr("taskUnlinked", { task: title, title: card.objective.title });
      await this.load();
      // The button is gone with its line: focus goes to the card's "Lier une tâche".
      this.renderRoot.querySelector<HTMLElement>(`article[data-objective="${CSS.escape(card.objective.id)}"] button.link`)?.focus();
    } catch (e: unknown) {
      this.announce = this.tr("saveFailed", { error: this.words(e) });
    } finally {
      this.busy = false;
    }
  }

  /** First click: the card asks for confirmation, focus on "Supprimer définitivement". */
  private async askDelete(card: ObjectiveCard): Promise<void> {
    this.confirming = card.objective.id;
    await this.updateComplete;
    this.cardButton(card.objective.id, "button.confirm-delete")?.focus();
  }

  private async cancelDelete(card: ObjectiveCard): Promise<void> {
    this.confirming = undefined;
    await this.updateComplete;
    this.cardButton(card.objective.id, "button.delete")?.focus();
  }

  private async deleteObjective(card: ObjectiveCard): Promise<void> {
    const title = card.objective.title;
    this.busy = true;
    try {
      await this.port.deleteObjective(card.roomId, card.objective.id);
      this.confirming = undefined;
      this.announce = this.tr("objectiveDeleted", { title });
      await this.load();
      // The card is gone: focus goes to "Nouvel objectif".
      this.renderRoot.querySelector<HTMLElement>(".bar button.primary")?.focus();
    } catch (e: unknown) {
      this.announce = this.tr("deleteFailed", { error: this.words(e) });
    } finally {
      this.busy = false;
    }
  }

  private cardButton(objectiveId: string, selector: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`article[data-objective="${CSS.escape(objectiveId)}"] ${selector}`);
  }

  private exportCsv(): void {
    if (this.dashboard === undefined) return;
    const csv = objectivesCsv(this.dashboard, this.i18n.locale);
    const space = this.port.spaces().find((s) => s.spaceId === this.spaceId)?.name ?? "";
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${this.tr("csvName")}-${space.replace(/[^\p{L}\p{N}_-]+/gu, "-") || "espace"}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private renderKeyResult(card: ObjectiveCard, row: KeyResultRow): unknown {
    const tr = this.tr;
    const kr = row.keyResult;
    const id = `kr-${safeId(card.objective.id)}-${safeId(kr.id)}`;
    return html`<div class="kr" data-key-result=${kr.id}>
      <span id=${`${id}-t`}>${kr.title}</span>
      <span>${tr("keyResultValue", { value: this.num(row.value), target: this.num(kr.target), unit: kr.unit })}</span>
      <progress max="100" value=${pct(row.progress)} aria-labelledby=${`${id}-t`} aria-valuetext=${tr("progress", { percent: pct(row.progress) })}></progress>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.checkin(card, row, e.currentTarget as HTMLFormElement); }}>
        <label for=${`${id}-v`}>${tr("newValue", { title: kr.title })}</label>
        <input id=${`${id}-v`} inputmode="numeric" autocomplete="off" required>
        <button type="submit" ?disabled=${this.busy}>${tr("addCheckin")}</button>
      </form>
    </div>`;
  }

  /** "Responsable : Bob Martin" (the Matrix id in a tooltip); the id alone for a non-member. */
  private renderOwner(owner: string): unknown {
    const name = this.names.get(owner);
    return name !== undefined && name !== owner ? html`<span class="owner" title=${owner}>${this.tr("owner", { who: name })}</span>` : html`<span class="owner">${this.tr("owner", { who: owner })}</span>`;
  }

  private renderCard(card: ObjectiveCard): unknown {
    const tr = this.tr;
    const o = card.objective;
    const hid = `o-${safeId(o.id)}`;
    const p = card.progress;
    return html`<article aria-labelledby=${hid} data-objective=${o.id}>
      <h2 id=${hid}>${o.title}</h2>
      <div class="meta">
        <a href=${roomHash(card.roomId)}>${tr("inRoom", { room: card.roomName })}</a>
        <span>${tr(`objStatus_${o.status}`)}</span>
        ${o.owner ? this.renderOwner(o.owner) : nothing}
        ${o.period ? html`<span>${tr("period", { from: formatTaskDateFr(o.period.start), to: formatTaskDateFr(o.period.end) })}</span>` : nothing}
      </div>
      <p>${p.overall === null ? tr("noProgress") : html`<progress max="100" value=${pct(p.overall)} aria-label=${tr("progressOf", { title: o.title })}></progress>
        <span class="overall">${tr("progress", { percent: pct(p.overall) })}</span>`}</p>
      ${card.keyResults.length > 0 ? html`<h3>${tr("keyResults")}</h3>${card.keyResults.map((row) => this.renderKeyResult(card, row))}` : nothing}
      <h3>${tr("linkedTasks", { done: p.doneTasks, count: p.linkedTasks })}</h3>
      ${card.linkedTasks.length === 0 ? html`<p class="muted">${tr("noLinkedTasks")}</p>`
        : html`<ul class="linked">${card.linkedTasks.map(({ roomId, task }) => html`<li data-task=${task.id}><span>${task.title} — ${tr(`status_${task.status}`)}</span>
            <button type="button" class="unlink" ?disabled=${this.busy} aria-label=${tr("unlink", { title: task.title })} @click=${() => void this.unlink(card, roomId, task.id, task.title)}>${tr("unlinkShort")}</button></li>`)}</ul>`}
      <div class="actions">
        <button type="button" class="edit" aria-label=${tr("editObjectiveOf", { title: o.title })} @click=${() => void this.openEdit(card)}>${tr("editObjective")}</button>
        <button type="button" class="link" aria-label=${tr("linkTaskTo", { title: o.title })} @click=${() => this.openLink(card)}>${tr("linkTask")}</button>
        <button type="button" class="delete" aria-label=${tr("deleteObjectiveOf", { title: o.title })} ?disabled=${this.busy} @click=${() => void this.askDelete(card)}>${tr("deleteObjective")}</button>
      </div>
      ${this.confirming === o.id ? html`<div class="confirm" role="group" aria-labelledby=${`${hid}-confirm`}>
        <p id=${`${hid}-confirm`}>${tr("confirmDeleteObjective", { title: o.title })}</p>
        <button type="button" class="confirm-delete danger" ?disabled=${this.busy} @click=${() => void this.deleteObjective(card)}>${tr("confirmDelete")}</button>
        <button type="button" class="cancel-delete" @click=${() => void this.cancelDelete(card)}>${tr("cancelDelete")}</button>
      </div>` : nothing}
    </article>`;
  }

  /** No objective yet: what to do, who may, and the button that does it (or whom to ask). */
  private renderEmpty(): unknown {
    const tr = this.tr;
    const hint = this.spaceId === undefined ? { kind: "no-room" as const } : objectivesEmptyHint(this.port.objectiveRooms(this.spaceId));
    if (hint.kind === "no-room") return html`<div class="empty"><p>${tr("noObjectivesCreate")}</p><p>${tr("emptyNoRoom")}</p></div>`;
    if (hint.kind === "forbidden") return html`<div class="empty"><p>${tr("noObjectivesCreate")}</p><p>${tr("emptyForbidden", { needed: hint.needed, mine: hint.mine })}</p></div>`;
    return html`<div class="empty"><p>${tr("noObjectivesCreate")}</p><p>${tr("emptyHowTo")}</p>
      <p class="muted">${tr("emptyWho")}${hint.setupOnly ? html` ${tr("emptySetup")}` : nothing}</p>
      <button class="primary create-first" @click=${() => void this.openCreate()}>${tr("emptyCreateFirst")}</button></div>`;
  }

  private renderSpaces(): unknown {
    const tr = this.tr;
    const spaces = this.port.spaces();
    return html`<h1>${tr("objectives")}</h1>
      ${spaces.length === 0 ? html`<p class="muted">${tr("noSpaces")}</p>`
        : html`<nav aria-label=${tr("chooseSpace")}><h2>${tr("chooseSpace")}</h2><ul>${spaces.map((s) => html`<li><a href=${objectivesHash(s.spaceId)}>${s.name}</a></li>`)}</ul></nav>`}`;
  }

  override render(): unknown {
    if (this.spaceId === undefined) return this.renderSpaces();
    const tr = this.tr;
    const d = this.dashboard;
    const space = this.port.spaces().find((s) => s.spaceId === this.spaceId)?.name ?? this.spaceId;
    return html`<h1>${tr("dashboardOf", { space })}</h1>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announce}</p>
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${d === undefined ? html`<p aria-busy="true">${tr("loading")}</p>` : html`
        <div class="bar">
          <button class="primary" @click=${() => void this.openCreate()}>${tr("newObjective")}</button>
          <button @click=${() => this.exportCsv()}>${tr("exportCsv")}</button>
        </div>
        ${d.objectives.length === 0 ? this.renderEmpty() : d.objectives.map((c) => this.renderCard(c))}
        <section aria-labelledby="overdue-h">
          <h2 id="overdue-h">${tr("overdue")} (${d.overdue.length})</h2>
          ${d.overdue.length === 0 ? html`<p class="muted">${tr("noOverdue")}</p>`
            : html`<ul class="overdue">${d.overdue.map((t) => html`<li>${t.task.title} — <a href=${roomHash(t.roomId)}>${t.roomName}</a>${t.task.due ? html` — ${tr("due", { date: dueText(t.task.due, this.zone) })}` : nothing}</li>`)}</ul>`}
        </section>`}
      <ent-objective-dialog .i18n=${this.i18n}></ent-objective-dialog>
      <ent-link-task-dialog .i18n=${this.i18n}></ent-link-task-dialog>`;
  }
}
customElements.define("ent-objectives", ObjectivesView);
