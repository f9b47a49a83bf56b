// The real GnuPG in tests: a throwaway home, the archivist's key made by gpg itself, and an archive
// export (`.tar.gpg`) opened the way an archivist would: decrypted, signature verified, extracted,
// every item checked against the manifest's SHA-256.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ArchiveManifest } from "../../appservices/files/src/archive/archive-layout.ts";

export type Gpg = (...args: string[]) => SpawnSyncReturns<Buffer>;

/** gpg in batch mode with its home at `home` (created 0700 on first use by gnupgHome). */
export function gpgIn(home: string): Gpg {
  return (...args) => spawnSync("gpg", ["--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", ...args], { encoding: "buffer" });
}

/** Creates `home` (0700) and returns gpg in it; stopGnupg(home) in after() ends its agent. */
export function gnupgHome(home: string): Gpg {
  mkdirSync(home, { mode: 0o700 });
  return gpgIn(home);
}

export function stopGnupg(home: string | undefined): void {
  if (home) spawnSync("gpgconf", ["--homedir", home, "--kill", "all"]);
}

/** The archivist's key, made by GnuPG (Ed25519 primary + Curve25519 encryption subkey); its public key armored into `publicFile`. */
export function makeArchivistKey(gpg: Gpg, publicFile: string): string {
  assert.equal(gpg("--quick-gen-key", "Archives départementales <archiviste@archives.test>", "ed25519", "cert", "never").status, 0);
  const fpr = /fpr:+([0-9A-F]{40}):/.exec(gpg("--with-colons", "--list-keys").stdout.toString())?.[1] ?? "";
  assert.equal(gpg("--quick-add-key", fpr, "cv25519", "encr", "never").status, 0);
  writeFileSync(publicFile, gpg("--armor", "--export", fpr).stdout);
  return fpr;
}

export interface OpenedArchive {
  /** The directory the tar was extracted to. */
  dir: string;
  manifest: ArchiveManifest;
  /** gpg --list-packets of the encrypted file. */
  packets: string;
}

/**
 * gpg decrypts `encrypted` (no AEAD packet: the archivist's gpg may be older) into `tarFile`, checks
 * the signature is `signerFpr`'s, extracts into `outDir` and checks every item against the manifest.
 */
export function openArchive(gpg: Gpg, encrypted: string, tarFile: string, outDir: string, signerFpr: string): OpenedArchive {
  const packets = gpg("--list-packets", encrypted).stdout.toString();
  assert.doesNotMatch(packets, /aead/i);
  const dec = gpg("--status-fd", "2", "--output", tarFile, "--decrypt", encrypted);
  const status = dec.stderr.toString();
  assert.equal(dec.status, 0, status);
  assert.match(status, /DECRYPTION_OKAY/);
  assert.match(status, new RegExp(`VALIDSIG ${signerFpr}`));
  assert.match(status, /GOODSIG/);
  mkdirSync(outDir);
  execFileSync("tar", ["-xf", tarFile, "-C", outDir]);
  const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as ArchiveManifest;
  const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
  for (const item of manifest.items) assert.equal(sha256(readFileSync(join(outDir, item.path))), item.sha256, item.path);
  return { dir: outDir, manifest, packets };
}
