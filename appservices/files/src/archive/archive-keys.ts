// The council's archive key (signs exports) and the archivist's key (exports are encrypted to it),
// in formats GnuPG reads for decades: OpenPGP v4 keys, Ed25519/Curve25519 "legacy" (RFC 4880bis
// EdDSA + ECDH, what `gpg --quick-gen-key` makes), no AEAD.
import * as openpgp from "openpgp";

export class ArchiveKeyError extends Error {}

export interface GeneratedArchiveKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

export async function generateArchiveKey(name: string, email: string): Promise<GeneratedArchiveKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc", curve: "ed25519Legacy", userIDs: [{ name, email }], format: "armored",
    config: { v6Keys: false, aeadProtect: false },
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { privateKey, publicKey, fingerprint: key.getFingerprint().toUpperCase() };
}

/** A council signing key: v4, secret, able to sign (decrypted with `passphrase` if protected). */
export async function readSigningKey(armored: string, passphrase?: string): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (e: unknown) {
    throw new ArchiveKeyError(`not an armored OpenPGP secret key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (key.keyPacket.version !== 4) throw new ArchiveKeyError(`key version ${key.keyPacket.version}: GnuPG needs v4 keys`);
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new ArchiveKeyError("the key is protected by a passphrase: set ENTENTE_ARCHIVE_KEY_PASSPHRASE");
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new ArchiveKeyError("wrong passphrase for the archive key");
    }
  }
  try {
    await key.getSigningKey();
  } catch {
    throw new ArchiveKeyError("the key cannot sign");
  }
  return key;
}

/** The archivist's public key: v4, able to encrypt. */
export async function readRecipientKey(armored: string): Promise<openpgp.PublicKey> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (e: unknown) {
    throw new ArchiveKeyError(`not an armored OpenPGP public key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (key.keyPacket.version !== 4) throw new ArchiveKeyError(`key version ${key.keyPacket.version}: GnuPG needs v4 keys`);
  try {
    await key.getEncryptionKey();
  } catch {
    throw new ArchiveKeyError("the archivist's key cannot encrypt");
  }
  return key.toPublic();
}
