// A council's share service with the archive route (appservices/share/src/archive-route.ts): a
// council archive key (openpgp.js, as `entente archive-key create` makes it) signs, the archivist's
// key (made by the real GnuPG) is the recipient; gpg knows the council's public key, to verify.
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startShareService, type RunningShareService } from "../../appservices/share/src/share-server.ts";
import { archiveRoute } from "../../appservices/share/src/archive-route.ts";
import { generateArchiveKey } from "../../appservices/files/src/archive/archive-keys.ts";
import { makeArchivistKey, type Gpg } from "./gnupg.ts";

export interface ArchiveShareService {
  share: RunningShareService;
  /** The council archive key's fingerprint (the signer gpg must report). */
  councilFpr: string;
}

/** Keys under `dir` (archivist.asc, council.asc, council.pub.asc), the share service's data in dir/share. */
export async function startArchiveShareService(dir: string, gpg: Gpg, homeserverUrl: string, councilEmail: string): Promise<ArchiveShareService> {
  makeArchivistKey(gpg, join(dir, "archivist.asc"));
  const council = await generateArchiveKey("Mairie A - archives", councilEmail);
  writeFileSync(join(dir, "council.asc"), council.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, "council.pub.asc"), council.publicKey);
  assert.equal(gpg("--import", join(dir, "council.pub.asc")).status, 0);
  const share = await startShareService({
    dataDir: join(dir, "share"), homeserverUrl, log: () => undefined,
    routes: [archiveRoute({ keys: { signingKeyFile: join(dir, "council.asc"), archivistKeyFile: join(dir, "archivist.asc") }, homeserverUrl })],
  });
  return { share, councilFpr: council.fingerprint };
}
