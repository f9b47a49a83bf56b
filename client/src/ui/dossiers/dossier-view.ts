// <ent-dossier>: one dossier's folder view. Folder tree (ARIA tree) and the folder's contents
// (ARIA grid: name, size, uploader, date, versions), sort and filter by name over the decrypted
// names, create folder, upload by picker or drag-and-drop with progress (speed, time left) and
// cancel, new version, rename, move, delete and restore (the bin), version history with download
// of any version (decrypted and hash-checked in the page, saved under the file's name), image
// previews (decrypted thumbnails), bytes stored vs the server's upload limit.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { formatSize } from "../../core/attachment-crypto.ts";
import { parseDossierConfig, DEFAULT_LARGE_FILE_THRESHOLD } from "../../core/dossiers/dossier-config.ts";
import {
  breadcrumbs, bytesUsed, checkName, folderTree, moveTargets, visibleEntries,
  type DossierEntry, type DossierSnapshot, type FileVersion, type FolderNode, type SortKey,
} from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort, TransferHandle, TransferProgress } from "../../core/dossiers/dossiers-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { dossierTranslator, type DossierTranslate } from "./dossier-messages.ts";
import { DOSSIERS_HASH } from "./dossiers-route.ts";

interface Upload { key: number; name: string; progress: TransferProgress | undefined; handle: TransferHandle }

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
  declare downloads: { key: number; name: string; received: number; total: number | undefined }[];
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private uploadKey = 0;
  private readonly previewsAsked = new Set<string>();

  static override styles = [theme, css`
    :host { display: block; padding: 0.8rem 1.2rem; }
    :host(.drag) { outline: 3px dashed var(--accent, #1d4ed8); outline-offset: -6px; }
    header { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: baseline; }
    h1 { margin: 0.2rem 0; font-size: 1.3rem; }
    .muted { color: var(--muted); font-size: 0.9rem; }
    nav ol { display: flex; gap: 0.3rem; list-style: none; padding: 0; margin: 0.3rem 0; flex-wrap: wrap; }
    nav li + li::before { content: "›"; margin-right: 0.3rem; color: var(--muted); }
    .tools { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; margin: 0.6rem 0; }
    .tools label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9rem; }
    .tools label.inline { flex-direction: row; align-items: center; gap: 0.3rem; }
    .body { display: grid; grid-template-columns: 14rem 1fr; gap: 1rem; align-items: start; }
    [role="tree"], [role="group"] { list-style: none; padding-left: 0.8rem; margin: 0; }
    [role="treeitem"] > span { display: inline-block; padding: 0.15rem 0.3rem; border-radius: 4px; cursor: pointer; }
    [role="treeitem"][aria-selected="true"] > span { background: #dbeafe; font-weight: 600; }
    [role="treeitem"]:focus-visible > span { outline: 2px solid #1d4ed8; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid #e2e8f0; vertical-align: middle; }
    tr:focus-visible { outline: 2px solid #1d4ed8; outline-offset: -2px; }
    td.actions { display: flex; flex-wrap: wrap; gap: 0.25rem; }
    button.link { background: none; border: none; padding: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer; font: inherit; }
    td.actions button, td.actions select { font-size: 0.85rem; }
    img.thumb { width: 40px; height: 40px; object-fit: cover; vertical-align: middle; margin-right: 0.4rem; border-radius: 3px; }
    .deleted { text-decoration: line-through; color: var(--muted); }
    .empty { padding: 2rem; text-align: center; border: 2px dashed #cbd5e1; border-radius: 8px; color: var(--muted); }
    .uploads { list-style: none; padding: 0; }
    .uploads li { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.3rem 0; }
    progress { width: 14rem; }
    .history { border: 1px solid #cbd5e1; border-radius: 6px; padding: 0.6rem; margin-top: 0.8rem; }
    .error { color: #991b1b; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  `];

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
      this.status = e instanceof Error && e.name === "TransferCancelled" ? this.tr("uploadCancelled", { name }) : this.tr("uploadFailed", { name, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.uploads = this.uploads.filter((u) => u.key !== key);
      void this.refresh();
    }
  }

  private renderInterrupted(): unknown {
    const list = this.port.interruptedUploads(this.roomId);
    if (list.length === 0) return nothing;
    const tr = this.tr;
    return html`<section aria-labelledby="interrupted-title"><h2 id="interrupted-title">${tr("interrupted")}</h2><ul class="uploads">${list.map((u) => html`<li>
      <span>${tr("interruptedLine", { name: u.name, size: this.size(u.size), done: u.partsDone, total: u.partsTotal })}</span>
      <label>${tr("resumePick", { name: u.name })}<input type="file" @change=${(ev: Event) => {
        const input = ev.target as HTMLInputElement;
        const f = input.files?.[0];
        input.value = "";
        if (f) void this.track(f.name, (onProgress) => this.port.resumeUpload(u.id, f, onProgress));
      }} /></label>
      <button @click=${() => { this.port.abandonUpload(u.id); this.requestUpdate(); }} aria-label=${tr("abandonUpload", { name: u.name })}>${tr("short_abandon")}</button>
    </li>`)}</ul></section>`;
  }

  private async download(entry: DossierEntry, v: FileVersion): Promise<void> {
    this.status = this.tr("downloading", { name: entry.name });
    const key = ++this.uploadKey;
    this.downloads = [...this.downloads, { key, name: entry.name, received: 0, total: v.size }];
    try {
      const blob = await this.port.download(v, (received, total) => {
        this.downloads = this.downloads.map((d) => (d.key === key ? { ...d, received, total } : d));
      });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = entry.name;
      a.rel = "noopener";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.status = this.tr("downloaded", { name: entry.name });
    } catch (e: unknown) {
      this.status = this.tr("downloadFailed", { name: entry.name, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.downloads = this.downloads.filter((d) => d.key !== key);
    }
  }

  private async newFolder(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input");
    const checked = checkName(input?.value ?? "");
    if (!checked.ok) {
      this.nameError = this.tr(`badName_${checked.reason}`);
      return;
    }
    this.nameError = "";
    try {
      await this.port.createFolder(this.roomId, checked.name, this.folder);
      if (input) input.value = "";
      await this.refresh();
    } catch (err: unknown) {
      this.fail(err);
    }
  }

  private async rename(e: SubmitEvent, entry: DossierEntry): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input");
    const checked = checkName(input?.value ?? "");
    if (!checked.ok) {
      this.nameError = this.tr(`badName_${checked.reason}`);
      return;
    }
    this.nameError = "";
    this.renaming = undefined;
    if (checked.name !== entry.name) await this.change(entry, { name: checked.name });
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

  /** Tree keys (WAI-ARIA tree): Up/Down move between folders, Home/End, Enter/Space opens. */
  private treeKey(e: KeyboardEvent): void {
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>('[role="treeitem"]')];
    const i = items.indexOf(e.target as HTMLElement);
    if (i < 0) return;
    const to = e.key === "ArrowDown" ? i + 1 : e.key === "ArrowUp" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? items.length - 1 : undefined;
    if (to !== undefined) {
      e.preventDefault();
      items[Math.max(0, Math.min(items.length - 1, to))]?.focus();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.open((e.target as HTMLElement).dataset["id"] || undefined);
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

  private renderTree(nodes: FolderNode[], top: boolean): unknown {
    const item = (id: string | undefined, name: string, children: FolderNode[]): unknown => html`<li role="treeitem" data-id=${id ?? ""}
        tabindex=${this.folder === id ? "0" : "-1"} aria-selected=${this.folder === id ? "true" : "false"} aria-expanded=${children.length > 0 ? "true" : nothing}
        @click=${(e: Event) => { e.stopPropagation(); this.open(id); }}><span>${name}</span>${children.length > 0 ? html`<ul role="group">${children.map((c) => item(c.id, c.name, c.children))}</ul>` : nothing}</li>`;
    return top ? html`<ul role="tree" aria-label=${this.tr("folders")} @keydown=${(e: KeyboardEvent) => this.treeKey(e)}>${item(undefined, this.tr("top"), nodes)}</ul>` : nothing;
  }

  private renderProgress(u: Upload): unknown {
    const tr = this.tr;
    const p = u.progress;
    const time = (s: number | undefined): string => s === undefined ? "…" : s < 90 ? tr("seconds", { n: Math.ceil(s) }) : tr("minutes", { n: Math.ceil(s / 60) });
    return html`<li>
      <span>${tr("upload", { name: u.name })}</span>
      <progress max=${p?.totalBytes ?? 1} value=${p?.sentBytes ?? 0} aria-label=${tr("upload", { name: u.name })}></progress>
      <span>${p === undefined ? "" : `${tr(`phase_${p.phase}`)} ${Math.floor((100 * p.sentBytes) / Math.max(1, p.totalBytes))} %`}</span>
      <span class="muted">${p?.phase === "paused" ? (p.pausedBy === "network" ? tr("pausedNetwork") : "") : p !== undefined && p.bytesPerSecond > 0 ? tr("speed", { speed: this.size(p.bytesPerSecond), time: time(p.remainingSeconds) }) : p?.phase === "uploading" ? tr("speedUnknown") : ""}</span>
      ${!u.handle.pausable ? nothing : p?.phase === "paused"
        ? html`<button @click=${() => u.handle.resume()} aria-label=${tr("resumeUpload", { name: u.name })}>${tr("short_resume")}</button>`
        : html`<button @click=${() => u.handle.pause()} aria-label=${tr("pauseUpload", { name: u.name })}>${tr("short_pause")}</button>`}
      <button @click=${() => u.handle.cancel()} aria-label=${tr("cancelUpload", { name: u.name })}>${tr("cancel")}</button>
    </li>`;
  }

  private renderRow(e: DossierEntry, snap: DossierSnapshot): unknown {
    const tr = this.tr;
    const latest = e.versions[e.versions.length - 1];
    const thumb = latest !== undefined ? this.previews.get(latest.eventId) : undefined;
    const targets = moveTargets(snap, e.id);
    const name = this.renaming === e.id
      ? html`<form @submit=${(ev: SubmitEvent) => void this.rename(ev, e)}><input class="rename" aria-label=${tr("newName", { name: e.name })} .value=${e.name} maxlength="255"
            @keydown=${(ev: KeyboardEvent) => { if (ev.key === "Escape") { ev.preventDefault(); this.renaming = undefined; } }} />
          <button type="submit">${tr("save")}</button><button type="button" @click=${() => { this.renaming = undefined; }}>${tr("cancel")}</button></form>`
      : e.kind === "folder"
        ? html`<button class="link" @click=${() => this.open(e.id)} aria-label=${tr("openFolder", { name: e.name })}>📁 ${e.name}</button>`
        : html`${thumb !== undefined ? html`<img class="thumb" src=${thumb} alt=${tr("preview", { name: e.name })} />` : nothing}<span class=${e.deleted ? "deleted" : ""}>${e.name}</span>`;
    return html`<tr tabindex="-1" data-entry=${e.id}>
      <td role="gridcell">${name}</td>
      <td role="gridcell">${e.kind === "folder" ? tr("folder") : this.size(e.size)}</td>
      <td role="gridcell">${this.port.memberName(this.roomId, latest?.sender ?? e.creator)}</td>
      <td role="gridcell">${this.date(e.updatedAt)}</td>
      <td role="gridcell">${e.kind === "file" ? e.versions.length : ""}</td>
      <td role="gridcell" class="actions">
        ${e.deleted
          ? html`<button @click=${() => void this.change(e, { deleted: false })} aria-label=${tr("restore", { name: e.name })}>${tr("short_restore")}</button>`
          : html`
            ${latest !== undefined ? html`<button @click=${() => void this.download(e, latest)} aria-label=${tr("download", { name: e.name })}>${tr("short_download")}</button>
              <label class="sr" for=${`v-${e.id}`}>${tr("newVersion", { name: e.name })}</label>
              <input class="sr" type="file" id=${`v-${e.id}`} tabindex="-1" @change=${(ev: Event) => { const f = (ev.target as HTMLInputElement).files?.[0]; if (f) void this.uploadFiles([f], { versionOf: e.id }); (ev.target as HTMLInputElement).value = ""; }} />
              <button @click=${() => (this.renderRoot.querySelector(`#v-${CSS.escape(e.id)}`) as HTMLInputElement | null)?.click()} aria-label=${tr("newVersion", { name: e.name })}>${tr("short_newVersion")}</button>
              <button @click=${() => { this.historyOf = e.id; }} aria-label=${tr("history", { name: e.name })}>${tr("short_history")}</button>` : nothing}
            <button @click=${() => { this.renaming = e.id; }} aria-label=${tr("rename", { name: e.name })}>${tr("short_rename")}</button>
            <select aria-label=${tr("move", { name: e.name })} @change=${(ev: Event) => { const v = (ev.target as HTMLSelectElement).value; if (v !== "") void this.change(e, { parent: v === "/" ? null : v }); }}>
              <option value="">${tr("short_move")}</option>
              ${e.parent !== undefined ? html`<option value="/">${tr("moveTop")}</option>` : nothing}
              ${targets.filter((f) => f.id !== e.parent).map((f) => html`<option value=${f.id}>${f.path}</option>`)}
            </select>
            <button @click=${() => void this.change(e, { deleted: true })} aria-label=${tr("delete", { name: e.name })}>${tr("short_delete")}</button>`}
      </td>
    </tr>`;
  }

  private renderHistory(snap: DossierSnapshot): unknown {
    const e = this.historyOf !== undefined ? snap.entries.get(this.historyOf) : undefined;
    if (e === undefined) return nothing;
    const tr = this.tr;
    return html`<section class="history" aria-labelledby="history-title">
      <h2 id="history-title">${tr("history", { name: e.name })}</h2>
      <ol>${e.versions.map((v, i) => html`<li>${tr("versionLine", { n: i + 1, size: this.size(v.size), who: this.port.memberName(this.roomId, v.sender), date: this.date(v.ts) })}
        <button @click=${() => void this.download(e, v)}>${tr("downloadVersion", { n: i + 1, name: e.name })}</button></li>`)}</ol>
      <button @click=${() => { this.historyOf = undefined; }}>${tr("closeHistory")}</button>
    </section>`;
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
      ${this.uploads.length > 0 ? html`<ul class="uploads" aria-label=${tr("addFiles")}>${this.uploads.map((u) => this.renderProgress(u))}</ul>` : nothing}
      ${this.renderInterrupted()}
      ${this.downloads.length > 0 ? html`<ul class="uploads">${this.downloads.map((d) => html`<li><span>${this.tr("downloading", { name: d.name })}</span>
        <progress max=${d.total ?? 1} value=${d.total === undefined ? nothing : d.received} aria-label=${this.tr("downloading", { name: d.name })}></progress></li>`)}</ul>` : nothing}
      <p role="status" aria-live="polite" class="muted">${this.status}</p>
      <div class="body">
        ${this.renderTree(folderTree(snap), true)}
        <div>
          ${rows.length === 0
            ? html`<p class="empty">${this.filter.trim() !== "" ? tr("noMatch", { filter: this.filter.trim() }) : this.showDeleted ? tr("trashEmpty") : tr("empty")}</p>`
            : html`<table role="grid" aria-label=${tr("filesOf", { folder: here })} @keydown=${(e: KeyboardEvent) => this.gridKey(e)}>
                <thead><tr>${(["colName", "colSize", "colBy", "colDate", "colVersions", "colActions"] as const).map((k) => html`<th role="columnheader" scope="col">${tr(k)}</th>`)}</tr></thead>
                <tbody>${rows.map((e) => this.renderRow(e, snap))}</tbody>
              </table>`}
          ${this.renderHistory(snap)}
        </div>
      </div>
      ${this.dragging ? html`<p class="sr" role="status">${tr("dropHere")}</p>` : nothing}`;
  }
}
customElements.define("ent-dossier", DossierView);
