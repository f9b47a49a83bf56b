// Everything a handler may use, built once in compose.ts. Handlers receive this typed object;
// services never import api/.
import type { HomeserverConfig } from "../config/config-types.ts";
import type { SigningKey } from "../room/signing.ts";
import type { Database } from "../storage/sql.ts";
import type { EventStore } from "../storage/event-store.ts";
import type { RoomStore } from "../storage/room-store.ts";
import type { UserStore } from "../storage/user-store.ts";
import type { Clock } from "./clock.ts";
import type { Logger } from "./log.ts";
import type { Notifier } from "./notifier.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { AuthGuard } from "./users/auth-guard.ts";
import type { PasswordChecker } from "./users/credentials.ts";
import type { LocalEvents } from "./rooms/local-events.ts";
import type { Typing } from "./sync/typing.ts";
import type { StreamStore } from "../storage/stream-store.ts";
import type { E2eeService } from "./e2ee/e2ee-service.ts";
import type { Appservices } from "./appservice/appservices.ts";
import type { PushService } from "./push/push-service.ts";

import type { KeyedLock } from "./rooms/room-lock.ts";
import type { FederationServices } from "./federation/federation-services.ts";
import type { HeavyRequestGate } from "./http/heavy-request-gate.ts";
import type { SerializedStateCache } from "./rooms/serialized-state.ts";

export interface ServerContext {
  config: HomeserverConfig;
  serverName: string;
  signingKey: SigningKey;
  db: Database;
  log: Logger;
  clock: Clock;
  notifier: Notifier;
  rateLimiter: RateLimiter;
  auth: AuthGuard;
  /** Password checks of /login and UIA, behind the per-account failure limit. */
  passwords: PasswordChecker;
  stores: { events: EventStore; rooms: RoomStore; users: UserStore; streams: StreamStore };
  localEvents: LocalEvents;
  /** One writer per room: local sends and federation input both take it. */
  roomLock: KeyedLock;
  /** Undefined when federation is disabled in config. */
  federation: FederationServices | undefined;
  typing: Typing;
  /** End-to-end encryption: device keys, cross-signing, to-device, device lists, key backups. */
  e2ee: E2eeService;
  /** Application services: as_token identity, namespaces, queries and the pushers' hooks. */
  appservices: Appservices;
  /** Push rules evaluated per event, unread counts, pushers' delivery (server/push/). */
  push: PushService;
  /** Big reads (room state, member lists, full-state sync): per-user bound and serialised-state cache. */
  heavyReads: { gate: HeavyRequestGate; state: SerializedStateCache };
}
