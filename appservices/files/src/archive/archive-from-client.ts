// The client's half of an archive export (browser-safe; the council's half is archive-seal.ts):
// 1. `draftTar` — the tar of the room's items, decrypted by the client, with a draft manifest.json
//    last (each item's event, name and type; no hashes: the council computes them);
// 2. the tar goes to the council's archive endpoint, which answers with the real manifest entry
//    and its detached signature of the final tar (`parseSealResponse`);
// 3. `sealedMessage` — the final tar (the client's bytes minus the draft, plus the council's tail)
//    encrypted to the archivist's key with the council's signature inside: one OpenPGP message,
//    v4, SEIPDv1 (no AEAD), that `gpg --decrypt` opens and verifies.
import * as openpgp from "openpgp";
import { MANIFEST_PATH, type ArchiveManifest } from "./archive-layout.ts";
import type { ArchiveItem } from "./archive-writer.ts";
import type { ManifestDraft } from "./archive-seal.ts";
import { tarStream, type TarEntry } from "./tar-stream.ts";

/** The tar the client sends: every item, then the draft manifest. */
export function draftTar(roomId: string, items: AsyncIterable<ArchiveItem>, missing: ArchiveManifest["missing"], now = new Date()): ReadableStream<Uint8Array> {
  async function* entries(): AsyncGenerator<TarEntry> {
    const listed: ManifestDraft["items"] = [];
    for await (const item of items) {
      const d: ManifestDraft["items"][number] = { path: item.path, kind: item.kind };
      if (item.eventId !== undefined) d.event_id = item.eventId;
      if (item.name !== undefined) d.name = item.name;
      if (item.mimetype !== undefined) d.mimetype = item.mimetype;
      listed.push(d);
      yield { path: item.path, size: item.size, mtime: now, body: item.body };
    }
    const draft: ManifestDraft = { room_id: roomId, items: listed, missing };
    const bytes = new TextEncoder().encode(JSON.stringify(draft));
    yield { path: MANIFEST_PATH, size: bytes.length, mtime: now, body: new Blob([bytes]).stream() };
  }
  return tarStream(entries());
}

export interface SealResponse {
  signature: string;
  prefixLength: number;
  tail: Uint8Array<ArrayBuffer>;
  manifest: ArchiveManifest;
  archivistKey: string;
  archivistFingerprint: string;
}

function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The archive endpoint's answer, checked. */
export function parseSealResponse(json: unknown): SealResponse {
  const j = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const { signature, prefix_length: prefix, tail, manifest, archivist_key: key, archivist_fingerprint: fpr } = j;
  if (typeof signature !== "string" || typeof prefix !== "number" || !Number.isSafeInteger(prefix) || prefix < 0 || typeof tail !== "string"
    || typeof manifest !== "object" || manifest === null || typeof key !== "string" || typeof fpr !== "string") {
    throw new Error("the archive service's answer is not understood");
  }
  return { signature, prefixLength: prefix, tail: fromBase64(tail), manifest: manifest as ArchiveManifest, archivistKey: key, archivistFingerprint: fpr };
}

/** The final tar encrypted to the archivist with the council's signature: the file to keep. */
export async function sealedMessage(tar: Blob, sealed: SealResponse): Promise<ReadableStream<Uint8Array>> {
  if (sealed.prefixLength > tar.size) throw new Error("the archive service kept more bytes than were sent");
  const finalTar = new Blob([tar.slice(0, sealed.prefixLength), sealed.tail]);
  const [signature, archivist] = await Promise.all([
    openpgp.readSignature({ armoredSignature: sealed.signature }),
    openpgp.readKey({ armoredKey: sealed.archivistKey }),
  ]);
  const message = await openpgp.createMessage({ binary: finalTar.stream(), filename: "archive.tar", format: "binary" });
  return openpgp.encrypt({
    message, encryptionKeys: archivist, signature, format: "binary",
    config: { aeadProtect: false, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
  });
}
