// <ent-dossier>: one dossier's folder view. Folder tree (ARIA tree) and the folder's contents
// (ARIA grid: name, size, uploader, date, versions), sort and filter by name over the decrypted
// names, create folder, upload by picker or drag-and-drop with progress (speed, time left) and
// cancel, new version, rename, move, delete and restore (the bin), version history with download
// of any version (decrypted and hash-checked in the page, saved under the file's name), image
// previews (decrypted thumbnails), bytes stored vs the server's upload limit. The transfers are a
// controller (dossier-transfers.ts); rows, toolbar, tree and transfer lists are templates beside.
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { formatSize } from "../../core/attachment-crypto.ts";
import {
  breadcrumbs, bytesUsed, checkName, folderPath, folderTree, moveTargets, visibleEntries,
  type DossierEntry, type DossierSnapshot, type SortKey,
} from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { filePickerStyles } from "../shared/file-picker.ts";
import { dossierStyles } from "./dossier-styles.ts";
import { dossierTranslator, type DossierTranslate } from "./dossier-messages.ts";
import { DOSSIERS_HASH } from "./dossiers-route.ts";
import { renderBreadcrumbs, renderFolderTree } from "./folder-tree.ts";
import { renderEntryRow, renderHistory, type RowContext } from "./entry-row.ts";
import { DossierTransfers } from "./dossier-transfers.ts";
import { DossierPreviews } from "./dossier-previews.ts";
import { DossierLocks } from "./dossier-locks.ts";
import { releaseOffer } from "./lock-row.ts";
import { changeSaid } from "./change-said.ts";
import { holdsSaid } from "./transfer-said.ts";
import { renderToolbar, type ToolbarState } from "./dossier-toolbar.ts";
import "./archive-export-panel.ts";
import "./dossier-members.ts";

export class DossierView extends LitElement {
  static override properties = {
    i18n: { attribute: false }, port: { attribute: false }, roomId: { type: String }, version: { type: Number },
    snap: { state: true }, error: { state: true }, folder: { state: true }, filter: { state: true }, sortKey: { state: true }, descending: { state: true },
    showDeleted: { state: true }, status: { state: true }, renaming: { state: true }, moving: { state: true }, historyOf: { state: true },
    maxUpload: { state: true }, dragging: { state: true }, nameError: { state: true }, waiting: { state: true },
  };
  declare i18n: I18n;
  declare port: DossiersPort;
  declare roomId: string;
  declare version: number;
  declare snap: DossierSnapshot | undefined;
  declare error: string;
  declare folder: string | undefined;
  declare filter: string;
  declare sortKey: SortKey;
  declare descending: boolean;
  declare showDeleted: boolean;
  declare status: string;
  declare renaming: string | undefined;
  declare moving: string | undefined;
  declare historyOf: string | undefined;
  declare maxUpload: number | undefined;
  declare dragging: boolean;
  declare nameError: string;
  /** Events of the dossier not decrypted yet (their key has not come): said, rather than « vide ». */
  declare waiting: number;
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly transfers = new DossierTransfers(this, {
    port: () => this.port, roomId: () => this.roomId, folder: () => this.folder, maxUpload: () => this.maxUpload,
    entry: (id) => this.snap?.entries.get(id), tr: () => this.tr, size: (n) => this.size(n),
    say: (text) => { this.status = text; }, refresh: () => this.refresh(),
  });
  private readonly previews = new DossierPreviews(this, () => this.port);
  private readonly locks = new DossierLocks(this, {
    port: () => this.port, roomId: () => this.roomId, locale: () => this.i18n.locale, who: (u) => this.port.memberName(this.roomId, u),
    say: (text) => { this.status = text; }, focusRow: (id) => this.focusRow(id),
    focusPicker: (id) => this.renderRoot.querySelector<HTMLSelectElement>(`tr[data-entry="${CSS.escape(id)}"] select.lock-duration`)?.focus(),
  });

