import { strict as assert } from "node:assert";
import type { Server } from "node:http";
import { runProbe } from "../probe/run-probe.ts";
import { MediaHttpError } from "./media-transport.ts";
import { nodeMediaTransport } from "./node-media-transport.ts";
import { countedBody, MiB, serve } from "./put-fixtures.ts";

describe("nodeMediaTransport", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it("PUT holds no more than a few chunks of the part (fetch's PUT kept every chunk sent until the answer)", async function () {
    this.timeout(120_000);
    // In a fresh process (put-probe.ts): in this one, other tests' garbage counts too (CI: 81 MiB).
    const total = 128;
    const r = await runProbe<{ pulled: number; read: number; heldMiB: number }>(new URL("./put-probe.ts", import.meta.url), { args: [String(total)], nodeArgs: ["--expose-gc"], timeoutMs: 110_000 });
    assert.equal(r.pulled, total * MiB);
    assert.equal(r.read, total * MiB);
    process.stdout.write(`      ${total} MiB PUT: ${r.heldMiB.toFixed(1)} MiB of ArrayBuffers held when the server had read it all\n`);
    assert.ok(r.heldMiB < 32, `${r.heldMiB.toFixed(0)} MiB of ArrayBuffers held when the server had read the ${total} MiB part`);
  });

  it("a server answering 409 before reading the body gives MediaHttpError with the errcode", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(409, { "Content-Type": "application/json", Connection: "close" }).end(JSON.stringify({ errcode: "M_CANNOT_OVERWRITE_MEDIA", error: "Media already uploaded" }));
    });
    server = s.server;
    const { body } = countedBody(64 * MiB);
    await assert.rejects(nodeMediaTransport({ baseUrl: s.url, accessToken: "t" }).put("mxc://a.test/abc", body, 64 * MiB),
      (e: unknown) => e instanceof MediaHttpError && e.status === 409 && e.errcode === "M_CANNOT_OVERWRITE_MEDIA");
  });

  it("a connection cut mid-body is a network error (not an HTTP answer)", async () => {
    const s = await serve((req) => {
      let n = 0;
      req.on("data", (c: Buffer) => {
        n += c.length;
        if (n > 4 * MiB) req.socket.destroy();
      });
    });
    server = s.server;
    const { body } = countedBody(64 * MiB);
    await assert.rejects(nodeMediaTransport({ baseUrl: s.url, accessToken: "t" }).put("mxc://a.test/abc", body, 64 * MiB),
      (e: unknown) => e instanceof Error && !(e instanceof MediaHttpError));
  });
});
