// What the folder view's status line says once a change of an entry is sent (a live region: a
// deleted or moved row leaves the grid, and without it nothing tells where the entry went).
import type { EntryChange } from "../../core/dossiers/dossiers-port.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

/**
 * `name`: the entry's name before the change; `folderName(id)`: a folder's path, "" at the root
 * (undefined = the root too). Undefined when the change says nothing worth saying (a new version).
 */
export function changeSaid(tr: DossierTranslate, name: string, change: EntryChange, folderName: (id: string | undefined) => string, parentNow: string | undefined): string | undefined {
  const folder = (id: string | undefined): string => folderName(id) || tr("top");
  if (change.deleted === true) return tr("said_deleted", { name });
  if (change.deleted === false) return tr("said_restored", { name, folder: folder(parentNow) });
  if (change.name !== undefined) return tr("said_renamed", { name, to: change.name });
  if (change.parent !== undefined) return tr("said_moved", { name, folder: folder(change.parent ?? undefined) });
  return undefined;
}
