// The agent's side of the 4 GiB dossier scenario (issue 15), in its own process so its peak RSS is
// its own: the parent (tests/harness/dossier-4gib.ts) sends commands over the IPC channel and this
// process writes a seeded file to disk, uploads it in encrypted parts (pausing when the homeserver
// goes away, resuming from the state file), and downloads a file in parts to disk. Every byte is
// streamed: no command holds more than a chunk of the file.
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { seededRange } from "./seeded-source.ts";
import { noteTransferred } from "../../homeserver/src/server/media/transfer-gc.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";
import { parseEncryptedFile } from "../../appservices/files/src/attachments/encrypted-file.ts";
import { ChunkedUpload, UploadStopped, type UploadProgress } from "../../appservices/files/src/chunked/uploader.ts";
import { downloadParts } from "../../appservices/files/src/chunked/downloader.ts";
import type { MediaTransport } from "../../appservices/files/src/chunked/media-transport.ts";
import { nodeMediaTransport } from "../../appservices/files/src/chunked/node-media-transport.ts";
import { fileStateStore } from "../../appservices/files/src/chunked/file-state-store.ts";

const CHUNK = 1 << 20;

export type ClientCommand =
  | { op: "generate"; path: string; seed: string; size: number }
  | { op: "upload"; path: string; statePath: string; size: number; partSize: number; baseUrl: string; accessToken: string; progressEvery: number }
  | { op: "download"; path: string; content: Record<string, unknown>; baseUrl: string; accessToken: string }
  | { op: "exit" };

export type ClientReply =
  | { op: "generated"; sha256: string; ms: number }
  | { op: "progress"; sentBytes: number }
  | { op: "uploaded"; content: Record<string, unknown>; putParts: number[]; ms: number }
  | { op: "paused"; putParts: number[]; acknowledged: number[]; ms: number; reason: string }
  /** waitMs: time to the parts' response headers (B fetching each part from A before answering). */
  | { op: "downloaded"; sha256: string; bytes: number; ms: number; waitMs: number }
  | { op: "failed"; error: string };

const send = (m: ClientReply): void => void process.send?.(m);

/** Writes `size` seeded bytes to `path`, hashing them on the way. */
async function generate(c: Extract<ClientCommand, { op: "generate" }>): Promise<ClientReply> {
  const t = performance.now();
  const fh = await open(c.path, "w", 0o600);
  const hash = createHash("sha256");
  try {
    await seededRange(c.seed, 0, c.size).pipeTo(fileSink(fh, (chunk) => hash.update(chunk)));
  } finally {
    await fh.close();
  }
  return { op: "generated", sha256: hash.digest("hex"), ms: performance.now() - t };
}

/** A part of the file on disk, read in 1 MiB chunks as the consumer pulls. */
function fileRange(fh: FileHandle, offset: number, length: number): ReadableStream<Uint8Array> {
  let pos = offset;
  const end = offset + length;
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (pos >= end) return ctl.close();
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return ctl.error(new Error(`file ends at ${pos}, expected ${end}`));
      pos += bytesRead;
      noteTransferred(bytesRead);
      ctl.enqueue(new Uint8Array(buf.buffer, buf.byteOffset, bytesRead));
    },
  }, { highWaterMark: 1 });
}

function fileSink(fh: FileHandle, onChunk?: (c: Uint8Array) => void): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      onChunk?.(chunk);
      noteTransferred(chunk.length);
      for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    },
  });
}

/** Starts or resumes the upload from the state file; a homeserver gone away pauses it. */
async function upload(c: Extract<ClientCommand, { op: "upload" }>): Promise<ClientReply> {
  const t = performance.now();
  const fh = await open(c.path, "r");
  const store = fileStateStore(c.statePath);
  const up = new ChunkedUpload({
    // fileRange's chunks are fresh buffers read by nothing else: freed once encrypted (their memory reused)
    source: (offset, length) => fileRange(fh, offset, length), freeSourceChunks: true, name: "etude-mobilite-4gio.bin", mimetype: "application/octet-stream",
    size: c.size, partSize: c.partSize, transport: nodeMediaTransport({ baseUrl: c.baseUrl, accessToken: c.accessToken, onReceived: noteTransferred }), store, backend: nodeBackend,
    attempts: 3, retryDelayMs: 200,
  });
  let next = 0;
  up.addEventListener("progress", (e) => {
    const sent = (e as CustomEvent<UploadProgress>).detail.sentBytes;
    if (sent >= next) {
      next = sent + c.progressEvery;
      send({ op: "progress", sentBytes: sent });
    }
  });
  try {
    const result = await up.start();
    return { op: "uploaded", content: result.content, putParts: up.putParts, ms: performance.now() - t };
  } catch (e: unknown) {
    if (!(e instanceof UploadStopped)) throw e;
    const acknowledged = ((await store.load())?.parts ?? []).filter((p) => p.sha256 !== undefined).map((p) => p.index);
    return { op: "paused", putParts: up.putParts, acknowledged, ms: performance.now() - t, reason: String(e.cause ?? e) };
  } finally {
    await fh.close();
  }
}

/** Downloads the file the m.file content points to, to disk, hashing what is written. */
async function download(c: Extract<ClientCommand, { op: "download" }>): Promise<ClientReply> {
  const t = performance.now();
  const fh = await open(c.path, "w", 0o600);
  const hash = createHash("sha256");
  let bytes = 0;
  let waitMs = 0;
  const inner = nodeMediaTransport({ baseUrl: c.baseUrl, accessToken: c.accessToken, onReceived: noteTransferred });
  const transport: MediaTransport = {
    ...inner,
    async get(mxc, signal) {
      const t0 = performance.now();
      const body = await inner.get(mxc, signal);
      waitMs += performance.now() - t0;
      return body;
    },
  };
  try {
    await downloadParts({
      manifestFile: parseEncryptedFile(c.content["file"]), transport, backend: nodeBackend,
      // fileSink is done with a chunk once its write resolved (hashed, then written and awaited)
      sink: fileSink(fh, (chunk) => (hash.update(chunk), (bytes += chunk.length))), freeWrittenChunks: true,
    });
  } finally {
    await fh.close();
  }
  return { op: "downloaded", sha256: hash.digest("hex"), bytes, ms: performance.now() - t, waitMs };
}

async function run(c: ClientCommand): Promise<ClientReply | undefined> {
  switch (c.op) {
    case "generate": return generate(c);
    case "upload": return upload(c);
    case "download": return download(c);
    case "exit": process.disconnect?.(); return undefined;
  }
}

if (import.meta.main) {
  process.on("message", (m: ClientCommand) => {
    run(m).then((r) => r && send(r), (e: unknown) => send({ op: "failed", error: e instanceof Error ? e.stack ?? e.message : String(e) }));
  });
  process.send?.({ op: "ready" });
}
