// Files: encrypted upload in encrypted rooms (ciphertext uploaded, key in the event), plain upload
// elsewhere; progress and cancel from the SDK's upload; download through authenticated media,
// decrypted in the browser.
import type { MatrixClient } from "matrix-js-sdk";
import type { UploadHandle } from "./chat-port.ts";
import { decryptAttachment, encryptAttachment, mediaDownloadUrl } from "./attachment-crypto.ts";
import { fileContent } from "./message-content.ts";
import { sendAny } from "./sdk-untyped.ts";
import type { FileInfo } from "./timeline-model.ts";

export class UploadCancelled extends Error {
  override name = "UploadCancelled";
}

export function uploadFile(client: MatrixClient, roomId: string, file: File, encrypted: boolean, onProgress: (loaded: number, total: number) => void): UploadHandle {
  let cancelled = false;
  let inFlight: ReturnType<MatrixClient["uploadContent"]> | undefined;
  const done = (async () => {
    const plain = await file.arrayBuffer();
    const prepared = encrypted ? await encryptAttachment(plain) : undefined;
    if (cancelled) throw new UploadCancelled();
    const body = prepared !== undefined ? new Blob([prepared.data], { type: "application/octet-stream" }) : file;
    inFlight = client.uploadContent(body, {
      name: prepared !== undefined ? "encrypted" : file.name,
      type: prepared !== undefined ? "application/octet-stream" : (file.type || "application/octet-stream"),
      includeFilename: prepared === undefined,
      progressHandler: ({ loaded, total }) => onProgress(loaded, total),
    });
    let url: string;
    try {
      url = (await inFlight).content_uri;
    } catch (e: unknown) {
      if (cancelled) throw new UploadCancelled();
      throw e;
    }
    if (cancelled) throw new UploadCancelled();
    const meta = { name: file.name, mimetype: file.type || "application/octet-stream", size: file.size, ...(await imageSize(file)) };
    const content = prepared !== undefined ? fileContent(meta, { file: { ...prepared.info, url } }) : fileContent(meta, { url });
    await sendAny(client, roomId, "m.room.message", content);
  })();
  return {
    done,
    cancel() {
      cancelled = true;
      if (inFlight !== undefined) client.cancelUpload(inFlight);
    },
  };
}

export async function downloadFile(client: MatrixClient, file: FileInfo): Promise<Blob> {
  const res = await fetch(mediaDownloadUrl(client.getHomeserverUrl().replace(/\/+$/, ""), file.url), { headers: { Authorization: `Bearer ${client.getAccessToken() ?? ""}` } });
  if (!res.ok) throw new Error(`download: HTTP ${res.status}`);
  const data = await res.arrayBuffer();
  const plain = file.encrypted !== undefined ? await decryptAttachment(data, file.encrypted) : data;
  return new Blob([plain], { type: file.mimetype ?? "application/octet-stream" });
}

/** An image's pixel size for info.w/h (browser only: createImageBitmap); nothing for other files or unreadable images. */
async function imageSize(file: File): Promise<{ w: number; h: number } | Record<string, never>> {
  // Typed here: the Node test build has no DOM lib.
  const decode = (globalThis as { createImageBitmap?: (b: Blob) => Promise<{ width: number; height: number; close(): void }> }).createImageBitmap;
  if (!file.type.startsWith("image/") || decode === undefined) return {};
  try {
    const bitmap = await decode(file);
    const size = { w: bitmap.width, h: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return {};
  }
}
