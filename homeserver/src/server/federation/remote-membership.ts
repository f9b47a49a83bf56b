// Membership that crosses servers: our users joining or leaving rooms held by other councils
// (make_join/send_join, make_leave/send_leave) and invites in both directions (invite v2).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#joining-rooms
import type { JsonObject, Pdu, RoomEvent, StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import { getRoomVersion, ROOM_VERSIONS, type RoomVersion } from "../../room/room-versions.ts";
import { finishEvent, addEventSignature, type PduDraft } from "../../room/sign-event.ts";
import { checkLocalPduLimits } from "../../room/local-pdu-limits.ts";
import type { SigningKey } from "../../room/signing.ts";
import { checkAuth } from "../../room/auth/check-auth.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { FederationStore } from "../../storage/federation-store.ts";
import type { Database, SqlExecutor } from "../../storage/sql.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { KeyedLock } from "../rooms/room-lock.ts";
import type { PersistedEvent } from "../rooms/local-events.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import type { KeyRing } from "./keys/key-ring.ts";
import { checkReceivedPdu, type EventFetcher } from "./inbound/event-fetcher.ts";
import { keepRoomEvents } from "./inbound/room-of-event.ts";
import { remoteClientError } from "./remote-errors.ts";
import { FederationError } from "./transport/federation-error.ts";

export interface RemoteMembershipDeps {
  db: Database;
  events: EventStore;
  rooms: RoomStore;
  store: FederationStore;
  client: FederationClient;
  keyRing: KeyRing;
  fetcher: EventFetcher;
  lock: KeyedLock;
  serverName: string;
  signingKey: SigningKey;
  clock: Clock;
  log: Logger;
  onPersisted: (e: PersistedEvent) => void;
  /**
   * A membership change of the room is about to be written (in its open transaction): caches of
   * the room's members (rooms/room-members.ts) must neither serve nor keep what they read until
   * it is announced by onPersisted, or `onChangeFailed` says its transaction failed.
   */
  onChanging?: (roomId: string, eventId: string) => void;
  /** The transaction of a change announced by `onChanging` failed (body or COMMIT): nothing changed. */
  onChangeFailed?: (roomId: string, eventId: string) => void;
}

const VER_QUERY = [...ROOM_VERSIONS.keys()].map((v) => `ver=${v}`).join("&");

export class RemoteMembership {
  private readonly deps: RemoteMembershipDeps;
  constructor(deps: RemoteMembershipDeps) {
    this.deps = deps;
  }

  /** Joins `userId` to a room held elsewhere, trying each candidate server in turn. */
  async join(roomId: string, userId: string, servers: readonly string[], extraContent: JsonObject): Promise<PersistedEvent> {
    return this.viaServers(servers, "join", async (server) => {
      const tmpl = await this.deps.client.request<{ event?: unknown; room_version?: unknown }>(server, "GET",
        `/_matrix/federation/v1/make_join/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}?${VER_QUERY}`);
      const version = this.versionOf(tmpl.room_version);
      const event = this.fromTemplate(tmpl.event, roomId, version, userId, { ...extraContent, membership: "join" });
      const res = await this.deps.client.request<{ state?: unknown; auth_chain?: unknown; event?: unknown }>(server, "PUT",
        `/_matrix/federation/v2/send_join/${encodeURIComponent(roomId)}/${encodeURIComponent(event.eventId)}`, event.pdu);
      const joinEvent = res.event && typeof res.event === "object" ? await this.counterSigned(res.event, event, version) : event;
      return this.completeJoin(server, roomId, version, joinEvent, res.state, res.auth_chain);
    });
  }

  /** Leaves (or rejects an invite to) a room we are not resident in. */
  async leave(roomId: string, userId: string, servers: readonly string[], reason: string | undefined): Promise<PersistedEvent> {
    return this.viaServers(servers, "leave", async (server) => {
      const tmpl = await this.deps.client.request<{ event?: unknown; room_version?: unknown }>(server, "GET",
        `/_matrix/federation/v1/make_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`);
      const version = this.versionOf(tmpl.room_version);
      const event = this.fromTemplate(tmpl.event, roomId, version, userId, reason === undefined ? { membership: "leave" } : { membership: "leave", reason });
      await this.deps.client.request(server, "PUT", `/_matrix/federation/v2/send_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(event.eventId)}`, event.pdu);
      return this.storeOutOfRoomMembership(roomId, version, event, "leave");
    });
  }

  /** Knocks on a room held elsewhere; the room's stripped state is kept for the knocker's sync. */
  async knock(roomId: string, userId: string, servers: readonly string[], reason: string | undefined): Promise<PersistedEvent> {
    return this.viaServers(servers, "knock", async (server) => {
      const tmpl = await this.deps.client.request<{ event?: unknown; room_version?: unknown }>(server, "GET",
        `/_matrix/federation/v1/make_knock/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}?${VER_QUERY}`);
      const version = this.versionOf(tmpl.room_version);
      if (!version.knocking) throw new MatrixError("M_FORBIDDEN", 403, `Room version ${version.id} does not allow knocking`);
      const event = this.fromTemplate(tmpl.event, roomId, version, userId, reason === undefined ? { membership: "knock" } : { membership: "knock", reason });
      const res = await this.deps.client.request<{ knock_room_state?: unknown; knock_state_events?: unknown }>(server, "PUT",
        `/_matrix/federation/v1/send_knock/${encodeURIComponent(roomId)}/${encodeURIComponent(event.eventId)}`, event.pdu);
      // servers older than spec v1.7 answer with the MSC2403 name only
      const stripped = res.knock_room_state ?? res.knock_state_events;
      await this.deps.store.saveInviteState(roomId, userId, Array.isArray(stripped) ? stripped : []);
      return this.storeOutOfRoomMembership(roomId, version, event, "knock");
    });
  }

  /** Sends our invite to the invitee's server and returns the event with its signature added. */
  async exchangeInvite(event: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent> {
    const target = event.pdu.state_key ?? "";
    const server = serverNameOf(target);
    if (!server) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid user id ${target}`);
    let res: { event?: unknown };
    try {
      res = await this.deps.client.request<{ event?: unknown }>(server, "PUT",
        `/_matrix/federation/v2/invite/${encodeURIComponent(event.pdu.room_id ?? "")}/${encodeURIComponent(event.eventId)}`,
        { room_version: version.id, event: event.pdu, invite_room_state: inviteRoomState });
    } catch (err) {
      throw remoteClientError(server, err) ?? remoteError(server, err);
    }
    return this.counterSigned(res.event, event, version);
  }

  /** An invite for one of our users, received from another server (PUT /invite v2). */
  async receiveInvite(origin: string, roomId: string, eventId: string, body: JsonObject): Promise<Pdu> {
    const version = getRoomVersion(String(body["room_version"] ?? ""));
    if (!version) throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", 400, `Unsupported room version ${String(body["room_version"])}`, { room_version: body["room_version"] ?? null });
    const checked = await checkReceivedPdu(body["event"], version, this.deps.keyRing);
    if ("error" in checked) throw new MatrixError("M_FORBIDDEN", 403, `Invalid invite event: ${checked.error}`);
    const { pdu } = checked.event;
    if (checked.event.eventId !== eventId || pdu.room_id !== roomId) throw new MatrixError("M_INVALID_PARAM", 400, "Event id or room id does not match the path");
    if (pdu.type !== "m.room.member" || pdu.content["membership"] !== "invite" || serverNameOf(pdu.sender) !== origin) {
      throw new MatrixError("M_FORBIDDEN", 403, "Not an invite from the calling server");
    }
    if (serverNameOf(pdu.state_key ?? "") !== this.deps.serverName) throw new MatrixError("M_FORBIDDEN", 403, "The invitee is not on this server");
    const signed = addEventSignature(pdu, version, this.deps.serverName, this.deps.signingKey);
    const stripped = Array.isArray(body["invite_room_state"]) ? body["invite_room_state"] : [];
    const room = await this.deps.rooms.getRoom(roomId);
    // When we are in the room already, the invite arrives again through /send and goes through the DAG.
    if (!room || room.currentStateGroup === undefined) {
      await this.deps.store.saveInviteState(roomId, pdu.state_key ?? "", stripped);
      await this.storeOutOfRoomMembership(roomId, version, { eventId, pdu: signed }, "invite");
    }
    return signed;
  }

  private async viaServers(servers: readonly string[], what: string, attempt: (server: string) => Promise<PersistedEvent>): Promise<PersistedEvent> {
    const candidates = [...new Set(servers)].filter((s) => s !== this.deps.serverName);
    if (candidates.length === 0) throw new MatrixError("M_NOT_FOUND", 404, `No server to ${what} the room through`);
    let last: unknown;
    for (const server of candidates) {
      try {
        return await attempt(server);
      } catch (err) {
        last = err;
        this.deps.log.info(`remote ${what} failed`, { server, error: err instanceof Error ? err.message : String(err) });
        if (err instanceof MatrixError && err.errcode === "M_FORBIDDEN") break;
      }
    }
    throw remoteError(candidates.join(", "), last);
  }

  private versionOf(raw: unknown): RoomVersion {
    const version = getRoomVersion(typeof raw === "string" ? raw : "6");
    if (!version) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", 400, `Unsupported room version ${String(raw)}`);
    return version;
  }

  private fromTemplate(raw: unknown, roomId: string, version: RoomVersion, userId: string, content: JsonObject): RoomEvent {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new MatrixError("M_BAD_JSON", 502, "Invalid membership template from the remote server");
    const t = raw as JsonObject;
    // our membership is stored under `roomId`: a template of another room is refused
    if (t["room_id"] !== roomId) throw new MatrixError("M_BAD_JSON", 502, "Membership template of another room from the remote server");
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
    const tmplContent = t["content"] && typeof t["content"] === "object" && !Array.isArray(t["content"]) ? (t["content"] as JsonObject) : {};
    const draft: PduDraft = {
      auth_events: strings(t["auth_events"]), prev_events: strings(t["prev_events"]), depth: typeof t["depth"] === "number" ? t["depth"] : 1,
      content: { ...tmplContent, ...content }, origin_server_ts: this.deps.clock.now(), sender: userId, state_key: userId, type: "m.room.member",
    };
    draft.room_id = roomId;
    const event = finishEvent(draft, version, this.deps.serverName, this.deps.signingKey);
    // our event, built outside LocalEvents: the same size limits before the resident server sees it
    checkLocalPduLimits(event.pdu);
    return event;
  }

  /** The remote server's copy of our event must be the same event, with its signature added. */
  private async counterSigned(raw: unknown, ours: RoomEvent, version: RoomVersion): Promise<RoomEvent> {
    const checked = await checkReceivedPdu(raw, version, this.deps.keyRing);
    if ("error" in checked) throw new MatrixError("M_UNKNOWN", 502, `Remote server returned an invalid event: ${checked.error}`);
    if (checked.event.eventId !== ours.eventId) throw new MatrixError("M_UNKNOWN", 502, "Remote server changed the event");
    return checked.event;
  }

  /** The valid events of `roomId` in a send_join list (an event of another room must not enter its state). */
  private async checkAll(raw: unknown, version: RoomVersion, roomId: string): Promise<RoomEvent[]> {
    const out: RoomEvent[] = [];
    for (const r of Array.isArray(raw) ? raw : []) {
      const c = await checkReceivedPdu(r, version, this.deps.keyRing);
      if ("event" in c) out.push(c.event);
    }
    return keepRoomEvents(out, roomId, this.deps.log, "send_join");
  }

  private async completeJoin(origin: string, roomId: string, version: RoomVersion, join: RoomEvent, rawState: unknown, rawAuth: unknown): Promise<PersistedEvent> {
    const stateList = await this.checkAll(rawState, version, roomId);
    const authList = await this.checkAll(rawAuth, version, roomId);
    const create = stateList.find((e) => e.pdu.type === "m.room.create" && e.pdu.state_key === "");
    if (!create) throw new MatrixError("M_UNKNOWN", 502, "send_join answer has no create event");
    return this.deps.lock.run(roomId, async () => {
      if (!(await this.deps.rooms.getRoom(roomId))) {
        await this.deps.db.transaction((tx) => this.deps.rooms.insertRoom(tx, { roomId, version: version.id, creator: create.pdu.sender, ts: this.deps.clock.now() }));
      }
      await this.deps.fetcher.storeOutliers(roomId, version, [...authList, ...stateList]);
      const stored = await this.deps.events.getEvents(stateList.map((e) => e.eventId));
      const state = new Map<StateKey, string>();
      const stateEvents = new Map<StateKey, RoomEvent>();
      for (const ev of stateList) {
        if (ev.pdu.state_key === undefined || stored.get(ev.eventId)?.rejected) continue;
        const k = stateKeyOf(ev.pdu.type, ev.pdu.state_key);
        state.set(k, ev.eventId);
        stateEvents.set(k, ev);
      }
      const verdict = checkAuth(join, stateEvents, version);
      if (!verdict.allowed) throw new MatrixError("M_FORBIDDEN", 403, `Join not allowed by the room's state: ${verdict.reason}`);
      const after = new Map(state);
      after.set(stateKeyOf("m.room.member", join.pdu.state_key ?? ""), join.eventId);
      const stream = await this.changeTransaction(roomId, join.eventId, async (tx) => {
        await tx.run("DELETE FROM events WHERE event_id = ? AND outlier = 1", [join.eventId]);
        const before = await this.deps.events.createStateGroup(tx, roomId, state);
        const afterGroup = await this.deps.events.createStateGroup(tx, roomId, after, before);
        await tx.run("DELETE FROM forward_extremities WHERE room_id = ?", [roomId]);
        return (await this.deps.events.persist(tx, { event: join, roomId, stateGroupBefore: before, currentState: { group: afterGroup } })).stream;
      });
      this.deps.log.info("joined remote room", { room_id: roomId, via: origin, state_events: state.size });
      const persisted = { event: join, stream, roomId };
      this.deps.onPersisted(persisted);
      return persisted;
    });
  }

  /** A transaction writing a membership change, announced to the members cache (onChanging) and withdrawn if it fails. */
  private async changeTransaction<T>(roomId: string, eventId: string, body: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction(async (tx) => {
        this.deps.onChanging?.(roomId, eventId);
        return body(tx);
      });
    } catch (err) {
      this.deps.onChangeFailed?.(roomId, eventId);
      throw err;
    }
  }

  /** An invite or a leave of a room we are not in: an outlier plus the user's membership row. */
  private async storeOutOfRoomMembership(roomId: string, version: RoomVersion, event: RoomEvent, membership: string): Promise<PersistedEvent> {
    return this.deps.lock.run(roomId, async () => {
      const stream = await this.changeTransaction(roomId, event.eventId, async (tx) => {
        if (!(await this.deps.rooms.getRoom(roomId, tx))) await this.deps.rooms.insertRoom(tx, { roomId, version: version.id, creator: event.pdu.sender, ts: this.deps.clock.now() });
        await tx.run("DELETE FROM events WHERE event_id = ? AND outlier = 1", [event.eventId]);
        const { stream: s } = await this.deps.events.persist(tx, { event, roomId, stateGroupBefore: undefined, outlier: true });
        await tx.run(
          `INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering) VALUES (?, 'm.room.member', ?, ?, ?, ?)
           ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = excluded.event_id, membership = excluded.membership, stream_ordering = excluded.stream_ordering`,
          [roomId, event.pdu.state_key ?? "", event.eventId, membership, s]);
        return s;
      });
      const persisted = { event, stream, roomId };
      this.deps.onPersisted(persisted);
      return persisted;
    });
  }
}

function remoteError(server: string, err: unknown): MatrixError {
  if (err instanceof MatrixError) return err;
  if (err instanceof FederationError) {
    if (err.kind === "refused") return new MatrixError("M_FORBIDDEN", 403, `Federation with ${server} is not allowed: ${err.message}`);
    if (err.status === 403) return new MatrixError("M_FORBIDDEN", 403, `${server} refused: ${err.message}`);
    if (err.status === 404) return new MatrixError("M_NOT_FOUND", 404, `${server}: ${err.message}`);
  }
  return new MatrixError("M_UNKNOWN", 502, `Could not reach ${server}: ${err instanceof Error ? err.message : String(err)}`);
}
