// One row of the folder view's grid (name with thumbnail or folder link, size, uploader, date,
// versions, actions: "Télécharger" and the other actions in a menu button, also opened by a right
// click or the context-menu key on the row) and the version history panel: templates only; the view owns the state and
// passes what they need and what to call (RowContext).
import { html, nothing } from "lit";
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { EntryChange } from "../../core/dossiers/dossiers-port.ts";
import type { DossierTranslate } from "./dossier-messages.ts";
import type { MenuItem } from "../shared/menu-button.ts";
import "../shared/menu-button.ts";
import { shareButton, shareItem } from "./share-button.ts";
import { lockLine, lockMenuItem, lockPicker, type RowLocks } from "./lock-row.ts";

export interface RowContext {
  tr: DossierTranslate;
  size(n: number | undefined): string;
  date(ts: number): string;
  who(userId: string): string;
  /** Object URLs of decrypted thumbnails and PDF first pages, by version event id. */
  previews: ReadonlyMap<string, string>;
  /** Previews asked for and not shown: loading or failed. */
  previewStates: ReadonlyMap<string, "loading" | "failed">;
  /** The entry whose name is being edited. */
  renaming: string | undefined;
  /** Set when this agent may not change the dossier: why (the menu's changes stay, disabled). */
  readOnly: string | undefined;
  /** The entry whose destination folder is being picked. */
  moving: string | undefined;
  moveTargets(id: string): { id: string; path: string }[];
  /** Undefined: the root. */
  open(folder: string | undefined): void;
  download(entry: DossierEntry, version: FileVersion): void;
  newVersion(entry: DossierEntry, file: File): void;
  showHistory(id: string | undefined): void;
  startRename(id: string | undefined): void;
  startMove(id: string | undefined): void;
  submitRename(e: SubmitEvent, entry: DossierEntry): void;
  change(entry: DossierEntry, change: EntryChange): void;
  /** Advisory locks: those active at this render and their controller. */
  locks: RowLocks;
  /**
   * When the grid lists the whole dossier (a search, the bin): where the entry is (its folder's
   * path, "" at the root) and whether that folder can be opened from the row. Undefined otherwise.
   */
  where?: ((e: DossierEntry) => { path: string; canOpen: boolean } | undefined) | undefined;
}

/** « Dans : Études/Mobilité » under the name of a search result or a deleted entry; a link to the folder in a search. */
function whereLine(e: DossierEntry, c: RowContext): unknown {
  const w = c.where?.(e);
  if (w === undefined) return nothing;
  const { tr } = c;
  const folder = w.path !== "" ? w.path : tr("top");
  return html`<div class="where muted">${w.canOpen
    ? html`<button type="button" class="link" aria-label=${tr("showIn", { name: e.name, folder })} @click=${() => c.open(e.parent)}>${tr("inFolder", { folder })}</button>`
    : tr("inFolder", { folder })}</div>`;
}

function nameCell(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  if (c.renaming === e.id) {
    return html`<form @submit=${(ev: SubmitEvent) => c.submitRename(ev, e)}><input class="rename" aria-label=${tr("newName", { name: e.name })} .value=${e.name} maxlength="255"
        @keydown=${(ev: KeyboardEvent) => { if (ev.key === "Escape") { ev.preventDefault(); c.startRename(undefined); } }} />
      <button type="submit">${tr("save")}</button><button type="button" @click=${() => c.startRename(undefined)}>${tr("cancel")}</button></form>`;
  }
  if (e.kind === "folder") return html`<button class="link" @click=${() => c.open(e.id)} aria-label=${tr("openFolder", { name: e.name })}>📁 ${e.name}</button>${whereLine(e, c)}`;
  const latest = e.versions[e.versions.length - 1];
  const thumb = latest !== undefined ? c.previews.get(latest.eventId) : undefined;
  return html`${thumb !== undefined ? html`<img class="thumb" src=${thumb} alt=${tr("preview", { name: e.name })} />` : nothing}<span class=${e.deleted ? "deleted" : ""}>${e.name}</span>${whereLine(e, c)}${lockLine(e, c.locks)}`;
}

/** The file picker of a new version, hidden in the row: found from the row's menu button. */
function versionPicker(origin: HTMLElement): HTMLInputElement | null | undefined {
  const menu = (origin.getRootNode() as ShadowRoot).host as HTMLElement | undefined;
  return menu?.closest("td")?.querySelector<HTMLInputElement>("input[type=file]");
}

/** The row's menu: everything but the primary action (Télécharger), names as the buttons had. */
function menuItems(e: DossierEntry, latest: FileVersion | undefined, c: RowContext): MenuItem[] {
  const { tr } = c;
  const ro = c.readOnly;
  const fileItems: MenuItem[] = latest === undefined ? [] : [
    { label: tr("newVersion", { name: e.name }), text: tr("short_newVersion"), disabledReason: ro, run: (origin) => versionPicker(origin)?.click() },
    { label: tr("history", { name: e.name }), text: tr("short_history"), run: () => c.showHistory(e.id) },
    lockMenuItem(e, c.locks),
    shareItem(e, latest),
  ];
  return [...fileItems,
    { label: tr("rename", { name: e.name }), text: tr("short_rename"), disabledReason: ro, run: () => c.startRename(e.id) },
    { label: tr("moveItem", { name: e.name }), text: tr("short_move"), disabledReason: ro, run: () => c.startMove(e.id) },
    { label: tr("delete", { name: e.name }), text: tr("short_delete"), disabledReason: ro, run: () => c.change(e, { deleted: true }) },
  ];
}

