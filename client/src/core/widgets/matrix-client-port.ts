// WidgetClientPort over matrix-js-sdk: the only file of core/widgets that imports the SDK.
import { Direction, FeatureSupport, MatrixError, MatrixEventEvent, RoomEvent, Thread, type IRoomTimelineData, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import type { IRoomEvent } from "matrix-widget-api";
import { sendAny, sendStateAny } from "../sdk-untyped.ts";
import type { RelationsPage, WidgetClientPort } from "./widget-client-port.ts";
import { fetchRawRelations, RelationsHttpError, relationsUrl, type RawRelationsQuery } from "./raw-relations.ts";
import type { RoomWidgetsPort } from "./room-widgets-port.ts";
import { privilegedCreators } from "./room-widgets.ts";
import { SeenEvents } from "./seen-events.ts";
import { readMyTimeZone } from "../my-time-zone.ts";
import { ACCOUNT_WIDGETS_EVENT } from "../../../../widgets/kit/src/widget-state.ts";

const raw = (e: { getEffectiveEvent(): object }): IRoomEvent => e.getEffectiveEvent() as IRoomEvent;

/**
 * A recursive read in an unencrypted room, as the server's bytes too (raw-relations.ts), with the
 * parameter names the SDK would use; undefined (the caller reads through the SDK) when the raw path
 * is unusable. A 429 or 5xx throws the SDK's MatrixError, as the SDK's own read would.
 */
async function rawRelations(client: MatrixClient, q: RawRelationsQuery, onNextBatch?: (token: string) => void): Promise<RelationsPage | undefined> {
  const token = client.getAccessToken();
  if (token === null) return undefined;
  const names = {
    dir: Thread.hasServerSideFwdPaginationSupport === FeatureSupport.Experimental ? "org.matrix.msc3715.dir" : "dir",
    // matrix-js-sdk's ServerSupport.Unstable (the enum is not exported): 1.
    recurse: (client.canSupport as Map<string, number>).get("RelationsRecursion") === 1 ? "org.matrix.msc3981.recurse" : "recurse",
  };
  const url = relationsUrl(client.getHomeserverUrl(), q, names);
  const page = await fetchRawRelations(globalThis.fetch.bind(globalThis), url, token, onNextBatch).catch((e: unknown) => {
    if (e instanceof RelationsHttpError) throw new MatrixError(e.body, e.status, url, undefined, e.headers);
    return undefined;
  });
  if (page === undefined) return undefined;
  const b = page.body;
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  return {
    // a getter on a summarised page: parsed only if the events themselves are needed
    get chunk() { return b.chunk as IRoomEvent[]; },
    nextBatch: str(b["next_batch"]), prevBatch: str(b["prev_batch"]),
    ...(typeof b["recursion_depth"] === "number" ? { recursionDepth: b["recursion_depth"] } : {}), raw: page.bytes,
    ...(page.summary === undefined ? {} : { count: page.summary.count, kinds: page.summary.kinds }),
  };
}

export function matrixClientPort(client: MatrixClient): WidgetClientPort {
  return {
    userId: client.getSafeUserId(),
    sendEvent: async (roomId, type, content) => (await sendAny(client, roomId, type, content)).event_id,
    sendStateEvent: async (roomId, type, content, stateKey) => (await sendStateAny(client, roomId, type, content, stateKey)).event_id,
    timeline: (roomId) => client.getRoom(roomId)?.getLiveTimeline().getEvents().map(raw) ?? [],
    recentTimeline: (roomId, match, limit, since) => {
      const events = client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
      const out: IRoomEvent[] = [];
      for (let i = events.length - 1; i >= 0 && out.length < Math.max(0, limit); i--) {
        const e = events[i];
        if (e === undefined) continue;
        if (since !== undefined && e.getId() === since) break;
        // the fields raw() would give: the clear type, the original (not edited) content
        if (e.getType() !== match.type) continue;
        if (match.msgtype !== undefined && (e.getOriginalContent() as Record<string, unknown>)["msgtype"] !== match.msgtype) continue;
        if (match.stateKey !== undefined && e.getStateKey() !== match.stateKey) continue;
        out.push(raw(e));
      }
      return out;
    },
    stateEvents: (roomId, type, stateKey) => {
      const state = client.getRoom(roomId)?.currentState;
      if (state === undefined) return [];
      if (stateKey === undefined) return state.getStateEvents(type).map(raw);
      const one = state.getStateEvents(type, stateKey);
      return one === null ? [] : [raw(one)];
    },
    loadMembers: async (roomId) => {
      await client.getRoom(roomId)?.loadMembersIfNeeded();
    },
    relations: async (roomId, eventId, relType, eventType, opts) => {
      // In an encrypted room the server only sees m.room.encrypted: ask for that type, decrypt, then
      // keep the asked type (what Element's driver does), so widgets get clear events they may read.
      const encrypted = client.getRoom(roomId)?.hasEncryptionStateEvent() === true;
      if (!encrypted && opts.recurse === true) {
        const { onNextBatch, ...query } = opts;
        const page = await rawRelations(client, { roomId, eventId, relType, eventType, ...query, dir: opts.dir ?? "b", recurse: true, lean: opts.lean === true }, onNextBatch);
        if (page !== undefined) return page;
      }
      const r = await client.fetchRelations(roomId, eventId, relType ?? null, encrypted && eventType !== undefined ? "m.room.encrypted" : (eventType ?? null), {
        ...(opts.from === undefined ? {} : { from: opts.from }),
        ...(opts.to === undefined ? {} : { to: opts.to }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
        dir: opts.dir === "f" ? Direction.Forward : Direction.Backward,
        ...(opts.recurse === true ? { recurse: true } : {}),
      });
      let chunk = r.chunk as unknown as IRoomEvent[];
      if (encrypted) {
        const mapper = client.getEventMapper();
        const events = r.chunk.map((e) => mapper(e));
        await Promise.all(events.map((e) => client.decryptEventIfNeeded(e)));
        chunk = events.filter((e) => !e.isDecryptionFailure() && (eventType === undefined || e.getType() === eventType)).map(raw);
      }
      // The spec's response field (matrix-js-sdk's type does not list it).
      const depth = (r as { recursion_depth?: unknown }).recursion_depth;
      return { chunk, nextBatch: r.next_batch ?? undefined, prevBatch: r.prev_batch ?? undefined, ...(typeof depth === "number" ? { recursionDepth: depth } : {}) };
    },
    openIdToken: async () => {
      const t = await client.getOpenIdToken();
      return { access_token: t.access_token, token_type: t.token_type, matrix_server_name: t.matrix_server_name, expires_in: t.expires_in };
    },
  };
}

/**
 * The room widget panel's port. Live events: RoomEvent.Timeline with `liveEvent` (sync, not
 * back-pagination) and the remote echoes of our own events; each once; an encrypted event is
 * handed over once decrypted, an undecryptable one never.
 */
export function matrixRoomWidgetsPort(client: MatrixClient): RoomWidgetsPort {
  const base = matrixClientPort(client);
  return {
    ...base,
    deviceId: client.getDeviceId() ?? undefined,
    baseUrl: client.getHomeserverUrl(),
    roomName: (roomId) => client.getRoom(roomId)?.name ?? roomId,
    me: (roomId) => {
      const member = roomId === undefined ? undefined : (client.getRoom(roomId)?.getMember(client.getSafeUserId()) ?? undefined);
      const user = client.getUser(client.getSafeUserId());
      const mxc = member !== undefined ? member.getMxcAvatarUrl() : user?.avatarUrl;
      return { displayName: member?.name ?? user?.displayName, avatarHttpUrl: mxc === undefined ? undefined : (client.mxcUrlToHttp(mxc) ?? undefined) };
    },
    powerLevels: (roomId) => client.getRoom(roomId)?.currentState.getStateEvents("m.room.power_levels", "")?.getContent(),
    creators: (roomId) => {
      const create = client.getRoom(roomId)?.currentState.getStateEvents("m.room.create", "");
      return privilegedCreators(create?.getContent(), create?.getSender());
    },
    onLiveEvent: (listener) => {
      // Each event once, whichever way it came (see onEcho).
      const seen = new SeenEvents(2000);
      const deliver = (ev: MatrixEvent): void => {
        const id = ev.getId();
        if (ev.isDecryptionFailure() || id?.startsWith("$") !== true || !seen.firstTime(id)) return;
        listener(raw(ev));
      };
      const onTimeline = (ev: MatrixEvent, _room: Room | undefined, toStart: boolean | undefined, removed: boolean, data: IRoomTimelineData): void => {
        if (toStart === true || removed || data.liveEvent !== true) return;
        if (ev.isBeingDecrypted() || (ev.isEncrypted() && ev.getClearContent() === null)) ev.once(MatrixEventEvent.Decrypted, () => deliver(ev));
        else deliver(ev);
      };
      // Our own events (sent by the agent or by a widget): with the SDK's chronological ordering
      // the local echo sits in the timeline under a temporary id and its remote echo only renames
      // it (no Timeline event); with detached ordering the remote echo is added to the timeline
      // (a Timeline event too). The remote echo, status null, carries the server's id and
      // origin_server_ts, which the task fold orders by; the local echo keeps the clear content.
      const onEcho = (ev: MatrixEvent): void => {
        if (ev.status === null) deliver(ev);
      };
      client.on(RoomEvent.Timeline, onTimeline);
      client.on(RoomEvent.LocalEchoUpdated, onEcho);
      return () => {
        client.off(RoomEvent.Timeline, onTimeline);
        client.off(RoomEvent.LocalEchoUpdated, onEcho);
      };
    },
    // m.widgets is not in the SDK's closed map of account data types: widened here only.
    accountWidgets: () => (client.getAccountData.bind(client) as unknown as (t: string) => MatrixEvent | undefined)(ACCOUNT_WIDGETS_EVENT)?.getContent(),
    setAccountWidgets: async (content) => {
      await (client.setAccountData.bind(client) as unknown as (t: string, c: Record<string, unknown>) => Promise<unknown>)(ACCOUNT_WIDGETS_EVENT, content);
    },
    // unset (404) or unreadable: Europe/Paris is used (ui/calendar/agent-time-zone.ts)
    myTimeZone: () => readMyTimeZone(client),
  };
}
