// Rebuilds a bound room's calendar at start from the room itself: its fr.entente.calendar state
// and power levels, the anchor's m.reference relations (the roots), each root's m.reference
// relations (updates, RSVPs). No history scan, and a restarted bot knows every UID it synced,
// so it never imports a CalDAV object twice.
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltype
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { CALENDAR_STATE, parseCalendarBinding, type CalendarBinding } from "../protocol.ts";
import { MatrixRoomSide, type FoldEvent } from "./matrix-room-side.ts";
import { noteThreadRecord } from "./thread-records.ts";

const enc = encodeURIComponent;

async function* relations(ctx: BotContext, roomId: string, eventId: string, relType = "m.reference"): AsyncGenerator<Record<string, unknown>> {
  let from: string | undefined;
  do {
    const q = new URLSearchParams({ limit: "200", ...(from === undefined ? {} : { from }) });
    const page = await ctx.api("GET", `/_matrix/client/v1/rooms/${enc(roomId)}/relations/${enc(eventId)}/${relType}?${q.toString()}`);
    const chunk = Array.isArray(page["chunk"]) ? (page["chunk"] as unknown[]) : [];
    for (const e of chunk) if (typeof e === "object" && e !== null) yield e as Record<string, unknown>;
    from = typeof page["next_batch"] === "string" ? page["next_batch"] : undefined;
  } while (from !== undefined);
}

export async function toFoldEvent(ctx: BotContext, raw: Record<string, unknown>): Promise<FoldEvent | undefined> {
  const { event_id: id, sender, origin_server_ts: ts } = raw;
  if (typeof id !== "string" || typeof sender !== "string" || typeof ts !== "number") return undefined;
  const clear = await ctx.client.decrypt(raw, 1500);
  if (!clear) return undefined;
  const out: FoldEvent = { event_id: id, type: clear.type, sender, origin_server_ts: ts, content: clear.content };
  if (typeof raw["unsigned"] === "object" && raw["unsigned"] !== null) out.unsigned = raw["unsigned"] as Record<string, unknown>;
  return out;
}

export interface LoadedBinding {
  binding: CalendarBinding;
  side: MatrixRoomSide;
  /** origin_server_ts of the binding's state event */
  stateTs: number;
}

/** The room's bindings (one per fr.entente.calendar state key), with their calendars loaded. */
export async function loadBindings(ctx: BotContext, roomId: string): Promise<LoadedBinding[]> {
  const state = await ctx.apiJson("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`);
  const events = Array.isArray(state) ? (state as Record<string, unknown>[]) : [];
  const power = events.find((e) => e["type"] === "m.room.power_levels")?.["content"];
  const createEv = events.find((e) => e["type"] === "m.room.create");
  const create = typeof createEv?.["sender"] === "string" ? { sender: createEv["sender"], content: createEv["content"] } : undefined;
  const encrypted = events.some((e) => e["type"] === "m.room.encryption");
  const out: LoadedBinding[] = [];
  for (const e of events) {
    if (e["type"] !== CALENDAR_STATE || typeof e["state_key"] !== "string") continue;
    const parsed = parseCalendarBinding(e["state_key"], e["content"]);
    if (!parsed.ok) {
      ctx.log("warn", "calendar binding refused", { room_id: roomId, reason: parsed.reason });
      continue;
    }
    const side = new MatrixRoomSide(ctx, roomId, parsed.value.anchor);
    side.createEvent = create;
    side.setPowerLevels(power);
    side.encrypted = encrypted;
    const roots: string[] = [];
    for await (const raw of relations(ctx, roomId, parsed.value.anchor)) {
      const ev = await toFoldEvent(ctx, raw);
      if (ev !== undefined) {
        side.add(ev);
        roots.push(ev.event_id);
      }
    }
    for (const root of roots) {
      for await (const raw of relations(ctx, roomId, root)) {
        const ev = await toFoldEvent(ctx, raw);
        if (ev !== undefined) side.add(ev);
      }
      // The bot's reminders and invitations in the event's thread: what was already sent.
      for await (const raw of relations(ctx, roomId, root, "m.thread")) {
        if (raw["sender"] !== ctx.botUserId) continue;
        const ev = await toFoldEvent(ctx, raw);
        if (ev !== undefined) noteThreadRecord(side, ev.content);
      }
    }
    out.push({ binding: parsed.value, side, stateTs: typeof e["origin_server_ts"] === "number" ? e["origin_server_ts"] : 0 });
  }
  return out;
}