  static override styles = [theme, dossierStyles, filePickerStyles];

  constructor() {
    super();
    this.error = "";
    this.folder = undefined;
    this.filter = "";
    this.sortKey = "name";
    this.descending = false;
    this.showDeleted = false;
    this.status = "";
    this.dragging = false;
    this.nameError = "";
    this.waiting = 0;
    this.version = 0;
    this.addEventListener("dragover", (e) => { e.preventDefault(); this.dragging = true; });
    this.addEventListener("dragleave", (e) => { if (e.target === this) this.dragging = false; });
    this.addEventListener("drop", (e) => {
      e.preventDefault();
      this.dragging = false;
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      if (this.roomId !== "" && !this.port.mayChange(this.roomId)) this.status = this.tr("readOnly");
      else void this.transfers.uploadFiles(files, {});
    });
  }

  private get tr(): DossierTranslate {
    return dossierTranslator(this.i18n.locale);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.port.onChange((roomId) => { if (roomId === this.roomId) this.scheduleRefresh(); });
    void this.port.maxUploadSize().then((m) => { this.maxUpload = m; });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    clearTimeout(this.refreshTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The details of a file show its latest version's preview (a PDF's first page is drawn then only).
    const shown = this.historyOf !== undefined ? this.snap?.entries.get(this.historyOf)?.versions.at(-1) : undefined;
    if (shown !== undefined) this.previews.show(shown);
    // The status line was said in the previous language: gone rather than left in it.
    const before = changed.get("i18n");
    if (before !== undefined && before.locale !== this.i18n.locale) this.status = "";
    if (changed.has("roomId")) {
      this.snap = undefined;
      this.folder = undefined;
      void this.refresh();
    }
    this.classList.toggle("drag", this.dragging);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The rename field takes the focus with its text selected, the move list the focus; closing
    // either gives it back to the row's menu button. The history, opened, takes it on its title.
    if (changed.has("renaming") && this.renaming !== undefined) {
      const input = this.renderRoot.querySelector<HTMLInputElement>("input.rename");
      input?.focus();
      input?.select();
    } else if (changed.has("renaming") && changed.get("renaming") !== undefined) {
      this.focusRow(changed.get("renaming"));
    }
    if (changed.has("moving") && this.moving !== undefined) this.renderRoot.querySelector<HTMLSelectElement>("select.move")?.focus();
    else if (changed.has("moving") && changed.get("moving") !== undefined) this.focusRow(changed.get("moving"));
    if (changed.has("historyOf") && this.historyOf !== undefined) this.renderRoot.querySelector<HTMLElement>("#history-title")?.focus();
  }

