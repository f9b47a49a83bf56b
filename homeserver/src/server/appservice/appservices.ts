// The application services of this homeserver, as the rest of the server sees them (the
// `appservices` field of ServerContext): token identity, namespace checks, the hooks that queue
// ephemeral data, queries to the appservices and the pushers' lifecycle.
// Spec: https://spec.matrix.org/v1.16/application-service-api/
import type { JsonObject } from "../../room/pdu.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { AppserviceStore } from "../../storage/appservice-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { Requester } from "../http/request-context.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { createAccount, type AccountDeps } from "../users/accounts.ts";
import { AppserviceClient } from "./appservice-client.ts";
import { AppserviceFeeder, type OfferedStreamEvent } from "./feeder.ts";
import { AppserviceTokens, assertIdentity } from "./identity.ts";
import { RoomFacts, interestedInRoom } from "./interest.ts";
import { TurnCache } from "./turn-cache.ts";
import { claimsAlias, claimsAliasExclusively, claimsUser, claimsUserExclusively } from "./namespaces.ts";
import { AppservicePusher } from "./pusher.ts";
import type { AppserviceRegistration } from "./registration.ts";

export interface AppservicesDeps {
  registrations: readonly AppserviceRegistration[];
  store: AppserviceStore;
  accounts: AccountDeps;
  rooms: RoomStore;
  clock: Clock;
  log: Logger;
  serverName: string;
  retryInitialMs: number;
  retryMaxMs: number;
  pollMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** See FeederDeps.settled (SQLite: reads see a write body half done). */
  settled?: () => (max: number) => number;
  /**
   * A room's kept joined members when no membership change of it is in flight (rooms/room-members.ts
   * `latest`): the interest check of each new event then reads none; undefined: read them.
   */
  keptJoined?: (roomId: string) => readonly string[] | undefined;
}

/** A to-device message for an appservice user's device (MSC2409 format). */
export interface AppserviceToDevice {
  sender: string;
  type: string;
  content: JsonObject;
  toUserId: string;
  toDeviceId: string;
}

export class Appservices {
  readonly registrations: readonly AppserviceRegistration[];
  private readonly deps: AppservicesDeps;
  private readonly tokens: AppserviceTokens;
  private readonly client: AppserviceClient;
  private readonly pushers = new Map<string, AppservicePusher>();
  private readonly turn = { aliases: new TurnCache<string[]>(), joined: new TurnCache<string[]>() };
  private feeder: AppserviceFeeder | undefined;
  private kickQueued = false;

  constructor(deps: AppservicesDeps) {
    this.deps = deps;
    this.registrations = deps.registrations;
    this.tokens = new AppserviceTokens(deps.registrations);
    this.client = new AppserviceClient({ timeoutMs: deps.requestTimeoutMs ?? 30_000, ...(deps.fetch && { fetch: deps.fetch }) });
  }

