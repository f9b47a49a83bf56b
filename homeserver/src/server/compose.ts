// The composition root: the one place that knows concrete classes.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HomeserverConfig } from "../config/config-types.ts";
import { generateSigningKey, encodeSigningKeyFile, parseSigningKeyFile, type SigningKey } from "../room/signing.ts";
import { openDatabase } from "../storage/open-database.ts";
import { EventStore } from "../storage/event-store.ts";
import { RoomStore } from "../storage/room-store.ts";
import { UserStore } from "../storage/user-store.ts";
import { StreamStore } from "../storage/stream-store.ts";
import { systemClock, type Clock } from "./clock.ts";
import { createLogger, type Logger } from "./log.ts";
import { Notifier } from "./notifier.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { AuthGuard } from "./users/auth-guard.ts";
import { LocalEvents } from "./rooms/local-events.ts";
import { Typing } from "./sync/typing.ts";
import { createHttpServer } from "./http/http-server.ts";
import { buildRouter } from "./api/routes.ts";
import type { ServerContext } from "./context.ts";

export interface RunningHomeserver {
  context: ServerContext;
  /** Base URL of the client-server listener, e.g. http://127.0.0.1:8008 */
  url: string;
  port: number;
  /** Every route served (for the bad-input suite and docs). */
  routes: { method: string; template: string }[];
  stop(): Promise<void>;
}

export function loadOrCreateSigningKey(path: string): SigningKey {
  if (existsSync(path)) {
    const [key] = parseSigningKeyFile(readFileSync(path, "utf8"));
    if (!key) throw new Error(`signing key file ${path} holds no key`);
    return key;
  }
  const key = generateSigningKey("a_" + Math.random().toString(36).slice(2, 6));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeSigningKeyFile(key), { mode: 0o600 });
  return key;
}

export async function startHomeserver(config: HomeserverConfig, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningHomeserver> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logging.level, { server: config.server.name });
  if (config.database.type === "sqlite") mkdirSync(dirname(config.database.path), { recursive: true });
  mkdirSync(config.media.path, { recursive: true });
  const db = await openDatabase(config.database);
  const signingKey = loadOrCreateSigningKey(config.server.signingKeyPath);
  const notifier = new Notifier();
  const rooms = new RoomStore({ db });
  const stores = { events: new EventStore({ db }), rooms, users: new UserStore({ db }), streams: new StreamStore({ db }) };
  const notifyRoom = (roomId: string, extra: string[] = []): void => {
    void rooms.members(roomId).then(
      (ms) => notifier.notifyUsers([...ms.filter((m) => m.membership !== "leave" && m.membership !== "ban").map((m) => m.userId), ...extra]),
      (err: unknown) => log.error("notify failed", { room_id: roomId, error: String(err) }),
    );
  };
  const localEvents = new LocalEvents({
    db, events: stores.events, rooms, serverName: config.server.name, signingKey, clock,
    onPersisted: (p) => notifyRoom(p.roomId, p.event.pdu.type === "m.room.member" && p.event.pdu.state_key ? [p.event.pdu.state_key] : []),
  });
  const context: ServerContext = {
    config, serverName: config.server.name, signingKey, db, log, clock, notifier,
    rateLimiter: new RateLimiter({ clock }), auth: new AuthGuard({ users: stores.users, clock }),
    stores, localEvents, typing: new Typing({ clock, onChange: (roomId) => notifyRoom(roomId) }),
  };
  const router = buildRouter(context);
  const server = createHttpServer({ router, log, maxJsonBody: config.limits.maxJsonBodyBytes });
  await listen(server, config.listeners.client.host, config.listeners.client.port);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.listeners.client.host}:${port}`;
  log.info("homeserver listening", { url, database: config.database.type });
  return {
    context, url, port, routes: router.list(),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
