// Where a council keeps its archive key: `archive/` beside its homeserver.yaml, the secret key
// 0600 (like the homeserver's signing key), the public key beside it to hand to the archivist, and
// the archivist's public key (entente archive-key archivist) that exports from the client go to.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "./cli-kit.ts";
import { writeIfMissing } from "./secret-files.ts";
import { generateArchiveKey } from "../../appservices/files/src/archive/archive-keys.ts";

export function archiveKeyPaths(configPath: string): { dir: string; secret: string; public: string; archivist: string } {
  return archiveKeyPathsIn(dirname(configPath));
}

/** The same, from the council's folder. `archivist`: the archivist's public key (exports from the client are encrypted to it). */
export function archiveKeyPathsIn(councilDir: string): { dir: string; secret: string; public: string; archivist: string } {
  const dir = join(councilDir, "archive");
  return { dir, secret: join(dir, "council-archive-key.asc"), public: join(dir, "council-archive-key.pub.asc"), archivist: join(dir, "archivist.pub.asc") };
}

export function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new CliError(`${what} not found: ${path}`);
  return readFileSync(path, "utf8");
}

/** A new archive key pair (`name`, `email`) written to `paths`: the secret key readable by its owner only. */
export async function writeArchiveKeyPair(paths: { secret: string; public: string }, name: string, email: string): Promise<{ fingerprint: string }> {
  const key = await generateArchiveKey(name, email);
  writeIfMissing(paths.secret, key.privateKey, 0o600);
  writeIfMissing(paths.public, key.publicKey, 0o644);
  return key;
}
