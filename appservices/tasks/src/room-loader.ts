// Rebuilds a room's task list from the room itself at start (or on first sight of a room): the
// tasks state and power levels, then the anchor's m.reference relations (the task roots), and for
// each root its m.reference relations (updates) and m.thread relations (where the bot's reminder
// records are). No history scan: the anchor makes the list reachable in a few requests.
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltype
import type { BotContext } from "../../kit/src/start-bot.ts";
import { ROOM_POWER_LEVELS, TASKS_STATE } from "../../protocol/src/event-types.ts";
import { RoomTasks, type FoldEvent } from "./room-tasks.ts";

/** Short: history's keys have arrived long ago, or never will. */
const HISTORY_KEY_WAIT_MS = 1500;
const PAGE = 200;

const enc = encodeURIComponent;

async function* relations(ctx: BotContext, roomId: string, eventId: string, relType: string): AsyncGenerator<Record<string, unknown>> {
  let from: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(PAGE), ...(from ? { from } : {}) });
    const page = await ctx.api("GET", `/_matrix/client/v1/rooms/${enc(roomId)}/relations/${enc(eventId)}/${enc(relType)}?${q.toString()}`);
    const chunk = Array.isArray(page["chunk"]) ? (page["chunk"] as unknown[]) : [];
    for (const e of chunk) if (typeof e === "object" && e !== null) yield e as Record<string, unknown>;
    from = typeof page["next_batch"] === "string" ? page["next_batch"] : undefined;
  } while (from !== undefined);
}

/** The decrypted fold shape of a raw event, or undefined (undecryptable or not an event). */
export async function toFoldEvent(ctx: BotContext, raw: Record<string, unknown>, keyWaitMs = HISTORY_KEY_WAIT_MS): Promise<FoldEvent | undefined> {
  const { event_id: id, sender, origin_server_ts: ts } = raw;
  if (typeof id !== "string" || typeof sender !== "string" || typeof ts !== "number") return undefined;
  const clear = await ctx.client.decrypt(raw, keyWaitMs);
  if (!clear) return undefined;
  const unsigned = typeof raw["unsigned"] === "object" && raw["unsigned"] !== null ? (raw["unsigned"] as Record<string, unknown>) : {};
  const out: FoldEvent = { event_id: id, type: clear.type, sender, origin_server_ts: ts, content: clear.content, unsigned };
  if (typeof raw["redacts"] === "string") out.redacts = raw["redacts"];
  return out;
}

/**
 * Reads the room's current state into `room`: creators (v12), power levels, and returns the tasks
 * state's content if there is one. One request: GET /state gives senders, which creators need.
 */
export async function readRoomState(ctx: BotContext, room: RoomTasks): Promise<Record<string, unknown> | undefined> {
  const res = await fetchState(ctx, room.roomId);
  let tasks: Record<string, unknown> | undefined;
  for (const e of res) {
    if (e["state_key"] !== "" || typeof e["content"] !== "object" || e["content"] === null) continue;
    const content = e["content"] as Record<string, unknown>;
    if (e["type"] === "m.room.create" && typeof e["sender"] === "string") room.setCreate(e["sender"], content);
    else if (e["type"] === ROOM_POWER_LEVELS) room.setPowerLevels(content);
    else if (e["type"] === TASKS_STATE) tasks = content;
  }
  return tasks;
}

async function fetchState(ctx: BotContext, roomId: string): Promise<Record<string, unknown>[]> {
  const r = await ctx.apiJson("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`);
  return Array.isArray(r) ? r.filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null) : [];
}

export async function loadRoom(ctx: BotContext, roomId: string): Promise<RoomTasks> {
  const room = new RoomTasks(roomId);
  const state = await readRoomState(ctx, room);
  if (state === undefined) return room;
  room.setConfig(state);
  if (!room.config) {
    ctx.log("warn", "tasks state refused", { room_id: roomId, reason: room.configProblem });
    return room;
  }
  let undecryptable = 0;
  const keep = async (raw: Record<string, unknown>): Promise<void> => {
    const e = await toFoldEvent(ctx, raw);
    if (e) room.add(e, ctx.botUserId);
    else undecryptable++;
  };
  const roots: string[] = [];
  for await (const raw of relations(ctx, roomId, room.config.anchor, "m.reference")) {
    await keep(raw);
    if (typeof raw["event_id"] === "string") roots.push(raw["event_id"]);
  }
  for (const root of roots) {
    for await (const raw of relations(ctx, roomId, root, "m.reference")) await keep(raw);
    for await (const raw of relations(ctx, roomId, root, "m.thread")) if (raw["sender"] === ctx.botUserId) await keep(raw);
  }
  ctx.log("info", "task list loaded", { room_id: roomId, tasks: room.fold().tasks.size, reminders_sent: room.sent.size, undecryptable });
  return room;
}
