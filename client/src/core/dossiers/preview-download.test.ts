// The preview's download bounded whatever the message says, on the real path: downloadDossierFile
// (fetch, AES-CTR decryption, SHA-256) against a local HTTP media server serving real encrypted
// files. A file whose `info.size` lies (says 1,000 bytes, is 32 MiB) is stopped past the cap and
// its request cut; so is one the view no longer wants, and one that stalls.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { encryptingStream } from "../../../../appservices/files/src/attachments/attachment-stream.ts";
import { nodeBackend } from "../../../../appservices/files/src/attachments/node-backend.ts";
import type { FileVersion } from "./dossier-model.ts";
import { downloadDossierFile, type MediaAccess } from "./dossier-transfer.ts";
import { PreviewDownloadTimeout, previewDownload, PreviewTooLarge } from "./preview-download.ts";

const MiB = 1024 * 1024;

async function encrypt(plain: Uint8Array<ArrayBuffer>): Promise<{ cipher: Buffer; info: Record<string, unknown> }> {
  const enc = encryptingStream(nodeBackend);
  const cipher = Buffer.from(await new Response(new Blob([plain]).stream().pipeThrough(enc.stream)).arrayBuffer());
  return { cipher, info: { ...(await enc.info) } };
}

/** What the server did with one request: bytes accepted by the socket, and whether the body was all sent. */
interface Served { sent: number; total: number; finished: boolean; closed: Promise<void> }

describe("client dossiers: a preview's download is bounded (real fetch and decryption, local media server)", () => {
  let server: Server;
  let media: MediaAccess;
  const files = new Map<string, { cipher: Buffer; stall?: boolean }>();
  const served = new Map<string, Served>();

  /** Sends the body in 64 KiB writes, waiting for the socket to drain (a stalled file stops after the first). */
  async function send(res: ServerResponse, id: string, cipher: Buffer, stall: boolean): Promise<void> {
    const s: Served = { sent: 0, total: cipher.length, finished: false, closed: once(res, "close").then(() => undefined) };
    served.set(id, s);
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(cipher.length) });
    for (let o = 0; o < cipher.length && !res.destroyed; o += 64 * 1024) {
      const chunk = cipher.subarray(o, o + 64 * 1024);
      s.sent += chunk.length;
      if (!res.write(chunk)) await Promise.race([once(res, "drain"), s.closed]);
      if (stall) return void (await s.closed);
    }
    if (!res.destroyed) res.end(() => { s.finished = true; });
  }

  before(async () => {
    server = createServer((req, res) => {
      const id = /\/_matrix\/client\/v1\/media\/download\/test\/([A-Za-z0-9_-]+)/.exec(req.url ?? "")?.[1] ?? "";
      const f = files.get(id);
      if (f === undefined) return void res.writeHead(404).end();
      void send(res, id, f.cipher, f.stall === true);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    media = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessToken: "t" };
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function version(id: string, plain: Uint8Array<ArrayBuffer>, declaredSize: number, stall = false): Promise<FileVersion> {
    const { cipher, info } = await encrypt(plain);
    files.set(id, { cipher, stall });
    return {
      eventId: `$${id}`, name: `${id}.pdf`, msgtype: "m.file", mimetype: "application/pdf", size: declaredSize, sender: "@alice:a.test", ts: 0,
      file: { ...info, url: `mxc://test/${id}` }, url: undefined, parts: false, thumbnail: undefined,
    };
  }
  const download = (v: FileVersion, onProgress?: (r: number, t: number | undefined) => void, signal?: AbortSignal): Promise<Blob> => downloadDossierFile(media, v, onProgress, signal);

  it("gives a small file whose size is true, decrypted and checked", async () => {
    const plain = new Uint8Array(300_000).map((_, i) => i % 251);
    const v = await version("honest", plain, plain.length);
    const blob = await previewDownload(download, v, { maxBytes: MiB, timeoutMs: 60_000 });
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), plain);
    assert.equal(served.get("honest")?.finished, true);
  });

  it("stops a file whose info.size lies once past the cap, and cuts its request", async () => {
    const v = await version("liar", new Uint8Array(32 * MiB).fill(7), 1_000);
    await assert.rejects(previewDownload(download, v, { maxBytes: MiB, timeoutMs: 60_000 }), PreviewTooLarge);
    const s = served.get("liar");
    assert.ok(s !== undefined);
    await s.closed;
    assert.equal(s.finished, false, "the server never sent the whole body");
    assert.ok(s.sent < s.total, `${s.sent} of ${s.total} bytes left the server`);
  });

  it("stops when the view no longer wants it (its signal), with the signal's reason", async () => {
    const v = await version("gone", new Uint8Array(32 * MiB).fill(9), 32 * MiB);
    const view = new AbortController();
    const reason = new Error("view closed");
    const watched = (w: FileVersion, p?: (r: number, t: number | undefined) => void, signal?: AbortSignal): Promise<Blob> =>
      download(w, (r, t) => { p?.(r, t); if (r > 0) view.abort(reason); }, signal);
    await assert.rejects(previewDownload(watched, v, { maxBytes: 64 * MiB, timeoutMs: 60_000, signal: view.signal }), (e) => e === reason);
    const s = served.get("gone");
    assert.ok(s !== undefined);
    await s.closed;
    assert.equal(s.finished, false, "the request was cut");
  });

  it("stops a download that stalls at its timeout", async () => {
    const v = await version("stall", new Uint8Array(MiB).fill(3), MiB, true);
    await assert.rejects(previewDownload(download, v, { maxBytes: 2 * MiB, timeoutMs: 300 }), PreviewDownloadTimeout);
    const s = served.get("stall");
    assert.ok(s !== undefined);
    await s.closed;
    assert.equal(s.finished, false);
  });

  it("does not start for a view already gone", async () => {
    const gone = new AbortController();
    gone.abort(new Error("gone"));
    let asked = false;
    await assert.rejects(previewDownload(() => { asked = true; return Promise.resolve(new Blob()); }, await version("never", new Uint8Array(10), 10), { maxBytes: MiB, timeoutMs: 1_000, signal: gone.signal }), /gone/);
    assert.equal(asked, false);
  });
});
