// What the widget driver needs from the Matrix session: a narrow port, so the driver is tested with
// an in-memory fake and the matrix-js-sdk adapter (matrix-client-port.ts) stays small.
import type { EventKind } from "./raw-relations.ts";
import type { IRoomEvent } from "matrix-widget-api";

/**
 * `recursionDepth`: set when the server walked relations of relations (the spec's `recurse`).
 * `raw`: the server's response body (UTF-8 JSON whose `chunk` is exactly `chunk`), when the client
 * read it as is (raw-relations.ts), to be passed on without encoding the events again.
 * `count` and `kinds`: our server's summary of a lean page (how many events, of which kinds), with
 * which `chunk` (then a getter) need not be parsed when the widget may receive every kind.
 */
export interface RelationsPage { chunk: IRoomEvent[]; nextBatch: string | undefined; prevBatch: string | undefined; recursionDepth?: number; raw?: ArrayBuffer; count?: number; kinds?: EventKind[] }

export interface OpenIdToken { access_token: string; token_type: string; matrix_server_name: string; expires_in: number }

export interface WidgetClientPort {
  userId: string;
  sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<string>;
  sendStateEvent(roomId: string, type: string, content: Record<string, unknown>, stateKey: string): Promise<string>;
  /** Live timeline, oldest first, as raw events. */
  timeline(roomId: string): IRoomEvent[];
  /**
   * The newest live-timeline events of `type` (and `msgtype`, `stateKey` when given), newest first,
   * at most `limit`, stopping at the event `since`: what timeline() filtered gives, copying only the
   * events returned (timeline() copies every loaded event: ~100 ms per read in a busy room).
   */
  recentTimeline?(roomId: string, match: { type: string; msgtype: string | undefined; stateKey: string | undefined }, limit: number, since: string | undefined): IRoomEvent[];
  stateEvents(roomId: string, type: string, stateKey: string | undefined): IRoomEvent[];
  /** Loads the room's full member list when the client lazy-loads members (before m.room.member is read). */
  loadMembers?(roomId: string): Promise<void>;
  relations(roomId: string, eventId: string, relType: string | undefined, eventType: string | undefined, opts: { from?: string; to?: string; limit?: number; dir?: "f" | "b"; recurse?: boolean; lean?: boolean; onNextBatch?: (token: string) => void }): Promise<RelationsPage>;
  openIdToken(): Promise<OpenIdToken>;
}
