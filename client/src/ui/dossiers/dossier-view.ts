// <ent-dossier>: one dossier's folder view. Folder tree (ARIA tree) and the folder's contents
// (ARIA grid: name, size, uploader, date, versions), sort and filter by name over the decrypted
// names, create folder, upload by picker or drag-and-drop with progress (speed, time left) and
// cancel, new version, rename, move, delete and restore (the bin), version history with download
// of any version (decrypted and hash-checked in the page, saved under the file's name), image
// previews (decrypted thumbnails), bytes stored vs the server's upload limit.
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { formatSize } from "../../core/attachment-crypto.ts";
import { parseDossierConfig, DEFAULT_LARGE_FILE_THRESHOLD } from "../../core/dossiers/dossier-config.ts";
import {
  breadcrumbs, bytesUsed, checkName, folderTree, moveTargets, visibleEntries,
  type DossierEntry, type DossierSnapshot, type FileVersion, type SortKey,
} from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort, InterruptedDownload, TransferHandle, TransferProgress } from "../../core/dossiers/dossiers-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { dossierStyles } from "./dossier-styles.ts";
import { dossierTranslator, type DossierTranslate } from "./dossier-messages.ts";
import { DOSSIERS_HASH } from "./dossiers-route.ts";
import { renderFolderTree } from "./folder-tree.ts";
import { renderEntryRow, renderHistory, type RowContext } from "./entry-row.ts";
import { renderDownloads, renderInterrupted, renderInterruptedDownloads, renderUploads, type Download, type Upload } from "./transfer-list.ts";
import "./archive-export-panel.ts";
import "./dossier-members.ts";


let configPromise: Promise<number> | undefined;
/** The large-file threshold from config.json (the client's own config, fetched once). */
function largeFileThreshold(): Promise<number> {
  configPromise ??= fetch("./config.json", { cache: "no-cache" }).then((r) => r.json()).then((j: unknown) => parseDossierConfig(j).largeFileThreshold, () => DEFAULT_LARGE_FILE_THRESHOLD);
  return configPromise;
}

