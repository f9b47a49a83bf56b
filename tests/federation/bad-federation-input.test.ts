// Every federation route refuses unsigned and malformed requests with a Matrix errcode, and the
// server stays healthy.
import assert from "node:assert/strict";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { signRequest } from "../../homeserver/src/server/federation/transport/signed-request.ts";

const UNSIGNED_OK = new Set([
  "GET /_matrix/key/v2/server", "GET /_matrix/key/v2/query/{serverName}", "POST /_matrix/key/v2/query",
  "GET /_matrix/federation/v1/version", "GET /_matrix/federation/v1/openid/userinfo", "GET /_matrix/key/v2/server/{keyId}",
  // legacy media for servers without authenticated media (media.legacy_federation_download)
  ...["r0", "v3"].flatMap((v) => [`GET /_matrix/media/${v}/download/{serverName}/{mediaId}`,
    `GET /_matrix/media/${v}/download/{serverName}/{mediaId}/{fileName}`, `GET /_matrix/media/${v}/thumbnail/{serverName}/{mediaId}`]),
]);

describe("bad input on every federation route", function () {
  this.timeout(60_000);
  let fed: TestFederation;
  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
  });
  after(() => fed?.stop());

  const call = (method: string, path: string, body?: string, auth?: string): Promise<{ status: number; errcode: unknown }> => {
    const c = fed.get("a.test");
    return new Promise((resolve, reject) => {
      const req = request({ host: "localhost", port: c.hs!.federationPort, method, path, ca: readFileSync(c.config.federation.extraCaPath!),
        headers: { "Content-Type": "application/json", ...(auth ? { Authorization: auth } : {}) } }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => {
          let errcode: unknown;
          try {
            errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
          } catch {
            errcode = undefined;
          }
          resolve({ status: res.statusCode ?? 0, errcode });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
  const fill = (t: string): string => t.replace(/\{(\w+)\+?\}/g, (_m, n: string) => encodeURIComponent(({ roomId: "!r:a.test", eventId: "$e", userId: "@u:b.test", txnId: "t1", serverName: "b.test", mediaId: "m" } as Record<string, string>)[n] ?? "x"));

  it("answers unsigned, wrongly signed and malformed requests with 400/401 and an errcode", async () => {
    const routes = fed.get("a.test").hs!.federationRoutes;
    assert.ok(routes.length >= 20, `${routes.length} federation routes`);
    for (const r of routes) {
      if (UNSIGNED_OK.has(`${r.method} ${r.template}`)) continue;
      const body = r.method === "GET" ? undefined : "{}";
      const unsigned = await call(r.method, fill(r.template), body);
      assert.deepEqual([unsigned.status, unsigned.errcode], [401, "M_UNAUTHORIZED"], `${r.method} ${r.template} unsigned`);
      const forged = await call(r.method, fill(r.template), body, 'X-Matrix origin="b.test",destination="a.test",key="ed25519:x",sig="AAAA"');
      assert.deepEqual([forged.status, forged.errcode], [401, "M_UNAUTHORIZED"], `${r.method} ${r.template} forged`);
      const stranger = await call(r.method, fill(r.template), body, 'X-Matrix origin="evil.test",destination="a.test",key="ed25519:x",sig="AAAA"');
      assert.deepEqual([stranger.status, stranger.errcode], [403, "M_FORBIDDEN"], `${r.method} ${r.template} from a server outside the allow-list`);
      if (r.method !== "GET") {
        const bad = await call(r.method, fill(r.template), "{not json");
        assert.deepEqual([bad.status, bad.errcode], [400, "M_NOT_JSON"], `${r.method} ${r.template} malformed`);
      }
    }
    const health = await call("GET", "/_matrix/federation/v1/version");
    assert.equal(health.status, 200);
  });

  it("refuses a request signed with the origin's real key id but a wrong signature, on every route", async () => {
    const key = fed.get("b.test").hs!.context.signingKey;
    for (const r of fed.get("a.test").hs!.federationRoutes) {
      if (UNSIGNED_OK.has(`${r.method} ${r.template}`)) continue;
      const uri = fill(r.template);
      const content = r.method === "GET" ? undefined : {};
      const body = content === undefined ? undefined : JSON.stringify(content);
      const request = { method: r.method, uri, origin: "b.test", destination: "a.test", ...(content === undefined ? {} : { content }) };
      // a genuine signature by b.test's key, but of another request: only verifying it can tell
      const wrong = await call(r.method, uri, body, signRequest({ ...request, uri: `${uri}${uri.includes("?") ? "&" : "?"}autre=1` }, key));
      assert.deepEqual([wrong.status, wrong.errcode], [401, "M_UNAUTHORIZED"], `${r.method} ${r.template} with a wrong signature`);
      // the control: the same request rightly signed gets past authentication
      const right = await call(r.method, uri, body, signRequest(request, key));
      assert.notEqual(right.status, 401, `${r.method} ${r.template} rightly signed: ${right.status} ${String(right.errcode)}`);
    }
  });
});
