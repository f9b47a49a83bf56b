// The large-file scenario of issue 15, shared by the e2e test (300 MiB) and `npm run bench`
// (4 GiB): council A's agent uploads a pseudo-random file in encrypted parts, A's homeserver is
// killed mid-upload (SIGKILL) and restarted, a NEW uploader resumes from the persisted state
// (missing parts only), the m.file goes to a room shared with council B, and B's agent downloads
// through B's homeserver (federation) into a hashing sink. Peak RSS of the three processes recorded.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChildFederation } from "./child-councils.ts";
import { registerUser, waitFor } from "./homeserver.ts";
import { call, enc } from "./client-api.ts";
import { seededRange, seededSha256 } from "./seeded-source.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";
import { parseEncryptedFile } from "../../appservices/files/src/attachments/encrypted-file.ts";
import { ChunkedUpload, UploadStopped, type UploadProgress } from "../../appservices/files/src/chunked/uploader.ts";
import { downloadParts } from "../../appservices/files/src/chunked/downloader.ts";
import { fetchTransport } from "../../appservices/files/src/chunked/media-transport.ts";
import { fileStateStore } from "../../appservices/files/src/chunked/file-state-store.ts";
import { PARTS_CONTENT_KEY } from "../../appservices/files/src/chunked/manifest.ts";

export interface TransferReport {
  size: number;
  parts: number;
  /** Parts acknowledged before the kill, and parts PUT by the resumed uploader. */
  partsBeforeKill: number[];
  partsPutAfterRestart: number[];
  firstRunPhase: string;
  expectedSha256: string;
  downloadedSha256: string;
  uploadMBps: number;
  downloadMBps: number;
  peakRssMb: { client: number; homeserverA: number; homeserverB: number };
  baseRssMb: { client: number; homeserverA: number; homeserverB: number };
  lastProgress: UploadProgress | undefined;
}

export async function largeTransfer(o: { size: number; partSize: number; killAfterBytes: number; seed?: string }): Promise<TransferReport> {
  const seed = o.seed ?? "dossier";
  const expectedSha256 = await seededSha256(seed, o.size);
  const dir = mkdtempSync(join(tmpdir(), "entente-dossier-"));
  const fed = await startChildFederation(["dos-a.test", "dos-b.test"]);
  const a = fed.get("dos-a.test");
  const b = fed.get("dos-b.test");
  const rss = () => ({ client: process.memoryUsage().rss / 2 ** 20, homeserverA: a.rssMb(), homeserverB: b.rssMb() });
  const base = rss();
  const peak = { ...base };
  const sampler = setInterval(() => {
    const r = rss();
    peak.client = Math.max(peak.client, r.client);
    peak.homeserverA = Math.max(peak.homeserverA, r.homeserverA);
    peak.homeserverB = Math.max(peak.homeserverB, r.homeserverB);
  }, 100);
  try {
    const alice = await registerUser(a.url, "alice");
    const bob = await registerUser(b.url, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Dossier mobilité" });
    await call(b.url, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=dos-a.test`, {});

    const store = fileStateStore(join(dir, "upload-state.json"));
    const options = {
      source: (offset: number, length: number) => seededRange(seed, offset, length), name: "etude-mobilite.bin", mimetype: "application/octet-stream",
      size: o.size, partSize: o.partSize, transport: fetchTransport({ baseUrl: a.url, accessToken: alice.accessToken }), store, backend: nodeBackend,
      attempts: 3, retryDelayMs: 200,
    };
    const start = performance.now();
    const first = new ChunkedUpload(options);
    let killing: Promise<void> | undefined;
    first.addEventListener("progress", (e) => {
      if (killing === undefined && (e as CustomEvent<UploadProgress>).detail.sentBytes >= o.killAfterBytes) killing = a.kill();
    });
    let firstRunPhase = "completed";
    try {
      await first.start();
    } catch (e: unknown) {
      if (!(e instanceof UploadStopped)) throw e;
      firstRunPhase = first.phase;
    }
    await killing;
    const partsBeforeKill = ((await store.load())?.parts ?? []).filter((p) => p.sha256 !== undefined).map((p) => p.index);
    await a.start();
    const second = new ChunkedUpload(options);
    let lastProgress: UploadProgress | undefined;
    second.addEventListener("progress", (e) => (lastProgress = (e as CustomEvent<UploadProgress>).detail));
    const result = await second.start();
    const uploadMs = performance.now() - start;
    await call(a.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/big1`, result.content);

    // B finds the event through its own homeserver and downloads over federation.
    const content = await waitFor("the m.file at B", async () => {
      const r = await call<{ chunk: { type: string; content: Record<string, unknown> }[] }>(b.url, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=20`);
      return r.chunk.find((e) => e.type === "m.room.message" && e.content[PARTS_CONTENT_KEY] !== undefined)?.content;
    }, 60_000);
    const hash = createHash("sha256");
    const t = performance.now();
    await downloadParts({
      manifestFile: parseEncryptedFile(content["file"]), transport: fetchTransport({ baseUrl: b.url, accessToken: bob.accessToken }), backend: nodeBackend,
      sink: new WritableStream({ write: (c) => void hash.update(c) }),
    });
    const downloadMs = performance.now() - t;
    const mb = o.size / 2 ** 20;
    return {
      size: o.size, parts: result.manifest.parts.length, partsBeforeKill, partsPutAfterRestart: second.putParts, firstRunPhase,
      expectedSha256, downloadedSha256: hash.digest("hex"), uploadMBps: mb / (uploadMs / 1000), downloadMBps: mb / (downloadMs / 1000),
      peakRssMb: peak, baseRssMb: base, lastProgress,
    };
  } finally {
    clearInterval(sampler);
    await fed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

