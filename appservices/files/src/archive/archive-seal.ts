// The council's side of an archive export made in a browser (docs/dossiers.md "Archive export from
// the client"). The client, which alone can decrypt the room, sends the archive's tar: its items
// (room.json, messages.jsonl, files/…) and last a draft `manifest.json` that names each item's
// event, name and type. This reads that tar as it streams, hashes every item itself, replaces the
// draft with the real manifest (SHA-256s computed here, room, exporter and date set here, the
// signing key's fingerprint) and makes the council's DETACHED signature over the final tar:
//   final tar = the client's bytes up to the draft's header (`prefixLength`) + `tail`
//   (the manifest entry and the end-of-archive blocks).
// The client then encrypts the final tar to the archivist's key with this signature inside, which
// gives one signed+encrypted OpenPGP message, as writeArchive() makes in one go. Nothing is kept.
import * as openpgp from "openpgp";
import type { AttachmentBackend } from "../attachments/backend.ts";
import { toHex } from "../attachments/base64.ts";
import { MANIFEST_PATH, type ArchiveManifest, type ManifestItem } from "./archive-layout.ts";
import { TarFormatError, TarReader } from "./tar-read.ts";
import { TAR_BLOCK, tarHeader } from "./tar-stream.ts";

export class ArchiveInputError extends Error {
  override name = "ArchiveInputError";
}

export interface SealInput {
  tar: ReadableStream<Uint8Array>;
  roomId: string;
  exportedBy: string;
  signingKey: openpgp.PrivateKey;
  backend: AttachmentBackend;
  now: Date;
  /** The most tar bytes accepted. */
  maxBytes: number;
}

export interface SealedArchive {
  manifest: ArchiveManifest;
  /** Bytes of the client's tar kept in the final tar (every item, not the draft). */
  prefixLength: number;
  /** The manifest entry and the end-of-archive blocks, to append after the prefix. */
  tail: Uint8Array;
  /** Armored detached signature (binary document) of the final tar by the council key. */
  signature: string;
  /** SHA-256 of the final tar, for the export log. */
  sha256: string;
  size: number;
}

export interface ManifestDraft {
  room_id: string;
  items: Omit<ManifestItem, "size" | "sha256">[];
  missing: ArchiveManifest["missing"];
}

const KINDS = new Set(["room", "messages", "file"]);
const SAFE_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const MAX_DRAFT = 16 * 1024 * 1024;

const str = (v: unknown, max = 1000): v is string => typeof v === "string" && v.length <= max;

/** The client's draft manifest, checked field by field. */
export function parseManifestDraft(json: unknown): ManifestDraft {
  const bad = (why: string): never => { throw new ArchiveInputError(`manifest.json: ${why}`); };
  if (typeof json !== "object" || json === null) return bad("not an object");
  const d = json as Record<string, unknown>;
  if (!str(d["room_id"])) bad("room_id");
  if (!Array.isArray(d["items"]) || !Array.isArray(d["missing"] ?? [])) bad("items and missing must be arrays");
  const items = (d["items"] as unknown[]).map((v, i) => {
    const it = (typeof v === "object" && v !== null ? v : bad(`item ${i}`)) as Record<string, unknown>;
    if (!str(it["path"], 100) || !SAFE_PATH.test(it["path"]) || it["path"] === MANIFEST_PATH) bad(`item ${i}: bad path`);
    if (typeof it["kind"] !== "string" || !KINDS.has(it["kind"])) bad(`item ${i}: bad kind`);
    const out: ManifestDraft["items"][number] = { path: it["path"] as string, kind: it["kind"] as ManifestItem["kind"] };
    for (const k of ["event_id", "name", "mimetype"] as const) {
      if (it[k] === undefined) continue;
      if (!str(it[k])) bad(`item ${i}: bad ${k}`);
      out[k] = it[k] as string;
    }
    return out;
  });
  const missing = ((d["missing"] ?? []) as unknown[]).map((v, i) => {
    const m = (typeof v === "object" && v !== null ? v : bad(`missing ${i}`)) as Record<string, unknown>;
    if (!str(m["event_id"]) || !str(m["reason"])) bad(`missing ${i}`);
    return { event_id: m["event_id"] as string, reason: m["reason"] as string };
  });
  return { room_id: d["room_id"] as string, items, missing };
}

