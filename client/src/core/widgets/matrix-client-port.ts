// WidgetClientPort over matrix-js-sdk: the only file of core/widgets that imports the SDK.
import { Direction, type MatrixClient } from "matrix-js-sdk";
import type { IRoomEvent } from "matrix-widget-api";
import { sendAny, sendStateAny } from "../sdk-untyped.ts";
import type { WidgetClientPort } from "./widget-client-port.ts";

const raw = (e: { getEffectiveEvent(): object }): IRoomEvent => e.getEffectiveEvent() as IRoomEvent;

export function matrixClientPort(client: MatrixClient): WidgetClientPort {
  return {
    userId: client.getSafeUserId(),
    sendEvent: async (roomId, type, content) => (await sendAny(client, roomId, type, content)).event_id,
    sendStateEvent: async (roomId, type, content, stateKey) => (await sendStateAny(client, roomId, type, content, stateKey)).event_id,
    timeline: (roomId) => client.getRoom(roomId)?.getLiveTimeline().getEvents().map(raw) ?? [],
    stateEvents: (roomId, type, stateKey) => {
      const state = client.getRoom(roomId)?.currentState;
      if (state === undefined) return [];
      if (stateKey === undefined) return state.getStateEvents(type).map(raw);
      const one = state.getStateEvents(type, stateKey);
      return one === null ? [] : [raw(one)];
    },
    relations: async (roomId, eventId, relType, eventType, opts) => {
      const r = await client.fetchRelations(roomId, eventId, relType ?? null, eventType ?? null, {
        ...(opts.from === undefined ? {} : { from: opts.from }),
        ...(opts.to === undefined ? {} : { to: opts.to }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
        dir: opts.dir === "f" ? Direction.Forward : Direction.Backward,
      });
      return { chunk: r.chunk as unknown as IRoomEvent[], nextBatch: r.next_batch ?? undefined, prevBatch: r.prev_batch ?? undefined };
    },
    openIdToken: async () => {
      const t = await client.getOpenIdToken();
      return { access_token: t.access_token, token_type: t.token_type, matrix_server_name: t.matrix_server_name, expires_in: t.expires_in };
    },
  };
}