/**
 * Moving: the destination folders in a list and « Déplacer » to confirm, so that browsing the list
 * with the arrow keys (a closed list changes value, and fires `change`, at each one) moves nothing;
 * Escape or « Annuler » gives up.
 */
function moveField(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  const submit = (ev: SubmitEvent): void => {
    ev.preventDefault();
    const v = (ev.target as HTMLFormElement).querySelector("select")?.value ?? "";
    if (v === "") return;
    c.startMove(undefined);
    c.change(e, { parent: v === "/" ? null : v });
  };
  const escape = (ev: KeyboardEvent): void => {
    if (ev.key !== "Escape") return;
    ev.preventDefault();
    ev.stopPropagation();
    c.startMove(undefined);
  };
  // `required` with an empty first option: « Déplacer » before a folder is picked says so (the browser's message).
  return html`<form class="move-form" @submit=${submit} @keydown=${escape}>
      <select class="move" required aria-label=${tr("move", { name: e.name })}>
        <option value="">${tr("movePick")}</option>
        ${e.parent !== undefined ? html`<option value="/">${tr("moveTop")}</option>` : nothing}
        ${c.moveTargets(e.id).filter((f) => f.id !== e.parent).map((f) => html`<option value=${f.id}>${f.path}</option>`)}
      </select>
      <button type="submit" aria-label=${tr("confirmMove", { name: e.name })}>${tr("short_confirmMove")}</button>
      <button type="button" aria-label=${tr("cancelMove", { name: e.name })} @click=${() => c.startMove(undefined)}>${tr("cancel")}</button>
    </form>`;
}

function actionsCell(e: DossierEntry, latest: FileVersion | undefined, c: RowContext): unknown {
  const { tr } = c;
  if (e.deleted) {
    const ro = c.readOnly;
    return html`<button @click=${() => { if (ro === undefined) c.change(e, { deleted: false }); }} aria-label=${tr("restore", { name: e.name })}
      aria-disabled=${ro !== undefined ? "true" : nothing} title=${ro ?? nothing}>${tr("short_restore")}</button>`;
  }
  if (c.moving === e.id) return moveField(e, c);
  if (c.locks.ctl.picking === e.id && latest !== undefined) return lockPicker(e, c.locks);
  const picked = (ev: Event): void => {
    const input = ev.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = "";
    if (f) c.newVersion(e, f);
  };
  // The new version's picker is hidden; its menu item opens it, its label keeps it accessible.
  return html`${latest !== undefined ? html`<button @click=${() => c.download(e, latest)} aria-label=${tr("download", { name: e.name })}>${tr("short_download")}</button>
      <label class="sr" for=${`v-${e.id}`}>${tr("newVersion", { name: e.name })}</label>
      <input class="sr" type="file" id=${`v-${e.id}`} tabindex="-1" @change=${picked} />` : nothing}
    <ent-menu-button label=${tr("rowActions", { name: e.name })} text=${tr("short_actions")} .items=${menuItems(e, latest, c)}></ent-menu-button>`;
}

/** Right click or the context-menu key on a row opens its menu (not in a field: the browser's own there). */
function rowContextMenu(ev: MouseEvent): void {
  const target = ev.composedPath()[0];
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
  const menu = (ev.currentTarget as HTMLElement).querySelector("ent-menu-button");
  if (menu === null) return;
  ev.preventDefault();
  menu.show("first");
}

export function renderEntryRow(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  const latest = e.versions[e.versions.length - 1];
  return html`<tr tabindex="-1" data-entry=${e.id} @contextmenu=${rowContextMenu}>
    <td role="gridcell">${nameCell(e, c)}</td>
    <td role="gridcell">${e.kind === "folder" ? tr("folder") : c.size(e.size)}</td>
    <td role="gridcell">${c.who(latest?.sender ?? e.creator)}</td>
    <td role="gridcell">${c.date(e.updatedAt)}</td>
    <td role="gridcell">${e.kind === "file" ? e.versions.length : ""}</td>
    <td role="gridcell" class="actions">${actionsCell(e, latest, c)}</td>
  </tr>`;
}

/** The latest version's preview in the details: the image or PDF first page, else the plain file icon. */
function latestPreview(e: DossierEntry, c: RowContext): unknown {
  const v = e.versions[e.versions.length - 1];
  if (v === undefined) return nothing;
  const { tr } = c;
  const url = c.previews.get(v.eventId);
  if (url !== undefined) return html`<img class="preview-large" src=${url} alt=${v.msgtype === "m.image" ? tr("preview", { name: e.name }) : tr("pdfPreview", { name: e.name })} />`;
  if (c.previewStates.get(v.eventId) === "loading") return html`<p class="muted" aria-busy="true">${tr("previewLoading", { name: e.name })}</p>`;
  return html`<p class="file-icon" role="img" aria-label=${tr("noPreview", { name: e.name })}>📄</p>`;
}

/** Every version of a file, oldest first, each downloadable. */
export function renderHistory(e: DossierEntry, c: RowContext): unknown {
  const { tr } = c;
  return html`<section class="history" aria-labelledby="history-title">
    <h2 id="history-title" tabindex="-1">${tr("history", { name: e.name })}</h2>
    ${latestPreview(e, c)}
    <ol>${e.versions.map((v, i) => html`<li>${tr(i === e.versions.length - 1 ? "versionLineCurrent" : "versionLine", { n: i + 1, size: c.size(v.size), who: c.who(v.sender), date: c.date(v.ts) })}
      <button @click=${() => c.download(e, v)}>${tr("downloadVersion", { n: i + 1, name: e.name })}</button> ${shareButton(e, v, i + 1)}</li>`)}</ol>
    <button @click=${() => c.showHistory(undefined)}>${tr("closeHistory")}</button>
  </section>`;
}
