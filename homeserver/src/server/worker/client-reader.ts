// A client reader: a homeserver process that answers the read-only client endpoints of a council
// (reader-routes.ts: /sync long-polls, room reads, whoami, versions...) from the council's
// PostgreSQL and forwards every other request to the main process (forward.ts). Any number of
// them may run beside one main (config section `workers`, `entente serve --role client-reader`).
//
// Why this is correct (homeserver/README.md, "Several processes"):
//  - main stays the ONLY writer of every stream; its writes are serialised through one group
//    commit, so sequence values commit in order and MAX(position) read here is always "persisted
//    up to": no gap can fill in later. The reader's database refuses write transactions and
//    INSERTs (reader-parts.ts);
//  - so positions, and /sync tokens, mean the same on every process, and a token from one works
//    on any other;
//  - wake-ups come over LISTEN (stream-channel.ts); the listener reconnects and then wakes every
//    waiter; main's restart ("h") does the same;
//  - unread counts wait for main's push evaluation to cover the position counted to, and use the
//    kept-count cache only up to positions main announced (redactions reach it first); typing is
//    mirrored from main; the serialised-state cache is off (a redaction on main would not reach it).
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HomeserverConfig } from "../../config/config-types.ts";
import { parseSigningKeyFile } from "../../room/signing.ts";
import { openPostgres } from "../../storage/postgres.ts";
import { MIGRATIONS } from "../../storage/schema.ts";
import { EventStore } from "../../storage/event-store.ts";
import { RoomStore } from "../../storage/room-store.ts";
import { UserStore } from "../../storage/user-store.ts";
import { StreamStore } from "../../storage/stream-store.ts";
import { AppserviceStore } from "../../storage/appservice-store.ts";
import { systemClock, type Clock } from "../clock.ts";
import { createLogger, type Logger } from "../log.ts";
import { Notifier } from "../notifier.ts";
import { RateLimiter } from "../rate-limiter.ts";
import { AuthGuard } from "../users/auth-guard.ts";
import { passwordChecker } from "../users/compose-passwords.ts";
import { LocalEvents } from "../rooms/local-events.ts";
import type { Typing } from "../sync/typing.ts";
import { createHttpServer, drainRequests } from "../http/http-server.ts";
import { listen } from "../http/listen.ts";
import { listenerConnectionOptions } from "../http/connection-guard.ts";
import { buildRouter } from "../api/routes.ts";
import { E2eeService } from "../e2ee/e2ee-service.ts";
import { Appservices } from "../appservice/appservices.ts";
import { loadRegistrations } from "../appservice/load-registrations.ts";
import type { ServerContext } from "../context.ts";
import { KeyedLock } from "../rooms/room-lock.ts";
import { HeavyRequestGate } from "../http/heavy-request-gate.ts";
import { SerializedStateCache } from "../rooms/serialized-state.ts";
import type { RunningHomeserver } from "../compose.ts";
import { createForwarder } from "./forward.ts";
import { servesLocally } from "./reader-routes.ts";
import { PushProgress, ReaderPushService, TypingMirror, readOnlyDatabase } from "./reader-parts.ts";
import { StreamListener, type ChannelMessage } from "./stream-channel.ts";
import { tokenCacheFor } from "../users/token-cache-for.ts";

export interface RunningReader extends RunningHomeserver {
  listener: StreamListener;
}

