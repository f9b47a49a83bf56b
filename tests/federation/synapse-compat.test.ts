// Interoperability with servers that behave like older Synapse releases, against a real Entente
// homeserver ("ours.test") and stand-in remotes built from our own federation code
// (tests/harness/stand-in-remote.ts) that answer as those servers do: key fetches on the
// deprecated key-id path, 400 M_UNRECOGNIZED for authenticated media, legacy media only, string
// booleans in /publicRooms, knocks reading knock_state_events, invites refused with a 4xx, a
// partner reached through host_map by IP address, and our logs of their rejected requests.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import type { HostMapTarget } from "../../homeserver/src/config/config-types.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { finishEvent, type PduDraft } from "../../homeserver/src/room/sign-event.ts";
import type { JsonObject } from "../../homeserver/src/room/pdu.ts";
import { MatrixError } from "../../homeserver/src/spec/matrix-error.ts";
import { FederationError } from "../../homeserver/src/server/federation/transport/federation-error.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";
import { createTestCa, type TestCa } from "../harness/federation-ca.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { issueCertificate, startServerUnderTest, startStandIn, type ServerUnderTest, type StandIn } from "../harness/stand-in-remote.ts";

const C = "/_matrix/client/v3";
const OURS = "ours.test";
type Json = Record<string, unknown>;

