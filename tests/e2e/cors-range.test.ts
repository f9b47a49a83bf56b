// A web client on another origin resumes a cut media download with a Range request: the CORS
// preflight must allow the header and the answer must let the page read Content-Range.
import assert from "node:assert/strict";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

describe("CORS for ranged media downloads", () => {
  let hs: TestHomeserver;
  before(async () => {
    hs = await startTestHomeserver();
  });
  after(async () => {
    await hs.stop();
  });

  it("allows Range in the preflight and exposes Content-Range on the 206", async () => {
    const me = await registerUser(hs.url, "range");
    const up = await fetch(`${hs.url}/_matrix/media/v3/upload`, { method: "POST", headers: { Authorization: `Bearer ${me.accessToken}`, "Content-Type": "application/octet-stream" }, body: new Uint8Array(1000).fill(7) });
    assert.equal(up.status, 200);
    const mxc = ((await up.json()) as { content_uri: string }).content_uri;
    const url = `${hs.url}/_matrix/client/v1/media/download/${mxc.slice("mxc://".length)}`;
    const pre = await fetch(url, { method: "OPTIONS", headers: { Origin: "http://127.0.0.1:1", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization, range" } });
    const allowed = (pre.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    assert.ok(allowed.includes("range") && allowed.includes("authorization"), `allowed: ${allowed.join(", ")}`);
    const part = await fetch(url, { headers: { Origin: "http://127.0.0.1:1", Authorization: `Bearer ${me.accessToken}`, Range: "bytes=600-" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 600-999/1000");
    assert.match(part.headers.get("access-control-expose-headers") ?? "", /Content-Range/);
    assert.equal((await part.arrayBuffer()).byteLength, 400);
  });
});
