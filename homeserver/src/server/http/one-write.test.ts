// A JSON answer (parsed JSON, text assembled as bytes, a Matrix error) leaves in one socket write:
// headers and body together, with Content-Length, not chunked. Counted on the server socket's
// libuv handle (each call is one write/writev system call), on a real listening server.
import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHttpServer } from "./http-server.ts";
import { jsonTextResult } from "./json-text.ts";
import { Router } from "./router.ts";
import { createLogger } from "../log.ts";
import { MatrixError } from "../../spec/matrix-error.ts";

const WRITES = ["writev", "writeBuffer", "writeUtf8String", "writeLatin1String", "writeAsciiString", "writeUcs2String"];

describe("HTTP answers in one socket write", () => {
  let server: Server;
  let port: number;
  let writes = 0;

  before(async () => {
    const router = new Router()
      .add("GET", "/json", async () => ({ json: { events: Array.from({ length: 50 }, (_, i) => ({ i, body: "é".repeat(20) })) } }))
      .add("GET", "/text", async () => jsonTextResult({ chunk: ['{"a":1}', '{"b":2}'], end: '"t1"' }))
      .add("GET", "/error", async () => {
        throw new MatrixError("M_FORBIDDEN", 403, "non");
      });
    server = createHttpServer({ router, log: createLogger("error", {}, () => undefined), maxJsonBody: 1000 });
    server.on("connection", (socket: Socket) => {
      const handle = (socket as unknown as { _handle: Record<string, unknown> })._handle;
      for (const name of WRITES) {
        const original = handle[name];
        if (typeof original !== "function") continue;
        handle[name] = function (this: unknown, ...args: unknown[]): unknown {
          writes++;
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        };
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const get = (path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const req = request({ port, host: "127.0.0.1", path, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    });

  for (const [path, status] of [["/json", 200], ["/text", 200], ["/error", 403]] as const) {
    it(`GET ${path}: one write, Content-Length, not chunked`, async () => {
      const before = writes;
      const r = await get(path);
      assert.equal(r.status, status);
      assert.equal(r.headers["transfer-encoding"], undefined);
      assert.equal(Number(r.headers["content-length"]), Buffer.byteLength(r.body));
      JSON.parse(r.body);
      assert.equal(writes - before, 1);
    });
  }
});