export async function startClientReader(config: HomeserverConfig, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningReader> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logging.level, { server: config.server.name, role: "client-reader" });
  if (config.database.type !== "postgres") throw new Error("workers: a client reader needs database.type postgres");
  const mainUrl = config.workers.mainUrl;
  if (mainUrl === undefined) throw new Error("workers.main_url is required for a client reader");
  const registrations = loadRegistrations(config.appservices.registrationFiles, config.server.name);
  let signingKeyText: string;
  try {
    signingKeyText = readFileSync(config.server.signingKeyPath, "utf8");
  } catch {
    throw new Error(`client reader: no signing key at ${config.server.signingKeyPath} (start main first, with the same config)`);
  }
  const [signingKey] = parseSigningKeyFile(signingKeyText);
  if (!signingKey) throw new Error(`signing key file ${config.server.signingKeyPath} holds no key`);

  const pool = await openPostgres(config.database.url);
  // main migrates; a reader of another schema version would read wrong
  const latest = Math.max(...MIGRATIONS.map((m) => m.version));
  const have = Number((await pool.one<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_version").catch(() => undefined))?.v ?? 0);
  if (have !== latest) {
    await pool.close();
    throw new Error(`client reader: database schema is at version ${have}, this code expects ${latest} (start or upgrade main first)`);
  }
  const db = readOnlyDatabase(pool);
  const notifier = new Notifier();
  const rooms = new RoomStore({ db });
  // PostgreSQL: access tokens kept in memory, dropped when any process deletes one (access-token-cache.ts)
  const tokens = config.database.type === "postgres" ? tokenCacheFor(config.database.url, log) : undefined;
  await tokens?.revocations.start();
  const stores = { events: new EventStore({ db }), rooms, users: new UserStore({ db, ...(tokens ? { tokenCache: tokens.cache } : {}) }), streams: new StreamStore({ db }) };
  const appservices = new Appservices({
    registrations, store: new AppserviceStore({ db }), accounts: stores, rooms, clock, log: log.child({ component: "appservices" }),
    serverName: config.server.name, retryInitialMs: config.appservices.retryInitialMs, retryMaxMs: config.appservices.retryMaxMs,
  });
  const typing = new TypingMirror();
  const push = new ReaderPushService({ db, stores, serverName: config.server.name, clock, log, config: config.push });
  const progress = new PushProgress({
    read: async () => Number((await pool.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1"))?.s ?? 0),
    log,
  });
  push.progress = progress;
  const roomLock = new KeyedLock();
  const context: ServerContext = {
    config, serverName: config.server.name, signingKey, db, log, clock, notifier,
    rateLimiter: new RateLimiter({ clock }), auth: new AuthGuard({ users: stores.users, clock, appservices }),
    passwords: passwordChecker(config.passwords, stores.users, clock),
    stores,
    // never reached: every route that sends an event is forwarded to main
    localEvents: new LocalEvents({ db, events: stores.events, rooms, serverName: config.server.name, signingKey, clock, lock: roomLock, onPersisted: () => undefined }),
    typing: typing as unknown as Typing, appservices, roomLock, federation: undefined,
    // maxBytes 0: nothing kept (a redaction on main would not reach this cache)
    heavyReads: { gate: new HeavyRequestGate(), state: new SerializedStateCache({ events: stores.events, maxBytes: 0 }) },
    e2ee: new E2eeService({ db, users: stores.users, notifier, clock, serverName: config.server.name }),
    push,
  };

  const refresh = (): void => {
    push.forgetCounts();
    progress.refresh().catch((e: unknown) => log.warn("reading push progress failed", { error: String(e) }));
    notifier.notifyAll();
  };
  const listener = new StreamListener({
    url: config.database.url, log,
    handlers: {
      message: (m: ChannelMessage) => {
        if (m.k === "u") notifier.notifyUsers(m.u);
        else if (m.k === "p") progress.announce(m.p);
        else if (m.k === "x") push.roomRedacted(m.r);
        // the room's members are woken by the "u" main publishes right after (sends keep their order)
        else if (m.k === "t") typing.apply(m.i, m.s, m.r, m.u);
        else if (m.k === "h") {
          typing.reset(m.i);
          refresh();
        }
      },
      connected: refresh,
      disconnected: () => progress.lost(),
    },
  });
  await listener.start();

  const router = buildRouter(context);
  const forwarder = createForwarder({ mainUrl, log, trustForwardedFor: config.listeners.client.trustForwardedFor });
  const server = createHttpServer({
    router, log, maxJsonBody: config.limits.maxJsonBodyBytes, trustForwardedFor: config.listeners.client.trustForwardedFor, name: "client",
    connections: listenerConnectionOptions(config.connections, !config.listeners.client.trustForwardedFor),
  });
  // What this process does not serve goes to main before any parsing (bodies stream through).
  const local = server.listeners("request")[0] as (req: IncomingMessage, res: ServerResponse) => void;
  server.removeAllListeners("request");
  const localOpts = { serverName: config.server.name, federation: config.federation.enabled };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (servesLocally(req.method ?? "GET", path, localOpts)) local(req, res);
    else forwarder.forward(req, res);
  });
  await listen(server, config.listeners.client.host, config.listeners.client.port);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.listeners.client.host}:${port}`;
  log.info("client reader listening", { url, main: mainUrl });
  return {
    context, url, port, routes: router.list(), federationPort: undefined, federationRoutes: [], listener,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await drainRequests(server);
      forwarder.close();
      await listener.stop();
      await tokens?.revocations.stop();
      await pool.close();
    },
  };
}
