// How another server's refusal reaches our client. When the invitee's server says no with a
// Matrix error (M_INCOMPATIBLE_ROOM_VERSION for a room version it cannot join, M_FORBIDDEN, a
// rate limit...), the client should see that answer, not "Could not reach server" (502), which
// reads as a network problem and invites pointless retries.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#put_matrixfederationv2inviteroomideventid
import { MatrixError, type Errcode } from "../../spec/matrix-error.ts";
import { FederationError } from "./transport/federation-error.ts";

/** Spec errcodes are M_ and capitals; anything else (custom, malformed) is not passed on. */
const SPEC_ERRCODE = /^M_[A-Z_]{1,64}$/;

/**
 * The remote's 4xx Matrix error as ours (same status and errcode, the message naming the server),
 * or undefined when it is not one: network failures, 5xx, answers without a spec errcode, and
 * 401, which is about OUR request signature and must not look like the client's bad token.
 */
export function remoteClientError(server: string, err: unknown): MatrixError | undefined {
  if (!(err instanceof FederationError) || err.kind !== "http" || err.status === undefined) return undefined;
  if (err.status < 400 || err.status >= 500 || err.status === 401) return undefined;
  if (err.errcode === undefined || !SPEC_ERRCODE.test(err.errcode)) return undefined;
  const extra: Record<string, unknown> = err.retryAfterMs === undefined ? {} : { retry_after_ms: err.retryAfterMs };
  // checked above to be shaped like a spec errcode; the remote may know newer ones than our union
  return new MatrixError(err.errcode as Errcode, err.status, `${server}: ${err.message}`, extra);
}
