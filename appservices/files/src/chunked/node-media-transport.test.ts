import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
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

  it("PUT with owned chunks frees each once sent (the next one reuses its memory); without, leaves them alone", async () => {
    const got: Buffer[] = [];
    const s = await serve((req, res) => {
      req.on("data", (c: Buffer) => got.push(c));
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end("{}"));
    });
    server = s.server;
    const t = nodeMediaTransport({ baseUrl: s.url, accessToken: "t" });
    for (const owned of [true, false]) {
      got.length = 0;
      const sent: Uint8Array[] = [];
      const copies: Uint8Array[] = [];
      const { body } = countedBody(8 * MiB);
      await t.put("mxc://a.test/abc", body.pipeThrough(new TransformStream({ transform: (c, ctl) => (sent.push(c), copies.push(c.slice()), ctl.enqueue(c)) })), 8 * MiB, undefined, owned);
      assert.ok(Buffer.concat(got).equals(Buffer.concat(copies)), "the server got the bytes sent");
      assert.equal(sent.length, 8);
      assert.ok(sent.every((c) => (c.buffer.byteLength === 0) === owned), owned ? "every chunk freed" : "no chunk freed");
    }
  });

  it("GET streams a part over node:http (chunks of its own), and resumes with a Range request after a cut", async () => {
    const data = randomBytes(3 * MiB);
    const seen: (string | undefined)[] = [];
    const s = await serve((req, res) => {
      seen.push(req.headers.range);
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
      if (seen.length === 1) {
        // the first answer announces the whole part and is cut after 1 MiB and a bit
        res.writeHead(200, { "Content-Length": String(data.length) });
        res.write(data.subarray(0, MiB + 1000), () => res.socket?.destroy());
        return;
      }
      res.writeHead(206, { "Content-Length": String(data.length - from), "Content-Range": `bytes ${from}-${data.length - 1}/${data.length}` }).end(data.subarray(from));
    });
    server = s.server;
    const t = nodeMediaTransport({ baseUrl: s.url, accessToken: "t" });
    assert.equal(t.ownedChunks, true);
    const chunks: Uint8Array[] = [];
    let failure: unknown;
    try {
      for await (const c of await t.get("mxc://a.test/abc")) chunks.push(c);
    } catch (e: unknown) {
      failure = e;
    }
    assert.ok(failure instanceof Error, "a cut body errors (it is not a clean end)");
    const first = Buffer.concat(chunks);
    assert.ok(first.length >= MiB && first.equals(data.subarray(0, first.length)));
    assert.ok(chunks.every((c) => c.byteOffset === 0 && c.byteLength === c.buffer.byteLength), "each chunk is a buffer of its own");
    for await (const c of await t.getFrom!("mxc://a.test/abc", first.length)) chunks.push(c);
    assert.equal(seen[1], `bytes=${first.length}-`);
    assert.equal(createHash("sha256").update(Buffer.concat(chunks)).digest("hex"), createHash("sha256").update(data).digest("hex"));
  });

  it("GET: an HTTP error gives MediaHttpError with the errcode", async () => {
    const s = await serve((_req, res) => res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ errcode: "M_NOT_FOUND", error: "Media not found" })));
    server = s.server;
    await assert.rejects(nodeMediaTransport({ baseUrl: s.url, accessToken: "t" }).get("mxc://a.test/abc"),
      (e: unknown) => e instanceof MediaHttpError && e.status === 404 && e.errcode === "M_NOT_FOUND");
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

  it("a silent connection fails after idleMs instead of waiting forever: a GET mid-body, a PUT waiting for its answer", async () => {
    const s = await serve((req, res) => {
      if (req.method === "GET") {
        // headers and 1 MiB, then nothing, the socket left open
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(4 * MiB) });
        res.write(Buffer.alloc(MiB));
      } else req.resume(); // reads the whole body, never answers
    });
    server = s.server;
    const t = nodeMediaTransport({ baseUrl: s.url, accessToken: "t", idleMs: 300 });
    const received: number[] = [];
    const withHook = nodeMediaTransport({ baseUrl: s.url, accessToken: "t", idleMs: 300, onReceived: (n) => received.push(n) });
    await assert.rejects(async () => {
      for await (const c of await withHook.get("mxc://a.test/abc")) void c;
    }, (e: unknown) => e instanceof Error);
    assert.equal(received.reduce((a, b) => a + b, 0), MiB, "onReceived told of every byte received");
    const { body } = countedBody(2 * MiB);
    await assert.rejects(t.put("mxc://a.test/abc", body, 2 * MiB), (e: unknown) => e instanceof MediaHttpError && e.status === 0 && /no data/.test(e.message));
  });
});
