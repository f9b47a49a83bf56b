// Send-to-device messaging: local recipients get the message stored until their device
// acknowledges it through /sync; remote recipients are handed to the RemoteToDevice port, one
// m.direct_to_device EDU per destination. A (device, txn id) pair is processed once.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#send-to-device-messaging
import { createHash } from "node:crypto";
import { badJson, invalidParam } from "../../spec/matrix-error.ts";
import { parseUserId } from "../../spec/ids.ts";
import type { E2eeStore, KeyJson, NewToDevice, ToDeviceRow } from "../../storage/e2ee-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import type { Clock } from "../clock.ts";
import type { Notifier } from "../notifier.ts";
import type { DeviceRef } from "./device-keys.ts";
import type { RemoteToDevice } from "./remote-ports.ts";

/** Most to-device messages one /sync response carries; the rest come in the next ones. */
export const TO_DEVICE_SYNC_LIMIT = 100;
const MAX_RECIPIENTS = 10_000;
/** Devices whose acknowledged position is remembered (forgetting only costs a DELETE). */
const MAX_ACKNOWLEDGED = 10_000;

type Messages = Record<string, Record<string, KeyJson>>;

/** `messages` of the request: user id → device id (or "*") → content object. */
export function parseToDeviceMessages(raw: unknown): Messages {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badJson("'messages' must be an object of user id to device id to content");
  let count = 0;
  for (const [userId, devices] of Object.entries(raw)) {
    if (!parseUserId(userId)) throw invalidParam(`Invalid user id '${userId}' in 'messages'`);
    if (typeof devices !== "object" || devices === null || Array.isArray(devices)) throw badJson(`'messages.${userId}' must be an object of device id to content`);
    for (const [deviceId, content] of Object.entries(devices as Record<string, unknown>)) {
      if (deviceId === "" || deviceId.length > 255) throw invalidParam(`Invalid device id in 'messages.${userId}'`);
      if (typeof content !== "object" || content === null || Array.isArray(content)) throw badJson(`'messages.${userId}.${deviceId}' must be an object`);
      if (++count > MAX_RECIPIENTS) throw invalidParam(`Too many recipients (at most ${MAX_RECIPIENTS})`);
    }
  }
  return raw as Messages;
}

export class ToDevice {
  private readonly store: E2eeStore;
  private readonly users: UserStore;
  private readonly notifier: Notifier;
  private readonly clock: Clock;
  private readonly serverName: string;
  private readonly remote: () => RemoteToDevice;
  /** Per device, the position up to which this process deleted acknowledged messages. */
  private readonly acknowledged = new Map<string, number>();

  constructor(deps: { store: E2eeStore; users: UserStore; notifier: Notifier; clock: Clock; serverName: string; remote: () => RemoteToDevice }) {
    this.store = deps.store;
    this.users = deps.users;
    this.notifier = deps.notifier;
    this.clock = deps.clock;
    this.serverName = deps.serverName;
    this.remote = deps.remote;
  }

  async send(from: DeviceRef, txnId: string, type: string, messages: Messages): Promise<void> {
    const local: NewToDevice[] = [];
    const remote = new Map<string, Messages>();
    for (const [userId, devices] of Object.entries(messages)) {
      const server = parseUserId(userId)?.serverName ?? "";
      if (server !== this.serverName) {
        (remote.get(server) ?? remote.set(server, {}).get(server) as Messages)[userId] = devices;
        continue;
      }
      // Messages to unknown devices are dropped, as nobody could ever fetch them.
      const known = new Set((await this.users.listDevices(userId)).map((d) => d.deviceId));
      for (const [deviceId, content] of Object.entries(devices)) {
        const targets = deviceId === "*" ? [...known] : known.has(deviceId) ? [deviceId] : [];
        for (const d of targets) local.push({ userId, deviceId: d, type, content });
      }
    }
    const fresh = await this.store.addToDevice({ ...from, eventType: type, txnId }, local, this.clock.now());
    // Remote copies are (re)queued even for a retried txnId: if we crashed after the local commit,
    // the client's retry is what sends them. The message_id is derived from the txn, so the
    // receiving server drops a copy it already has.
    for (const [server, part] of remote) {
      const messageId = createHash("sha256").update(`${from.userId}\u0000${from.deviceId}\u0000${type}\u0000${txnId}\u0000${server}`).digest("base64url");
      await this.remote().send(server, { sender: from.userId, type, message_id: messageId, messages: part });
    }
    if (fresh) this.notifier.notifyUsers(new Set(local.map((m) => m.userId)));
  }

  /**
   * The messages a /sync from to-device position `since` delivers (undefined: initial sync), and
   * the position its next_batch carries. Syncing from `since` acknowledges (deletes) what it covers.
   */
  async forSync(me: DeviceRef, since: number | undefined, head: number): Promise<{ events: ToDeviceRow[]; position: number }> {
    if (since !== undefined) {
      // Each long-poll of a device usually repeats the last token: its acknowledgement was
      // already deleted by this process, and nothing was queued after the head (two statements
      // per /sync saved; a message committed meanwhile wakes the long-poll again).
      const key = `${me.userId}\u0000${me.deviceId}`;
      if ((this.acknowledged.get(key) ?? -1) < since) {
        await this.store.deleteToDevice(me.userId, me.deviceId, since);
        if (this.acknowledged.size >= MAX_ACKNOWLEDGED) this.acknowledged.clear();
        this.acknowledged.set(key, since);
      }
      if (since >= head) return { events: [], position: head };
    }
    const events = await this.store.toDeviceFor(me.userId, me.deviceId, since ?? 0, TO_DEVICE_SYNC_LIMIT);
    const last = events.at(-1)?.stream ?? 0;
    return { events, position: events.length === TO_DEVICE_SYNC_LIMIT ? last : Math.max(head, last) };
  }
}
