// Questions our clients ask about other servers, answered over federation: a remote user's profile
// (cached 5 minutes in memory), a remote room alias, a remote server's published room directory.
// Errors come back as MatrixError for the client API: 404 when the remote server says "not found",
// 403 when our federation policy refuses the server, 502 when it cannot be reached.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#query-types
//       https://spec.matrix.org/v1.16/server-server-api/#public-room-directory
import { MatrixError, notFound } from "../../spec/matrix-error.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import { FederationError } from "./transport/federation-error.ts";

export const PROFILE_TTL_MS = 5 * 60_000;
/** "No such user" is remembered for less time: a user registered meanwhile shows up soon. */
export const MISSING_PROFILE_TTL_MS = 60_000;
const MAX_CACHED_PROFILES = 10_000;
const QUERY_TIMEOUT_MS = 15_000;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface RemoteQueriesDeps {
  client: Pick<FederationClient, "request">;
  clock: Clock;
  log: Logger;
}

/** What a client may ask a remote directory (the federation POST body; GET uses limit and since). */
export interface PublicRoomsRequest {
  limit?: number;
  since?: string;
  filter?: Json;
  include_all_networks?: boolean;
  third_party_instance_id?: string;
}

export class RemoteQueries {
  private readonly d: RemoteQueriesDeps;
  /** userId + "\n" + field → profile (undefined: the server said it has no such user). */
  private readonly profiles = new Map<string, { expires: number; profile: Json | undefined }>();

  constructor(deps: RemoteQueriesDeps) {
    this.d = deps;
  }

  /** GET /query/profile: the whole profile, or one field when `field` is given. 404 when unknown. */
  async profile(userId: string, field?: "displayname" | "avatar_url"): Promise<Json> {
    const server = serverNameOf(userId);
    if (server === undefined) throw notFound("Profile not found");
    const key = `${userId}\n${field ?? ""}`;
    const now = this.d.clock.now();
    const hit = this.profiles.get(key);
    if (hit && hit.expires > now) return found(hit.profile);
    const query = `user_id=${encodeURIComponent(userId)}${field === undefined ? "" : `&field=${field}`}`;
    let profile: Json | undefined;
    try {
      profile = await this.d.client.request(server, "GET", `/_matrix/federation/v1/query/profile?${query}`, undefined, { parse: parseObject, timeoutMs: QUERY_TIMEOUT_MS });
    } catch (err) {
      if (!isNotFound(err)) throw this.failure(server, err);
    }
    this.remember(key, { expires: now + (profile ? PROFILE_TTL_MS : MISSING_PROFILE_TTL_MS), profile });
    return found(profile);
  }

  /** GET /query/directory: the room an alias of another server points at. */
  async directory(alias: string): Promise<{ room_id: string; servers: string[] }> {
    const server = serverNameOf(alias);
    if (server === undefined) throw notFound(`Room alias ${alias} not found.`);
    try {
      return await this.d.client.request(server, "GET", `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(alias)}`, undefined,
        { parse: parseDirectory, timeoutMs: QUERY_TIMEOUT_MS });
    } catch (err) {
      if (isNotFound(err)) throw notFound(`Room alias ${alias} not found.`);
      throw this.failure(server, err);
    }
  }

  /** A remote server's published rooms: GET when there is no filter, else POST (spec). */
  async publicRooms(server: string, req: PublicRoomsRequest): Promise<Json> {
    const post = req.filter !== undefined || req.include_all_networks !== undefined || req.third_party_instance_id !== undefined;
    const q = new URLSearchParams();
    if (req.limit !== undefined) q.set("limit", String(req.limit));
    if (req.since !== undefined) q.set("since", req.since);
    const path = `/_matrix/federation/v1/publicRooms${!post && q.size > 0 ? `?${q.toString()}` : ""}`;
    try {
      return await this.d.client.request(server, post ? "POST" : "GET", path, post ? req : undefined, { parse: parsePublicRooms, timeoutMs: QUERY_TIMEOUT_MS });
    } catch (err) {
      throw this.failure(server, err);
    }
  }

  private remember(key: string, entry: { expires: number; profile: Json | undefined }): void {
    this.profiles.delete(key);
    this.profiles.set(key, entry);
    // a Map iterates in insertion order: the first key is the oldest entry
    if (this.profiles.size > MAX_CACHED_PROFILES) {
      const oldest = this.profiles.keys().next();
      if (oldest.done !== true) this.profiles.delete(oldest.value);
    }
  }

  private failure(server: string, err: unknown): MatrixError {
    if (err instanceof FederationError && err.kind === "refused") return new MatrixError("M_FORBIDDEN", 403, `Federation with ${server} is not allowed`);
    if (err instanceof FederationError && err.kind === "http" && err.status === 403) return new MatrixError("M_FORBIDDEN", 403, `${server} refused: ${err.message}`);
    this.d.log.warn("federation query failed", { server, error: err instanceof Error ? err.message : String(err) });
    return new MatrixError("M_UNKNOWN", 502, `Could not reach ${server}`);
  }
}

function found(profile: Json | undefined): Json {
  if (!profile) throw notFound("Profile not found");
  return { ...profile };
}

const isNotFound = (err: unknown): boolean => err instanceof FederationError && err.kind === "http" && err.status === 404;

function parseObject(json: unknown): Json {
  if (!isObj(json)) throw new Error("expected a JSON object");
  return json;
}

function parseDirectory(json: unknown): { room_id: string; servers: string[] } {
  if (!isObj(json) || typeof json["room_id"] !== "string" || !Array.isArray(json["servers"])) throw new Error("expected room_id and servers");
  return { room_id: json["room_id"], servers: json["servers"].filter((s): s is string => typeof s === "string") };
}

function parsePublicRooms(json: unknown): Json {
  if (!isObj(json) || !Array.isArray(json["chunk"])) throw new Error("expected a chunk array");
  const out: Json = { chunk: json["chunk"].filter(isObj) };
  for (const k of ["next_batch", "prev_batch"]) if (typeof json[k] === "string") out[k] = json[k];
  if (typeof json["total_room_count_estimate"] === "number") out["total_room_count_estimate"] = json["total_room_count_estimate"];
  return out;
}
