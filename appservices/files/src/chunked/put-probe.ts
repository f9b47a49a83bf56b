// `node --expose-gc put-probe.ts [MiB]`: PUTs a part of MiB (default 128) through nodeMediaTransport
// to a server in this same fresh process and prints, as one JSON line, the bytes pulled from the
// body, the bytes the server read, and the ArrayBuffer memory still held (after a full GC) once the
// server has read the whole part. Run alone (probe/run-probe.ts) so that the figure is this PUT's.
// Used by node-media-transport.test.ts.
import { nodeMediaTransport } from "./node-media-transport.ts";
import { countedBody, MiB, serve } from "./put-fixtures.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("put-probe.ts needs node --expose-gc");
const total = Number(process.argv[2] ?? "128") * MiB;
let held = -1;
let read = 0;
const { server, url } = await serve((req, res) => {
  void (async () => {
    for await (const c of req as AsyncIterable<Buffer>) read += c.length;
    // the whole body is here and read: what is still allocated is held by the client side
    gc();
    held = process.memoryUsage().arrayBuffers;
    res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  })();
});
gc();
const before = process.memoryUsage().arrayBuffers;
const { body, pulled } = countedBody(total);
await nodeMediaTransport({ baseUrl: url, accessToken: "t" }).put("mxc://a.test/abc", body, total);
server.closeAllConnections();
server.close();
process.stdout.write(JSON.stringify({ pulled: pulled(), read, heldMiB: (held - before) / MiB }) + "\n");