export class DossierView extends LitElement {
  static override properties = {
    i18n: { attribute: false }, port: { attribute: false }, roomId: { type: String }, version: { type: Number },
    snap: { state: true }, error: { state: true }, folder: { state: true }, filter: { state: true }, sortKey: { state: true }, descending: { state: true },
    showDeleted: { state: true }, uploads: { state: true }, status: { state: true }, renaming: { state: true }, historyOf: { state: true },
    previews: { state: true }, maxUpload: { state: true }, dragging: { state: true }, nameError: { state: true }, downloads: { state: true },
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
  declare uploads: Upload[];
  declare status: string;
  declare renaming: string | undefined;
  declare historyOf: string | undefined;
  declare previews: Map<string, string>;
  declare maxUpload: number | undefined;
  declare dragging: boolean;
  declare nameError: string;
  /** Downloads in progress: bytes decrypted so far (the bar is outside the live region). */
  declare downloads: Download[];
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private uploadKey = 0;
  private readonly previewsAsked = new Set<string>();

  static override styles = [theme, dossierStyles];

  constructor() {
    super();
    this.error = "";
    this.folder = undefined;
    this.filter = "";
    this.sortKey = "name";
    this.descending = false;
    this.showDeleted = false;
    this.uploads = [];
    this.status = "";
    this.previews = new Map();
    this.dragging = false;
    this.nameError = "";
    this.downloads = [];
    this.version = 0;
    this.addEventListener("dragover", (e) => { e.preventDefault(); this.dragging = true; });
    this.addEventListener("dragleave", (e) => { if (e.target === this) this.dragging = false; });
    this.addEventListener("drop", (e) => {
      e.preventDefault();
      this.dragging = false;
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) void this.uploadFiles(files, {});
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
    for (const url of this.previews.values()) URL.revokeObjectURL(url);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("roomId")) {
      this.snap = undefined;
      this.folder = undefined;
      void this.refresh();
    }
    this.classList.toggle("drag", this.dragging);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The rename field takes the focus with its text selected; closing it returns the focus to the row.
    if (changed.has("renaming") && this.renaming !== undefined) {
      const input = this.renderRoot.querySelector<HTMLInputElement>("input.rename");
      input?.focus();
      input?.select();
    } else if (changed.has("renaming") && changed.get("renaming") !== undefined) {
      this.renderRoot.querySelector<HTMLElement>(`tr[data-entry="${CSS.escape(String(changed.get("renaming")))}"]`)?.focus();
    }
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
      this.error = "";
      this.loadPreviews(snap);
    } catch (e: unknown) {
      this.error = this.tr("loadFailed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private loadPreviews(snap: DossierSnapshot): void {
    for (const e of snap.entries.values()) {
      const v = e.versions[e.versions.length - 1];
      if (v === undefined || v.msgtype !== "m.image" || this.previewsAsked.has(v.eventId)) continue;
      this.previewsAsked.add(v.eventId);
      void this.port.preview(v).then((blob) => {
        if (blob === undefined) return;
        this.previews = new Map(this.previews).set(v.eventId, URL.createObjectURL(blob));
      }, () => undefined);
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

  private async uploadFiles(files: File[], target: { versionOf?: string }): Promise<void> {
    const threshold = await largeFileThreshold();
    const max = this.maxUpload;
    await Promise.all(files.map(async (file) => {
      // A file sent in parts only needs each part under the server's limit.
      if (max !== undefined && file.size > max && file.size <= threshold) {
        this.status = this.tr("tooLarge", { name: file.name, max: this.size(max) });
        return;
      }
      await this.track(file.name, (onProgress) => this.port.upload(this.roomId, file, { parent: target.versionOf === undefined ? this.folder : undefined, versionOf: target.versionOf }, threshold, onProgress));
    }));
  }

  /** Shows a transfer's progress bar until it ends, then says how it ended. */
  private async track(name: string, start: (onProgress: (p: TransferProgress) => void) => TransferHandle): Promise<void> {
    const key = ++this.uploadKey;
    let handle: TransferHandle;
    try {
      handle = start((p) => { this.uploads = this.uploads.map((u) => (u.key === key ? { ...u, progress: p } : u)); });
    } catch (e: unknown) {
      this.status = e instanceof Error && e.name === "NotSameFile" ? this.tr("notSameFile", { name }) : this.tr("uploadFailed", { name, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.uploads = [...this.uploads, { key, name, progress: undefined, handle }];
    try {
      await handle.done;
      this.status = this.tr("uploaded", { name });
    } catch (e: unknown) {
      this.status = e instanceof Error && e.name === "TransferCancelled" ? this.tr("uploadCancelled", { name })
        : e instanceof Error && e.name === "NotSameFile" ? this.tr("notSameFile", { name })
        : this.tr("uploadFailed", { name, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.uploads = this.uploads.filter((u) => u.key !== key);
      void this.refresh();
    }
  }

  private async download(entry: DossierEntry, v: FileVersion): Promise<void> {
    // Straight to disk (transfer-list.ts shows progress); port.save must be the first await: the save dialog needs this click.
    const key = ++this.uploadKey;
    const abort = new AbortController();
    const saving = this.port.save(v, entry.name, (progress) => {
      this.downloads = this.downloads.map((d) => (d.key === key ? { ...d, progress } : d));
    }, abort.signal, { roomId: this.roomId, entryId: entry.id });
    this.status = this.tr("downloading", { name: entry.name });
    this.downloads = [...this.downloads, { key, name: entry.name, progress: undefined, cancel: () => abort.abort() }];
    try {
      const { saved } = await saving;
      if (saved !== "cancelled") this.status = this.tr("downloadSaved", { name: entry.name });
      else this.status = "";
    } catch (e: unknown) {
      const part = e instanceof Error && e.name === "DownloadCorrupted" ? (e as Error & { part?: number }).part : undefined;
      this.status = abort.signal.aborted ? this.tr("downloadCancelled", { name: entry.name })
        : e instanceof Error && e.name === "DownloadCorrupted" ? this.tr("downloadCorrupted", { name: entry.name, where: part === undefined ? this.tr("corruptedWhole") : this.tr("corruptedPart", { n: part + 1 }) })
        : this.tr("downloadFailed", { name: entry.name, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.downloads = this.downloads.filter((d) => d.key !== key);
    }
  }

  /** "Reprendre" on an interrupted download: the same version again, from its start (synchronous up to port.save: the click's activation opens the save dialog). */
  private resumeDownload(d: InterruptedDownload): void {
    const entry = this.snap?.entries.get(d.entryId);
    const version = entry?.versions.find((v) => v.eventId === d.versionId);
    this.port.forgetDownload(d.id);
    if (entry === undefined || version === undefined) {
      this.status = this.tr("downloadGone", { name: d.name });
      this.requestUpdate();
      return;
    }
    void this.download(entry, version);
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

  /** Grid keys: Up/Down move between rows. */
  private gridKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
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
  }


  private rowContext(snap: DossierSnapshot): RowContext {
    return {
      tr: this.tr, size: (n) => this.size(n), date: (ts) => this.date(ts), who: (u) => this.port.memberName(this.roomId, u),
      previews: this.previews, renaming: this.renaming, moveTargets: (id) => moveTargets(snap, id),
      open: (f) => this.open(f), download: (e, v) => void this.download(e, v), newVersion: (e, f) => void this.uploadFiles([f], { versionOf: e.id }),
      showHistory: (id) => { this.historyOf = id; }, startRename: (id) => { this.renaming = id; }, submitRename: (ev, e) => void this.rename(ev, e),
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
    const ctx = this.rowContext(snap);
    const history = this.historyOf !== undefined ? snap.entries.get(this.historyOf) : undefined;
    return html`
      <header>
        <h1>${title}</h1>
        <span class="muted">${this.maxUpload !== undefined ? tr("quota", { used, max: this.size(this.maxUpload) }) : tr("quotaNoMax", { used })}</span>
      </header>
      <p class="muted"><a href=${DOSSIERS_HASH}>${tr("backToList")}</a> · ${tr("encryptedNote")}</p>
      <nav aria-label=${tr("breadcrumbs")}><ol>
        <li><a href="#" @click=${(e: Event) => { e.preventDefault(); this.open(undefined); }} aria-current=${crumbs.length === 0 ? "page" : nothing}>${tr("top")}</a></li>
        ${crumbs.map((c, i) => html`<li><a href="#" @click=${(e: Event) => { e.preventDefault(); this.open(c.id); }} aria-current=${i === crumbs.length - 1 ? "page" : nothing}>${c.name}</a></li>`)}
      </ol></nav>
      <div class="tools">
        <label>${tr("filter")}<input type="search" .value=${this.filter} aria-describedby="filter-hint" @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; }} /></label>
        <span id="filter-hint" class="sr">${tr("filterHint")}</span>
        <label>${tr("sortBy")}<select @change=${(e: Event) => { this.sortKey = (e.target as HTMLSelectElement).value as SortKey; }}>
          ${(["name", "date", "size"] as const).map((k) => html`<option value=${k} ?selected=${this.sortKey === k}>${tr(`sort_${k}`)}</option>`)}
        </select></label>
        <label class="inline"><input type="checkbox" .checked=${this.descending} @change=${(e: Event) => { this.descending = (e.target as HTMLInputElement).checked; }} />${tr("descending")}</label>
        <label class="inline"><input type="checkbox" .checked=${this.showDeleted} @change=${(e: Event) => { this.showDeleted = (e.target as HTMLInputElement).checked; }} />${tr("showDeleted")}</label>
        <form @submit=${(e: SubmitEvent) => void this.newFolder(e)}>
          <label>${tr("folderName")}<input name="folder" maxlength="255" /></label>
          <button type="submit">${tr("newFolder")}</button>
        </form>
        <label class="inline"><span>${tr("addFiles")}</span><input id="files" type="file" multiple @change=${(e: Event) => { const input = e.target as HTMLInputElement; const files = [...(input.files ?? [])]; input.value = ""; void this.uploadFiles(files, {}); }} /></label>
        <form @submit=${(e: SubmitEvent) => void this.invite(e)}>
          <label>${tr("invite")}<input name="invite" autocomplete="off" /></label>
          <button type="submit">${tr("inviteButton")}</button>
        </form>
      </div>
      ${this.nameError !== "" ? html`<p class="error" role="alert">${this.nameError}</p>` : nothing}
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${renderUploads(this.uploads, tr, (n) => this.size(n))}
      ${renderInterrupted(this.port.interruptedUploads(this.roomId), tr, (n) => this.size(n),
        (u, f) => void this.track(f.name, (onProgress) => this.port.resumeUpload(u.id, f, onProgress)),
        (u) => { this.port.abandonUpload(u.id); this.requestUpdate(); })}
      ${renderInterruptedDownloads(this.port.interruptedDownloads(this.roomId), tr, (n) => this.size(n), (d) => this.resumeDownload(d),
        (d) => { this.port.forgetDownload(d.id); this.requestUpdate(); })}
      ${renderDownloads(this.downloads, tr, (n) => this.size(n))}
      <p role="status" aria-live="polite" class="muted">${this.status}</p>
      <div class="body">
        ${renderFolderTree(folderTree(snap), this.folder, tr, (f) => this.open(f))}
        <div>
          ${rows.length === 0
            ? html`<p class="empty">${this.filter.trim() !== "" ? tr("noMatch", { filter: this.filter.trim() }) : this.showDeleted ? tr("trashEmpty") : tr("empty")}</p>`
            : html`<table role="grid" aria-label=${tr("filesOf", { folder: here })} @keydown=${(e: KeyboardEvent) => this.gridKey(e)}>
                <thead><tr>${(["colName", "colSize", "colBy", "colDate", "colVersions", "colActions"] as const).map((k) => html`<th role="columnheader" scope="col">${tr(k)}</th>`)}</tr></thead>
                <tbody>${rows.map((e) => renderEntryRow(e, ctx))}</tbody>
              </table>`}
          ${history !== undefined ? renderHistory(history, ctx) : nothing}
        </div>
      </div>
      <ent-dossier-members .i18n=${this.i18n} .port=${this.port} roomId=${this.roomId} version=${this.version}></ent-dossier-members>
      <ent-archive-export .i18n=${this.i18n} .run=${(onProgress: Parameters<DossiersPort["exportArchive"]>[1]) => this.port.exportArchive(this.roomId, onProgress)}></ent-archive-export>
      ${this.dragging ? html`<p class="sr" role="status">${tr("dropHere")}</p>` : nothing}`;
  }
}
customElements.define("ent-dossier", DossierView);
