// The composition root: the one place that knows concrete classes.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import type { AddressInfo } from "node:net";
import type { HomeserverConfig } from "../config/config-types.ts";
import { generateSigningKey, encodeSigningKeyFile, parseSigningKeyFile, type SigningKey } from "../room/signing.ts";
import { openDatabase } from "../storage/open-database.ts";
import { holdMainLock } from "../storage/pg-main-lock.ts";
import { EventStore } from "../storage/event-store.ts";
import { RoomStore } from "../storage/room-store.ts";
import { UserStore } from "../storage/user-store.ts";
import { StreamStore } from "../storage/stream-store.ts";
import { AppserviceStore } from "../storage/appservice-store.ts";
import { systemClock, type Clock } from "./clock.ts";
import { createLogger, type Logger } from "./log.ts";
import { prepareDataAtRest } from "./data-at-rest.ts";
import { Notifier } from "./notifier.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { AuthGuard } from "./users/auth-guard.ts";
import { passwordChecker } from "./users/compose-passwords.ts";
import { LocalEvents } from "./rooms/local-events.ts";
import { Typing } from "./sync/typing.ts";
import { createHttpServer, drainRequests } from "./http/http-server.ts";
import { listen } from "./http/listen.ts";
import { listenerConnectionOptions } from "./http/connection-guard.ts";
import { buildRouter } from "./api/routes.ts";
import { E2eeService } from "./e2ee/e2ee-service.ts";
import { Appservices } from "./appservice/appservices.ts";
import { loadRegistrations } from "./appservice/load-registrations.ts";
import type { ServerContext } from "./context.ts";
import { KeyedLock } from "./rooms/room-lock.ts";
import { RoomMembers } from "./rooms/room-members.ts";
import type { PersistedEvent } from "./rooms/local-events.ts";
import type { SqlExecutor } from "../storage/sql.ts";
import { composeFederation } from "./federation/compose-federation.ts";
import type { SenderOptions } from "./federation/sending/federation-sender.ts";
import type { FederationListener } from "./federation/transport/listener.ts";
import { federationKeyRoutes } from "./api/federation-keys/routes.ts";
import { federationRoutes } from "./api/federation/routes.ts";
import { connectE2eeFederation } from "./federation/e2ee-federation.ts";
import { PushService } from "./push/push-service.ts";
import { HeavyRequestGate } from "./http/heavy-request-gate.ts";
import { SerializedStateCache } from "./rooms/serialized-state.ts";
import { StreamPublisher } from "./worker/stream-channel.ts";
import { sqliteTokenCache, tokenCacheFor } from "./users/token-cache-for.ts";

export interface RunningHomeserver {
  context: ServerContext;
  /** Base URL of the client-server listener, e.g. http://127.0.0.1:8008 */
  url: string;
  port: number;
  /** Every route served (for the bad-input suite and docs). */
  routes: { method: string; template: string }[];
  /** Port of the federation listener (undefined when federation is disabled). */
  federationPort: number | undefined;
  federationRoutes: { method: string; template: string }[];
  stop(): Promise<void>;
}

export function loadOrCreateSigningKey(path: string): SigningKey {
  if (existsSync(path)) {
    const [key] = parseSigningKeyFile(readFileSync(path, "utf8"));
    if (!key) throw new Error(`signing key file ${path} holds no key`);
    return key;
  }
  const key = generateSigningKey("a_" + Math.random().toString(36).slice(2, 6));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, encodeSigningKeyFile(key), { mode: 0o600 });
  return key;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Federation retry timings (tests shorten them). */
  federationSender?: SenderOptions;
  /** PostgreSQL: how long to wait for another main to let go of the database (storage/pg-main-lock.ts). */
  mainLockWaitMs?: number;
}

