// The end-to-end encryption services, built once in compose.ts and reached as `s.e2ee`.
// Remote servers are reached through two ports the federation layer plugs in with `useRemote`.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#end-to-end-encryption
import type { Database } from "../../storage/sql.ts";
import type { UserStore } from "../../storage/user-store.ts";
import { E2eeStore } from "../../storage/e2ee-store.ts";
import { E2eeBackupStore } from "../../storage/e2ee-backup-store.ts";
import type { Clock } from "../clock.ts";
import type { Notifier } from "../notifier.ts";
import { DeviceLists } from "./device-lists.ts";
import { DeviceKeys } from "./device-keys.ts";
import { CrossSigning } from "./cross-signing.ts";
import { ToDevice } from "./to-device.ts";
import { KeyBackup } from "./key-backup.ts";
import { OutboxRemoteToDevice, noRemoteKeys, type RemoteKeys, type RemoteToDevice } from "./remote-ports.ts";

export interface E2eeDeps {
  db: Database;
  users: UserStore;
  notifier: Notifier;
  clock: Clock;
  serverName: string;
}

export class E2eeService {
  readonly store: E2eeStore;
  readonly deviceLists: DeviceLists;
  readonly keys: DeviceKeys;
  readonly crossSigning: CrossSigning;
  readonly toDevice: ToDevice;
  readonly backup: KeyBackup;
  private remoteKeys: RemoteKeys = noRemoteKeys;
  private remoteToDevice: RemoteToDevice;

  constructor(deps: E2eeDeps) {
    const store = new E2eeStore({ db: deps.db });
    this.store = store;
    this.remoteToDevice = new OutboxRemoteToDevice({ store, clock: deps.clock });
    const { users, notifier, clock, serverName } = deps;
    const remote = (): RemoteKeys => this.remoteKeys;
    this.deviceLists = new DeviceLists({ store, notifier });
    this.keys = new DeviceKeys({ store, deviceLists: this.deviceLists, serverName, remote });
    this.crossSigning = new CrossSigning({ store, users, deviceLists: this.deviceLists, serverName, remote });
    this.toDevice = new ToDevice({ store, users, notifier, clock, serverName, remote: () => this.remoteToDevice });
    this.backup = new KeyBackup({ store: new E2eeBackupStore({ db: deps.db }) });
  }

  /** Plugs in the federation layer (both ports are optional: the defaults stay for the others). */
  useRemote(ports: { keys?: RemoteKeys; toDevice?: RemoteToDevice }): void {
    if (ports.keys) this.remoteKeys = ports.keys;
    if (ports.toDevice) this.remoteToDevice = ports.toDevice;
  }

  /**
   * Call after creating or deleting a user's devices (login, registration, logout, device
   * deletion, deactivation) or when a remote server reports a device-list update for one of its
   * users: keys of deleted devices are dropped, the change is streamed and sharing users woken.
   */
  deviceChanged(userId: string): Promise<void> {
    return this.deviceLists.changed(userId);
  }

  /** Current positions of the two e2ee streams, for sync tokens. */
  async positions(): Promise<{ deviceLists: number; toDevice: number }> {
    return { deviceLists: await this.store.maxDeviceListStream(), toDevice: await this.store.toDeviceHead() };
  }
}
