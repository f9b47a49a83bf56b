// Room write endpoints of the client-server API.
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { createRoomHandler } from "./create-room.ts";
import { joinHandler, membershipHandler, forgetHandler } from "./membership.ts";
import { sendHandler, putStateHandler, redactHandler } from "./send.ts";
import { typingHandler, receiptHandler, readMarkersHandler } from "./ephemeral.ts";
import { upgradeHandler } from "./upgrade.ts";

const C = "/_matrix/client/v3";

export function roomRoutes(r: Router, s: ServerContext): void {
  r.add("POST", `${C}/createRoom`, createRoomHandler(s));
  r.add("POST", `${C}/join/{roomIdOrAlias}`, joinHandler(s));
  r.add("POST", `${C}/rooms/{roomId}/join`, joinHandler(s));
  r.add("POST", `${C}/knock/{roomIdOrAlias}`, membershipHandler(s, "knock"));
  r.add("POST", `${C}/rooms/{roomId}/invite`, membershipHandler(s, "invite"));
  r.add("POST", `${C}/rooms/{roomId}/leave`, membershipHandler(s, "leave"));
  r.add("POST", `${C}/rooms/{roomId}/kick`, membershipHandler(s, "kick"));
  r.add("POST", `${C}/rooms/{roomId}/ban`, membershipHandler(s, "ban"));
  r.add("POST", `${C}/rooms/{roomId}/unban`, membershipHandler(s, "unban"));
  r.add("POST", `${C}/rooms/{roomId}/forget`, forgetHandler(s));
  r.add("PUT", `${C}/rooms/{roomId}/send/{eventType}/{txnId}`, sendHandler(s));
  r.add("PUT", `${C}/rooms/{roomId}/state/{eventType}`, putStateHandler(s));
  r.add("PUT", `${C}/rooms/{roomId}/state/{eventType}/{stateKey+}`, putStateHandler(s));
  r.add("PUT", `${C}/rooms/{roomId}/redact/{eventId}/{txnId}`, redactHandler(s));
  r.add("PUT", `${C}/rooms/{roomId}/typing/{userId}`, typingHandler(s));
  r.add("POST", `${C}/rooms/{roomId}/receipt/{receiptType}/{eventId}`, receiptHandler(s));
  r.add("POST", `${C}/rooms/{roomId}/read_markers`, readMarkersHandler(s));
  r.add("POST", `${C}/rooms/{roomId}/upgrade`, upgradeHandler(s));
}
