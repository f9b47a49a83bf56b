// Request bodies read by the HTTP layer (readBody): a body sent in several chunks arrives whole, a
// chunked body over the limit stops the request without reaching the handler (its client reads the
// 413: the rest is drained, not reset), and a client gone
// mid-body leaves the server answering the next request.
import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { createHttpServer } from "./http-server.ts";
import { Router } from "./router.ts";
import { createLogger } from "../log.ts";

describe("HTTP request bodies", () => {
  let server: Server;
  let port: number;
  const seen: unknown[] = [];

  before(async () => {
    const router = new Router().add("PUT", "/echo", async (ctx) => {
      seen.push(ctx.body);
      return { json: { got: ctx.body } };
    });
    server = createHttpServer({ router, log: createLogger("error", {}, () => undefined), maxJsonBody: 1000 });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** PUT /echo with a chunked body written piece by piece; resolves with the status (or the socket error). */
  const chunked = (pieces: string[], opts: { abort?: boolean } = {}): Promise<{ status?: number; body?: string; error?: string }> =>
    new Promise((resolve) => {
      const req = request({ port, host: "127.0.0.1", method: "PUT", path: "/echo", headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", (e) => resolve({ error: e.message }));
      const write = (i: number): void => {
        if (i === pieces.length) {
          if (opts.abort) {
            req.destroy();
            resolve({ error: "aborted by the test" });
          } else req.end();
          return;
        }
        req.write(pieces[i], () => setImmediate(() => write(i + 1)));
      };
      write(0);
    });

  it("a body in several chunks arrives whole", async () => {
    const r = await chunked(['{"a":', '"bé', 'b", "n": [1, 2', ", 3]}"]);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body ?? ""), { got: { a: "béb", n: [1, 2, 3] } });
  });

  it("a chunked body over the limit never reaches the handler, and its client reads the 413", async () => {
    const before = seen.length;
    const r = await chunked(['{"a": "', "x".repeat(600), "x".repeat(600), "x".repeat(600), '"}']);
    assert.equal(r.status, 413, JSON.stringify(r));
    assert.equal((JSON.parse(r.body ?? "{}") as { errcode?: string }).errcode, "M_TOO_LARGE");
    assert.equal(seen.length, before);
  });

  it("a client gone mid-body is not served, and the next request is", async () => {
    const before = seen.length;
    await chunked(['{"a": ', '"incomplete'], { abort: true });
    const r = await chunked(['{"b": 1}']);
    assert.equal(r.status, 200);
    assert.deepEqual(seen.slice(before), [{ b: 1 }]);
  });
  it("a request target the URL parser refuses (\"//\") is answered 400 and the server goes on", async () => {
    const raw = (target: string): Promise<string> => new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let got = "";
      s.setEncoding("utf8");
      s.on("data", (d: string) => (got += d));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    for (const target of ["//", "/\\\\"]) {
      const answer = await raw(target);
      assert.match(answer, /^HTTP\/1\.1 400 /, target);
      assert.equal(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).errcode, "M_UNRECOGNIZED");
    }
    const r = await chunked(['{"still": "here"}']);
    assert.equal(r.status, 200);
  });
});
