// Writes an archive export: a tar of the items (manifest.json last, with the SHA-256 of every item
// computed as it streams), as ONE OpenPGP message signed with the council key and encrypted to the
// archivist's key. v4 packets, SEIPDv1 (no AEAD), so `gpg --decrypt` opens it. Streamed throughout.
import * as openpgp from "openpgp";
import { MANIFEST_PATH, type ArchiveManifest, type ManifestItem } from "./archive-layout.ts";
import { tarStream, type TarEntry } from "./tar-stream.ts";
import type { AttachmentBackend } from "../attachments/backend.ts";
import { toHex } from "../attachments/base64.ts";

export interface ArchiveItem {
  path: string;
  size: number;
  kind: ManifestItem["kind"];
  body: ReadableStream<Uint8Array>;
  eventId?: string;
  name?: string;
  mimetype?: string;
}

export interface ArchiveInput {
  items: AsyncIterable<ArchiveItem>;
  header: Omit<ArchiveManifest, "type" | "version" | "items" | "missing" | "signed_by">;
  /** Filled by the item source while it runs (files it had to leave out). */
  missing: ArchiveManifest["missing"];
  signingKey: openpgp.PrivateKey;
  recipientKey: openpgp.PublicKey;
  /** For the items' SHA-256 (node or web backend: this file runs in the browser too). */
  backend: AttachmentBackend;
  now?: Date;
}

export async function writeArchive(a: ArchiveInput): Promise<ReadableStream<Uint8Array>> {
  const now = a.now ?? new Date();
  const listed: ManifestItem[] = [];
  async function* entries(): AsyncGenerator<TarEntry> {
    for await (const item of a.items) {
      const hash = a.backend.sha256();
      const entry: ManifestItem = { path: item.path, size: item.size, sha256: "", kind: item.kind };
      if (item.eventId !== undefined) entry.event_id = item.eventId;
      if (item.name !== undefined) entry.name = item.name;
      if (item.mimetype !== undefined) entry.mimetype = item.mimetype;
      const body = item.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform: (c, ctl) => (hash.update(c), ctl.enqueue(c)),
        flush: () => void (entry.sha256 = toHex(hash.digest())),
      }));
      listed.push(entry);
      yield { path: item.path, size: item.size, mtime: now, body };
    }
    const manifest: ArchiveManifest = {
      type: "fr.entente.archive", version: 1, ...a.header, signed_by: a.signingKey.getFingerprint().toUpperCase(), items: listed, missing: a.missing,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
    yield { path: MANIFEST_PATH, size: bytes.length, mtime: now, body: new Blob([bytes]).stream() };
  }
  const message = await openpgp.createMessage({ binary: tarStream(entries()), filename: "archive.tar", format: "binary" });
  return openpgp.encrypt({
    message, encryptionKeys: a.recipientKey, signingKeys: a.signingKey, format: "binary",
    config: { aeadProtect: false, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
  });
}
