// Headers for serving user-uploaded bytes safely: Content-Type as uploaded, Content-Disposition
// inline only for the spec's allow-list, and a sandboxing CSP on everything.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#serving-inline-content
import { MatrixError } from "../../spec/matrix-error.ts";

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** The types the spec says may be served `inline`; everything else is an `attachment`. */
export const INLINE_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "text/css", "text/plain", "text/csv", "application/json", "application/ld+json",
  "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
  "video/mp4", "video/webm", "video/ogg", "video/quicktime",
  "audio/mp4", "audio/webm", "audio/aac", "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav",
  "audio/x-wav", "audio/x-pn-wav", "audio/flac", "audio/x-flac",
]);

/** Sent with every media response (spec: content repository, recommended policy; CORP since v1.4). */
export const MEDIA_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; object-src 'self';",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const CONTENT_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

/**
 * The Content-Type to store for an upload. The spec defaults a missing header to
 * application/octet-stream; a malformed one gets the same (a "reasonably close" type, never one
 * we cannot send back as a header).
 */
export function normaliseContentType(header: string | undefined): string {
  const v = header?.trim();
  if (!v || v.length > 255 || !CONTENT_TYPE.test(v)) return DEFAULT_CONTENT_TYPE;
  return v;
}

/** "Image/PNG; charset=x" → "image/png". */
export function mimeEssence(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

export function isInlineSafe(contentType: string): boolean {
  return INLINE_CONTENT_TYPES.has(mimeEssence(contentType));
}

/** Validates a file name given by a client (upload ?filename= or the download path). */
export function checkFileName(name: string): string {
  if (name.length === 0 || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new MatrixError("M_INVALID_PARAM", 400, "Invalid file name");
  }
  return name;
}

/**
 * RFC 6266 Content-Disposition. Plain ASCII names go in a quoted `filename`; anything else in
 * the RFC 8187 `filename*=utf-8''…` form, so no client-controlled byte can break the header.
 */
export function contentDisposition(type: "inline" | "attachment", fileName: string | undefined): string {
  if (fileName === undefined || fileName === "") return type;
  if (/^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName)) return `${type}; filename="${fileName}"`;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `${type}; filename*=utf-8''${encoded}`;
}
