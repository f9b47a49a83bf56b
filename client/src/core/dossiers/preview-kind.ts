// Which versions the folder view previews, pure: images (their thumbnail, or the image itself when
// small) and PDFs (the first page rendered in the page by pdf.js, pdf-preview.ts), only when small
// enough to fetch and decrypt whole (a file in parts never).
import type { FileVersion } from "./dossier-model.ts";

/** Above this a PDF gets no preview (it is fetched and decrypted whole to draw its first page). */
export const MAX_PDF_PREVIEW_BYTES = 20 * 1024 * 1024;

export function isPdf(v: Pick<FileVersion, "mimetype" | "name">): boolean {
  return v.mimetype === "application/pdf" || ((v.mimetype === undefined || v.mimetype === "application/octet-stream") && /\.pdf$/i.test(v.name));
}

export function previewKind(v: FileVersion, maxPdfBytes = MAX_PDF_PREVIEW_BYTES): "image" | "pdf" | undefined {
  if (v.parts) return undefined;
  if (v.msgtype === "m.image") return "image";
  if (v.msgtype === "m.file" && isPdf(v) && v.size !== undefined && v.size <= maxPdfBytes) return "pdf";
  return undefined;
}
