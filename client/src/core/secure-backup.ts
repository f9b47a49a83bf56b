// Secure backup with matrix-js-sdk's Rust crypto: at the first sign-in anywhere, cross-signing
// plus secret storage plus a key backup, protected by a recovery key the agent saves; on a new
// device, the recovery key opens secret storage, which holds the backup key, which restores the
// room keys (spec: Server-side key backups, Secret storage).
import { CryptoEvent, decodeRecoveryKey, type CryptoApi } from "matrix-js-sdk/lib/crypto-api/index.js";
import type { MatrixClient } from "matrix-js-sdk";
import type { RecoveryState } from "./chat-port.ts";

/** Holds the secret storage key between the moment it is known and the crypto stack asking for it. */
export class SecretStorageKeyCache {
  private key: Uint8Array<ArrayBuffer> | undefined;
  set(key: Uint8Array<ArrayBuffer>): void {
    this.key = key;
  }
  /** The getSecretStorageKey callback: any key the stack asks for is answered with ours. */
  readonly callback = async (opts: { keys: Record<string, unknown> }): Promise<[string, Uint8Array<ArrayBuffer>] | null> => {
    const keyId = Object.keys(opts.keys)[0];
    return this.key !== undefined && keyId !== undefined ? [keyId, this.key] : null;
  };
}

function cryptoOf(client: MatrixClient): CryptoApi {
  const c = client.getCrypto();
  if (c === undefined) throw new Error("crypto not initialised");
  return c;
}

/**
 * Decides what this device needs: nothing (it has the backup key), a recovery key (a backup exists),
 * or a new backup (none exists). The password, known only right after the sign-in form, lets us
 * upload cross-signing keys (UIA); without it cross-signing is left for later.
 */
export async function prepareSecureBackup(client: MatrixClient, cache: SecretStorageKeyCache, password: string | undefined): Promise<RecoveryState> {
  const crypto = cryptoOf(client);
  const serverBackup = await crypto.getKeyBackupInfo();
  if (serverBackup !== null) {
    if ((await crypto.getSessionBackupPrivateKey()) !== null) {
      await crypto.checkKeyBackupAndEnable();
      return { kind: "ready" };
    }
    return { kind: "ask-key" };
  }
  if (password !== undefined) {
    await crypto.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: async (makeRequest) => {
        await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: client.getSafeUserId() }, password });
      },
    });
  }
  let recoveryKey = "";
  await crypto.bootstrapSecretStorage({
    setupNewSecretStorage: true,
    setupNewKeyBackup: true,
    createSecretStorageKey: async () => {
      const generated = await crypto.createRecoveryKeyFromPassphrase();
      cache.set(generated.privateKey);
      recoveryKey = generated.encodedPrivateKey ?? "";
      return generated;
    },
  });
  return { kind: "show-key", recoveryKey };
}

/** Restores the room keys of the backup with the agent's recovery key; the number imported. */
export async function restoreWithRecoveryKey(client: MatrixClient, cache: SecretStorageKeyCache, recoveryKey: string): Promise<number> {
  const crypto = cryptoOf(client);
  cache.set(decodeRecoveryKey(recoveryKey.trim()));
  // Fails (bad MAC) with a wrong key: nothing is changed then.
  await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
  await crypto.checkKeyBackupAndEnable();
  const result = await crypto.restoreKeyBackup();
  return result.imported;
}

/**
 * After this new device was verified with emoji from another of the agent's devices: that device
 * sends the backup key by secret sharing (m.secret.send); once it is here, the history is restored
 * from the backup. False when the key did not arrive in time (the recovery key still works).
 */
export async function restoreAfterVerification(client: MatrixClient, timeoutMs = 120_000): Promise<boolean> {
  const crypto = cryptoOf(client);
  const deadline = Date.now() + timeoutMs;
  while ((await crypto.getSessionBackupPrivateKey()) === null) {
    if (Date.now() > deadline) return false;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off(CryptoEvent.KeyBackupDecryptionKeyCached, done);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      client.on(CryptoEvent.KeyBackupDecryptionKeyCached, done);
    });
  }
  await crypto.checkKeyBackupAndEnable();
  await crypto.restoreKeyBackup();
  return true;
}
