// The openpgp half of sharing, loaded with import() when an agent first shares (openpgp is large).
// The ciphertext is gathered in a Blob (browsers stream request bodies only over HTTP/2), slice
// by slice as dossier-transfer.ts does, so Chromium can keep it on disk.
import { encryptForShare, sharePassword } from "../../../../appservices/share/src/share-client.ts";
import { blobSink } from "./dossier-transfer.ts";

export { sharePassword };

export async function encryptToBlob(plain: Blob, password: string, name: string): Promise<Blob> {
  const cipher = await encryptForShare(plain.stream(), password, name);
  const { sink, blob } = blobSink("application/octet-stream");
  await cipher.pipeTo(sink);
  return blob;
}
