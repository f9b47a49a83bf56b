// End-to-end encryption across councils: the e2ee ports implemented over federation, the
// device-list and signing-key EDUs both ways, to-device messages both ways, and the resident side
// of the user key endpoints. A remote user's device list is never cached here: a received update
// (or one delivered late by the durable queue after an outage) marks the user changed, so clients
// re-query and the answer always comes from the user's own server.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#end-to-end-encryption
import { randomUUID } from "node:crypto";
import type { KeyJson } from "../../storage/e2ee-store.ts";
import { serverNameOf } from "../../spec/ids.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { ServerContext } from "../context.ts";
import type { Router } from "../http/router.ts";
import type { Handler } from "../http/router.ts";
import type { E2eeService } from "../e2ee/e2ee-service.ts";
import type { RemoteKeys, RemoteToDevice, DirectToDeviceEdu } from "../e2ee/remote-ports.ts";
import { bodyObject } from "../api/json.ts";
import type { FederationServices } from "./federation-services.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Wires e2ee to federation (ports, outbound EDUs, inbound EDU handlers, routes). */
export function connectE2eeFederation(s: ServerContext, e2ee: E2eeService, fed: FederationServices, router: Router): void {
  const remoteKeys: RemoteKeys = {
    queryKeys: (server, body) => fed.client.request<KeyJson>(server, "POST", "/_matrix/federation/v1/user/keys/query", body, { timeoutMs: 10_000 }),
    claimKeys: (server, body) => fed.client.request<KeyJson>(server, "POST", "/_matrix/federation/v1/user/keys/claim", body, { timeoutMs: 10_000 }),
    userDevices: (server, userId) => fed.client.request<KeyJson>(server, "GET", `/_matrix/federation/v1/user/devices/${encodeURIComponent(userId)}`),
  };
  // Durable: the EDU goes to the same per-destination queue as PDUs.
  const toDevice: RemoteToDevice = { send: (destination, edu) => fed.sender.enqueueEdu([destination], { edu_type: "m.direct_to_device", content: edu }) };
  e2ee.useRemote({ keys: remoteKeys, toDevice });

  e2ee.deviceLists.onChange((userId) => announceDevices(s, e2ee, fed, userId));

  const remoteUserChanged = async (origin: string, c: Obj): Promise<void> => {
    const userId = c["user_id"];
    if (typeof userId !== "string" || serverNameOf(userId) !== origin) throw new Error("device update for a user of another server");
    await e2ee.deviceChanged(userId);
  };
  fed.eduHandlers.set("m.device_list_update", (origin, c) => remoteUserChanged(origin, c));
  fed.eduHandlers.set("m.signing_key_update", (origin, c) => remoteUserChanged(origin, c));
  fed.eduHandlers.set("m.direct_to_device", (origin, c) => receiveToDevice(s, e2ee, origin, c));

  router.add("POST", "/_matrix/federation/v1/user/keys/query", keysQuery(s, e2ee, fed));
  router.add("POST", "/_matrix/federation/v1/user/keys/claim", keysClaim(s, e2ee, fed));
  router.add("GET", "/_matrix/federation/v1/user/devices/{userId}", userDevices(s, e2ee, fed));
}

/**
 * m.device_list_update for each device of a local user that exists (with its keys) or disappeared
 * since the last announcement (deleted: true), chained with prev_id so receivers detect gaps; then
 * m.signing_key_update when the user has cross-signing keys.
 */
async function announceDevices(s: ServerContext, e2ee: E2eeService, fed: FederationServices, userId: string): Promise<void> {
  if (serverNameOf(userId) !== s.serverName) return;
  const servers = new Set<string>();
  for (const u of await e2ee.store.usersSharingRoom(userId)) {
    const server = serverNameOf(u);
    if (server && server !== s.serverName) servers.add(server);
  }
  if (servers.size === 0) return;
  const devices = await e2ee.store.deviceKeysOf(userId);
  const announced = (await s.db.all<{ device_id: string }>("SELECT device_id FROM device_list_announced WHERE user_id = ?", [userId])).map((r) => r.device_id);
  const prev = await s.db.one<{ stream_id: number }>("SELECT stream_id FROM device_list_outbound_stream WHERE user_id = ?", [userId]);
  let prevId = prev === undefined ? undefined : Number(prev.stream_id);
  let streamId = Math.max(await e2ee.deviceLists.position(), (prevId ?? 0) + 1);
  const updates: Record<string, unknown>[] = [];
  for (const d of devices) {
    updates.push({ device_id: d.deviceId, keys: d.keys, ...(d.displayName === undefined ? {} : { device_display_name: d.displayName }) });
  }
  for (const gone of announced.filter((id) => !devices.some((d) => d.deviceId === id))) updates.push({ device_id: gone, deleted: true });
  for (const u of updates) {
    await fed.sender.enqueueEdu(servers, { edu_type: "m.device_list_update", content: { user_id: userId, stream_id: streamId, prev_id: prevId === undefined ? [] : [prevId], ...u } });
    prevId = streamId++;
  }
  await s.db.transaction(async (tx) => {
    await tx.run("DELETE FROM device_list_announced WHERE user_id = ?", [userId]);
    for (const d of devices) await tx.run("INSERT INTO device_list_announced (user_id, device_id) VALUES (?, ?)", [userId, d.deviceId]);
    if (prevId !== undefined) {
      await tx.run("INSERT INTO device_list_outbound_stream (user_id, stream_id) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET stream_id = excluded.stream_id", [userId, prevId]);
    }
  });
  const cs = await e2ee.store.crossSigningKeys(userId);
  if (cs.master) {
    await fed.sender.enqueueEdu(servers, { edu_type: "m.signing_key_update", content: { user_id: userId, master_key: cs.master, ...(cs.self_signing ? { self_signing_key: cs.self_signing } : {}) } });
  }
}

