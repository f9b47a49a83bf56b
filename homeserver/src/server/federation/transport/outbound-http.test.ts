import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { OutboundTransport, readLimited, type OutboundTarget } from "./outbound-http.ts";

describe("OutboundTransport", () => {
  let server: Server;
  let target: OutboundTarget;
  /** Requests seen per connection; the second one on a connection is refused by closing it. */
  const served = new Map<Socket, number>();
  let closedReused = 0;

  before(async () => {
    server = createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      req.resume();
      req.on("end", () => {
        if (n > 1) {
          // the connection's idle keep-alive ran out just as the request came: closed unanswered
          closedReused++;
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    target = { scheme: "http", connectHost: "127.0.0.1", port, hostHeader: `127.0.0.1:${port}`, tlsServerName: undefined, allowPrivate: true };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const put = async (t: OutboundTransport): Promise<string> => {
    const res: IncomingMessage = await t.send(target, { method: "PUT", path: "/x", headers: {}, body: Buffer.from("{}"), signal: new AbortController().signal });
    return (await readLimited(res, 1024)).toString();
  };

  it("sends again on a fresh connection when a kept-alive one was closed under the request", async () => {
    const t = new OutboundTransport({ ca: [], rejectUnauthorized: true });
    try {
      assert.equal(await put(t), '{"ok":true}');
      await new Promise((r) => setImmediate(r)); // the answered connection goes back to the pool
      assert.equal(await put(t), '{"ok":true}');
      assert.equal(closedReused, 1, "the second request was written on the kept-alive connection and refused there");
      assert.equal(served.size, 2, "then sent on a new connection");
    } finally {
      t.close();
    }
  });
});
