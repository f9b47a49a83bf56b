// The folder view's tools above the grid: search by name, sort and order, the bin, a new
// sub-folder, files to add, an invitation. A template only: the view owns the state and passes
// what it shows and what to call. `readOnly` (the reason, when the agent's role cannot change the
// dossier): the sub-folder and file fields are disabled and described by it.
import { html } from "lit";
import type { SortKey } from "../../core/dossiers/dossier-model.ts";
import { renderFilePicker } from "../shared/file-picker.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

export interface ToolbarState { filter: string; sortKey: SortKey; descending: boolean; showDeleted: boolean }

export interface ToolbarActions {
  set(change: Partial<ToolbarState>): void;
  newFolder(e: SubmitEvent): void;
  addFiles(files: File[]): void;
  invite(e: SubmitEvent): void;
}

export function renderToolbar(s: ToolbarState, tr: DossierTranslate, a: ToolbarActions, readOnly: string | undefined): unknown {
  const ro = readOnly !== undefined;
  const checked = (e: Event): boolean => (e.target as HTMLInputElement).checked;
  return html`<div class="tools">
    <label>${tr("filter")}<input type="search" .value=${s.filter} aria-describedby="filter-hint" @input=${(e: Event) => a.set({ filter: (e.target as HTMLInputElement).value })} /></label>
    <span id="filter-hint" class="sr">${tr("filterHint")}</span>
    <label>${tr("sortBy")}<select @change=${(e: Event) => a.set({ sortKey: (e.target as HTMLSelectElement).value as SortKey })}>
      ${(["name", "date", "size"] as const).map((k) => html`<option value=${k} ?selected=${s.sortKey === k}>${tr(`sort_${k}`)}</option>`)}
    </select></label>
    <label class="inline"><input type="checkbox" .checked=${s.descending} @change=${(e: Event) => a.set({ descending: checked(e) })} />${tr("descending")}</label>
    <label class="inline"><input type="checkbox" .checked=${s.showDeleted} @change=${(e: Event) => a.set({ showDeleted: checked(e) })} />${tr("showDeleted")}</label>
    <form @submit=${(e: SubmitEvent) => a.newFolder(e)}>
      <label>${tr("folderName")}<input name="folder" maxlength="255" ?disabled=${ro} aria-describedby=${ro ? "read-only" : ""} /></label>
      <button type="submit" ?disabled=${ro} title=${readOnly ?? ""}>${tr("newFolder")}</button>
    </form>
    ${renderFilePicker({ id: "files", text: tr("addFiles"), multiple: true, disabled: ro, describedBy: ro ? "read-only" : undefined, pick: (files) => { a.addFiles(files); } })}
    ${ro ? html`<p id="read-only" class="muted">${readOnly}</p>` : ""}
    <form @submit=${(e: SubmitEvent) => a.invite(e)}>
      <label>${tr("invite")}<input name="invite" autocomplete="off" /></label>
      <button type="submit">${tr("inviteButton")}</button>
    </form>
  </div>`;
}
