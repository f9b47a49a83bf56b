// The fold of a dossier's file tree (pure): the same set of events gives the same tree on every
// member's client and every council, whatever order federation delivered them in. Updates of ALL
// entries are applied in one total order (clock, origin_server_ts, event_id: the tasks' fold
// order), last writer wins per field, so a move that would make a cycle is refused identically
// everywhere (it is checked against the tree as it stands at that point of the order).
import { ROOM_MESSAGE } from "../event-types.ts";
import type { RoomPowerLevels } from "../power-levels.ts";
import { compareFoldOrder, prepareEvents, sortSkipped, type EventEnvelope, type SkippedEvent } from "../room-events.ts";
import { FILE_MSGTYPES, FILE_UPDATE, FOLDER_EVENT, parseFileUpdate, parseFolderRoot, type FileUpdate } from "./file-tree-events.ts";

export interface TreeEntry {
  id: string;
  kind: "file" | "folder";
  name: string;
  /** Folder id, or undefined at the top level. */
  parent: string | undefined;
  deleted: boolean;
  /** Event ids of the versions, oldest first; the root itself is version 1 (files only). */
  versions: string[];
  creator: string;
  createdAt: number;
  lastUpdatedBy: string;
}

export interface FileTreeResult {
  entries: Map<string, TreeEntry>;
  skipped: SkippedEvent[];
  maxClock: number;
}

export function foldFileTree(input: { events: Iterable<unknown>; levels: RoomPowerLevels }): FileTreeResult {
  const { events, redacted, skipped } = prepareEvents(input.events, input.levels);
  const entries = new Map<string, TreeEntry>();
  const versionMessages = new Set<string>();
  const updates: { clock: number; env: EventEnvelope; update: FileUpdate }[] = [];
  let maxClock = 0;
  for (const env of events.values()) {
    if (redacted.has(env.eventId)) continue;
    if (env.type === FOLDER_EVENT) {
      const f = parseFolderRoot(env.content);
      if (!f.ok) skipped.push({ eventId: env.eventId, reason: f.reason });
      else entries.set(env.eventId, { id: env.eventId, kind: "folder", name: f.value.name, parent: f.value.parent, deleted: false, versions: [], creator: env.sender, createdAt: env.originServerTs, lastUpdatedBy: env.sender });
    } else if (env.type === ROOM_MESSAGE && typeof env.content["msgtype"] === "string" && FILE_MSGTYPES.has(env.content["msgtype"])) {
      const c = env.content;
      const name = typeof c["filename"] === "string" ? c["filename"] : typeof c["body"] === "string" ? c["body"] : "fichier";
      entries.set(env.eventId, { id: env.eventId, kind: "file", name, parent: undefined, deleted: false, versions: [env.eventId], creator: env.sender, createdAt: env.originServerTs, lastUpdatedBy: env.sender });
    } else if (env.type === FILE_UPDATE) {
      const u = parseFileUpdate(env.content);
      if (!u.ok) skipped.push({ eventId: env.eventId, reason: u.reason });
      else {
        updates.push({ clock: u.value.clock, env, update: u.value });
        maxClock = Math.max(maxClock, u.value.clock);
        if (u.value.addVersion !== undefined) versionMessages.add(u.value.addVersion);
      }
    }
  }
  // A file message added as a version of another file is not an entry of its own.
  for (const id of versionMessages) if (entries.get(id)?.kind === "file") entries.delete(id);
  // Folder roots naming a parent: the parent must be a folder, else the folder sits at the top.
  for (const e of entries.values()) if (e.parent !== undefined && entries.get(e.parent)?.kind !== "folder") e.parent = undefined;
  for (const e of entries.values()) if (e.parent !== undefined && wouldCycle(entries, e.id, e.parent)) e.parent = undefined;

  updates.sort(compareFoldOrder);
  for (const { env, update: u } of updates) {
    const entry = entries.get(u.root);
    const skip = (reason: string) => void skipped.push({ eventId: env.eventId, reason });
    if (!entry) {
      skip("update of an unknown root");
      continue;
    }
    if (u.parent !== undefined && u.parent !== null) {
      if (entries.get(u.parent)?.kind !== "folder") {
        skip("parent is not a folder of this dossier");
        continue;
      }
      if (wouldCycle(entries, entry.id, u.parent)) {
        skip("move would put a folder inside itself");
        continue;
      }
    }
    if (u.addVersion !== undefined) {
      const v = events.get(u.addVersion);
      if (entry.kind !== "file" || !v || redacted.has(v.eventId) || v.type !== ROOM_MESSAGE || !FILE_MSGTYPES.has(String(v.content["msgtype"]))) {
        skip("add_version must name a file message of this dossier");
        continue;
      }
      if (!entry.versions.includes(u.addVersion)) entry.versions.push(u.addVersion);
    }
    if (u.name !== undefined) entry.name = u.name;
    if (u.parent !== undefined) entry.parent = u.parent ?? undefined;
    if (u.deleted !== undefined) entry.deleted = u.deleted;
    entry.lastUpdatedBy = env.sender;
  }
  return { entries, skipped: sortSkipped(skipped), maxClock };
}

/** Whether putting `id` under `parent` makes a loop (the parent is `id` or below it). */
function wouldCycle(entries: Map<string, TreeEntry>, id: string, parent: string): boolean {
  const seen = new Set<string>();
  for (let p: string | undefined = parent; p !== undefined; p = entries.get(p)?.parent) {
    if (p === id || seen.has(p)) return true;
    seen.add(p);
  }
  return false;
}

/** The path of an entry ("Études/Mobilité/plan.pdf"); a deleted folder keeps its place. */
export function entryPath(entries: Map<string, TreeEntry>, id: string): string {
  const names: string[] = [];
  for (let e = entries.get(id); e; e = e.parent !== undefined ? entries.get(e.parent) : undefined) names.unshift(e.name);
  return names.join("/");
}
