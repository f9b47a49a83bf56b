// End-to-end encryption endpoints: device keys, cross-signing, send-to-device, key backups.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#end-to-end-encryption
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { C, accountServices } from "../account/common.ts";
import { claimKeysHandler, keyChangesHandler, queryKeysHandler, uploadKeysHandler } from "./keys.ts";
import { uploadCrossSigningKeysHandler, uploadSignaturesHandler } from "./cross-signing.ts";
import { sendToDeviceHandler } from "./to-device.ts";
import {
  createVersionHandler, deleteKeysHandler, deleteVersionHandler, getKeysHandler, getVersionHandler, putKeysHandler, putVersionHandler,
} from "./room-keys.ts";

const KEYS = `${C}/room_keys/keys`;

export function e2eeRoutes(r: Router, s: ServerContext): void {
  const svc = accountServices(s);
  r.add("POST", `${C}/keys/upload`, uploadKeysHandler(s));
  r.add("POST", `${C}/keys/query`, queryKeysHandler(s));
  r.add("POST", `${C}/keys/claim`, claimKeysHandler(s));
  r.add("GET", `${C}/keys/changes`, keyChangesHandler(s));
  r.add("POST", `${C}/keys/device_signing/upload`, uploadCrossSigningKeysHandler(s, svc));
  r.add("POST", `${C}/keys/signatures/upload`, uploadSignaturesHandler(s));
  r.add("PUT", `${C}/sendToDevice/{eventType}/{txnId}`, sendToDeviceHandler(s));
  r.add("POST", `${C}/room_keys/version`, createVersionHandler(s));
  r.add("GET", `${C}/room_keys/version`, getVersionHandler(s, true));
  r.add("GET", `${C}/room_keys/version/{version}`, getVersionHandler(s, false));
  r.add("PUT", `${C}/room_keys/version/{version}`, putVersionHandler(s));
  r.add("DELETE", `${C}/room_keys/version/{version}`, deleteVersionHandler(s));
  r.add("PUT", KEYS, putKeysHandler(s, "all"));
  r.add("GET", KEYS, getKeysHandler(s, "all"));
  r.add("DELETE", KEYS, deleteKeysHandler(s, "all"));
  r.add("PUT", `${KEYS}/{roomId}`, putKeysHandler(s, "room"));
  r.add("GET", `${KEYS}/{roomId}`, getKeysHandler(s, "room"));
  r.add("DELETE", `${KEYS}/{roomId}`, deleteKeysHandler(s, "room"));
  r.add("PUT", `${KEYS}/{roomId}/{sessionId}`, putKeysHandler(s, "session"));
  r.add("GET", `${KEYS}/{roomId}/{sessionId}`, getKeysHandler(s, "session"));
  r.add("DELETE", `${KEYS}/{roomId}/{sessionId}`, deleteKeysHandler(s, "session"));
}
