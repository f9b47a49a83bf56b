// The openpgp half of sharing, loaded with import() when an agent first shares (openpgp is large).
// The ciphertext is gathered in a Blob (browsers stream request bodies only over HTTP/2), slice
// by slice as dossier-transfer.ts does, so Chromium can keep it on disk.
import * as openpgp from "openpgp";
import { encryptForShare, sharePassword, shareQuery } from "../../../../appservices/share/src/share-client.ts";
import { blobSink } from "./dossier-transfer.ts";

export { sharePassword, shareQuery };

/** A reply link's secret: 144 random bits, URL-safe. */
export function dropSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_");
}

/** The citizen's reply, decrypted with the link's secret (AEAD: a changed byte fails), and the name it carries. */
export async function decryptDrop(cipher: ReadableStream<Uint8Array>, secret: string): Promise<{ blob: Blob; filename: string }> {
  const message = await openpgp.readMessage({ binaryMessage: cipher });
  const { data, filename } = await openpgp.decrypt({ message, passwords: [secret], format: "binary" });
  const { sink, blob } = blobSink("application/octet-stream");
  await (data as ReadableStream<Uint8Array>).pipeTo(sink);
  return { blob: await blob, filename };
}

export async function encryptToBlob(plain: Blob, password: string, name: string): Promise<Blob> {
  const cipher = await encryptForShare(plain.stream(), password, name);
  const { sink, blob } = blobSink("application/octet-stream");
  await cipher.pipeTo(sink);
  return blob;
}
