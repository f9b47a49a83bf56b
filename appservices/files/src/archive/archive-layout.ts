// The layout of an archive export (pure): paths inside the tar and the manifest that lists every
// item with its SHA-256. See docs/dossiers.md ("Archive export").

export const MANIFEST_PATH = "manifest.json";

export interface ManifestItem {
  path: string;
  size: number;
  sha256: string;
  kind: "room" | "messages" | "file";
  /** For files: the event that carried it. */
  event_id?: string;
  /** For files: the name shown in the room. */
  name?: string;
  mimetype?: string;
}

export interface ArchiveManifest {
  type: "fr.entente.archive";
  version: 1;
  room_id: string;
  exported_at: string;
  exported_by: string;
  /** Fingerprint of the council key that signs the export. */
  signed_by: string;
  items: ManifestItem[];
  /** Files that could not be exported (e.g. no key visible to the exporter), with the reason. */
  missing: { event_id: string; reason: string }[];
}

/** `files/0007-etude_mobilite.pdf`: numbered in timeline order, ASCII, fits a ustar name. */
export function filePath(index: number, name: string): string {
  const ascii = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
  const safe = (ascii || "fichier").slice(-80);
  return `files/${String(index).padStart(4, "0")}-${safe}`;
}
