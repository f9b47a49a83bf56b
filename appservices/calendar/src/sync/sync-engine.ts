// One binding's two-way sync: a pass pulls CalDAV's changes into the room, then pushes the room's
// changes to CalDAV, then saves the store. Passes of one binding never overlap (a queue), and a
// failing pass (server down, credentials refused) is retried with exponential back-off by
// runWithBackoff without touching either side.
import type { CaldavCollection } from "../caldav/caldav-port.ts";
import type { SyncDirection } from "../protocol.ts";
import { pullRemote } from "./pull-remote.ts";
import { pushRoom } from "./push-room.ts";
import type { RoomSide } from "./room-side.ts";
import { newStats, type PassStats, type SyncContext } from "./sync-context.ts";
import type { SyncStore } from "./sync-store.ts";

export interface SyncEngineDeps {
  bindingId: string;
  direction?: SyncDirection;
  defaultTzid?: string;
  caldav: CaldavCollection;
  room: RoomSide;
  store: SyncStore;
  log?: (line: string) => void;
  now?: () => number;
}

export class SyncEngine {
  readonly #deps: SyncEngineDeps;
  #running: Promise<PassStats> | undefined;

  constructor(deps: SyncEngineDeps) {
    this.#deps = deps;
  }

  /** One pass; concurrent callers share the pass in flight. */
  syncOnce(): Promise<PassStats> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<PassStats> {
    const d = this.#deps;
    const ctx: SyncContext = {
      bindingId: d.bindingId,
      direction: d.direction ?? "both",
      defaultTzid: d.defaultTzid ?? "Europe/Paris",
      caldav: d.caldav,
      room: d.room,
      store: d.store,
      state: d.store.forCollection(d.bindingId, d.caldav.url),
      log: d.log ?? (() => undefined),
      now: d.now ?? Date.now,
      stats: newStats(),
      unsaved: 0,
    };
    await pullRemote(ctx);
    if (ctx.direction !== "from_caldav") await pushRoom(ctx);
    await d.store.save();
    return ctx.stats;
  }
}

/** Delay before retry number `failures` (1, 2, ...): 1 s doubling up to 5 min, with ±20 % jitter. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, failures - 1), 300_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}
