// Issue 3 acceptance: a table-driven bad-input suite over EVERY route. Each case checks the status
// and errcode; the server must stay healthy after each one.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";

const PUBLIC = new Set([
  "GET /_matrix/client/versions", "GET /.well-known/matrix/client", "GET /health", "GET /_matrix/client/v3/login",
  "POST /_matrix/client/v3/login", "POST /_matrix/client/v3/register", "GET /_matrix/client/v3/register/available",
  "GET /_synapse/admin/v1/register", "POST /_synapse/admin/v1/register", "GET /_matrix/client/v3/publicRooms",
  "GET /_matrix/client/v3/directory/room/{roomAlias}", "GET /_matrix/client/v3/directory/list/room/{roomId}",
  "GET /_matrix/media/v3/download/{serverName}/{mediaId}", "GET /_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}",
  "GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId}", "GET /_matrix/client/v3/profile/{userId}",
  "GET /_matrix/client/v3/profile/{userId}/displayname", "GET /_matrix/client/v3/profile/{userId}/avatar_url",
  // 3PID verification-token requests (spec: no authentication; always M_THREEPID_DENIED here)
  ...["account/3pid", "register", "account/password"].flatMap((p) => ["email", "msisdn"].map((m) => `POST /_matrix/client/v3/${p}/${m}/requestToken`)),
]);

function fill(template: string, userId: string): string {
  const values: Record<string, string> = {
    roomId: "!doesnotexist:test.local", roomIdOrAlias: "!doesnotexist:test.local", eventId: "$doesnotexist", userId,
    eventType: "m.room.message", txnId: "txn1", stateKey: "", roomAlias: "#nope:test.local", receiptType: "m.read",
    serverName: "test.local", mediaId: "doesnotexist", fileName: "f.txt", filterId: "12345", deviceId: "NODEVICE",
    type: "m.test", tag: "u.work", kind: "override", ruleId: "nope", relType: "m.thread", scope: "global",
  };
  return template.replace(/\{(\w+)\+?\}/g, (_m, n: string) => encodeURIComponent(values[n] ?? "x"));
}

