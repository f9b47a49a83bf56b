// A plain (unencrypted) image's preview from the server's thumbnails (method "scale": aspect kept,
// never upscaled, the original when it is small), fetched with the access token as authenticated
// media requires; so a 5 MB photo is not downloaded to show 320 pixels. Encrypted images cannot be
// thumbnailed by the server: the page decrypts the sender's thumbnail or the image itself.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediathumbnailservernamemediaid
import type { MatrixClient } from "matrix-js-sdk";
import { AttachmentError } from "./attachment-crypto.ts";

export function scaledThumbnailUrl(baseUrl: string, mxc: string, width: number, height: number): string {
  const m = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxc);
  if (m === null) throw new AttachmentError(`not an mxc URL: ${mxc}`);
  return `${baseUrl}/_matrix/client/v1/media/thumbnail/${encodeURIComponent(m[1] ?? "")}/${encodeURIComponent(m[2] ?? "")}?width=${width}&height=${height}&method=scale`;
}

export async function imageThumbnail(client: MatrixClient, mxc: string, width: number, height: number): Promise<Blob> {
  const url = scaledThumbnailUrl(client.getHomeserverUrl().replace(/\/+$/, ""), mxc, width, height);
  const res = await fetch(url, { headers: { Authorization: `Bearer ${client.getAccessToken() ?? ""}` } });
  if (!res.ok) throw new Error(`thumbnail: HTTP ${res.status}`);
  return res.blob();
}
