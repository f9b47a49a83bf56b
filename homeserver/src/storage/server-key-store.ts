// Other servers' signing keys, and the latest key response each server signed (served again by our
// notary endpoints). Spec: https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
import type { Database } from "./sql.ts";
import { num, str } from "./sql.ts";

export interface StoredServerKey {
  keyId: string;
  /** Unpadded base64 ed25519 public key. */
  publicKey: string;
  /** Events with origin_server_ts up to this time may be signed by the key (expired_ts for old keys). */
  validUntilTs: number;
  fetchedTs: number;
}

export interface KeyToSave {
  keyId: string;
  publicKey: string;
  validUntilTs: number;
  /** From old_verify_keys: its expired_ts is the server's own statement and replaces what we knew. */
  expired: boolean;
}

export interface KeyResponseToSave {
  /** The response as the server signed it (signatures of the server only). */
  json: string;
  validUntilTs: number;
}

export interface StoredKeyResponse extends KeyResponseToSave {
  fetchedTs: number;
}

/** The port the key ring needs (an in-memory fake implements it in tests). */
export interface ServerKeyStorePort {
  getKeys(serverName: string): Promise<StoredServerKey[]>;
  getResponse(serverName: string): Promise<StoredKeyResponse | undefined>;
  /** Saves the keys of one verified response, and the response itself when given. */
  saveResponse(serverName: string, fetchedTs: number, keys: readonly KeyToSave[], response: KeyResponseToSave | undefined): Promise<void>;
}

// A verify key keeps the longest validity any response gave it (an event signed before then stays
// valid); an old key's expired_ts overrides it; a key id whose public key changed starts afresh.
const UPSERT_KEY = `INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, fetched_ts) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (server_name, key_id) DO UPDATE SET
    valid_until_ts = CASE
      WHEN ? = 1 OR server_keys.public_key <> excluded.public_key OR excluded.valid_until_ts > server_keys.valid_until_ts
      THEN excluded.valid_until_ts ELSE server_keys.valid_until_ts END,
    public_key = excluded.public_key, fetched_ts = excluded.fetched_ts`;

// A response with a shorter validity (e.g. an old copy from a notary) does not replace a longer one.
const UPSERT_RESPONSE = `INSERT INTO server_key_responses (server_name, valid_until_ts, fetched_ts, json) VALUES (?, ?, ?, ?)
  ON CONFLICT (server_name) DO UPDATE SET valid_until_ts = excluded.valid_until_ts, fetched_ts = excluded.fetched_ts,
    json = excluded.json WHERE excluded.valid_until_ts >= server_key_responses.valid_until_ts`;

export class ServerKeyStore implements ServerKeyStorePort {
  private readonly db: Database;

  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  async getKeys(serverName: string): Promise<StoredServerKey[]> {
    const rows = await this.db.all("SELECT key_id, public_key, valid_until_ts, fetched_ts FROM server_keys WHERE server_name = ?", [serverName]);
    return rows.map((r) => ({
      keyId: str(r["key_id"]), publicKey: str(r["public_key"]), validUntilTs: num(r["valid_until_ts"]), fetchedTs: num(r["fetched_ts"]),
    }));
  }

  async getResponse(serverName: string): Promise<StoredKeyResponse | undefined> {
    const r = await this.db.one("SELECT json, valid_until_ts, fetched_ts FROM server_key_responses WHERE server_name = ?", [serverName]);
    return r && { json: str(r["json"]), validUntilTs: num(r["valid_until_ts"]), fetchedTs: num(r["fetched_ts"]) };
  }

  async saveResponse(serverName: string, fetchedTs: number, keys: readonly KeyToSave[], response: KeyResponseToSave | undefined): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const k of keys) {
        await tx.run(UPSERT_KEY, [serverName, k.keyId, k.publicKey, k.validUntilTs, fetchedTs, k.expired ? 1 : 0]);
      }
      if (response) await tx.run(UPSERT_RESPONSE, [serverName, response.validUntilTs, fetchedTs, response.json]);
    });
  }
}