async function receiveToDevice(s: ServerContext, e2ee: E2eeService, origin: string, c: Obj): Promise<void> {
  const edu = c as unknown as DirectToDeviceEdu;
  if (typeof edu.sender !== "string" || serverNameOf(edu.sender) !== origin || typeof edu.type !== "string" || !isObj(edu.messages)) {
    throw new Error("malformed m.direct_to_device");
  }
  const local: { userId: string; deviceId: string; type: string; content: KeyJson }[] = [];
  for (const [userId, devices] of Object.entries(edu.messages)) {
    if (serverNameOf(userId) !== s.serverName || !isObj(devices)) continue;
    const known = new Set((await s.stores.users.listDevices(userId)).map((d) => d.deviceId));
    for (const [deviceId, content] of Object.entries(devices)) {
      if (!isObj(content)) continue;
      for (const d of deviceId === "*" ? [...known] : known.has(deviceId) ? [deviceId] : []) local.push({ userId, deviceId: d, type: edu.type, content: content as KeyJson });
    }
  }
  // message_id (with the type, as some servers derive it from the client's txn id) makes a redelivered
  // EDU a no-op. Without one (required by the spec, omitted by some servers) nothing tells a
  // redelivery from a new message: each is delivered (a duplicate is harmless, a drop loses a key).
  const messageId = typeof edu.message_id === "string" && edu.message_id !== "" ? edu.message_id : `no-message-id:${randomUUID()}`;
  await e2ee.store.addToDevice({ userId: edu.sender, deviceId: `federation:${origin}`, eventType: edu.type, txnId: messageId }, local, s.clock.now());
  s.notifier.notifyUsers(new Set(local.map((m) => m.userId)));
}

function onlyOurUsers(s: ServerContext, users: Obj): void {
  for (const u of Object.keys(users)) if (serverNameOf(u) !== s.serverName) throw new MatrixError("M_INVALID_PARAM", 400, `${u} is not a user of this server`);
}

const keysQuery = (s: ServerContext, e2ee: E2eeService, fed: FederationServices): Handler => async (ctx) => {
  const { origin } = await fed.authenticate(ctx);
  const body = bodyObject(ctx.body);
  const deviceKeys = body["device_keys"];
  if (!isObj(deviceKeys)) throw new MatrixError("M_BAD_JSON", 400, "'device_keys' must be an object");
  onlyOurUsers(s, deviceKeys);
  const req: Record<string, string[]> = {};
  for (const [u, ds] of Object.entries(deviceKeys)) req[u] = Array.isArray(ds) ? ds.filter((d): d is string => typeof d === "string") : [];
  const res = await e2ee.keys.query(`@_:${origin}`, req, 10_000);
  const { user_signing_keys: _private, failures: _f, ...rest } = res;
  return { json: rest };
};

const keysClaim = (s: ServerContext, e2ee: E2eeService, fed: FederationServices): Handler => async (ctx) => {
  await fed.authenticate(ctx);
  const body = bodyObject(ctx.body);
  const otk = body["one_time_keys"];
  if (!isObj(otk)) throw new MatrixError("M_BAD_JSON", 400, "'one_time_keys' must be an object");
  onlyOurUsers(s, otk);
  const res = await e2ee.keys.claim(otk as Record<string, Record<string, string>>, 10_000);
  return { json: { one_time_keys: res.one_time_keys } };
};

const userDevices = (s: ServerContext, e2ee: E2eeService, fed: FederationServices): Handler => async (ctx) => {
  await fed.authenticate(ctx);
  const userId = ctx.params["userId"] ?? "";
  if (serverNameOf(userId) !== s.serverName) throw new MatrixError("M_INVALID_PARAM", 400, `${userId} is not a user of this server`);
  const q = await e2ee.keys.query(userId, { [userId]: [] }, 10_000);
  const devices = Object.entries(q.device_keys[userId] ?? {}).map(([deviceId, keys]) => {
    const unsigned = isObj((keys as Obj)["unsigned"]) ? ((keys as Obj)["unsigned"] as Obj) : {};
    return { device_id: deviceId, keys, ...(typeof unsigned["device_display_name"] === "string" ? { device_display_name: unsigned["device_display_name"] } : {}) };
  });
  return { json: {
    user_id: userId, stream_id: await e2ee.deviceLists.position(), devices,
    ...(q.master_keys[userId] ? { master_key: q.master_keys[userId] } : {}),
    ...(q.self_signing_keys[userId] ? { self_signing_key: q.self_signing_keys[userId] } : {}),
  } };
};
