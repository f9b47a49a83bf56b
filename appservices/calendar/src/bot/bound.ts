// One room calendar the bot runs: its binding (the fr.entente.calendar state), the room side it
// folds, the sync engine when it is bound to CalDAV, and the state of its retries.
import type { CalendarBinding } from "../protocol.ts";
import type { SyncEngine } from "../sync/sync-engine.ts";
import type { MatrixRoomSide } from "./matrix-room-side.ts";

export interface Bound {
  roomId: string;
  binding: CalendarBinding;
  side: MatrixRoomSide;
  engine?: SyncEngine;
  timer?: NodeJS.Timeout | undefined;
  /** failed passes in a row (0: healthy) */
  failures: number;
  running: boolean;
  /** a pass was asked for while one ran */
  again?: boolean;
  /** auto-video applies to events created from then on (ms; when it was switched on, at the latest) */
  autoSince?: number;
  /** replaced by a newer load of the room: its passes and state writes stop */
  retired?: boolean;
}

export const boundKey = (roomId: string, bindingId: string): string => `${roomId}|${bindingId}`;
