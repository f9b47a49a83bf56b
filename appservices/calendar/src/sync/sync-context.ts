// What one sync pass of one binding works with, passed to the pull and push halves.
import type { CaldavCollection } from "../caldav/caldav-port.ts";
import type { SyncDirection } from "../protocol.ts";
import type { RoomSide } from "./room-side.ts";
import type { BindingSyncState, SyncStore } from "./sync-store.ts";

export interface PassStats {
  /** objects fetched from CalDAV (multiget or GET) */
  fetched: number;
  /** PUT and DELETE that succeeded */
  remoteWrites: number;
  /** roots, updates and cancellations sent to the room */
  roomWrites: number;
  /** 412 answers met (each followed by a refetch and a merge) */
  preconditionFailed: number;
  /** fields both sides changed differently (the room's value kept) */
  conflicts: number;
  skipped: { href: string; reason: string }[];
}

export interface SyncContext {
  bindingId: string;
  direction: SyncDirection;
  defaultTzid: string;
  caldav: CaldavCollection;
  room: RoomSide;
  store: SyncStore;
  state: BindingSyncState;
  log: (line: string) => void;
  now: () => number;
  stats: PassStats;
  /** writes since the store was last saved */
  unsaved: number;
}

export const newStats = (): PassStats => ({ fetched: 0, remoteWrites: 0, roomWrites: 0, preconditionFailed: 0, conflicts: 0, skipped: [] });

/** Saves every `SAVE_EVERY` writes: a crash then costs at most that many re-checks, never data. */
const SAVE_EVERY = 100;

export async function noteWrite(ctx: SyncContext): Promise<void> {
  ctx.unsaved += 1;
  if (ctx.unsaved >= SAVE_EVERY) {
    await ctx.store.save();
    ctx.unsaved = 0;
  }
}

/** href of a new object: derived from the UID, so a retried create lands on the same object. */
export function hrefFor(collectionUrl: string, uid: string): string {
  return `${collectionUrl}${encodeURIComponent(uid)}.ics`;
}
