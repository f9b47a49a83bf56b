// What the folder view shows, from the protocol's fold and the decrypted file messages (pure):
// entries with their versions' name, size, uploader and date; the rows of one folder, sorted and
// filtered; a name index over the whole dossier (the names exist in clear only on this device);
// breadcrumbs, the folders a file may move to, and the bytes the dossier holds.
import { FILE_MSGTYPES, type FileTreeResult } from "./protocol.ts";

export interface FileVersion {
  eventId: string;
  /** The name the version was sent with (the entry's current name may differ after a rename). */
  name: string;
  msgtype: string;
  mimetype: string | undefined;
  /** Plaintext size (for a file in parts: the whole file's, from `fr.entente.parts`). */
  size: number | undefined;
  sender: string;
  ts: number;
  /** The v2 encrypted attachment info (`content.file`); undefined for a clear attachment. */
  file: Record<string, unknown> | undefined;
  /** A clear attachment's mxc URL (unencrypted rooms only). */
  url: string | undefined;
  /** `fr.entente.parts`: `file` points at the manifest of a file sent in parts. */
  parts: boolean;
  /** An encrypted thumbnail (`info.thumbnail_file`), for images. */
  thumbnail: Record<string, unknown> | undefined;
}

export interface DossierEntry {
  id: string;
  kind: "file" | "folder";
  name: string;
  parent: string | undefined;
  deleted: boolean;
  /** Oldest first; empty for a folder. */
  versions: FileVersion[];
  creator: string;
  createdAt: number;
  /** The latest version's (or the folder's creation) time. */
  updatedAt: number;
  /** The latest version's size. */
  size: number | undefined;
}

