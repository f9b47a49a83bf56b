// Dossier file-tree events (issue 15; docs/dossiers.md "File tree"). A dossier is an encrypted room
// of type fr.entente.dossier. Entries are roots: a file is an ordinary m.room.message (m.file,
// m.image, m.video, m.audio: Element shows and downloads it), a folder an fr.entente.folder event.
// Renames, moves, new versions, deletions and restores are fr.entente.file.update events that
// reference the root (m.reference) and carry a Lamport clock, folded like tasks.
import { fail, isObject, ok, parseEventId, parseInteger, parseReference, parseString, parseVersion, type JsonObject, type Parsed } from "../parse.ts";

export const DOSSIER_ROOM_TYPE = "fr.entente.dossier";
export const FOLDER_EVENT = "fr.entente.folder";
export const FILE_UPDATE = "fr.entente.file.update";
export const FILE_LOCK_STATE = "fr.entente.file.lock";
export const DOSSIER_SCHEMA_VERSION = 1;
export const FILE_MSGTYPES: ReadonlySet<string> = new Set(["m.file", "m.image", "m.video", "m.audio"]);
const MAX_CLOCK = Number.MAX_SAFE_INTEGER;

export interface FolderRoot {
  name: string;
  /** Folder root id; undefined = at the dossier's top level. */
  parent?: string;
}

export interface FileUpdate {
  root: string;
  clock: number;
  name?: string;
  /** A folder root id, or null to move to the top level. */
  parent?: string | null;
  deleted?: boolean;
  /** A new version: the event id of the m.file message carrying it. */
  addVersion?: string;
}

const name = (v: unknown, what: string): Parsed<string> => {
  const s = parseString(v, what, 255);
  if (!s.ok) return s;
  return /[/\u0000-\u001f]/.test(s.value) ? fail(`${what} must not contain "/" or control characters`) : s;
};

export function parseFolderRoot(content: JsonObject): Parsed<FolderRoot> {
  const v = parseVersion(content["version"], DOSSIER_SCHEMA_VERSION);
  if (!v.ok) return v;
  const n = name(content["name"], "name");
  if (!n.ok) return n;
  if (content["parent"] === undefined) return ok({ name: n.value });
  const p = parseEventId(content["parent"], "parent");
  return p.ok ? ok({ name: n.value, parent: p.value }) : p;
}

export function parseFileUpdate(content: JsonObject): Parsed<FileUpdate> {
  const v = parseVersion(content["version"], DOSSIER_SCHEMA_VERSION);
  if (!v.ok) return v;
  const root = parseReference(content);
  if (!root.ok) return root;
  const clock = parseInteger(content["clock"], "clock", 0, MAX_CLOCK);
  if (!clock.ok) return clock;
  const u: FileUpdate = { root: root.value, clock: clock.value };
  const set = content["set"];
  if (set !== undefined) {
    if (!isObject(set)) return fail("set must be an object");
    if (set["name"] !== undefined) {
      const n = name(set["name"], "set.name");
      if (!n.ok) return n;
      u.name = n.value;
    }
    if (set["parent"] !== undefined) {
      if (set["parent"] === null) u.parent = null;
      else {
        const p = parseEventId(set["parent"], "set.parent");
        if (!p.ok) return p;
        u.parent = p.value;
      }
    }
    if (set["deleted"] !== undefined) {
      if (typeof set["deleted"] !== "boolean") return fail("set.deleted must be a boolean");
      u.deleted = set["deleted"];
    }
  }
  if (content["add_version"] !== undefined) {
    const a = parseEventId(content["add_version"], "add_version");
    if (!a.ok) return a;
    u.addVersion = a.value;
  }
  if (u.name === undefined && u.parent === undefined && u.deleted === undefined && u.addVersion === undefined) return fail("update changes nothing");
  return ok(u);
}

export function buildFolderRoot(f: FolderRoot): JsonObject {
  return { version: DOSSIER_SCHEMA_VERSION, name: f.name, ...(f.parent !== undefined ? { parent: f.parent } : {}) };
}

/** Content of an fr.entente.file.update; `body` is a French fallback for clients that show it. */
export function buildFileUpdate(u: FileUpdate): JsonObject {
  const set: JsonObject = {};
  if (u.name !== undefined) set["name"] = u.name;
  if (u.parent !== undefined) set["parent"] = u.parent;
  if (u.deleted !== undefined) set["deleted"] = u.deleted;
  const what = u.addVersion !== undefined ? "nouvelle version" : u.deleted === true ? "suppression" : u.deleted === false ? "restauration" : u.parent !== undefined ? "déplacement" : "renommage";
  return {
    version: DOSSIER_SCHEMA_VERSION, clock: u.clock, body: `Dossier : ${what}`,
    "m.relates_to": { rel_type: "m.reference", event_id: u.root },
    ...(Object.keys(set).length > 0 ? { set } : {}), ...(u.addVersion !== undefined ? { add_version: u.addVersion } : {}),
  };
}

export interface FileLock {
  holder: string;
  expiresAt: number;
}

/** The advisory lock in state `fr.entente.file.lock` (state_key = root id), if active at `now`. */
export function activeLock(content: unknown, sender: string, now: number): FileLock | undefined {
  if (!isObject(content) || content["version"] !== DOSSIER_SCHEMA_VERSION) return undefined;
  const { holder, expires_at: expiresAt } = content;
  // Only the holder may set its own lock: a lock naming someone else is ignored.
  if (typeof holder !== "string" || holder !== sender || typeof expiresAt !== "number" || expiresAt <= now) return undefined;
  return { holder, expiresAt };
}

export function buildFileLock(holder: string, expiresAt: number): JsonObject {
  return { version: DOSSIER_SCHEMA_VERSION, holder, expires_at: expiresAt };
}

/**
 * `events` of the power levels a new dossier is created with: the homeserver's defaults (a
 * `power_level_content_override` replaces the whole `events` map, as in Synapse) plus the lock
 * state at 0, so that every member may say they are editing a file. Other state keeps
 * `state_default` (50).
 */
export function dossierPowerLevelEvents(): Record<string, number> {
  return {
    "m.room.name": 50, "m.room.power_levels": 100, "m.room.history_visibility": 100, "m.room.canonical_alias": 50,
    "m.room.avatar": 50, "m.room.tombstone": 100, "m.room.server_acl": 100, "m.room.encryption": 100,
    [FILE_LOCK_STATE]: 0,
  };
}
