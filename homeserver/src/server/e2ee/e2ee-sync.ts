// The e2ee part of every /sync response: to-device messages, device-list changes, one-time key
// counts and unused fallback key types.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#send-to-device-messaging
//       https://spec.matrix.org/v1.16/client-server-api/#e2e-extensions-to-sync
import type { JsonObject } from "../../room/pdu.ts";
import type { ServerContext } from "../context.ts";
import type { Requester } from "../http/request-context.ts";
import type { SyncPosition } from "../sync/sync-token.ts";
import { keysForSyncAt } from "./key-counts.ts";

export interface E2eeSyncSection {
  /** to_device, device_lists, device_one_time_keys_count, device_unused_fallback_key_types */
  fields: JsonObject;
  /** The to-device position next_batch must carry (less than the head when messages remain). */
  toDevicePosition: number;
  /** Whether there is anything a long-polling client must be woken for. */
  hasNews: boolean;
}

export async function e2eeSyncSection(s: ServerContext, me: Requester, since: SyncPosition | undefined, pos: SyncPosition & { oneTimeKeys?: number | string | undefined; memberRows?: number; view?: string | undefined; mayKeep?: () => boolean }): Promise<E2eeSyncSection> {
  const e = s.e2ee;
  const device = { userId: me.userId, deviceId: me.deviceId };
  const toDevice = await e.toDevice.forSync(device, since?.toDevice, pos.toDevice);
  // An initial sync has no device-list delta: the client queries the keys of everyone it tracks.
  // The membership rows' position, read with pos in one statement, when that statement saw committed
  // rows only (pos.view, kept-at-position.ts committedView: always on PostgreSQL; on SQLite with no
  // write group open, else a write still open may show, whose rows a rollback takes back: read them)
  const memberRows = pos.view !== undefined ? pos.memberRows : undefined;
  const lists = since
    ? await e.deviceLists.delta(me.userId, { events: since.events, deviceLists: since.deviceLists }, { events: pos.events, deviceLists: pos.deviceLists, ...(memberRows === undefined ? {} : { memberRows }) })
    : { changed: [], left: [] };
  // kept while the key-change position stays (key-counts.ts); read every time when the caller has none
  const keys = await keysForSyncAt(e.store, me.userId, me.deviceId, pos.oneTimeKeys, pos.mayKeep);
  const fields: JsonObject = {
    to_device: { events: toDevice.events.map((m) => ({ sender: m.sender, type: m.type, content: m.content as JsonObject })) },
    device_lists: { changed: lists.changed, left: lists.left },
    // counts always name signed_curve25519, as oneTimeKeyCounts does
    device_one_time_keys_count: { signed_curve25519: 0, ...keys.oneTimeCounts },
    device_unused_fallback_key_types: keys.unusedFallback,
  };
  const hasNews = toDevice.events.length > 0 || lists.changed.length > 0 || lists.left.length > 0;
  return { fields, toDevicePosition: toDevice.position, hasNews };
}
