// Shared setup for the room query and directory suites: a real homeserver with a controllable
// clock, users created straight in the store (no dependency on /register), and a tiny JSON client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startHomeserver, type RunningHomeserver } from "../homeserver/src/server/compose.ts";
import { testConfig, type ConfigOverrides } from "./harness/test-config.ts";
import { freshDatabase, postgresAvailable } from "./harness/postgres.ts";

export type Json = Record<string, any>;

export interface Reply {
  status: number;
  body: Json;
}

export interface Server {
  hs: RunningHomeserver;
  /** Moves the server clock; each event gets the current value as origin_server_ts. */
  clock: { now: number };
  user(localpart: string, opts?: { admin?: boolean }): Promise<User>;
  /** Unauthenticated request. */
  anon(method: string, path: string, body?: unknown): Promise<Reply>;
  stop(): Promise<void>;
}

export interface User {
  userId: string;
  token: string;
  req(method: string, path: string, body?: unknown): Promise<Reply>;
  get(path: string): Promise<Json>;
  createRoom(body?: Json): Promise<string>;
  send(roomId: string, content: Json, type?: string): Promise<string>;
  state(roomId: string, type: string, stateKey: string, content: Json): Promise<string>;
  join(roomId: string): Promise<void>;
  invite(roomId: string, userId: string): Promise<void>;
  leave(roomId: string): Promise<void>;
}

export const C = "/_matrix/client/v3";
export const V1 = "/_matrix/client/v1";
export const enc = encodeURIComponent;

async function call(url: string, method: string, path: string, token: string | undefined, body: unknown): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers["Authorization"] = `Bearer ${token}`;
  const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

function ok(r: Reply, what: string): Json {
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export type DbKind = "sqlite" | "postgres";
export const DATABASES: readonly DbKind[] = ["sqlite", "postgres"];

/** Skips a PostgreSQL suite when no server is reachable, except under CI where that is a failure. */
export async function skipUnlessDatabase(ctx: Mocha.Context, db: DbKind): Promise<void> {
  if (db === "postgres" && process.env["CI"] !== "true" && !(await postgresAvailable())) ctx.skip();
}

export async function startServer(db: DbKind = "sqlite"): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "entente-rq-"));
  const clock = { now: 1_700_000_000_000 };
  const overrides: ConfigOverrides = {};
  let drop = async (): Promise<void> => undefined;
  if (db === "postgres") {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    overrides.database = { type: "postgres", url: fresh.url } as NonNullable<ConfigOverrides["database"]>;
  }
  const hs = await startHomeserver(testConfig(dir, overrides), { clock: { now: () => clock.now } });
  const stores = hs.context.stores;
  let txn = 0;
  return {
    hs, clock,
    anon: (method, path, body) => call(hs.url, method, path, undefined, body),
    async stop() {
      await hs.stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
    async user(localpart, opts = {}) {
      const userId = `@${localpart}:${hs.context.serverName}`;
      const token = randomBytes(16).toString("hex");
      await stores.users.createUser({ userId, passwordHash: undefined, isAdmin: opts.admin ?? false, displayname: localpart, ts: clock.now });
      await stores.users.upsertDevice(userId, "DEV", undefined);
      await stores.users.addAccessToken(token, userId, "DEV", clock.now);
      const req = (method: string, path: string, body?: unknown): Promise<Reply> => call(hs.url, method, path, token, body);
      const u: User = {
        userId, token, req,
        get: async (path) => ok(await req("GET", path), `GET ${path}`),
        createRoom: async (body = {}) => {
          // v12 room ids hash the create event: same creator + same millisecond would collide
          clock.now += 1000;
          return ok(await req("POST", `${C}/createRoom`, body), "createRoom")["room_id"] as string;
        },
        send: async (roomId, content, type = "m.room.message") => {
          clock.now += 1000;
          return ok(await req("PUT", `${C}/rooms/${enc(roomId)}/send/${enc(type)}/t${++txn}`, content), "send")["event_id"] as string;
        },
        state: async (roomId, type, stateKey, content) => {
          clock.now += 1000;
          return ok(await req("PUT", `${C}/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`, content), "state")["event_id"] as string;
        },
        join: async (roomId) => void ok(await req("POST", `${C}/rooms/${enc(roomId)}/join`, {}), "join"),
        invite: async (roomId, target) => void ok(await req("POST", `${C}/rooms/${enc(roomId)}/invite`, { user_id: target }), "invite"),
        leave: async (roomId) => void ok(await req("POST", `${C}/rooms/${enc(roomId)}/leave`, {}), "leave"),
      };
      return u;
    },
  };
}

export const text = (body: string): Json => ({ msgtype: "m.text", body });

/** Bodies of m.room.message events in a chunk, in order. */
export const bodies = (chunk: Json[]): string[] => chunk.filter((e) => e["type"] === "m.room.message").map((e) => e["content"]["body"] as string);
