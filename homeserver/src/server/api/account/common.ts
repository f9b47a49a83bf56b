// Helpers shared by the account endpoints: path parameters and the "only your own account" rule.
import { MatrixError, forbidden } from "../../../spec/matrix-error.ts";
import { parseRoomId, parseUserId } from "../../../spec/ids.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import type { RequestContext, Requester } from "../../http/request-context.ts";
import type { ServerContext } from "../../context.ts";
import { UserInteractiveAuth, type UiaFlow } from "../../users/uia.ts";
import { KeyedLock } from "../../rooms/room-lock.ts";

export const C = "/_matrix/client/v3";

export const param = (ctx: RequestContext, name: string): string => ctx.params[name] ?? "";

/** A well-formed user id from the path, or 400 M_INVALID_PARAM. */
export function userIdParam(ctx: RequestContext, name = "userId"): string {
  const id = param(ctx, name);
  if (!parseUserId(id)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid user id '${id}'`);
  return id;
}

/** A well-formed room id from the path, or 400 M_INVALID_PARAM. */
export function roomIdParam(ctx: RequestContext, name = "roomId"): string {
  const id = param(ctx, name);
  if (!parseRoomId(id)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${id}'`);
  return id;
}

/** Account data, filters, OpenID tokens...: a user may only act on their own account. */
export function requireSelf(me: Requester, userId: string, what: string): void {
  if (me.userId !== userId) throw forbidden(`Cannot ${what} for other users`);
}

/** An identifier-like string from a path or body: non-empty, bounded. */
export function checkIdentifier(value: string, what: string, maxLen = 255): string {
  if (value === "" || value.length > maxLen) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid ${what}`);
  return value;
}

/** The services the account handlers share, built once per router. */
export interface AccountServices {
  uia: UserInteractiveAuth;
  /** Serialises read-modify-write of one user's documents (push rules, tags) in this process. */
  lock: KeyedLock;
}

export function accountServices(s: ServerContext): AccountServices {
  return { uia: new UserInteractiveAuth({ passwords: s.passwords, clock: s.clock, serverName: s.serverName }), lock: new KeyedLock() };
}

/**
 * Runs UIA for an authenticated request. Appservice users have no password and their
 * appservice token already proves who they are, so they skip it (as Synapse does).
 */
export async function requireUia(svc: AccountServices, me: Requester, body: JsonObject, scope: string, flows: readonly UiaFlow[]): Promise<void> {
  if (me.appserviceId !== undefined) return;
  await svc.uia.authenticate({ auth: body["auth"], flows, scope, userId: me.userId });
}
