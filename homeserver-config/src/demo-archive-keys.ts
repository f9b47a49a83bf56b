// `entente demo`: archive export ready to try. Each council gets its archive signing key and the
// demo's archivist key recorded (what `entente archive-key create` and `archive-key archivist`
// write, archive-key-files.ts); the archivist's key pair lives in the demo folder (never
// committed: .data/ is ignored), its private key printed in the start table so an admin can
// `gpg --import` it and `gpg --decrypt` an export. Keys that exist are kept (an admin's own).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { archiveKeyPathsIn, writeArchiveKeyPair } from "./archive-key-files.ts";
import { writeIfMissing } from "./secret-files.ts";

export interface DemoArchivist { secret: string; public: string }

/** The demo archivist's key pair, in the demo folder. */
export function demoArchivistPaths(dir: string): DemoArchivist {
  const d = join(dir, "archiviste-demo");
  return { secret: join(d, "archivist.sec.asc"), public: join(d, "archivist.pub.asc") };
}

export interface DemoArchiveCouncil { council: string; serverName: string; councilDir: string }

/** Creates what is missing; resolves to the archivist's paths and the councils whose exports go to it. */
export async function ensureDemoArchiveKeys(dir: string, councils: readonly DemoArchiveCouncil[]): Promise<DemoArchivist & { councils: string[] }> {
  const archivist = demoArchivistPaths(dir);
  if (!existsSync(archivist.secret)) {
    await writeArchiveKeyPair(archivist, "Archiviste (démo Entente)", "archiviste@demo.invalid");
  }
  const archivistPublic = readFileSync(archivist.public, "utf8");
  const ours: string[] = [];
  for (const c of councils) {
    const k = archiveKeyPathsIn(c.councilDir);
    if (!existsSync(k.secret)) {
      await writeArchiveKeyPair(k, `${c.council} - archives (démo)`, `archives@${c.serverName}`);
    }
    writeIfMissing(k.archivist, archivistPublic, 0o644);
    if (readFileSync(k.archivist, "utf8") === archivistPublic) ours.push(c.council);
  }
  return { ...archivist, councils: ours };
}

/** The start table's lines: who may export, and how to read an export. */
export function demoArchiveNote(a: DemoArchivist & { councils: string[] }): string[] {
  if (a.councils.length === 0) return [];
  return [
    `Archivage (démo) : « Exporter pour archivage » par agent1 (modérateur du dossier « Convention de mutualisation ») ; export chiffré pour l'archiviste de démo (${a.councils.join(", ")}).`,
    `Archiving (demo): agent1 (the dossier's moderator) may export it; the archivist's private key / clé privée de l'archiviste : ${a.secret}`,
    `  gpg --import ${a.secret} && gpg --decrypt EXPORT.tar.gpg > export.tar`,
  ];
}