  /** The focus on a row's menu button (or the row, if it has none). */
  private focusRow(id: string | undefined): void {
    const row = this.renderRoot.querySelector<HTMLElement>(`tr[data-entry="${CSS.escape(String(id))}"]`);
    const menu = row?.querySelector("ent-menu-button");
    if (menu) menu.focus();
    else row?.focus();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 150);
  }

  private async refresh(): Promise<void> {
    const roomId = this.roomId;
    try {
      const snap = await this.port.snapshot(roomId);
      if (roomId !== this.roomId) return;
      this.snap = snap;
      this.waiting = this.port.undecrypted?.(roomId) ?? 0;
      this.error = "";
      this.previews.load(snap);
    } catch (e: unknown) {
      this.error = this.tr("loadFailed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private fail(e: unknown): void {
    this.status = this.tr("actionFailed", { error: e instanceof Error ? e.message : String(e) });
  }

  private size(n: number | undefined): string {
    return n === undefined ? this.tr("sizeUnknown") : formatSize(n, this.i18n.locale);
  }

  private date(ts: number): string {
    return new Intl.DateTimeFormat(this.i18n.locale === "en" ? "en-GB" : "fr-FR", { dateStyle: "short", timeStyle: "short" }).format(new Date(ts));
  }

  private async newFolder(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input");
    const name = this.checkedName(input);
    if (name === undefined) return;
    try {
      await this.port.createFolder(this.roomId, name, this.folder);
      if (input) input.value = "";
      await this.refresh();
    } catch (err: unknown) {
      this.fail(err);
    }
  }

  private async rename(e: SubmitEvent, entry: DossierEntry): Promise<void> {
    e.preventDefault();
    const name = this.checkedName((e.target as HTMLFormElement).querySelector("input"));
    if (name === undefined) return;
    this.renaming = undefined;
    if (name !== entry.name) await this.change(entry, { name });
  }

  /** The typed name if it is a valid file or folder name; else undefined, with the reason shown. */
  private checkedName(input: HTMLInputElement | null): string | undefined {
    const checked = checkName(input?.value ?? "");
    this.nameError = checked.ok ? "" : this.tr(`badName_${checked.reason}`);
    return checked.ok ? checked.name : undefined;
  }

  private async change(entry: DossierEntry, change: { name?: string; parent?: string | null; deleted?: boolean }): Promise<void> {
    try {
      await this.port.change(this.roomId, entry.id, change);
      await this.refresh();
      const snap = this.snap;
      const said = snap !== undefined ? changeSaid(this.tr, entry.name, change, (id) => folderPath(snap, id), entry.parent) : undefined;
      if (said !== undefined) this.status = said;
    } catch (e: unknown) {
      this.fail(e);
    }
  }

  private async invite(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input");
    const who = input?.value.trim() ?? "";
    if (who === "") return;
    try {
      await this.port.invite(this.roomId, who);
      if (input) input.value = "";
      this.status = this.tr("invitedOk");
    } catch (err: unknown) {
      this.fail(err);
    }
  }

  /** Grid keys: Up/Down move between rows (not those a row's menu or field took: in a list or a field they are its own). */
  private gridKey(e: KeyboardEvent): void {
    if ((e.key !== "ArrowDown" && e.key !== "ArrowUp") || e.defaultPrevented || e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement) return;
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>("tbody tr")];
    const row = (e.target as HTMLElement).closest("tr");
    const i = row ? rows.indexOf(row) : -1;
    if (i < 0) return;
    e.preventDefault();
    rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))]?.focus();
  }

  private open(folder: string | undefined): void {
    this.folder = folder;
    this.filter = "";
    this.showDeleted = false;
    this.historyOf = undefined;
    this.moving = undefined;
  }

  private rowContext(snap: DossierSnapshot, readOnly: string | undefined): RowContext {
    // A search or the bin lists the whole dossier: each row says where its entry is.
    const wholeDossier = this.filter.trim() !== "" || this.showDeleted;
    return {
      where: wholeDossier ? (e) => ({ path: folderPath(snap, e.parent), canOpen: !this.showDeleted }) : undefined,
      locks: { active: this.locks.current(), ctl: this.locks, me: this.port.userId },
      tr: this.tr, size: (n) => this.size(n), date: (ts) => this.date(ts), who: (u) => this.port.memberName(this.roomId, u),
      previews: this.previews.urls, previewStates: this.previews.states, renaming: this.renaming, moving: this.moving, readOnly, moveTargets: (id) => moveTargets(snap, id),
      open: (f) => this.open(f), download: (e, v) => void this.transfers.download(e, v),
      // A new version sent by the entry's lock holder: the offer to release it.
      newVersion: (e, f) => void this.transfers.uploadFiles([f], { versionOf: e.id }).then((sent) => { if (sent) this.locks.versionSent(e); }),
      showHistory: (id) => { this.historyOf = id; }, startRename: (id) => { this.renaming = id; }, startMove: (id) => { this.moving = id; }, submitRename: (ev, e) => void this.rename(ev, e),
      change: (e, c) => void this.change(e, c),
    };
  }

  override render(): unknown {
    const tr = this.tr;
    const title = this.port.dossierName(this.roomId) ?? tr("dossiers");
    const snap = this.snap;
    if (snap === undefined) {
      return html`<p><a href=${DOSSIERS_HASH}>${tr("backToList")}</a></p><h1>${title}</h1>
        ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : html`<p aria-busy="true">${tr("loading")}</p>`}`;
    }
    const crumbs = breadcrumbs(snap, this.folder);
    const here = crumbs[crumbs.length - 1]?.name ?? tr("top");
    const rows = visibleEntries(snap, { folder: this.folder, filter: this.filter, order: { key: this.sortKey, descending: this.descending }, showDeleted: this.showDeleted });
    const used = this.size(bytesUsed(snap));
    const readOnly = this.port.mayChange(this.roomId) ? undefined : tr("readOnly");
    const ctx = this.rowContext(snap, readOnly);
    const history = this.historyOf !== undefined ? snap.entries.get(this.historyOf) : undefined;
    return html`
      <header>
        <h1>${title}</h1>
        <span class="muted">${holdsSaid(tr, snap.entries.values(), used, this.maxUpload !== undefined ? this.size(this.maxUpload) : undefined)}</span>
      </header>
      <p class="muted"><a href=${DOSSIERS_HASH}>${tr("backToList")}</a> · ${tr("encryptedNote")}</p>
      ${renderBreadcrumbs(crumbs, tr, (f) => this.open(f))}
      ${renderToolbar(this, tr, {
        set: (c: Partial<ToolbarState>) => { Object.assign(this, c); }, newFolder: (e) => void this.newFolder(e),
        addFiles: (files) => void this.transfers.uploadFiles(files, {}), invite: (e) => void this.invite(e),
      }, readOnly)}
      ${this.nameError !== "" ? html`<p class="error" role="alert">${this.nameError}</p>` : nothing}
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.transfers.render()}
      <p role="status" aria-live="polite" class="muted">${this.status}</p>
      ${releaseOffer(ctx.locks)}
      ${this.waiting > 0 ? html`<div class="waiting-keys" role="status"><p>${this.waiting === 1 ? tr("waitingKeysOne") : tr("waitingKeysMany", { n: String(this.waiting) })}</p><p class="muted">${tr("waitingKeysHelp")}</p></div>` : nothing}
      <div class="body">
        ${renderFolderTree(folderTree(snap), this.folder, tr, (f) => this.open(f))}
        <div>
          ${rows.length === 0
            ? this.waiting > 0 && this.filter.trim() === "" && !this.showDeleted ? nothing : html`<p class="empty">${this.filter.trim() !== "" ? tr("noMatch", { filter: this.filter.trim() }) : this.showDeleted ? tr("trashEmpty") : tr("empty")}</p>`
            : html`<table role="grid" aria-label=${tr("filesOf", { folder: here })} @keydown=${(e: KeyboardEvent) => this.gridKey(e)}>
                <thead><tr>${(["colName", "colSize", "colBy", "colDate", "colVersions", "colActions"] as const).map((k) => html`<th role="columnheader" scope="col">${tr(k)}</th>`)}</tr></thead>
                <tbody>${rows.map((e) => renderEntryRow(e, ctx))}</tbody>
              </table>`}
          ${history !== undefined ? renderHistory(history, ctx) : nothing}
        </div>
      </div>
      <ent-dossier-members .i18n=${this.i18n} .port=${this.port} roomId=${this.roomId} version=${this.version}></ent-dossier-members>
      <ent-archive-export .i18n=${this.i18n} .level=${this.port.archiveLevel?.(this.roomId)} .run=${(onProgress: Parameters<DossiersPort["exportArchive"]>[1]) => this.port.exportArchive(this.roomId, onProgress)}></ent-archive-export>
      ${this.dragging ? html`<p class="sr" role="status">${tr("dropHere")}</p>` : nothing}`;
  }
}
customElements.define("ent-dossier", DossierView);