export async function startHomeserver(config: HomeserverConfig, opts: StartOptions = {}): Promise<RunningHomeserver> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logging.level, { server: config.server.name });
  // Before anything is opened: a broken registration file stops the start with every problem listed.
  const registrations = loadRegistrations(config.appservices.registrationFiles, config.server.name);
  prepareDataAtRest(config, log); // private directories and files, older installs fixed, before the database opens
  // one main per PostgreSQL database (storage/pg-main-lock.ts), taken before anything is written
  const mainLock = config.database.type === "postgres" ? await holdMainLock(config.database.url, log, opts.mainLockWaitMs !== undefined ? { waitMs: opts.mainLockWaitMs } : {}) : undefined;
  const db = await openDatabase(config.database).catch(async (e: unknown) => {
    await mainLock?.release();
    throw e;
  });
  const signingKey = loadOrCreateSigningKey(config.server.signingKeyPath);
  const notifier = new Notifier();
  // workers.enabled: client readers (server/worker/) learn of every wake-up over NOTIFY
  if (config.workers.enabled && config.database.type !== "postgres") throw new Error("workers.enabled needs database.type postgres");
  const publisher = config.workers.enabled ? new StreamPublisher({ db, log }) : undefined;
  if (publisher) notifier.onNotify((users) => publisher.wakeUsers(users));
  const rooms = new RoomStore({ db });
  // access tokens kept in memory, dropped when any process deletes one (access-token-cache.ts):
  // PostgreSQL hears it through NOTIFY, SQLite sees another connection's commit in data_version
  const tokens = config.database.type === "postgres" ? tokenCacheFor(config.database.url, log) : undefined;
  await tokens?.revocations.start();
  const tokenCache = tokens?.cache ?? sqliteTokenCache(db);
  const stores = { events: new EventStore({ db }), rooms, users: new UserStore({ db, ...(tokenCache ? { tokenCache } : {}) }), streams: new StreamStore({ db }) };
  // members kept per room and state group (rooms/room-members.ts): a local event's wake-up and its
  // federation destinations read nothing once the room's group is kept
  const members = new RoomMembers({ rooms });
  const wake = (list: readonly string[], extra: readonly string[]): void => notifier.notifyUsers(extra.length === 0 ? list : [...list, ...extra]);
  const notifyRoom = (roomId: string, extra: readonly string[] = [], group?: number): void => {
    const kept = group === undefined ? members.latest(roomId) : members.at(roomId, group);
    if (kept) return wake(kept.wake, extra);
    void members.read(roomId).then(
      (snap) => wake(snap.wake, extra),
      (err: unknown) => log.error("notify failed", { room_id: roomId, error: String(err) }),
    );
  };
  const appservices = new Appservices({
    registrations, store: new AppserviceStore({ db }), accounts: stores, rooms, clock, log: log.child({ component: "appservices" }),
    serverName: config.server.name, retryInitialMs: config.appservices.retryInitialMs, retryMaxMs: config.appservices.retryMaxMs,
    settled: () => stores.events.settledPosition(),
    keptJoined: (roomId) => members.latest(roomId)?.joined,
  });
  // typing expiries are timers: one firing after stop() must not reach the closed database
  let stopped = false;
  const typing: Typing = new Typing({ clock, onChange: (roomId) => {
    if (stopped) return;
    publisher?.typing(roomId, typing.position, typing.current(roomId));
    notifyRoom(roomId);
    appservices.typingChanged(roomId, typing.current(roomId)).catch((err: unknown) => log.error("appservice typing failed", { room_id: roomId, error: String(err) }));
  } });
  const roomLock = new KeyedLock();
  const push = new PushService({ db, stores, serverName: config.server.name, clock, log, config: config.push, ...(publisher ? { announce: publisher } : {}) });
  const onPersisted = (p: PersistedEvent, local: boolean, membersKept = false): void => {
    // a remote event may move the state (resolution, out-of-room memberships) unless its input
    // knows it did not (membersKept: a message on the current state); a local one only by its own key
    if (local ? p.event.pdu.state_key !== undefined : !membersKept) members.changed(p.roomId, p.event.eventId);
    notifyRoom(p.roomId, p.event.pdu.type === "m.room.member" && p.event.pdu.state_key ? [p.event.pdu.state_key] : [], local ? p.stateGroup : undefined);
    // a local event as its writer has it: the feeds decide interest without reading it back
    appservices.wake(local ? p : undefined);
    // push rules of the recipients (never rejects: failures are logged); readers count unread up to it
    const evaluated = push.eventPersisted(p.stream);
    if (publisher) {
      // normally announced by the record's own commit; this covers a record that failed
      void evaluated.then(() => {
        if (publisher.covered(p.stream)) return;
        if (p.event.pdu.type === "m.room.redaction") publisher.redacted(p.roomId);
        publisher.pushEvaluated(p.stream);
      });
    }
  };
  const federation = config.federation.enabled
    ? composeFederation({
      config, signingKey, db, events: stores.events, rooms, clock, log, lock: roomLock, onRemotePersisted: (p, membersKept) => onPersisted(p, false, membersKept), members,
      // as for local sends: a received event's push actions join its COMMIT (with the txn record)
      onRemoteExecuted: (p) => void push.eventPersisted(p.stream),
      ...(opts.federationSender ? { senderOptions: opts.federationSender } : {}),
    })
    : undefined;
  const localEvents = new LocalEvents({
    db, events: stores.events, rooms, serverName: config.server.name, signingKey, clock, lock: roomLock,
    // a state event's members are in flight until announced; the federation rows' after-commit send
    // runs first: the transaction leaves before the local wake-ups
    ...(federation ? { inTransaction: (tx: SqlExecutor, p: PersistedEvent) => federation.enqueueLocal(tx, p) } : {}),
    onChanging: (roomId, eventId) => members.changing(roomId, eventId),
    onChangeFailed: (roomId, eventId) => members.changed(roomId, eventId),
    onPersisted: (p) => onPersisted(p, true),
    // the push actions' record joins the event's group commit (the /sync it wakes finds them done)
    // and evaluated as the writer has it, not read back (PushService.eventPersisted)
    onExecuted: (p) => void push.eventPersisted(p.stream, p),
  });
  const context: ServerContext = {
    config, serverName: config.server.name, signingKey, db, log, clock, notifier,
    rateLimiter: new RateLimiter({ clock }), auth: new AuthGuard({ users: stores.users, clock, appservices }),
    passwords: passwordChecker(config.passwords, stores.users, clock),
    stores, localEvents, typing, appservices, roomLock, federation: federation?.services,
    heavyReads: { gate: new HeavyRequestGate(), state: new SerializedStateCache({ events: stores.events, maxBytes: 64 * 1024 * 1024 }) },
    e2ee: new E2eeService({ db, users: stores.users, notifier, clock, serverName: config.server.name }),
    push,
  };
  await appservices.start();
  push.start();
  if (publisher) {
    // readers reset their typing mirror and re-read everything; then what was persisted while we
    // were down is evaluated and announced
    publisher.hello();
    void stores.events.maxStream().then((m) => push.eventPersisted(m).then(() => publisher.pushEvaluated(m)), () => undefined);
  }
  const router = buildRouter(context);
  const server = createHttpServer({
    router, log, maxJsonBody: config.limits.maxJsonBodyBytes, trustForwardedFor: config.listeners.client.trustForwardedFor, name: "client",
    // behind a trusted proxy every connection comes from the proxy: a per-address cap would cap everyone
    connections: listenerConnectionOptions(config.connections, !config.listeners.client.trustForwardedFor),
  });
  await listen(server, config.listeners.client.host, config.listeners.client.port);
  let fedListener: FederationListener | undefined;
  if (federation) {
    federationKeyRoutes(federation.router, { ours: { serverName: config.server.name, current: signingKey, old: config.federation.oldVerifyKeys }, keyRing: federation.services.keyRing, clock, version: "0.1.0" });
    federationRoutes(federation.router, context);
    connectE2eeFederation(context, context.e2ee, federation.services, federation.router);
    fedListener = await federation.listen();
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.listeners.client.host}:${port}`;
  log.info("homeserver listening", { url, database: config.database.type });
  return {
    context, url, port, routes: router.list(), federationPort: fedListener?.port, federationRoutes: federation?.router.list() ?? [],
    async stop() {
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await drainRequests(server); // long-polls end when their socket closes; none may touch a closed database
      await federation?.stop();
      await push.stop();
      await appservices.stop();
      await publisher?.close();
      await tokens?.revocations.stop();
      await db.close();
      await mainLock?.release();
    },
  };
}
