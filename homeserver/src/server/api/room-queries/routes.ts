// Read-side room endpoints: events, state, members, timeline pagination, context, relations,
// threads, timestamp lookup, reports, joined rooms. One line per route.
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { getEventHandler, joinedRoomsHandler, reportEventHandler, reportRoomHandler } from "./events.ts";
import { joinedMembersHandler, membersHandler, stateEventHandler, stateHandler } from "./state.ts";
import { messagesHandler } from "./messages.ts";
import { contextHandler } from "./context.ts";
import { relationsHandler, threadsHandler } from "./relations.ts";
import { timestampToEventHandler } from "./timestamp-to-event.ts";

const V3 = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";

export function roomQueryRoutes(r: Router, s: ServerContext): void {
  r.add("GET", `${V3}/rooms/{roomId}/event/{eventId}`, getEventHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/state`, stateHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/state/{eventType}`, stateEventHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/state/{eventType}/{stateKey+}`, stateEventHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/members`, membersHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/joined_members`, joinedMembersHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/messages`, messagesHandler(s));
  r.add("GET", `${V3}/rooms/{roomId}/context/{eventId}`, contextHandler(s));
  r.add("GET", `${V1}/rooms/{roomId}/relations/{eventId}`, relationsHandler(s));
  r.add("GET", `${V1}/rooms/{roomId}/relations/{eventId}/{relType}`, relationsHandler(s));
  r.add("GET", `${V1}/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}`, relationsHandler(s));
  r.add("GET", `${V1}/rooms/{roomId}/threads`, threadsHandler(s));
  r.add("GET", `${V1}/rooms/{roomId}/timestamp_to_event`, timestampToEventHandler(s));
  r.add("POST", `${V3}/rooms/{roomId}/report/{eventId}`, reportEventHandler(s));
  r.add("POST", `${V3}/rooms/{roomId}/report`, reportRoomHandler(s));
  r.add("GET", `${V3}/joined_rooms`, joinedRoomsHandler(s));
}
