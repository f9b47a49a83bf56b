// Ignoring users: the `m.ignored_user_list` account data, its shape checked when a client sets it,
// and the rule every read path applies (sync timelines, /messages, /context, /relations, /threads,
// search, through RoomVisibility): an ignored user's non-state events are not shown; their state
// events still are, so the room's name or membership looks the same to everyone. Invites from an
// ignored user are dropped from /sync. The rule is read on each request, so a change to the list
// applies to the very next response; events the client already received stay where they are (the
// spec leaves hiding them, or starting a fresh sync, to the client), and un-ignoring does not
// replay what was hidden in the meantime (a fresh sync or /messages shows it).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#ignoring-users
import { badJson, invalidParam } from "../../spec/matrix-error.ts";
import { parseUserId } from "../../spec/ids.ts";
import type { StreamStore } from "../../storage/stream-store.ts";

export const IGNORED_USER_LIST = "m.ignored_user_list";

/** Larger than any real list; a bigger one would be parsed on every /sync for nothing. */
export const MAX_IGNORED_USERS = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks the content a client sets (spec: `ignored_users`, a map of user ID to an empty object):
 * M_BAD_JSON for a wrong shape, M_INVALID_PARAM for a malformed user ID or a list over the cap.
 */
export function validateIgnoredUserList(content: unknown): void {
  if (!isObject(content)) throw badJson("m.ignored_user_list content must be a JSON object");
  const users = content["ignored_users"];
  if (!isObject(users)) throw badJson("m.ignored_user_list: 'ignored_users' must be an object mapping user IDs to objects");
  const ids = Object.keys(users);
  if (ids.length > MAX_IGNORED_USERS) throw invalidParam(`m.ignored_user_list: at most ${MAX_IGNORED_USERS} users can be ignored`);
  for (const id of ids) {
    if (!parseUserId(id)) throw invalidParam(`m.ignored_user_list: '${id}' is not a user ID`);
    if (!isObject(users[id])) throw badJson(`m.ignored_user_list: the value for '${id}' must be an object`);
  }
}

/** The ignored user IDs of stored content; lenient, as content stored before validation existed may be odd. */
export function parseIgnoredUsers(content: unknown): ReadonlySet<string> {
  const users = isObject(content) ? content["ignored_users"] : undefined;
  return new Set(isObject(users) ? Object.keys(users).filter((id) => parseUserId(id) !== undefined) : []);
}

export async function loadIgnoredUsers(streams: Pick<StreamStore, "getAccountData">, userId: string): Promise<ReadonlySet<string>> {
  return parseIgnoredUsers(await streams.getAccountData(userId, "", IGNORED_USER_LIST));
}

/** True when `me` must not be shown this event: a non-state event of a user they ignore (never their own). */
export function hiddenByIgnore(pdu: { sender: string; state_key?: string }, me: string, ignored: ReadonlySet<string>): boolean {
  return pdu.state_key === undefined && pdu.sender !== me && ignored.has(pdu.sender);
}
