// The web client's dossier transfers (client/src/core/dossiers/dossier-transfer.ts) in Node against
// a real homeserver: a small file encrypted as it streams and uploaded whole, a large one in parts
// with a manifest; both decrypted back byte-identical; what the server stores is ciphertext; a
// damaged ciphertext hash or a part swapped in the manifest's place makes the download fail with
// nothing handed out; an image preview whose signal is aborted closes its connection (through a TCP
// gate holding the answer mid-file). The download service worker's half (worker-download.ts) runs here too.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { startTcpGate } from "../harness/tcp-gate.ts";
import { downloadDossierFile, previewBlob, uploadDossierFile, type MediaAccess } from "../../client/src/core/dossiers/dossier-transfer.ts";
import { PreviewTooLarge } from "../../client/src/core/dossiers/preview-download.ts";
import { fileVersionOf } from "../../client/src/core/dossiers/dossier-model.ts";
import type { TransferProgress } from "../../client/src/core/dossiers/dossiers-port.ts";
import { runWorkerJob, type WorkerReport } from "../../client/src/core/dossiers/worker-download.ts";

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const asEvent = (content: Record<string, unknown>) => fileVersionOf({ event_id: "$x", sender: "@a:x", origin_server_ts: 1, content });

describe("client dossier transfers (Node, one homeserver)", function () {
  this.timeout(60_000);
  let hs: TestHomeserver;
  let media: MediaAccess;

  before(async () => {
    hs = await startTestHomeserver();
    const u = await registerUser(hs.url, "agent");
    media = { baseUrl: hs.url, accessToken: u.accessToken };
  });
  after(async () => hs?.stop());

  it("uploads a small file whole and a large one in parts, and gets both back byte-identical", async () => {
    const small = randomBytes(300_000);
    const progress: TransferProgress[] = [];
    const a = await uploadDossierFile(media, new File([small], "note.pdf", { type: "application/pdf" }), 1024 * 1024, new AbortController().signal, (p) => progress.push(p));
    assert.equal(a.content["msgtype"], "m.file");
    assert.deepEqual(a.content["info"], { mimetype: "application/pdf", size: small.length });
    assert.ok(progress.some((p) => p.phase === "encrypting") && progress.some((p) => p.phase === "uploading"), "both phases reported");
    const va = asEvent(a.content);
    assert.ok(va);
    assert.equal(sha(new Uint8Array(await (await downloadDossierFile(media, va)).arrayBuffer())), sha(small));

    // What the server holds is not the file.
    const mxc = String((a.content["file"] as { url: string }).url).slice("mxc://".length);
    const raw = new Uint8Array(await (await fetch(`${hs.url}/_matrix/client/v1/media/download/${mxc}`, { headers: { Authorization: `Bearer ${media.accessToken}` } })).arrayBuffer());
    assert.equal(raw.length, small.length);
    assert.notEqual(sha(raw), sha(small));

    const large = randomBytes(2 * 65536 + 4321);
    const b = await uploadDossierFile(media, new File([large], "etude.mp4", { type: "video/mp4" }), 65536, new AbortController().signal, () => undefined);
    assert.deepEqual(b.content["fr.entente.parts"], { version: 1, size: large.length, mimetype: "video/mp4", parts: 3 });
    const vb = asEvent(b.content);
    assert.equal(vb?.parts, true);
    assert.equal(vb?.size, large.length);
    const received: number[] = [];
    assert.equal(sha(new Uint8Array(await (await downloadDossierFile(media, vb!, (r) => received.push(r))).arrayBuffer())), sha(large));
    assert.equal(received[received.length - 1], large.length, "download progress reaches the size");
  });

  it("bounds an image preview by the bytes that come, not by the size its message states", async () => {
    const data = randomBytes(300_000);
    const up = await uploadDossierFile(media, new File([data], "photo.jpg", { type: "image/jpeg" }), 1024 * 1024, new AbortController().signal, () => undefined);
    const v = asEvent(up.content)!;
    const image = { ...v, msgtype: "m.image" };
    // honest size under the cap: the image itself
    assert.equal(sha(new Uint8Array(await (await previewBlob(media, image, 400_000))!.arrayBuffer())), sha(data));
    // the message says 1 000 bytes, 300 000 come: stopped past the cap
    await assert.rejects(previewBlob(media, { ...image, size: 1000 }, 100_000), PreviewTooLarge);
    // a thumbnail larger than the cap (its size is the sender's word too)
    await assert.rejects(previewBlob(media, { ...image, thumbnail: image.file }, 100_000), PreviewTooLarge);
    assert.equal((await previewBlob(media, { ...image, thumbnail: image.file }, 400_000))?.size, data.length);
  });

  it("stops an image preview's request when its signal is aborted (the view went): the server's connection is closed", async () => {
    const data = randomBytes(3_000_000);
    const up = await uploadDossierFile(media, new File([data], "plan.jpg", { type: "image/jpeg" }), 8 * 1024 * 1024, new AbortController().signal, () => undefined);
    const image = { ...asEvent(up.content)!, msgtype: "m.image" };
    const gate = await startTcpGate();
    try {
      gate.upstreamPort = Number(new URL(hs.url).port);
      const held = gate.holdAfter(500_000);
      const stop = new AbortController();
      const preview = previewBlob({ ...media, baseUrl: `http://127.0.0.1:${gate.port}` }, image, 8 * 1024 * 1024, stop.signal);
      preview.catch(() => undefined);
      await held;
      assert.equal(gate.connections, 1, "the preview's request is under way, its answer held mid-file");
      stop.abort(new DOMException("the dossier view was closed", "AbortError"));
      await assert.rejects(preview, { name: "AbortError" });
      await gate.allClosed();
      assert.ok(gate.relayed < data.length, `the image had not all come (${gate.relayed} of ${data.length} bytes)`);
    } finally {
      gate.release();
      await gate.close();
    }
  });

  it("refuses a file whose ciphertext hash does not match, and a part given in the manifest's place", async () => {
    const data = randomBytes(50_000);
    const a = await uploadDossierFile(media, new File([data], "x.bin"), 1024 * 1024, new AbortController().signal, () => undefined);
    const file = a.content["file"] as { hashes: { sha256: string } };
    const damaged = { ...a.content, file: { ...file, hashes: { sha256: "A".repeat(43) } } };
    await assert.rejects(downloadDossierFile(media, asEvent(damaged)!), /SHA-256/);

    const b = await uploadDossierFile(media, new File([randomBytes(70_000)], "y.bin"), 65536, new AbortController().signal, () => undefined);
    // The m.file claims parts but points at an ordinary file: the manifest does not parse.
    await assert.rejects(downloadDossierFile(media, asEvent({ ...b.content, file: a.content["file"] })!), /manifest/);
  });

  it("the service worker's job (worker-download.ts): a file in parts into the response body, progress then done; a damaged part aborts the body and reports the part", async () => {
    const data = randomBytes(3 * 65536 + 777);
    const up = await uploadDossierFile(media, new File([data], "w.bin"), 65536, new AbortController().signal, () => undefined);
    const run = async (file: unknown): Promise<{ bytes: Uint8Array; aborted: boolean; reports: WorkerReport[] }> => {
      const chunks: Uint8Array[] = [];
      let aborted = false;
      const reports: WorkerReport[] = [];
      const sink = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c.slice()), abort: () => void (aborted = true) });
      await runWorkerJob({ baseUrl: media.baseUrl, accessToken: media.accessToken, file, parts: true, attempts: 1, retryDelayMs: 1 }, sink, (r) => reports.push(r), new AbortController().signal);
      return { bytes: new Uint8Array(Buffer.concat(chunks)), aborted, reports };
    };
    const ok = await run(up.content["file"]);
    assert.equal(sha(ok.bytes), sha(data));
    assert.deepEqual(ok.reports.slice(-2), [{ type: "progress", received: data.length }, { type: "done" }]);
    assert.equal(ok.aborted, false);

    // The same manifest with part 2's hash changed (a new manifest uploaded as the client would).
    const manifestFile = up.content["file"] as { url: string };
    const raw = new Uint8Array(await (await fetch(`${hs.url}/_matrix/client/v1/media/download/${manifestFile.url.slice("mxc://".length)}`, { headers: { Authorization: `Bearer ${media.accessToken}` } })).arrayBuffer());
    const { decryptingStream, loadWebBackend, parseEncryptedFile, encryptingStream, fetchTransport } = await import("../../client/src/core/dossiers/protocol.ts");
    const backend = await loadWebBackend();
    const plain = await new Response(new Blob([raw]).stream().pipeThrough(decryptingStream(backend, parseEncryptedFile(up.content["file"])))).text();
    const manifest = JSON.parse(plain) as { parts: { file: { hashes: { sha256: string } } }[] };
    manifest.parts[1]!.file.hashes.sha256 = "A".repeat(43);
    const enc = encryptingStream(backend);
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    const t = fetchTransport(media);
    const mxc = await t.create();
    await t.put(mxc, new Blob([bytes]).stream().pipeThrough(enc.stream), bytes.length);
    const bad = await run({ ...(await enc.info), url: mxc });
    assert.equal(bad.aborted, true, "the response body is aborted: the browser's download fails");
    const failed = bad.reports.at(-1);
    assert.equal(failed?.type, "failed");
    assert.deepEqual(failed?.type === "failed" ? failed.integrity : undefined, { reason: "hash_mismatch", part: 1 });
    assert.equal(bad.bytes.length, 65536, "only part 1 (verified) was written");
  });

  it("cancels an upload before it starts, during a file in parts, during encryption", async () => {
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(uploadDossierFile(media, new File([randomBytes(200_000)], "z.bin"), 65536, abort.signal, () => undefined), { name: "TransferCancelled" });
    // Mid-way: a file in parts once bytes flow, a small file while it is being encrypted.
    const parts = new AbortController();
    await assert.rejects(uploadDossierFile(media, new File([randomBytes(4 * 65536)], "w.bin"), 65536, parts.signal, (p) => { if (p.sentBytes > 0) parts.abort(); }), { name: "TransferCancelled" });
    const whole = new AbortController();
    await assert.rejects(uploadDossierFile(media, new File([randomBytes(200_000)], "v.bin"), 1024 * 1024, whole.signal, (p) => { if (p.phase === "encrypting") whole.abort(); }), { name: "TransferCancelled" });
  });
});
