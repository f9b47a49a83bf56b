// Connection caps and timeouts of the listeners (issue 9, finding 8: 21,000 half-open connections
// exhausted the file descriptors). Raw TCP sockets against real servers: the connection over a
// cap is closed at once, a normal request succeeds once the others are gone, and a connection
// that never sends a request is closed by the headers timeout (TLS: the handshake timeout).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";
import type { ConnectionsConfig, HomeserverConfig } from "../../homeserver/src/config/config-types.ts";
import { testConfig } from "../harness/test-config.ts";
import { waitFor } from "../harness/homeserver.ts";
import { createTestCa, type TestCa } from "../harness/federation-ca.ts";

interface Started {
  hs: RunningHomeserver;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

async function start(connections: Partial<ConnectionsConfig>, tweak: (c: HomeserverConfig) => void = () => undefined): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "entente-conn-"));
  const config = testConfig(dir, { connections });
  tweak(config);
  const logs: Record<string, unknown>[] = [];
  const log = createLogger("warn", {}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const hs = await startHomeserver(config, { log });
  return {
    hs, logs,
    async stop() {
      await hs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Probe {
  socket: Socket;
  /** Resolves once the socket is closed, with what the server sent before closing. */
  closed: Promise<{ received: string; afterMs: number }>;
  connected: Promise<void>;
}

/** A raw TCP connection that sends nothing (a half-open client, as in the incident). */
function openRaw(port: number, localAddress = "127.0.0.1"): Probe {
  const started = performance.now();
  const socket = connect({ port, host: "127.0.0.1", localAddress });
  let received = "";
  socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
  socket.on("error", () => undefined); // a reset from the server is one of the expected outcomes
  const closed = new Promise<{ received: string; afterMs: number }>((resolve) => {
    socket.once("close", () => resolve({ received, afterMs: performance.now() - started }));
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => reject(new Error("closed before connecting")));
  });
  connected.catch(() => undefined);
  return { socket, closed, connected };
}

const stillOpen = (p: Probe): Promise<boolean> =>
  Promise.race([p.closed.then(() => false), new Promise<boolean>((r) => setImmediate(() => r(true)))]);

async function versions(url: string): Promise<number> {
  const res = await fetch(`${url}/_matrix/client/versions`, { headers: { Connection: "close" } });
  await res.arrayBuffer();
  return res.status;
}

/** `n` connections, connected (the server accepts them in order, so a later one is counted after them). */
async function openAndAccepted(port: number, n: number, localAddress?: string): Promise<Probe[]> {
  const probes = Array.from({ length: n }, () => openRaw(port, localAddress));
  await Promise.all(probes.map((p) => p.connected));
  return probes;
}

describe("connection caps and timeouts of the listeners", function () {
  this.timeout(60_000);

  describe("per-address cap on the client listener", () => {
    let s: Started;
    before(async () => {
      s = await start({ maxPerListener: 50, maxPerAddress: 3 });
    });
    after(async () => s.stop());

    it("closes the connection over the cap at once, logs it once, and serves again after the others close", async () => {
      const held = await openAndAccepted(s.hs.port, 3);
      const extra = openRaw(s.hs.port);
      const { received } = await extra.closed;
      assert.equal(received, "", "the refused connection gets no bytes, only a close");
      for (const p of held) assert.equal(await stillOpen(p), true, "the connections under the cap stay open");
      const line = await waitFor("the refusal log line", () => s.logs.find((l) => l["msg"] === "connection refused: too many open connections"));
      assert.equal(line["listener"], "client");
      assert.equal(line["reason"], "address_full");
      assert.equal(line["limit"], 3);
      assert.equal(line["refused"], 1);

      // a second refusal within the log interval adds no line
      await openRaw(s.hs.port).closed;
      assert.equal(s.logs.filter((l) => l["msg"] === "connection refused: too many open connections").length, 1);

      for (const p of held) p.socket.destroy();
      await Promise.all(held.map((p) => p.closed));
      // the server releases a slot when it sees the close: retry until it has
      const status = await waitFor("a request after the others closed", async () => versions(s.hs.url).catch(() => undefined));
      assert.equal(status, 200);
    });

    it("counts each address on its own", async () => {
      const fromOne = await openAndAccepted(s.hs.port, 3, "127.0.0.1");
      const fromTwo = openRaw(s.hs.port, "127.0.0.2");
      await fromTwo.connected;
      assert.equal(await stillOpen(fromTwo), true);
      const refused = openRaw(s.hs.port, "127.0.0.1");
      await refused.closed;
      assert.equal(await stillOpen(fromTwo), true, "another address is not refused");
      for (const p of [...fromOne, fromTwo]) p.socket.destroy();
      await Promise.all([...fromOne, fromTwo].map((p) => p.closed));
    });
  });

  describe("per-listener cap", () => {
    let s: Started;
    before(async () => {
      s = await start({ maxPerListener: 4, maxPerAddress: 3 });
    });
    after(async () => s.stop());

    it("refuses a fifth connection from a fresh address when four are open", async () => {
      const held = [...await openAndAccepted(s.hs.port, 3, "127.0.0.1"), ...await openAndAccepted(s.hs.port, 1, "127.0.0.2")];
      const refused = openRaw(s.hs.port, "127.0.0.3");
      assert.equal((await refused.closed).received, "");
      const line = await waitFor("the refusal log line", () => s.logs.find((l) => l["reason"] === "listener_full"));
      assert.equal(line["limit"], 4);
      assert.equal(line["open"], 4);
      for (const p of held) p.socket.destroy();
      await Promise.all(held.map((p) => p.closed));
      assert.equal(await waitFor("a request after the others closed", async () => versions(s.hs.url).catch(() => undefined)), 200);
    });
  });

  describe("headers timeout", () => {
    let s: Started;
    before(async () => {
      s = await start({ headersTimeoutMs: 300, requestTimeoutMs: 1_000 });
    });
    after(async () => s.stop());

    it("closes a connection that sends no request bytes", async () => {
      const probe = openRaw(s.hs.port);
      await probe.connected;
      const { received, afterMs } = await probe.closed;
      assert.ok(received === "" || received.startsWith("HTTP/1.1 408"), `unexpected answer ${JSON.stringify(received)}`);
      // generous: the default (20 s) would fail it
      assert.ok(afterMs < 10_000, `closed after ${Math.round(afterMs)} ms`);
    });

    it("closes a connection whose headers never end", async () => {
      const probe = openRaw(s.hs.port);
      await probe.connected;
      probe.socket.write("GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n");
      const { afterMs } = await probe.closed;
      assert.ok(afterMs < 10_000, `closed after ${Math.round(afterMs)} ms`);
    });

    it("still serves a normal request", async () => {
      assert.equal(await versions(s.hs.url), 200);
    });
  });

  describe("federation listener (TLS)", () => {
    let s: Started;
    let ca: TestCa;
    before(async () => {
      ca = createTestCa();
      s = await start({ maxPerListener: 50, maxPerAddress: 2, headersTimeoutMs: 300, requestTimeoutMs: 1_000 }, (c) => {
        c.federation = { ...c.federation, enabled: true, tls: { certPath: ca.certPath, keyPath: ca.keyPath } };
      });
    });
    after(async () => {
      await s.stop();
      ca.cleanup();
    });

    it("caps connections per address and closes a client that never starts the TLS handshake", async () => {
      const port = s.hs.federationPort;
      assert.ok(port !== undefined);
      const held = await openAndAccepted(port, 2);
      const refused = openRaw(port);
      const r = await refused.closed;
      assert.equal(r.received, "");
      const line = await waitFor("the refusal log line", () => s.logs.find((l) => l["listener"] === "federation"));
      assert.equal(line["reason"], "address_full");
      // the held ones send nothing: the handshake timeout closes them
      for (const p of held) {
        const { afterMs } = await p.closed;
        assert.ok(afterMs < 10_000, `closed after ${Math.round(afterMs)} ms`);
      }
    });
  });
});
