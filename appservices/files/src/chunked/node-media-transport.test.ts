import { strict as assert } from "node:assert";
import v8 from "node:v8";
import vm from "node:vm";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { MediaHttpError } from "./media-transport.ts";
import { nodeMediaTransport } from "./node-media-transport.ts";

const MiB = 1024 * 1024;

/** A body of `total` bytes in 1 MiB chunks that counts what the transport pulled. */
function countedBody(total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= total) return c.close();
      pulled += MiB;
      c.enqueue(new Uint8Array(MiB).fill(pulled / MiB));
    },
  }, { highWaterMark: 1 });
  return { body, pulled: () => pulled };
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** A full garbage collection, so that only memory still referenced counts. */
function fullGc(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

describe("nodeMediaTransport", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it("PUT holds no more than a few chunks of the part (fetch's PUT kept every chunk sent until the answer)", async () => {
    const total = 128 * MiB;
    let held = -1;
    const s = await serve((req, res) => {
      void (async () => {
        let n = 0;
        for await (const c of req as AsyncIterable<Buffer>) n += c.length;
        // the whole body is here and read: what is still allocated is held by the client side
        fullGc();
        held = process.memoryUsage().arrayBuffers;
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ n }));
      })();
    });
    server = s.server;
    fullGc();
    const before = process.memoryUsage().arrayBuffers;
    const { body, pulled } = countedBody(total);
    await nodeMediaTransport({ baseUrl: s.url, accessToken: "t" }).put("mxc://a.test/abc", body, total);
    assert.equal(pulled(), total);
    assert.ok(held - before < 32 * MiB, `${((held - before) / MiB).toFixed(0)} MiB of ArrayBuffers held when the server had read the ${total / MiB} MiB part`);
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
