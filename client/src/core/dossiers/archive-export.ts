// Export of a room for the public archives, from the agent's client (no SDK here; archive-sdk.ts
// reads the room). Only the client can read an end-to-end encrypted room, and only the council's
// server holds the council's archive key, so the work is split (docs/dossiers.md):
// 1. the client builds the archive's tar from what it decrypted: room.json (state), messages.jsonl
//    (the timeline, decrypted), every file of every file message (decrypted, hash-checked), and a
//    draft manifest;
// 2. the tar goes to the council's archive endpoint (share service), which checks the agent may
//    export the room, hashes every item, writes the manifest and signs the final tar;
// 3. the client encrypts the final tar to the archivist's key with that signature inside
//    (one OpenPGP message gpg reads) and saves `<dossier>-<date>.tar.gpg`.
// The tar is a Blob (read twice: sent, then encrypted; Chromium keeps big blobs on disk, not in the
// page's memory); the result streams into the disk sink the host opened (disk-sink.ts).
import { draftTar, parseSealResponse, sealedMessage } from "../../../../appservices/files/src/archive/archive-from-client.ts";
import { filePath, type ArchiveManifest } from "../../../../appservices/files/src/archive/archive-layout.ts";
import type { ArchiveItem } from "../../../../appservices/files/src/archive/archive-writer.ts";
import { fileVersionOf } from "./dossier-model.ts";
import { blobSink, downloadDossierFile, type MediaAccess } from "./dossier-transfer.ts";

/** What the client read of the room: its current state and its timeline, decrypted, oldest first. */
export interface ArchiveRoomData {
  roomId: string;
  name: string;
  state: Record<string, unknown>[];
  timeline: Record<string, unknown>[];
}

export type ArchivePhase = "reading" | "files" | "signing" | "encrypting";
export interface ArchiveProgress {
  phase: ArchivePhase;
  /** Files done, for "files". */
  done: number;
  total: number;
}

export interface ArchiveResult {
  /** The file, when no sink was given (else it went into the sink). */
  blob: Blob | undefined;
  fileName: string;
  items: number;
  missing: number;
  /** The council key's fingerprint (signature) and the archivist's (encryption). */
  signedBy: string;
  encryptedFor: string;
}

/** The archive endpoint's refusal, Matrix-style. */
export class ArchiveServiceError extends Error {
  override name = "ArchiveServiceError";
  readonly errcode: string;
  readonly status: number;
  constructor(status: number, errcode: string, message: string) {
    super(message);
    this.status = status;
    this.errcode = errcode;
  }
}

/** `etude-mobilite-2026-12-06.tar.gpg`: the dossier's name in ASCII, then the day. */
export function archiveFileName(name: string, now: Date): string {
  const ascii = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").toLowerCase();
  return `${(ascii || "salon").slice(0, 80)}-${now.toISOString().slice(0, 10)}.tar.gpg`;
}

function jsonItem(path: string, kind: ArchiveItem["kind"], text: string): ArchiveItem {
  const blob = new Blob([text]);
  return { path, size: blob.size, kind, body: blob.stream() };
}

/** The archive's items: state, messages, then each file (downloaded and decrypted one at a time). */
async function* roomItems(data: ArchiveRoomData, media: MediaAccess, missing: ArchiveManifest["missing"], onFile: (done: number, total: number) => void): AsyncGenerator<ArchiveItem> {
  yield jsonItem("room.json", "room", JSON.stringify({ room_id: data.roomId, state: data.state }, null, 2) + "\n");
  yield jsonItem("messages.jsonl", "messages", data.timeline.map((e) => JSON.stringify(e)).join("\n") + (data.timeline.length ? "\n" : ""));
  const files = data.timeline.filter((e) => e["type"] === "m.room.message").map(fileVersionOf).filter((v) => v !== undefined);
  let index = 0;
  for (const v of files) {
    onFile(index, files.length);
    try {
      const blob = await downloadDossierFile(media, v);
      yield { path: filePath(++index, v.name), size: blob.size, kind: "file", body: blob.stream(), eventId: v.eventId, name: v.name, ...(v.mimetype !== undefined ? { mimetype: v.mimetype } : {}) };
    } catch (e: unknown) {
      ++index;
      missing.push({ event_id: v.eventId, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  onFile(files.length, files.length);
}

export interface ArchiveExportOptions {
  data: ArchiveRoomData;
  media: MediaAccess;
  /** The council's share service, e.g. https://partage.mairie.example */
  serviceUrl: string;
  onProgress: (p: ArchiveProgress) => void;
  now?: Date;
  /** Where the encrypted archive goes (a disk sink, disk-sink.ts); without it, a Blob in the result. */
  sink?: WritableStream<Uint8Array>;
}

export async function exportArchive(o: ArchiveExportOptions): Promise<ArchiveResult> {
  const now = o.now ?? new Date();
  const missing: ArchiveManifest["missing"] = [];
  const tarSink = blobSink("application/x-tar");
  await draftTar(o.data.roomId, roomItems(o.data, o.media, missing, (done, total) => o.onProgress({ phase: "files", done, total })), missing, now).pipeTo(tarSink.sink);
  const tar = await tarSink.blob;
  o.onProgress({ phase: "signing", done: 0, total: 0 });
  const res = await fetch(`${o.serviceUrl.replace(/\/+$/, "")}/api/archive/${encodeURIComponent(o.data.roomId)}`, {
    method: "POST", body: tar, headers: { Authorization: `Bearer ${o.media.accessToken}`, "Content-Type": "application/x-tar" },
  });
  const json: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const j = json as { errcode?: unknown; error?: unknown };
    throw new ArchiveServiceError(res.status, typeof j.errcode === "string" ? j.errcode : "M_UNKNOWN", typeof j.error === "string" ? j.error : `HTTP ${res.status}`);
  }
  const sealed = parseSealResponse(json);
  o.onProgress({ phase: "encrypting", done: 0, total: 0 });
  const out = o.sink === undefined ? blobSink("application/pgp-encrypted") : undefined;
  await (await sealedMessage(tar, sealed)).pipeTo(out?.sink ?? o.sink!);
  return {
    blob: out === undefined ? undefined : await out.blob, fileName: archiveFileName(o.data.name, now), items: sealed.manifest.items.length, missing: sealed.manifest.missing.length,
    signedBy: sealed.manifest.signed_by, encryptedFor: sealed.archivistFingerprint,
  };
}
