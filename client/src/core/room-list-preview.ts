// The room list before matrix-js-sdk is up. Opening the page with a saved session used to wait for
// the SDK chunk, the crypto WebAssembly, its IndexedDB store and the SDK's first sync (~4-6 s on a
// busy 2-core machine) before any room showed. One small /sync with plain fetch (one timeline event
// per room, members lazy-loaded) gives names, spaces, DMs and the server's unread counts at once;
// the SDK session replaces it when ready. It acknowledges nothing: without `since` the server keeps
// to-device messages for the SDK's own sync, so crypto loses nothing.
import { isRecord, str } from "./raw-event.ts";
import type { RoomSummary } from "./room-list-model.ts";
import type { Fetch, Session } from "./sign-in.ts";

/** Only what the list needs: one event per room, members of senders only, m.direct, no presence. */
export const PREVIEW_FILTER = {
  room: {
    timeline: { limit: 1 }, state: { lazy_load_members: true },
    ephemeral: { types: [] }, account_data: { types: [] },
  },
  presence: { types: [] },
  account_data: { types: ["m.direct"] },
  // Room state comes whole (power levels, join rules...): keep the few fields the list reads.
  event_fields: ["type", "state_key", "sender", "origin_server_ts", "content.name", "content.alias", "content.type", "content.via", "content.algorithm", "content.displayname", "content.is_direct"],
};

interface StateEvent { type: string; stateKey: string; sender: string; content: Record<string, unknown>; ts: number }

function events(section: unknown): Record<string, unknown>[] {
  const list = isRecord(section) ? section["events"] : undefined;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function stateEvent(e: Record<string, unknown>): StateEvent | undefined {
  const type = str(e["type"]);
  const stateKey = str(e["state_key"]);
  if (type === undefined || stateKey === undefined || !isRecord(e["content"])) return undefined;
  return { type, stateKey, sender: str(e["sender"]) ?? "", content: e["content"], ts: typeof e["origin_server_ts"] === "number" ? e["origin_server_ts"] : 0 };
}

/** Room state as a map type → state_key → event; later events (timeline) override earlier ones. */
function foldState(lists: Record<string, unknown>[][]): Map<string, Map<string, StateEvent>> {
  const state = new Map<string, Map<string, StateEvent>>();
  for (const list of lists) {
    for (const raw of list) {
      const e = stateEvent(raw);
      if (e === undefined) continue;
      const byKey = state.get(e.type) ?? new Map<string, StateEvent>();
      byKey.set(e.stateKey, e);
      state.set(e.type, byKey);
    }
  }
  return state;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : 0);

/** Spec "Calculating the display name for a room", short: name, alias, heroes, else the id. */
/** A member's display name in the folded state, if set. */
function displayNameIn(state: Map<string, Map<string, StateEvent>>, userId: string | undefined): string | undefined {
  const name = userId === undefined ? undefined : str(state.get("m.room.member")?.get(userId)?.content["displayname"])?.trim();
  return name === "" ? undefined : name;
}

function roomName(roomId: string, state: Map<string, Map<string, StateEvent>>, summary: unknown, me: string): string {
  const name = str(state.get("m.room.name")?.get("")?.content["name"])?.trim();
  if (name !== undefined && name !== "") return name;
  const alias = str(state.get("m.room.canonical_alias")?.get("")?.content["alias"]);
  if (alias !== undefined) return alias;
  const heroes = isRecord(summary) && Array.isArray(summary["m.heroes"]) ? summary["m.heroes"].filter((h): h is string => typeof h === "string") : [];
  const members = state.get("m.room.member");
  const names = heroes.filter((h) => h !== me).map((h) => str(members?.get(h)?.content["displayname"]) ?? h);
  return names.length > 0 ? names.join(", ") : roomId;
}

function directRoomIds(body: Record<string, unknown>): Set<string> {
  const direct = events(body["account_data"]).find((e) => e["type"] === "m.direct");
  const content = isRecord(direct?.["content"]) ? direct["content"] : {};
  return new Set(Object.values(content).flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])));
}

/** A /sync answer (untrusted JSON) → the summaries the room list shows. Malformed rooms are skipped. */
export function previewFromSync(body: unknown, me: string): RoomSummary[] {
  if (!isRecord(body) || !isRecord(body["rooms"])) return [];
  const direct = directRoomIds(body);
  const out: RoomSummary[] = [];
  const join = isRecord(body["rooms"]["join"]) ? body["rooms"]["join"] : {};
  for (const [roomId, room] of Object.entries(join)) {
    if (!isRecord(room)) continue;
    const timeline = events(room["timeline"]);
    const state = foldState([events(room["state"]), timeline]);
    const create = state.get("m.room.create")?.get("");
    const isSpace = create?.content["type"] === "m.space";
    const notif = isRecord(room["unread_notifications"]) ? room["unread_notifications"] : {};
    const last = timeline.at(-1);
    out.push({
      roomId, name: roomName(roomId, state, room["summary"], me), isSpace, membership: "join",
      isDirect: direct.has(roomId) || state.get("m.room.member")?.get(me)?.content["is_direct"] === true,
      encrypted: state.has("m.room.encryption"),
      unread: count(notif["notification_count"]), highlights: count(notif["highlight_count"]),
      lastActivity: typeof last?.["origin_server_ts"] === "number" ? last["origin_server_ts"] : (create?.ts ?? 0),
      children: isSpace ? [...(state.get("m.space.child")?.values() ?? [])].filter((e) => Array.isArray(e.content["via"])).map((e) => e.stateKey) : [],
    });
  }
  const invite = isRecord(body["rooms"]["invite"]) ? body["rooms"]["invite"] : {};
  for (const [roomId, room] of Object.entries(invite)) {
    if (!isRecord(room)) continue;
    const state = foldState([events(room["invite_state"])]);
    const mine = state.get("m.room.member")?.get(me);
    out.push({
      roomId, name: roomName(roomId, state, undefined, me), isSpace: state.get("m.room.create")?.get("")?.content["type"] === "m.space",
      membership: "invite", isDirect: mine?.content["is_direct"] === true, encrypted: state.has("m.room.encryption"),
      unread: 0, highlights: 0, lastActivity: mine?.ts ?? 0, children: [], inviter: mine?.sender,
      inviterName: displayNameIn(state, mine?.sender),
    });
  }
  return out;
}

/** The preview /sync; undefined on any failure (the SDK session will show the list anyway). */
export async function fetchRoomPreview(s: Session, fetchFn: Fetch): Promise<RoomSummary[] | undefined> {
  const url = `${s.baseUrl}/_matrix/client/v3/sync?timeout=0&filter=${encodeURIComponent(JSON.stringify(PREVIEW_FILTER))}`;
  try {
    const res = await fetchFn(url, { headers: { Authorization: `Bearer ${s.accessToken}` } });
    if (!res.ok) return undefined;
    const body: unknown = await res.json();
    globalThis.performance?.mark("entente:preview-fetched");
    return previewFromSync(body, s.userId);
  } catch {
    return undefined;
  }
}
