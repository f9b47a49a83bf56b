// The server-server API routes (served on the federation listener).
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { sendTransaction } from "./send.ts";
import { makeJoin, makeLeave, makeKnock, sendJoinV1, sendJoinV2, sendLeaveV1, sendLeaveV2, sendKnock, inviteV2 } from "./membership.ts";
import { getEvent, getState, getStateIds, getEventAuth, backfill, getMissingEvents } from "./events.ts";
import { queryDirectory, queryProfile, openidUserinfo } from "./queries.ts";
import { federationMediaHandlers } from "./media.ts";
import { federationLegacyMediaRoutes } from "./legacy-media.ts";
import { getFederationPublicRooms, postFederationPublicRooms } from "./public-rooms.ts";

const F = "/_matrix/federation";

export function federationRoutes(r: Router, s: ServerContext): void {
  r.add("PUT", `${F}/v1/send/{txnId}`, sendTransaction(s));
  r.add("GET", `${F}/v1/make_join/{roomId}/{userId}`, makeJoin(s));
  r.add("PUT", `${F}/v1/send_join/{roomId}/{eventId}`, sendJoinV1(s));
  r.add("PUT", `${F}/v2/send_join/{roomId}/{eventId}`, sendJoinV2(s));
  r.add("GET", `${F}/v1/make_leave/{roomId}/{userId}`, makeLeave(s));
  r.add("PUT", `${F}/v1/send_leave/{roomId}/{eventId}`, sendLeaveV1(s));
  r.add("PUT", `${F}/v2/send_leave/{roomId}/{eventId}`, sendLeaveV2(s));
  r.add("GET", `${F}/v1/make_knock/{roomId}/{userId}`, makeKnock(s));
  r.add("PUT", `${F}/v1/send_knock/{roomId}/{eventId}`, sendKnock(s));
  r.add("PUT", `${F}/v2/invite/{roomId}/{eventId}`, inviteV2(s));
  r.add("GET", `${F}/v1/event/{eventId}`, getEvent(s));
  r.add("GET", `${F}/v1/state/{roomId}`, getState(s));
  r.add("GET", `${F}/v1/state_ids/{roomId}`, getStateIds(s));
  r.add("GET", `${F}/v1/event_auth/{roomId}/{eventId}`, getEventAuth(s));
  r.add("GET", `${F}/v1/backfill/{roomId}`, backfill(s));
  r.add("POST", `${F}/v1/get_missing_events/{roomId}`, getMissingEvents(s));
  r.add("GET", `${F}/v1/query/directory`, queryDirectory(s));
  r.add("GET", `${F}/v1/query/profile`, queryProfile(s));
  r.add("GET", `${F}/v1/openid/userinfo`, openidUserinfo(s));
  const media = federationMediaHandlers(s);
  r.add("GET", `${F}/v1/media/download/{mediaId}`, media.download);
  r.add("GET", `${F}/v1/media/thumbnail/{mediaId}`, media.thumbnail);
  federationLegacyMediaRoutes(r, s);
  r.add("GET", `${F}/v1/publicRooms`, getFederationPublicRooms(s));
  r.add("POST", `${F}/v1/publicRooms`, postFederationPublicRooms(s));
}
