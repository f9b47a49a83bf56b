// Names and words around a dossier transfer (pure): the name a downloaded version is saved under,
// what the status line says once an upload (a new file or a new version of an entry) is sent, and
// the header's line on what the dossier holds (an empty dossier says how to begin instead of « 0 o »).
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

/**
 * The name a version is saved under: the latest version under the entry's name (a rename applies
 * to it), an older one under the name it was sent with, so it does not take the current file's.
 */
export function savedName(entry: DossierEntry, v: FileVersion): string {
  const latest = entry.versions.at(-1);
  return latest === undefined || latest.eventId === v.eventId ? entry.name : v.name;
}

/** Once an upload is sent: the file's name, or for a new version the entry it is a version of. */
export function uploadSaid(tr: DossierTranslate, fileName: string, versionOf: string | undefined): string {
  return versionOf === undefined ? tr("uploaded", { name: fileName }) : tr("versionUploaded", { name: versionOf });
}

/** The header's line: bytes stored (all versions), or for a dossier with no file yet how to add one; `max`: the largest file accepted. */
export function holdsSaid(tr: DossierTranslate, entries: Iterable<DossierEntry>, used: string, max: string | undefined): string {
  let files = 0;
  for (const e of entries) if (e.kind === "file" && e.versions.length > 0) files++;
  if (files === 0) return max !== undefined ? tr("holdsNothing", { max }) : tr("holdsNothingNoMax");
  return max !== undefined ? tr("quota", { used, max }) : tr("quotaNoMax", { used });
}
