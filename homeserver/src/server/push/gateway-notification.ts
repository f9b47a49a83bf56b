// The body of a push gateway request, built from a queued push. Pure.
// `event_id_only` pushers get ids and counts only (the app fetches the event itself); others get
// the event's type, sender, names and content too. A badge update (a room was read) has no event.
// Spec: https://spec.matrix.org/v1.16/push-gateway-api/#post_matrixpushv1notify
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import { readActions } from "./push-evaluator.ts";

export interface PusherView {
  appId: string;
  pushkey: string;
  /** When the pushkey was set (ms), when known. */
  pushkeyTs: number | undefined;
  /** The pusher's `data` as the client set it (url included; it is not sent to the gateway). */
  data: JsonObject;
}

export interface EventView {
  eventId: string;
  roomId: string;
  type: string;
  sender: string;
  content: JsonObject;
  stateKey: string | undefined;
  senderDisplayName: string | undefined;
  roomName: string | undefined;
}

/** Tweaks sent to the device: every set_tweak of the actions (highlight defaults to true). */
export function tweaksOf(actions: readonly JsonValue[]): JsonObject {
  const tweaks: JsonObject = {};
  for (const a of actions) {
    if (typeof a !== "object" || a === null || Array.isArray(a) || typeof a["set_tweak"] !== "string") continue;
    tweaks[a["set_tweak"]] = a["value"] ?? (a["set_tweak"] === "highlight" ? true : null);
  }
  return tweaks;
}

export function notificationBody(p: { pusher: PusherView; userId: string; unread: number; event?: EventView; actions?: readonly JsonValue[] }): JsonObject {
  const { data, appId, pushkey, pushkeyTs } = p.pusher;
  const deviceData: JsonObject = { ...data };
  delete deviceData["url"];
  const device: JsonObject = { app_id: appId, pushkey, data: deviceData };
  if (pushkeyTs !== undefined) device["pushkey_ts"] = Math.floor(pushkeyTs / 1000);
  const counts: JsonObject = { unread: p.unread };
  if (!p.event) return { notification: { prio: "low", counts, devices: [{ ...device }] } };
  device["tweaks"] = tweaksOf(p.actions ?? []);
  const a = readActions(p.actions ?? []);
  // phones wake for sounds, mentions and encrypted events (which may be either); the rest can wait
  const prio = a.highlight || a.sound !== undefined || p.event.type === "m.room.encrypted" ? "high" : "low";
  const n: JsonObject = { event_id: p.event.eventId, room_id: p.event.roomId, prio, counts, devices: [device] };
  if (data["format"] === "event_id_only") return { notification: n };
  n["type"] = p.event.type;
  n["sender"] = p.event.sender;
  if (p.event.senderDisplayName !== undefined) n["sender_display_name"] = p.event.senderDisplayName;
  if (p.event.roomName !== undefined) n["room_name"] = p.event.roomName;
  if (p.event.type === "m.room.member") n["user_is_target"] = p.event.stateKey === p.userId;
  n["content"] = p.event.content;
  return { notification: n };
}
