// What an m.image says about its preview: intrinsic size (info.w/h, to reserve the space before the
// bytes arrive), alt text (the body), and the thumbnail the sender attached (info.thumbnail_file
// when encrypted, info.thumbnail_url otherwise), parsed defensively: remote content is untrusted.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#mimage
import { isRecord, str } from "./raw-event.ts";
import type { FileInfo } from "./timeline-model.ts";

export interface ImageInfo {
  w: number | undefined;
  h: number | undefined;
  /** Alt text: the event's body (the file name when the sender gave nothing better). */
  alt: string;
  thumbnail: FileInfo | undefined;
}

const dim = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v > 0 && v < 100_000 ? Math.round(v) : undefined);

export function imageInfoOf(content: Record<string, unknown>): ImageInfo {
  const info = isRecord(content["info"]) ? content["info"] : {};
  const tinfo = isRecord(info["thumbnail_info"]) ? info["thumbnail_info"] : {};
  const tfile = isRecord(info["thumbnail_file"]) ? info["thumbnail_file"] : undefined;
  const turl = tfile !== undefined ? str(tfile["url"]) : str(info["thumbnail_url"]);
  const size = tinfo["size"];
  const body = str(content["body"]) ?? "";
  return {
    w: dim(info["w"]),
    h: dim(info["h"]),
    alt: body,
    thumbnail: turl === undefined ? undefined
      : { name: body, mimetype: str(tinfo["mimetype"]), size: typeof size === "number" ? size : undefined, url: turl, encrypted: tfile },
  };
}

/** The preview's box: the image scaled down (never up) to fit max × max; a default box when the size is unknown. */
export function previewBox(w: number | undefined, h: number | undefined, maxW = 320, maxH = 240): { width: number; height: number } {
  if (w === undefined || h === undefined) return { width: maxW, height: maxH };
  const scale = Math.min(1, maxW / w, maxH / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}