export interface DossierSnapshot {
  entries: Map<string, DossierEntry>;
  maxClock: number;
  /** Events the fold refused (kept for diagnosis). */
  skipped: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A file message's details; undefined when the event is not a file message. */
export function fileVersionOf(raw: Record<string, unknown>): FileVersion | undefined {
  const c = raw["content"];
  if (!isRecord(c) || typeof c["msgtype"] !== "string" || !FILE_MSGTYPES.has(c["msgtype"])) return undefined;
  const info = isRecord(c["info"]) ? c["info"] : {};
  const parts = isRecord(c["fr.entente.parts"]) ? c["fr.entente.parts"] : undefined;
  const name = typeof c["filename"] === "string" && parts === undefined ? c["filename"] : typeof c["body"] === "string" ? c["body"] : "fichier";
  const size = parts !== undefined ? parts["size"] : info["size"];
  const mimetype = parts !== undefined ? parts["mimetype"] : info["mimetype"];
  return {
    eventId: String(raw["event_id"]), name, msgtype: c["msgtype"],
    mimetype: typeof mimetype === "string" ? mimetype : undefined,
    size: typeof size === "number" && Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    sender: String(raw["sender"]), ts: typeof raw["origin_server_ts"] === "number" ? raw["origin_server_ts"] : 0,
    file: isRecord(c["file"]) ? c["file"] : undefined,
    url: typeof c["url"] === "string" ? c["url"] : undefined,
    parts: parts !== undefined,
    thumbnail: isRecord(info["thumbnail_file"]) ? info["thumbnail_file"] : undefined,
  };
}

/** The fold's entries with their versions' details (`events`: the same raw events the fold read). */
export function buildDossier(tree: FileTreeResult, events: Iterable<Record<string, unknown>>): DossierSnapshot {
  const files = new Map<string, FileVersion>();
  for (const e of events) {
    const v = fileVersionOf(e);
    if (v !== undefined) files.set(v.eventId, v);
  }
  const entries = new Map<string, DossierEntry>();
  for (const t of tree.entries.values()) {
    const versions = t.versions.map((id) => files.get(id)).filter((v): v is FileVersion => v !== undefined);
    const last = versions[versions.length - 1];
    // The fold names a file by `filename`; a file in parts has the manifest's there ("x.parts.json").
    const first = versions[0];
    const name = first?.parts === true && t.name === `${first.name}.parts.json` ? first.name : t.name;
    entries.set(t.id, {
      id: t.id, kind: t.kind, name, parent: t.parent, deleted: t.deleted, versions,
      creator: t.creator, createdAt: t.createdAt, updatedAt: last?.ts ?? t.createdAt, size: last?.size,
    });
  }
  return { entries, maxClock: tree.maxClock, skipped: tree.skipped.length };
}

export type SortKey = "name" | "date" | "size";
export interface SortOrder { key: SortKey; descending: boolean }

const collator = new Intl.Collator("fr", { numeric: true, sensitivity: "base" });

/** Folders first, then files, by the chosen key (name as the tie-breaker). */
export function sortEntries(list: readonly DossierEntry[], order: SortOrder): DossierEntry[] {
  const dir = order.descending ? -1 : 1;
  const by = (a: DossierEntry, b: DossierEntry): number => {
    if (order.key === "date" && a.updatedAt !== b.updatedAt) return (a.updatedAt - b.updatedAt) * dir;
    if (order.key === "size" && (a.size ?? -1) !== (b.size ?? -1)) return ((a.size ?? -1) - (b.size ?? -1)) * dir;
    const n = collator.compare(a.name, b.name);
    return order.key === "name" ? n * dir : n;
  };
  return [...list].sort((a, b) => (a.kind === b.kind ? by(a, b) : a.kind === "folder" ? -1 : 1));
}

/** Whether an entry is hidden because it or a folder above it is deleted. */
export function isGone(entries: Map<string, DossierEntry>, id: string): boolean {
  for (let e = entries.get(id); e; e = e.parent !== undefined ? entries.get(e.parent) : undefined) if (e.deleted) return true;
  return false;
}

/** Lower case, accents removed: "Étude" is found by "etude". */
export const normalizeName = (s: string): string => s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase("fr");

export interface ViewQuery {
  folder: string | undefined;
  filter: string;
  order: SortOrder;
  /** Show deleted entries (the "corbeille"), to restore them. */
  showDeleted: boolean;
}

/**
 * The rows to show: the folder's children, or with a filter every entry of the dossier whose name
 * contains it (the search runs over the decrypted names, on this device only).
 */
export function visibleEntries(snap: DossierSnapshot, q: ViewQuery): DossierEntry[] {
  const needle = normalizeName(q.filter.trim());
  const all = [...snap.entries.values()];
  const shown = (e: DossierEntry): boolean => (q.showDeleted ? e.deleted : !isGone(snap.entries, e.id));
  const rows = needle !== ""
    ? all.filter((e) => shown(e) && normalizeName(e.name).includes(needle))
    : q.showDeleted ? all.filter((e) => e.deleted) : all.filter((e) => e.parent === q.folder && shown(e));
  return sortEntries(rows, q.order);
}

/** Top level first, the folder itself last. */
export function breadcrumbs(snap: DossierSnapshot, folder: string | undefined): DossierEntry[] {
  const out: DossierEntry[] = [];
  const seen = new Set<string>();
  for (let e = folder !== undefined ? snap.entries.get(folder) : undefined; e && !seen.has(e.id); e = e.parent !== undefined ? snap.entries.get(e.parent) : undefined) {
    seen.add(e.id);
    out.unshift(e);
  }
  return out;
}

/** "Études/Mobilité": the path of a folder (empty string at the top). */
export function folderPath(snap: DossierSnapshot, folder: string | undefined): string {
  return breadcrumbs(snap, folder).map((e) => e.name).join("/");
}

/** Folders an entry may move to: live folders not inside the entry itself, with their paths, sorted. */
export function moveTargets(snap: DossierSnapshot, id: string): { id: string; path: string }[] {
  const inside = (f: string): boolean => breadcrumbs(snap, f).some((e) => e.id === id);
  return [...snap.entries.values()]
    .filter((e) => e.kind === "folder" && !isGone(snap.entries, e.id) && !inside(e.id))
    .map((e) => ({ id: e.id, path: folderPath(snap, e.id) }))
    .sort((a, b) => collator.compare(a.path, b.path));
}

/** The folder tree for the navigation pane: live folders, children sorted by name. */
export interface FolderNode { id: string; name: string; children: FolderNode[] }
export function folderTree(snap: DossierSnapshot): FolderNode[] {
  const live = [...snap.entries.values()].filter((e) => e.kind === "folder" && !isGone(snap.entries, e.id));
  const build = (parent: string | undefined, depth: number): FolderNode[] => depth > 64 ? [] : live
    .filter((e) => e.parent === parent)
    .sort((a, b) => collator.compare(a.name, b.name))
    .map((e) => ({ id: e.id, name: e.name, children: build(e.id, depth + 1) }));
  return build(undefined, 0);
}

/** Bytes stored for the dossier: every version of every file, deleted ones included (still on the server). */
export function bytesUsed(snap: DossierSnapshot): number {
  let n = 0;
  for (const e of snap.entries.values()) for (const v of e.versions) n += v.size ?? 0;
  return n;
}

/** A name for a new entry, checked as the protocol does (1–255 characters, no "/" or control character). */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; reason: "empty" | "tooLong" | "badChar" } {
  const name = raw.trim();
  if (name === "") return { ok: false, reason: "empty" };
  if ([...name].length > 255) return { ok: false, reason: "tooLong" };
  if (/[/\u0000-\u001f]/.test(name)) return { ok: false, reason: "badChar" };
  return { ok: true, name };
}
