// The two ports through which e2ee reaches other servers; the federation layer implements them.
// Until it does, key queries for remote users report the server in `failures`, and to-device
// messages for remote users wait in the federation_to_device_outbox table (never dropped).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#end-to-end-encryption
//       https://spec.matrix.org/v1.16/server-server-api/#send-to-device-messaging
import type { E2eeStore, KeyJson } from "../../storage/e2ee-store.ts";
import type { Clock } from "../clock.ts";

/** Federation key endpoints of one remote server; any rejection counts as "server unreachable". */
export interface RemoteKeys {
  /** POST /_matrix/federation/v1/user/keys/query with `{ device_keys }`. */
  queryKeys(server: string, body: { device_keys: Record<string, string[]> }): Promise<KeyJson>;
  /** POST /_matrix/federation/v1/user/keys/claim with `{ one_time_keys }`. */
  claimKeys(server: string, body: { one_time_keys: Record<string, Record<string, string>> }): Promise<KeyJson>;
  /** GET /_matrix/federation/v1/user/devices/{userId}. */
  userDevices(server: string, userId: string): Promise<KeyJson>;
}

/** Content of an m.direct_to_device EDU: messages[userId][deviceId | "*"] = content. */
export interface DirectToDeviceEdu {
  sender: string;
  type: string;
  message_id: string;
  messages: Record<string, Record<string, KeyJson>>;
}

export interface RemoteToDevice {
  send(destination: string, edu: DirectToDeviceEdu): Promise<void>;
}

/** Default RemoteKeys while federation is not wired: every remote server is "unreachable". */
export const noRemoteKeys: RemoteKeys = {
  queryKeys: (server) => Promise.reject(new Error(`federation is not available to reach ${server}`)),
  claimKeys: (server) => Promise.reject(new Error(`federation is not available to reach ${server}`)),
  userDevices: (server) => Promise.reject(new Error(`federation is not available to reach ${server}`)),
};

/**
 * Default RemoteToDevice: queues the EDU in federation_to_device_outbox, where the federation
 * sender picks it up (E2eeStore.pendingRemoteToDevice / deleteRemoteToDevice).
 */
export class OutboxRemoteToDevice implements RemoteToDevice {
  private readonly store: E2eeStore;
  private readonly clock: Clock;
  constructor(deps: { store: E2eeStore; clock: Clock }) {
    this.store = deps.store;
    this.clock = deps.clock;
  }

  async send(destination: string, edu: DirectToDeviceEdu): Promise<void> {
    await this.store.queueRemoteToDevice(destination, edu as unknown as KeyJson, this.clock.now());
  }
}