/** An unauthenticated GET on the federation listener, as a server without authenticated media does it. */
function plainGet(ca: TestCa, port: number, path: string): Promise<{ status: number; body: Buffer; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "localhost", port, path, ca: readFileSync(ca.caPath) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), type: res.headers["content-type"] }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("interop with older Synapse behaviour (stand-in remotes)", function () {
  this.timeout(90_000);
  let ca: TestCa;
  let old: StandIn;
  let partner: StandIn;
  let ours: ServerUnderTest;
  let alice: Session;
  const logLines: Json[] = [];
  const legacyCalls: string[] = [];
  const api = <T = Json>(s: Session | undefined, method: string, path: string, body?: unknown): Promise<T> => call<T>(ours.url, s, method, path, body);

  before(async () => {
    ca = createTestCa();
    old = await startStandIn(ca, "old.test");
    // a partner whose certificate names it and nothing else (no IP address)
    partner = await startStandIn(ca, "partner.test", { cert: issueCertificate(ca, ["partner.test"]) });
    const hostMap = new Map<string, HostMapTarget>([
      ["old.test", old.target],
      ["partner.test", { scheme: "https", host: "127.0.0.1", port: partner.listener.port }],
    ]);
    const log = createLogger("info", {}, (line) => void logLines.push(JSON.parse(line) as Json));
    ours = await startServerUnderTest(ca, OURS, hostMap, { log });
    old.hostMap.set(OURS, ours.target);
    alice = await registerUser(ours.url, "alice");
    // what the old server answers
    old.router.add("PUT", "/_matrix/federation/v1/send/{txnId}", async () => ({ json: { pdus: {} } }));
    old.router.add("GET", "/_matrix/federation/v1/media/download/{mediaId}", async (ctx) => {
      const id = ctx.params["mediaId"];
      if (id === "gone") throw new MatrixError("M_NOT_FOUND", 404, "Not found");
      if (id === "m405") throw new MatrixError("M_UNRECOGNIZED", 405, "Method not allowed");
      throw new MatrixError("M_UNRECOGNIZED", 400, "Unrecognized request"); // Synapse < 1.x for unknown paths
    });
    old.router.add("GET", "/_matrix/media/v3/download/{serverName}/{mediaId}", async (ctx) => {
      legacyCalls.push(`${ctx.params["mediaId"]}?${ctx.query.toString()}`);
      return { raw: new TextEncoder().encode(`legacy bytes of ${ctx.params["mediaId"]}`), headers: { "Content-Type": "text/plain" } };
    });
    old.router.add("PUT", "/_matrix/federation/v2/invite/{roomId}/{eventId}", async (ctx) => {
      const event = (ctx.body as { event?: { state_key?: string } }).event;
      if (event?.state_key === "@down:old.test") throw new MatrixError("M_UNKNOWN", 500, "Internal server error");
      if (event?.state_key === "@sig:old.test") throw new MatrixError("M_UNAUTHORIZED", 401, "Invalid signature");
      throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", 400, "Your homeserver does not support the features required to join this room", { room_version: "12" });
    });
    partner.router.add("GET", "/_matrix/federation/v1/query/profile", async () => ({ json: { displayname: "Partenaire" } }));
  });
  after(async () => {
    await ours?.stop();
    await old?.stop();
    await partner?.stop();
    ca?.cleanup();
  });

  it("serves the key document on the deprecated /_matrix/key/v2/server/{keyId} (Synapse 1.67), the key id ignored", async () => {
    const current = await old.client.request<Json>(OURS, "GET", "/_matrix/key/v2/server", undefined, { signed: false });
    for (const keyId of ["ed25519:whatever", "ed25519:a_1"]) {
      const byId = await old.client.request<Json>(OURS, "GET", `/_matrix/key/v2/server/${enc(keyId)}`, undefined, { signed: false });
      assert.equal(byId["server_name"], OURS);
      assert.deepEqual(byId["verify_keys"], current["verify_keys"]);
    }
  });

  it("answers send_knock with knock_state_events (the name older servers read) alongside knock_room_state", async () => {
    const { room_id: roomId } = await api<{ room_id: string }>(alice, "POST", `${C}/createRoom`, {
      name: "Knock here", initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }],
    });
    const knocker = "@knocker:old.test";
    const tmpl = await old.client.request<{ room_version: string; event: JsonObject }>(OURS, "GET",
      `/_matrix/federation/v1/make_knock/${enc(roomId)}/${enc(knocker)}?ver=12&ver=11&ver=10`);
    const version = getRoomVersion(tmpl.room_version);
    assert.ok(version);
    const t = tmpl.event;
    const draft: PduDraft = {
      type: "m.room.member", state_key: knocker, sender: knocker, room_id: roomId, content: { membership: "knock" },
      auth_events: t["auth_events"] as string[], prev_events: t["prev_events"] as string[], depth: t["depth"] as number, origin_server_ts: Date.now(),
    };
    const knock = finishEvent(draft, version, "old.test", old.key);
    const res = await old.client.request<{ knock_room_state?: Json[]; knock_state_events?: Json[] }>(OURS, "PUT",
      `/_matrix/federation/v1/send_knock/${enc(roomId)}/${enc(knock.eventId)}`, knock.pdu);
    assert.ok(Array.isArray(res.knock_room_state) && res.knock_room_state.length > 0, JSON.stringify(res));
    assert.deepEqual(res.knock_state_events, res.knock_room_state);
    assert.ok(res.knock_state_events?.some((e) => e["type"] === "m.room.name" && (e["content"] as Json)["name"] === "Knock here"));
  });

  it("accepts include_all_networks sent as the string \"false\" or \"true\" on POST /publicRooms (Synapse does)", async () => {
    const { room_id: roomId } = await api<{ room_id: string }>(alice, "POST", `${C}/createRoom`, { visibility: "public", name: "Annuaire" });
    for (const value of ["false", "true", false]) {
      const res = await old.client.request<{ chunk: { room_id: string }[] }>(OURS, "POST", "/_matrix/federation/v1/publicRooms", { limit: 10, include_all_networks: value });
      assert.ok(res.chunk.some((r) => r.room_id === roomId), `include_all_networks: ${JSON.stringify(value)}`);
    }
    await assert.rejects(old.client.request(OURS, "POST", "/_matrix/federation/v1/publicRooms", { include_all_networks: "maybe" }),
      (e: unknown) => e instanceof FederationError && e.status === 400 && e.errcode === "M_BAD_JSON");
  });

  it("logs other servers' rejected requests (4xx) at info with origin, path, status and errcode", async () => {
    await assert.rejects(old.client.request(OURS, "GET", "/_matrix/federation/v1/event/%24nope"), (e: unknown) => e instanceof FederationError && e.status === 404);
    await assert.rejects(old.client.request(OURS, "GET", "/_matrix/federation/v1/no_such_endpoint"), (e: unknown) => e instanceof FederationError && e.status === 404);
    const rejected = (path: string): Json | undefined => logLines.find((l) => l["msg"] === "federation request rejected" && l["path"] === path);
    const event = await waitFor("the rejected /event in the log", () => rejected("/_matrix/federation/v1/event/%24nope"));
    assert.deepEqual([event["level"], event["origin"], event["status"], event["errcode"]], ["info", "old.test", 404, "M_NOT_FOUND"]);
    const unknown = await waitFor("the unknown endpoint in the log", () => rejected("/_matrix/federation/v1/no_such_endpoint"));
    assert.deepEqual([unknown["level"], unknown["origin"], unknown["status"], unknown["errcode"]], ["info", "old.test", 404, "M_UNRECOGNIZED"]);
    const publicRooms = logLines.find((l) => l["msg"] === "federation request rejected" && l["path"] === "/_matrix/federation/v1/publicRooms");
    assert.deepEqual([publicRooms?.["status"], publicRooms?.["errcode"]], [400, "M_BAD_JSON"]);
  });

  it("falls back to the legacy download when authenticated media answers 400 M_UNRECOGNIZED or 405, and only then", async () => {
    const download = (mediaId: string): Promise<Response> =>
      fetch(`${ours.url}/_matrix/client/v1/media/download/old.test/${mediaId}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    for (const id of ["m400", "m405"]) {
      const res = await download(id);
      assert.equal(res.status, 200, id);
      assert.equal(await res.text(), `legacy bytes of ${id}`);
    }
    assert.deepEqual(legacyCalls.map((c) => c.split("?")[0]), ["m400", "m405"]);
    assert.ok(legacyCalls.every((c) => c.includes("allow_remote=false")));
    const gone = await download("gone");
    assert.equal(gone.status, 404);
    assert.equal(legacyCalls.length, 2, "a 404 M_NOT_FOUND is an answer, not a reason to try the legacy path");
  });

  it("serves our media on the legacy download paths of the federation listener only, unauthenticated", async () => {
    const up = await fetch(`${ours.url}/_matrix/media/v3/upload?filename=plan.txt`, {
      method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "text/plain" }, body: "plan de la mairie",
    });
    const mxc = ((await up.json()) as { content_uri: string }).content_uri;
    const mediaId = mxc.split("/").pop() ?? "";
    const fedPort = ours.hs.federationPort ?? 0;
    for (const path of [`/_matrix/media/v3/download/${OURS}/${mediaId}`, `/_matrix/media/r0/download/${OURS}/${mediaId}`, `/_matrix/media/r0/download/${OURS}/${mediaId}/plan.txt`]) {
      const res = await plainGet(ca, fedPort, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body.toString(), "plan de la mairie");
      assert.match(res.type ?? "", /^text\/plain/);
    }
    // media of other servers: never fetched on someone else's behalf
    const remote = await plainGet(ca, fedPort, `/_matrix/media/v3/download/old.test/m400`);
    assert.equal(remote.status, 404);
    // the client listener keeps the legacy endpoints frozen (media.allow_unauthenticated_legacy)
    const client = await fetch(`${ours.url}/_matrix/media/v3/download/${OURS}/${mediaId}`);
    assert.equal(client.status, 404);
  });

  it("with media.legacy_federation_download off, those paths answer 404 M_UNRECOGNIZED", async () => {
    const off = await startServerUnderTest(ca, "off.test", new Map(), { configure: (c) => void (c.media.legacyFederationDownload = false) });
    try {
      const res = await plainGet(ca, off.hs.federationPort ?? 0, "/_matrix/media/v3/download/off.test/abc");
      assert.deepEqual([res.status, (JSON.parse(res.body.toString()) as Json)["errcode"]], [404, "M_UNRECOGNIZED"]);
    } finally {
      await off.stop();
    }
  });

  it("an invite refused with a 4xx Matrix error reaches the client as that error; 5xx and 401 stay 502", async () => {
    const { room_id: roomId } = await api<{ room_id: string }>(alice, "POST", `${C}/createRoom`, { preset: "private_chat" });
    const invite = (userId: string): Promise<Json> => api(alice, "POST", `${C}/rooms/${enc(roomId)}/invite`, { user_id: userId });
    await assert.rejects(invite("@bob:old.test"), (e: unknown) =>
      e instanceof ApiError && e.status === 400 && e.body["errcode"] === "M_INCOMPATIBLE_ROOM_VERSION" && String(e.body["error"]).startsWith("old.test: "));
    await assert.rejects(invite("@down:old.test"), (e: unknown) => e instanceof ApiError && e.status === 502);
    await assert.rejects(invite("@sig:old.test"), (e: unknown) => e instanceof ApiError && e.status === 502);
    // nothing was stored: the invitee is not invited
    const members = await api<{ chunk: { state_key: string }[] }>(alice, "GET", `${C}/rooms/${enc(roomId)}/members`);
    assert.deepEqual(members.chunk.map((m) => m.state_key), [alice.userId]);
  });

  it("a partner mapped to an IP address in host_map is checked against its server name's hostname, sent as SNI", async () => {
    const profile = await api(alice, "GET", `${C}/profile/${enc("@maire:partner.test")}`);
    assert.equal(profile["displayname"], "Partenaire");
    assert.ok(partner.sni.length > 0);
    assert.deepEqual([...new Set(partner.sni)], ["partner.test"]);
  });
});
