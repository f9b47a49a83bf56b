// The configuration schema: one section per concern. The descriptions ARE the documentation
// (config.example.yaml is generated from them) and the defaults here are the ones the loader applies.
import { isIPv6 } from "node:net";
import { join, resolve } from "node:path";
import { DEFAULT_ROOM_VERSION, ROOM_VERSIONS } from "../room/room-versions.ts";
import type { HomeserverConfig } from "./config-types.ts";
import { federation } from "./federation-schema.ts";
import { passwords } from "./passwords-schema.ts";
import { connections } from "./connections-schema.ts";
import { voip } from "./voip-schema.ts";
import { push } from "./push-schema.ts";
import { workers } from "./workers-schema.ts";
import {
  boolean, derived, httpBaseUrl, integer, listenHost, nonEmptyString, oneOf, optional, path, nonNegativeNumber,
  postgresUrl, required, secret, section, serverName, withDefault,
} from "./schema-combinators.ts";
import type { Infer, Lookup, Refined, ValueType } from "./schema-combinators.ts";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** A default path inside server.data_dir. */
const inDataDir = (file: string) => (get: Lookup): string | undefined => {
  const dataDir = get("server.dataDir");
  return typeof dataDir === "string" ? join(dataDir, file) : undefined;
};

function defaultPublicBaseUrl(get: Lookup): string | undefined {
  const host = get("listeners.client.host");
  const port = get("listeners.client.port");
  if (typeof host !== "string" || typeof port !== "number") return undefined;
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

const server = section("Identity of this homeserver.", {
  name: required(serverName,
    "The server name, the part after ':' in user ids (@alice:name); it can never change once users exist.",
    "ville-a.example.fr"),
  public_base_url: derived(httpBaseUrl,
    "Public base URL of the client-server API, as clients reach it (used for .well-known and media URLs).",
    "http://<listeners.client.host>:<listeners.client.port>", "https://matrix.ville-a.example.fr",
    defaultPublicBaseUrl),
  data_dir: withDefault(path,
    "Directory for the server's own files; the default database, media and signing key paths are inside it.",
    "data"),
  signing_key_path: derived(path,
    "Path of the ed25519 signing key file (created if missing); losing it breaks federation with this name.",
    "<server.data_dir>/signing.key", "/var/lib/entente/signing.key", inDataDir("signing.key")),
});

const listeners = section("Network listeners.", {
  client: section("HTTP listener of the client-server API; put a TLS reverse proxy in front of it.", {
    host: withDefault(listenHost, "Address to listen on; 127.0.0.1 keeps the server behind a local reverse proxy.",
      "127.0.0.1"),
    port: withDefault(integer(0, 65535), "TCP port to listen on; 0 picks a free port (tests).", 8008),
    trust_forwarded_for: withDefault(boolean,
      "Take the client address from the X-Forwarded-For header set by a reverse proxy on loopback (per-address rate limits, device last-seen); only when the listener is reachable through that proxy alone.",
      false),
  }),
});

const database = section(
  "Where events and state are stored.",
  {
    type: withDefault(oneOf(["sqlite", "postgres"]), "Database engine: sqlite for small councils, postgres otherwise.",
      "sqlite"),
    path: derived(path, "SQLite database file (only with type sqlite).",
      "<server.data_dir>/homeserver.db", "/var/lib/entente/homeserver.db", inDataDir("homeserver.db")),
    url: secret(optional(postgresUrl,
      "PostgreSQL connection URL (only with type postgres).",
      "postgres://entente:${ENV:ENTENTE_DB_PASSWORD}@localhost:5432/entente")),
  },
  (db, given): Refined<HomeserverConfig["database"]> => {
    if (db.type === "sqlite") {
      if (given("url")) return { ok: false, errors: [{ key: "url", message: "only used when database.type is postgres" }] };
      return { ok: true, value: { type: "sqlite", path: db.path } };
    }
    const errors: { key: string; message: string }[] = [];
    if (db.url === undefined) errors.push({ key: "url", message: "required when database.type is postgres" });
    if (given("path")) errors.push({ key: "path", message: "only used when database.type is sqlite" });
    return db.url === undefined || errors.length > 0 ? { ok: false, errors } : { ok: true, value: { type: "postgres", url: db.url } };
  },
);

const media = section("Uploaded files (https://spec.matrix.org/v1.16/client-server-api/#content-repository).", {
  path: derived(path, "Directory where uploaded media is stored.",
    "<server.data_dir>/media", "/var/lib/entente/media", inDataDir("media")),
  max_upload_bytes: withDefault(integer(1), "Largest accepted upload, in bytes (4294967296 = 4 GiB).", 4 * GIB),
  allow_unauthenticated_legacy: withDefault(boolean,
    "Serve the legacy unauthenticated /_matrix/media/v3/download endpoints (deprecated since spec v1.11).", false),
  user_quota_bytes: withDefault(integer(0), "Total media a user may upload, in bytes; 0 means unlimited.", 0),
  legacy_federation_download: withDefault(boolean,
    "Also serve our media to servers without authenticated media (older Synapse) on the legacy /_matrix/media/{r0,v3}/download and thumbnail paths of the FEDERATION listener (never the client one). These requests are unsigned: whoever reaches the federation listener and knows a media id (unguessable) can fetch that file.",
    true),
});

const registration = section("Creation of new accounts.", {
  enabled: withDefault(boolean, "Allow anyone to register an account through the client API.", false),
  shared_secret: secret(optional(nonEmptyString,
    "Shared secret of the admin registration endpoint /_synapse/admin/v1/register; unset disables it.",
    "${ENV:ENTENTE_REGISTRATION_SECRET}")),
});

const rateLimit = (what: string, perSecond: number, burst: number) =>
  section(`Rate limit for ${what} (a token bucket).`, {
    per_second: withDefault(nonNegativeNumber, "Sustained rate: requests allowed per second; 0 disables this limit.", perSecond),
    burst: withDefault(integer(1), "Requests allowed at once before the rate applies.", burst),
  });

const rateLimits = section("Request rate limits; a request over its limit gets 429 M_LIMIT_EXCEEDED.", {
  login: rateLimit("login attempts", 0.5, 5),
  register: rateLimit("registration attempts", 0.2, 5),
  send: rateLimit("sending events", 10, 50),
  federation_send: rateLimit("inbound federation transactions (PUT /_matrix/federation/v1/send), per origin server; " +
    "the burst lets a partner catch up after an outage (up to 50 events per transaction)", 10, 100),
  registration_nonce: rateLimit("nonces of the shared-secret registration endpoint (GET /_synapse/admin/v1/register), " +
    "per client address", 1, 10),
});

const rooms = section("Rooms (https://spec.matrix.org/v1.16/rooms/).", {
  default_version: withDefault(oneOf([...ROOM_VERSIONS.keys()]), "Room version of newly created rooms.",
    DEFAULT_ROOM_VERSION),
  encryption_by_default: withDefault(oneOf(["off", "all", "invite"]),
    "Which new rooms get end-to-end encryption (m.room.encryption, megolm) in their initial state: \"all\" rooms, " +
    "\"invite\"-only rooms (private_chat and trusted_private_chat presets, and direct chats), or \"off\".",
    "invite"),
});

const limits = section("Request size limits.", {
  max_json_body_bytes: withDefault(integer(64 * 1024),
    "Largest accepted JSON request body, in bytes (at least 65536, the maximum size of an event).", MIB),
});

const logging = section("Logs, written as JSON lines to stderr.", {
  level: withDefault(oneOf(["debug", "info", "warn", "error"]), "Least severe level written.", "info"),
});

/** A YAML list of file paths; relative ones resolve against the config file's directory. */
const pathList: ValueType<string[]> = {
  expected: "a list of file paths",
  stringly: false,
  check: (raw, ctx) => {
    if (!Array.isArray(raw) || raw.some((p) => typeof p !== "string" || p === "")) return { ok: false, expected: "a list of file paths" };
    return { ok: true, value: [...new Set((raw as string[]).map((p) => resolve(ctx.baseDir, p)))] };
  },
};

const appservices = section(
  "Application services: bridges and bots (https://spec.matrix.org/v1.16/application-service-api/).",
  {
    registration_files: withDefault(pathList,
      "Registration files (YAML: id, url, as_token, hs_token, sender_localpart, namespaces...), one per appservice; " +
      "they hold secrets, keep them readable by the homeserver only.",
      []),
    retry_initial_ms: withDefault(integer(1),
      "Delay before retrying a transaction an appservice did not accept; it doubles on each failure.", 1000),
    retry_max_ms: withDefault(integer(1), "Longest delay between two attempts to push a transaction.", 300_000),
  },
  (v): Refined<HomeserverConfig["appservices"]> =>
    v.retryMaxMs < v.retryInitialMs
      ? { ok: false, errors: [{ key: "retry_max_ms", message: "must be at least retry_initial_ms" }] }
      : { ok: true, value: v },
);

export const configSchema = section("", {
  server, listeners, connections, database, media, registration, rate_limits: rateLimits, rooms, limits, logging, passwords,
  federation, appservices, voip, push, workers,
});

// Compile-time check: the schema produces exactly HomeserverConfig, no key more or less.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaProducesConfig: Same<Infer<typeof configSchema>, HomeserverConfig> = true;
