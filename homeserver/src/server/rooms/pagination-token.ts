// Room pagination tokens (/messages, /context, /relations, /threads, /members?at=, sync prev_batch).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#syncing (tokens are opaque to clients)
//
// A token `t<N>` names a POSITION BETWEEN EVENTS in stream order: just before the event whose
// stream_ordering is N.
//   - paginating backwards from t<N> returns events with stream_ordering <  N (newest first);
//   - paginating forwards  from t<N> returns events with stream_ordering >= N (oldest first);
//   - after returning events, the next token is t<lowest stream returned> going backwards and
//     t<highest stream returned + 1> going forwards;
//   - a `to` token t<M> stops backwards pagination at stream >= M, forwards at stream < M;
//   - "the state at t<N>" is the state after the last event with stream < N.
// So the sync's prev_batch for a timeline starting at event E is t<stream of E>, and /messages
// backwards from it continues exactly before E.
//
// Sync tokens `s<events>_<accountData>_<receipts>_<typing>` are accepted wherever a room token is:
// their first number is the last event position the client has seen, i.e. position events + 1.
import { MatrixError } from "../../spec/matrix-error.ts";

// Backfilled history (events fetched from other servers) takes negative positions: t-5 is valid.
const ROOM_TOKEN = /^t(-?\d{1,15})$/;
const SYNC_TOKEN = /^s(\d{1,15})(?:_\d{1,15})*$/;

/** The position a room or sync token stands for; M_INVALID_PARAM when it is neither. */
export function parsePaginationToken(raw: string, param = "from"): number {
  const room = ROOM_TOKEN.exec(raw);
  if (room) return Number(room[1]);
  const sync = SYNC_TOKEN.exec(raw);
  if (sync) return Number(sync[1]) + 1;
  throw new MatrixError("M_INVALID_PARAM", 400, `Invalid pagination token in '${param}'`);
}

/**
 * A position before every event of a room, backfilled ones (negative) included: where forward
 * pagination without `from` starts. Fifteen digits, so its token (`start` of /messages) parses.
 */
export const FIRST_POSITION = -999_999_999_999_999;

export function formatPaginationToken(position: number): string {
  return `t${Math.trunc(position)}`;
}

/** The token to continue from after returning events at `streams` (in the order returned). */
export function nextPaginationToken(lastStreamReturned: number, backwards: boolean): string {
  return formatPaginationToken(backwards ? lastStreamReturned : lastStreamReturned + 1);
}

/**
 * The range of stream positions (after, before] to read for a pagination request, in the terms
 * EventStore.roomEvents takes: exclusive lower bound, inclusive upper bound.
 */
export function streamRange(from: number, to: number | undefined, backwards: boolean): { after: number; before: number } {
  if (backwards) return { after: to === undefined ? Number.MIN_SAFE_INTEGER : to - 1, before: from - 1 };
  return { after: from - 1, before: to === undefined ? Number.MAX_SAFE_INTEGER : to - 1 };
}