async function readAll(s: ReadableStream<string> | string): Promise<string> {
  if (typeof s === "string") return s;
  let out = "";
  for await (const c of s) out += c;
  return out;
}

export async function sealArchive(i: SealInput): Promise<SealedArchive> {
  const signed = new TransformStream<Uint8Array, Uint8Array>();
  const toSign = signed.writable.getWriter();
  const message = await openpgp.createMessage({ binary: signed.readable, format: "binary" });
  const signature = openpgp.sign({ message, signingKeys: i.signingKey, detached: true, format: "armored", date: i.now }).then(readAll);
  signature.catch(() => undefined);
  const whole = i.backend.sha256();
  let size = 0;
  const keep = async (c: Uint8Array): Promise<void> => {
    size += c.length;
    if (size > i.maxBytes) throw new ArchiveInputError(`the archive is larger than ${i.maxBytes} bytes`);
    whole.update(c);
    await toSign.write(c);
  };
  const reader = new TarReader(i.tar);
  try {
    const seen: { path: string; size: number; sha256: string }[] = [];
    let draftText: string | undefined;
    for (let h = await reader.next(); h !== undefined; h = await reader.next()) {
      if (draftText !== undefined) throw new ArchiveInputError("manifest.json must be the last entry");
      if (h.path === MANIFEST_PATH) {
        if (h.size > MAX_DRAFT) throw new ArchiveInputError("manifest.json is too large");
        const parts: Uint8Array[] = [];
        await reader.body((c) => void parts.push(c.slice()));
        draftText = new TextDecoder().decode(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
        continue;
      }
      const hash = i.backend.sha256();
      await keep(h.header);
      await reader.body(async (c) => { hash.update(c); await keep(c); }, keep);
      seen.push({ path: h.path, size: h.size, sha256: toHex(hash.digest()) });
    }
    if (draftText === undefined) throw new ArchiveInputError("no manifest.json at the end of the tar");
    let json: unknown;
    try {
      json = JSON.parse(draftText);
    } catch {
      throw new ArchiveInputError("manifest.json is not JSON");
    }
    const draft = parseManifestDraft(json);
    if (draft.room_id !== i.roomId) throw new ArchiveInputError("manifest.json names another room");
    if (draft.items.length !== seen.length || draft.items.some((d, n) => d.path !== seen[n]!.path)) {
      throw new ArchiveInputError("manifest.json does not list the tar's entries in order");
    }
    const manifest: ArchiveManifest = {
      type: "fr.entente.archive", version: 1, room_id: i.roomId, exported_at: i.now.toISOString(), exported_by: i.exportedBy,
      signed_by: i.signingKey.getFingerprint().toUpperCase(),
      items: draft.items.map((d, n) => ({ ...d, size: seen[n]!.size, sha256: seen[n]!.sha256 })), missing: draft.missing,
    };
    const body = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
    const pad = (TAR_BLOCK - (body.length % TAR_BLOCK)) % TAR_BLOCK;
    const tail = new Uint8Array(TAR_BLOCK + body.length + pad + 2 * TAR_BLOCK);
    tail.set(tarHeader({ path: MANIFEST_PATH, size: body.length, mtime: i.now }), 0);
    tail.set(body, TAR_BLOCK);
    const prefixLength = size;
    await keep(tail);
    await toSign.close();
    return { manifest, prefixLength, tail, signature: await signature, sha256: toHex(whole.digest()), size };
  } catch (e: unknown) {
    await toSign.abort(e).catch(() => undefined);
    await reader.cancel(e).catch(() => undefined);
    if (e instanceof TarFormatError) throw new ArchiveInputError(e.message);
    throw e;
  }
}
