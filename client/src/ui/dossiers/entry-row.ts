// One row of the folder view's grid (name with thumbnail or folder link, size, uploader, date,
// versions, actions) and the version history panel: templates only; the view owns the state and
// passes what they need and what to call (RowContext).
import { html, nothing } from "lit";
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { EntryChange } from "../../core/dossiers/dossiers-port.ts";
import type { DossierTranslate } from "./dossier-messages.ts";
import { shareButton } from "./share-button.ts";

export interface RowContext {
  tr: DossierTranslate;
  size(n: number | undefined): string;
  date(ts: number): string;
  who(userId: string): string;
  /** Object URLs of decrypted thumbnails, by version event id. */
  previews: ReadonlyMap<string, string>;
  /** The entry whose name is being edited. */
  renaming: string | undefined;
  moveTargets(id: string): { id: string; path: string }[];
  open(folder: string): void;
  download(entry: DossierEntry, version: FileVersion): void;
  newVersion(entry: DossierEntry, file: File): void;
  showHistory(id: string | undefined): void;
  startRename(id: string | undefined): void;
  submitRename(e: SubmitEvent, entry: DossierEntry): void;
  change(entry: DossierEntry, change: EntryChange): void;
}

function nameCell(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  if (c.renaming === e.id) {
    return html`<form @submit=${(ev: SubmitEvent) => c.submitRename(ev, e)}><input class="rename" aria-label=${tr("newName", { name: e.name })} .value=${e.name} maxlength="255"
        @keydown=${(ev: KeyboardEvent) => { if (ev.key === "Escape") { ev.preventDefault(); c.startRename(undefined); } }} />
      <button type="submit">${tr("save")}</button><button type="button" @click=${() => c.startRename(undefined)}>${tr("cancel")}</button></form>`;
  }
  if (e.kind === "folder") return html`<button class="link" @click=${() => c.open(e.id)} aria-label=${tr("openFolder", { name: e.name })}>📁 ${e.name}</button>`;
  const latest = e.versions[e.versions.length - 1];
  const thumb = latest !== undefined ? c.previews.get(latest.eventId) : undefined;
  return html`${thumb !== undefined ? html`<img class="thumb" src=${thumb} alt=${tr("preview", { name: e.name })} />` : nothing}<span class=${e.deleted ? "deleted" : ""}>${e.name}</span>`;
}

function fileActions(e: DossierEntry, latest: FileVersion, c: RowContext): unknown {
  const { tr } = c;
  const picked = (ev: Event): void => {
    const input = ev.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = "";
    if (f) c.newVersion(e, f);
  };
  // The picker is hidden behind its button (which names the file); its label keeps it accessible.
  return html`<button @click=${() => c.download(e, latest)} aria-label=${tr("download", { name: e.name })}>${tr("short_download")}</button>
    <label class="sr" for=${`v-${e.id}`}>${tr("newVersion", { name: e.name })}</label>
    <input class="sr" type="file" id=${`v-${e.id}`} tabindex="-1" @change=${picked} />
    <button @click=${(ev: Event) => (ev.currentTarget as HTMLElement).parentElement?.querySelector<HTMLInputElement>("input[type=file]")?.click()}
      aria-label=${tr("newVersion", { name: e.name })}>${tr("short_newVersion")}</button>
    <button @click=${() => c.showHistory(e.id)} aria-label=${tr("history", { name: e.name })}>${tr("short_history")}</button>
    ${shareButton(e, latest)}`;
}

export function renderEntryRow(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  const latest = e.versions[e.versions.length - 1];
  const moved = (ev: Event): void => {
    const v = (ev.target as HTMLSelectElement).value;
    if (v !== "") c.change(e, { parent: v === "/" ? null : v });
  };
  const actions = e.deleted
    ? html`<button @click=${() => c.change(e, { deleted: false })} aria-label=${tr("restore", { name: e.name })}>${tr("short_restore")}</button>`
    : html`${latest !== undefined ? fileActions(e, latest, c) : nothing}
      <button @click=${() => c.startRename(e.id)} aria-label=${tr("rename", { name: e.name })}>${tr("short_rename")}</button>
      <select aria-label=${tr("move", { name: e.name })} @change=${moved}>
        <option value="">${tr("short_move")}</option>
        ${e.parent !== undefined ? html`<option value="/">${tr("moveTop")}</option>` : nothing}
        ${c.moveTargets(e.id).filter((f) => f.id !== e.parent).map((f) => html`<option value=${f.id}>${f.path}</option>`)}
      </select>
      <button @click=${() => c.change(e, { deleted: true })} aria-label=${tr("delete", { name: e.name })}>${tr("short_delete")}</button>`;
  return html`<tr tabindex="-1" data-entry=${e.id}>
    <td role="gridcell">${nameCell(e, c)}</td>
    <td role="gridcell">${e.kind === "folder" ? tr("folder") : c.size(e.size)}</td>
    <td role="gridcell">${c.who(latest?.sender ?? e.creator)}</td>
    <td role="gridcell">${c.date(e.updatedAt)}</td>
    <td role="gridcell">${e.kind === "file" ? e.versions.length : ""}</td>
    <td role="gridcell" class="actions">${actions}</td>
  </tr>`;
}

/** Every version of a file, oldest first, each downloadable. */
export function renderHistory(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  return html`<section class="history" aria-labelledby="history-title">
    <h2 id="history-title">${tr("history", { name: e.name })}</h2>
    <ol>${e.versions.map((v, i) => html`<li>${tr("versionLine", { n: i + 1, size: c.size(v.size), who: c.who(v.sender), date: c.date(v.ts) })}
      <button @click=${() => c.download(e, v)}>${tr("downloadVersion", { n: i + 1, name: e.name })}</button> ${shareButton(e, v, i + 1)}</li>`)}</ol>
    <button @click=${() => c.showHistory(undefined)}>${tr("closeHistory")}</button>
  </section>`;
}
