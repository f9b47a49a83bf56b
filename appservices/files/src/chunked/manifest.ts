// The manifest of a file cut into parts (pure). Each part is an ordinary Matrix v2 encrypted
// attachment with its own key; the manifest lists them and is itself uploaded as an encrypted
// attachment, whose info goes in the m.file event. See docs/dossiers.md ("Large files").
import { parseEncryptedFile, type EncryptedFile } from "../attachments/encrypted-file.ts";

export const MANIFEST_TYPE = "fr.entente.file.parts";
/** Marker in the m.file content, so Entente clients know `file` is a manifest, not the file. */
export const PARTS_CONTENT_KEY = "fr.entente.parts";

export interface ManifestPart {
  index: number;
  offset: number;
  size: number;
  /** Where the part's ciphertext is and how to decrypt it (includes the ciphertext's sha256). */
  file: EncryptedFile;
}

export interface PartsManifest {
  type: typeof MANIFEST_TYPE;
  version: 1;
  name: string;
  mimetype: string;
  size: number;
  part_size: number;
  /**
   * SHA-256 of the whole PLAINTEXT file, unpadded base64. Optional since the web client stopped
   * writing it (it cost the page ≈ 3.5 CPU s per GiB; every byte is already covered by its part's
   * ciphertext hash and the manifest by the event's): present, a reader may check it; absent, there
   * is nothing to check. See docs/dossiers.md.
   */
  sha256?: string;
  parts: ManifestPart[];
}

export interface PartPlan {
  index: number;
  offset: number;
  size: number;
}

/** Cuts `size` bytes into parts of `partSize` (the last one shorter); an empty file is one empty part. */
export function planParts(size: number, partSize: number): PartPlan[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad file size ${size}`);
  if (!Number.isSafeInteger(partSize) || partSize <= 0 || partSize % 16 !== 0) throw new RangeError(`part size must be a positive multiple of 16, got ${partSize}`);
  const parts: PartPlan[] = [];
  for (let offset = 0, index = 0; offset < size || index === 0; offset += partSize, index++) {
    parts.push({ index, offset, size: Math.min(partSize, size - offset) });
  }
  return parts;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

export class ManifestError extends Error {}

/** Parses a downloaded manifest; checks that the parts tile the file exactly. */
export function parseManifest(raw: unknown): PartsManifest {
  const bad = (why: string): never => {
    throw new ManifestError(`parts manifest: ${why}`);
  };
  if (!isRecord(raw)) return bad("not an object");
  if (raw["type"] !== MANIFEST_TYPE || raw["version"] !== 1) bad("unknown type or version");
  const { name, mimetype, size, part_size: partSize, sha256, parts } = raw;
  if (typeof name !== "string" || typeof mimetype !== "string") return bad("name and mimetype must be strings");
  if (sha256 !== undefined && typeof sha256 !== "string") return bad("sha256, when present, must be a string");
  if (!isSize(size) || !isSize(partSize) || partSize === 0) return bad("size and part_size must be non-negative integers");
  if (!Array.isArray(parts)) return bad("parts must be an array");
  const plan = planParts(size, partSize);
  if (parts.length !== plan.length) bad(`${parts.length} parts for ${plan.length} expected`);
  const out = plan.map((p, i): ManifestPart => {
    const part: unknown = parts[i];
    if (!isRecord(part) || part["index"] !== p.index || part["offset"] !== p.offset || part["size"] !== p.size) return bad(`part ${i} does not match the plan`);
    return { ...p, file: parseEncryptedFile(part["file"]) };
  });
  return { type: MANIFEST_TYPE, version: 1, name, mimetype, size, part_size: partSize, ...(sha256 === undefined ? {} : { sha256 }), parts: out };
}

/** The m.file content for a file sent in parts: Element shows and downloads the manifest. */
export function partsMessageContent(manifest: PartsManifest, manifestFile: EncryptedFile, manifestBytes: number): Record<string, unknown> {
  return {
    msgtype: "m.file",
    body: manifest.name,
    filename: `${manifest.name}.parts.json`,
    info: { mimetype: "application/json", size: manifestBytes },
    file: manifestFile,
    [PARTS_CONTENT_KEY]: { version: 1, size: manifest.size, mimetype: manifest.mimetype, parts: manifest.parts.length },
  };
}