  /** Creates each sender user, initialises the queues and starts one pusher per appservice with a URL. */
  async start(): Promise<void> {
    const { rooms, store, clock, serverName } = this.deps;
    // the feeds of all appservices, woken together, share their reads for one turn (turn-cache.ts)
    const { aliases, joined } = this.turn;
    const roomFacts = {
      aliasesOf: (roomId: string) => aliases.get(roomId, () => rooms.aliasesOf(roomId)),
      joinedMembers: (roomId: string) => joined.get(roomId, async () => [...(this.deps.keptJoined?.(roomId) ?? (await rooms.members(roomId, "join")).map((m) => m.userId))]),
      roomVersion: async (roomId: string) => (await rooms.getRoom(roomId))?.version,
      membershipEventId: (roomId: string, userId: string) => rooms.currentStateId(roomId, "m.room.member", userId),
    };
    const feeder = new AppserviceFeeder({ store, rooms: roomFacts, clock, serverName, ...(this.deps.settled && { settled: this.deps.settled }) });
    this.feeder = feeder;
    for (const reg of this.registrations) {
      await this.ensureUser(reg, reg.senderUserId);
      await store.initState(reg.id);
      if (reg.url === undefined) continue;
      const pusher = new AppservicePusher({
        reg, store, client: this.client, log: this.deps.log, feed: () => feeder.feed(reg),
        retryInitialMs: this.deps.retryInitialMs, retryMaxMs: this.deps.retryMaxMs, pollMs: this.deps.pollMs ?? 1000,
      });
      this.pushers.set(reg.id, pusher);
      pusher.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pushers.values()].map((p) => p.stop()));
  }

  /** Creates an appservice user (no password), marked as registered by `reg`. */
  async ensureUser(reg: AppserviceRegistration, userId: string): Promise<boolean> {
    const { accounts, store, clock } = this.deps;
    if (await accounts.users.getUser(userId)) return false;
    await createAccount(accounts, { userId, password: undefined, now: clock.now() });
    await store.setUserAppservice(userId, reg.id);
    return true;
  }

  byId(id: string): AppserviceRegistration | undefined {
    return this.registrations.find((r) => r.id === id);
  }

  /** The registration whose as_token this is (constant-time comparison). */
  byToken(token: string): AppserviceRegistration | undefined {
    return this.tokens.find(token);
  }

  /** The Requester for an as_token request, or undefined when the token is not an as_token. */
  async authenticate(token: string, query: URLSearchParams): Promise<Requester | undefined> {
    const reg = this.tokens.find(token);
    if (!reg) return undefined;
    return assertIdentity(reg, query, { users: this.deps.accounts.users, serverName: this.deps.serverName });
  }

  /** The appservice holding this user id in an exclusive namespace, if any. */
  exclusiveUserOwner(userId: string): AppserviceRegistration | undefined {
    return this.registrations.find((r) => claimsUserExclusively(r, userId, this.deps.serverName));
  }

  exclusiveAliasOwner(alias: string): AppserviceRegistration | undefined {
    return this.registrations.find((r) => claimsAliasExclusively(r, alias));
  }

  /**
   * Aliases: an appservice may only create aliases in its namespace, and nobody else in an
   * exclusive one (400 M_EXCLUSIVE). https://spec.matrix.org/v1.16/application-service-api/#server-admin-style-permissions
   */
  checkAliasCreation(requester: Requester, alias: string): void {
    const reg = requester.appserviceId === undefined ? undefined : this.byId(requester.appserviceId);
    const owner = this.exclusiveAliasOwner(alias);
    const outside = reg !== undefined && !claimsAlias(reg, alias);
    if (outside || (owner !== undefined && owner.id !== reg?.id)) {
      throw new MatrixError("M_EXCLUSIVE", 400, "This room alias is reserved by an application service");
    }
  }

  /** Whether an appservice request may manage (delete) this alias: "full control over its namespace". */
  managesAlias(requester: Requester, alias: string): boolean {
    const reg = requester.appserviceId === undefined ? undefined : this.byId(requester.appserviceId);
    return reg !== undefined && claimsAlias(reg, alias);
  }

  claimsUser(reg: AppserviceRegistration, userId: string): boolean {
    return claimsUser(reg, userId, this.deps.serverName);
  }

  /** Spec: rate_limited applies to masqueraded users; the sender is never rate-limited. */
  isRateLimited(requester: Requester): boolean {
    const reg = requester.appserviceId === undefined ? undefined : this.byId(requester.appserviceId);
    if (!reg) return true;
    return requester.userId !== reg.senderUserId && reg.rateLimited;
  }

  /**
   * Wakes the pushers: call after events were persisted. `local`: the local event that just
   * committed, as its writer has it (the feeds then decide interest without reading it back,
   * AppserviceFeeder.offer); remote events are not offered (rejected or soft-failed ones are
   * not fed, which only their row says).
   */
  wake(local?: OfferedStreamEvent): void {
    if (local !== undefined) this.feeder?.offer(local);
    else this.feeder?.wokenWithoutEvent();
    // what the feeds read before this wake-up may predate the event that caused it
    this.turn.aliases.clear();
    this.turn.joined.clear();
    this.feeder?.forgetTurn();
    // the pushers start after this turn: the long-polls the same event woke answer first (on SQLite
    // a woken /sync runs to its answer in microtasks, which a pusher's reads would interleave with)
    if (this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      for (const p of this.pushers.values()) p.kick();
    });
  }

  /** Queues the room's typing list for interested appservices that receive ephemeral data. */
  async typingChanged(roomId: string, userIds: readonly string[]): Promise<void> {
    const json = JSON.stringify({ type: "m.typing", room_id: roomId, content: { user_ids: userIds } });
    await this.queueForRoom(roomId, json);
  }

  /** Queues to-device messages for the appservices owning their recipients (MSC2409 opt-in). */
  async enqueueToDevice(messages: readonly AppserviceToDevice[]): Promise<void> {
    for (const reg of this.pushable((r) => r.receiveToDevice)) {
      const mine = messages.filter((m) => this.claimsUser(reg, m.toUserId));
      const items = mine.map((m) => ({ kind: "to_device" as const, json: JSON.stringify({
        type: m.type, sender: m.sender, content: m.content, to_user_id: m.toUserId, to_device_id: m.toDeviceId,
      }) }));
      await this.deps.store.enqueue(reg.id, items);
      if (items.length > 0) this.pushers.get(reg.id)?.kick(true);
    }
  }

  /**
   * Queues device list changes (MSC3202 opt-in) for appservices whose users share a room with
   * the changed user, or own it.
   */
  async enqueueDeviceListChanges(changedUserIds: readonly string[]): Promise<void> {
    const facts = new RoomFacts({ aliasesOf: async () => [], joinedMembers: async (id) => (await this.deps.rooms.members(id, "join")).map((m) => m.userId) });
    for (const reg of this.pushable((r) => r.msc3202)) {
      const changed: string[] = [];
      for (const u of changedUserIds) if (await this.sharesRoomWith(reg, u, facts)) changed.push(u);
      if (changed.length === 0) continue;
      await this.deps.store.enqueue(reg.id, [{ kind: "device_lists", json: JSON.stringify({ changed, left: [] }) }]);
      this.pushers.get(reg.id)?.kick(true);
    }
  }

  private async sharesRoomWith(reg: AppserviceRegistration, userId: string, facts: RoomFacts): Promise<boolean> {
    if (this.claimsUser(reg, userId)) return true;
    for (const r of await this.deps.rooms.roomsForUser(userId)) {
      if (r.membership === "join" && (await facts.joinedMembers(r.roomId)).some((m) => this.claimsUser(reg, m))) return true;
    }
    return false;
  }

  private async queueForRoom(roomId: string, json: string): Promise<void> {
    const facts = new RoomFacts({
      aliasesOf: (id) => this.deps.rooms.aliasesOf(id),
      joinedMembers: async (id) => (await this.deps.rooms.members(id, "join")).map((m) => m.userId),
    });
    for (const reg of this.pushable((r) => r.receiveEphemeral)) {
      if (!(await interestedInRoom(reg, roomId, facts, this.deps.serverName))) continue;
      await this.deps.store.enqueue(reg.id, [{ kind: "ephemeral", json }]);
      this.pushers.get(reg.id)?.kick(true);
    }
  }

  /** Registrations that receive traffic and opted in to `what`. */
  private pushable(what: (r: AppserviceRegistration) => boolean): AppserviceRegistration[] {
    return this.registrations.filter((r) => r.url !== undefined && what(r));
  }

  /**
   * Asks the appservices claiming an unknown local user whether it exists (they create it before
   * answering 200). Spec: https://spec.matrix.org/v1.16/application-service-api/#get_matrixappv1usersuserid
   */
  async queryUser(userId: string): Promise<boolean> {
    for (const reg of this.registrations) {
      if (reg.url === undefined || userId === reg.senderUserId || !this.claimsUser(reg, userId)) continue;
      const r = await this.client.queryUser(reg, userId);
      if (r.ok) return true;
    }
    return false;
  }

  /** Same for an unknown local alias of the aliases namespaces. */
  async queryAlias(alias: string): Promise<boolean> {
    if (serverNameOf(alias) !== this.deps.serverName) return false;
    for (const reg of this.registrations) {
      if (reg.url === undefined || !claimsAlias(reg, alias)) continue;
      const r = await this.client.queryAlias(reg, alias);
      if (r.ok) return true;
    }
    return false;
  }

  /** POST /_matrix/app/v1/ping; the duration, or the error the client-server ping returns. */
  async ping(reg: AppserviceRegistration, transactionId: string | undefined): Promise<number> {
    if (reg.url === undefined) throw new MatrixError("M_URL_NOT_SET", 400, "Application service doesn't have a URL configured");
    const r = await this.client.ping(reg, transactionId);
    if (r.ok) return r.durationMs;
    if (r.reason === "timeout") throw new MatrixError("M_CONNECTION_TIMEOUT", 504, "Connection to application service timed out");
    if (r.reason !== "status") throw new MatrixError("M_CONNECTION_FAILED", 502, "Connection to application service failed");
    throw new MatrixError("M_BAD_STATUS", 502, `Ping returned status ${r.status}`, { status: r.status, body: r.body });
  }

  /** Items waiting for an appservice (monitoring and tests). */
  queueLength(asId: string): Promise<number> {
    return this.deps.store.queueLength(asId);
  }
}
