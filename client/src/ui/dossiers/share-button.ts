// The "Partager" item of a file row's menu and button of each version in the history
// (entry-row.ts): it only announces the wish with an `ent-share-file` event (bubbling out of the dossier view's shadow
// root), which <ent-dossier-share> (share-dialog.ts) answers with its dialog.
import { html } from "lit";
import type { MenuItem } from "../shared/menu-button.ts";
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import { shareTranslator } from "./share-messages.ts";

export interface ShareFileDetail { entryId: string; name: string; version: FileVersion; versionNumber: number; /** The file's folder: a citizen's reply goes there. */ parent: string | undefined }

export const SHARE_FILE_EVENT = "ent-share-file";

function detailOf(e: DossierEntry, v: FileVersion, n: number): ShareFileDetail {
  return { entryId: e.id, name: e.name, version: v, versionNumber: n, parent: e.parent };
}

/** From `origin`, the element the dialog gives the focus back to. */
function announce(origin: HTMLElement, detail: ShareFileDetail): void {
  origin.dispatchEvent(new CustomEvent<ShareFileDetail>(SHARE_FILE_EVENT, { detail, bubbles: true, composed: true }));
}

/** The row menu's item: shares the latest version. */
export function shareItem(e: DossierEntry, latest: FileVersion): MenuItem {
  const tr = shareTranslator();
  return { label: tr("share", { name: e.name }), text: tr("short_share"), haspopup: "dialog", run: (origin) => announce(origin, detailOf(e, latest, e.versions.length)) };
}

/** versionNumber: 1-based, for a button in the history; undefined for the row (latest version). */
export function shareButton(e: DossierEntry, v: FileVersion, versionNumber?: number): unknown {
  const tr = shareTranslator();
  const n = versionNumber ?? e.versions.length;
  const detail = detailOf(e, v, n);
  const label = versionNumber === undefined ? tr("share", { name: e.name }) : tr("shareVersion", { n, name: e.name });
  return html`<button class="share" aria-haspopup="dialog" aria-label=${label}
    @click=${(ev: Event) => announce(ev.currentTarget as HTMLElement, detail)}>${tr("short_share")}</button>`;
}