describe("bad input on every route", function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let token: string;
  let userId: string;
  let routes: { method: string; template: string }[];

  before(async () => {
    server = await startTestHomeserver();
    ({ accessToken: token, userId } = await registerUser(server.url, "mallory"));
    routes = server.hs.routes;
  });
  after(() => server?.stop());

  const call = async (method: string, path: string, init: { token?: string; body?: string | Buffer; contentType?: string } = {}): Promise<{ status: number; errcode: unknown }> => {
    const headers: Record<string, string> = { "Content-Type": init.contentType ?? "application/json" };
    if (init.token) headers["Authorization"] = `Bearer ${init.token}`;
    const res = await fetch(server.url + path, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await res.text();
    let errcode: unknown;
    try {
      errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
    } catch {
      errcode = undefined;
    }
    return { status: res.status, errcode };
  };

  const healthy = async (): Promise<void> => {
    const r = await call("GET", "/_matrix/client/versions");
    assert.equal(r.status, 200, "server unhealthy");
  };

  it("covers a real route table", () => {
    assert.ok(routes.length > 60, `only ${routes.length} routes`);
  });

  it("rejects missing and wrong access tokens with M_MISSING_TOKEN / M_UNKNOWN_TOKEN", async () => {
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.template}`)) continue;
      const path = fill(r.template, userId);
      const body = r.method === "GET" || r.method === "DELETE" ? undefined : "{}";
      const missing = await call(r.method, path, body === undefined ? {} : { body });
      assert.deepEqual([missing.status, missing.errcode], [401, "M_MISSING_TOKEN"], `${r.method} ${r.template} without token`);
      const wrong = await call(r.method, path, { token: "syt_wrong", ...(body === undefined ? {} : { body }) });
      assert.deepEqual([wrong.status, wrong.errcode], [401, "M_UNKNOWN_TOKEN"], `${r.method} ${r.template} with wrong token`);
    }
    await healthy();
  });

  it("rejects malformed JSON with M_NOT_JSON and non-object JSON with M_BAD_JSON", async () => {
    for (const r of routes) {
      if (r.method === "GET" || r.method === "DELETE" || r.template.includes("/media/") || r.template.includes("/upload")) continue;
      const path = fill(r.template, userId);
      const bad = await call(r.method, path, { token, body: "{not json" });
      assert.deepEqual([bad.status, bad.errcode], [400, "M_NOT_JSON"], `${r.method} ${r.template} malformed JSON`);
      const arr = await call(r.method, path, { token, body: "[1,2,3]" });
      assert.equal(arr.status, 400, `${r.method} ${r.template} array body: ${arr.status} ${String(arr.errcode)}`);
      assert.ok(arr.errcode === "M_BAD_JSON" || arr.errcode === "M_INVALID_PARAM" || arr.errcode === "M_MISSING_PARAM", `${r.method} ${r.template} array body: ${String(arr.errcode)}`);
    }
    await healthy();
  });

  it("rejects huge bodies with 413 M_TOO_LARGE", async () => {
    const huge = JSON.stringify({ body: "x".repeat(2 * 1024 * 1024) });
    for (const r of routes) {
      if (r.method === "GET" || r.method === "DELETE" || r.template.includes("/media/") || r.template.includes("/upload")) continue;
      const res = await call(r.method, fill(r.template, userId), { token, body: huge });
      assert.deepEqual([res.status, res.errcode], [413, "M_TOO_LARGE"], `${r.method} ${r.template}`);
    }
    await healthy();
  });

  it("answers unknown rooms with 403/404 and a Matrix errcode, never 500", async () => {
    for (const r of routes.filter((x) => x.template.includes("{roomId}") || x.template.includes("{roomIdOrAlias}"))) {
      const body = r.method === "GET" || r.method === "DELETE" ? undefined : JSON.stringify({ user_id: "@someone:test.local", typing: true, body: "x", new_version: "12", reason: "r", visibility: "public" });
      const res = await call(r.method, fill(r.template, userId), { token, ...(body === undefined ? {} : { body }) });
      assert.ok([400, 403, 404].includes(res.status), `${r.method} ${r.template}: ${res.status}`);
      assert.match(String(res.errcode), /^M_[A-Z_]+$/, `${r.method} ${r.template}`);
    }
    await healthy();
  });

  it("answers unknown endpoints with 404 M_UNRECOGNIZED and wrong methods with 405", async () => {
    const unknown = await call("GET", "/_matrix/client/v3/nope", { token });
    assert.deepEqual([unknown.status, unknown.errcode], [404, "M_UNRECOGNIZED"]);
    const wrongMethod = await call("DELETE", "/_matrix/client/v3/sync", { token });
    assert.deepEqual([wrongMethod.status, wrongMethod.errcode], [405, "M_UNRECOGNIZED"]);
  });

  it("validates parameters: bad since token, bad limit, bad percent-encoding, wrong types", async () => {
    const cases: [string, string, string | undefined, number, string][] = [
      ["GET", "/_matrix/client/v3/sync?since=garbage", undefined, 400, "M_INVALID_PARAM"],
      ["GET", "/_matrix/client/v3/sync?timeout=abc", undefined, 400, "M_INVALID_PARAM"],
      ["GET", "/_matrix/client/v3/sync?filter=%7Bbad", undefined, 400, "M_INVALID_PARAM"],
      ["GET", "/_matrix/client/v3/rooms/%E0%A4%A/state", undefined, 400, "M_INVALID_PARAM"],
      ["POST", "/_matrix/client/v3/createRoom", JSON.stringify({ name: 42 }), 400, "M_BAD_JSON"],
      ["POST", "/_matrix/client/v3/createRoom", JSON.stringify({ room_version: "999" }), 400, "M_UNSUPPORTED_ROOM_VERSION"],
      ["POST", "/_matrix/client/v3/createRoom", JSON.stringify({ invite: ["not-a-user"] }), 400, "M_INVALID_PARAM"],
      ["POST", "/_matrix/client/v3/login", JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "mallory" }, password: 5 }), 400, "M_BAD_JSON"],
    ];
    for (const [method, path, body, status, errcode] of cases) {
      const r = await call(method, path, { token, ...(body === undefined ? {} : { body }) });
      assert.deepEqual([r.status, r.errcode], [status, errcode], `${method} ${path}`);
    }
    await healthy();
  });

  it("rejects floats and out-of-range integers in event content (room v12 canonical JSON)", async () => {
    const room = await fetch(`${server.url}/_matrix/client/v3/createRoom`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: "{}" });
    const roomId = ((await room.json()) as { room_id: string }).room_id;
    for (const [i, body] of ['{"n": 1.5}', '{"n": 9007199254740993}', '{"n": 1e400}'].entries()) {
      const r = await call("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.test/f${i}`, { token, body });
      assert.deepEqual([r.status, r.errcode], [400, "M_BAD_JSON"], body);
    }
    await healthy();
  });
});
