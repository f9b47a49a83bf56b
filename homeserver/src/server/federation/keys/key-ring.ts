// The key ring: other servers' signing keys, from memory, the database, the server itself
// (GET /_matrix/key/v2/server) or, failing that, the trusted notaries (POST /_matrix/key/v2/query).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
// Validity (rooms v5+, all the versions we support): a key verifies an event only if the event's
// origin_server_ts <= the key's valid_until_ts (expired_ts for old keys); requests need it valid now.
import { decodeBase64, encodeBase64 } from "../../../spec/base64.ts";
import { verifyJsonSignature } from "../../../room/signing.ts";
import type { KeyToSave, ServerKeyStorePort } from "../../../storage/server-key-store.ts";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";
import type { VerifyKeySource } from "../transport/inbound-auth.ts";
import { effectiveValidUntil, parseServerKeys, type JsonRecord, type OurKeys, type ServerKeys } from "./server-key-document.ts";

/** What the key ring needs of the federation client (FederationClient fits). */
export interface KeyFetchClient {
  request(destination: string, method: "GET" | "POST", path: string, body?: unknown,
    opts?: { signed?: boolean; timeoutMs?: number; maxResponseBytes?: number }): Promise<unknown>;
}

export interface KeyRingDeps {
  ours: OurKeys;
  store: ServerKeyStorePort;
  client: KeyFetchClient;
  /** Notaries, asked in order when a server cannot give its own keys. */
  trustedKeyServers: readonly string[];
  clock: Clock;
  log: Logger;
  /** After a fetch that did not yield a key, wait this long before asking again (default 60 s). */
  retryAfterMs?: number;
}

interface CachedKey {
  key: Uint8Array;
  validUntilTs: number;
}

const FETCH_OPTS = { signed: false, timeoutMs: 15_000, maxResponseBytes: 512 * 1024 };
const MAX_CACHED_SERVERS = 10_000;
const isRecord = (v: unknown): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

export class KeyRing implements VerifyKeySource {
  private readonly deps: KeyRingDeps;
  private readonly memory = new Map<string, Map<string, CachedKey>>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Last fruitless fetch per "server keyId" (or per server for the notary): no hammering. */
  private readonly attempts = new Map<string, number>();

  constructor(deps: KeyRingDeps) {
    this.deps = deps;
  }

  async getVerifyKey(serverName: string, keyId: string, minValidTs: number): Promise<Uint8Array | undefined> {
    if (serverName === this.deps.ours.serverName) return this.ownKey(keyId, minValidTs);
    const known = await this.known(serverName, keyId, minValidTs);
    if (known || !this.mayTry(`${serverName} ${keyId}`)) return known;
    await this.fetchDirect(serverName).catch((err: unknown) => this.warn("direct key fetch failed", serverName, err));
    let key = await this.known(serverName, keyId, minValidTs);
    for (const notary of this.deps.trustedKeyServers) {
      if (key || notary === serverName || notary === this.deps.ours.serverName) continue;
      await this.fetchViaNotary(notary, serverName, keyId, minValidTs)
        .catch((err: unknown) => this.warn("notary key query failed", serverName, err, { notary }));
      key = await this.known(serverName, keyId, minValidTs);
    }
    return key;
  }

  /**
   * For our notary endpoints: the server's own signed key document, refetched when ours is past half
   * its lifetime or not valid until `minValidUntilTs`; the last one we have if the server is down.
   */
  async getKeyResponse(serverName: string, minValidUntilTs: number): Promise<JsonRecord | undefined> {
    let stored = await this.deps.store.getResponse(serverName);
    const now = this.deps.clock.now();
    const fresh = stored !== undefined && stored.validUntilTs >= minValidUntilTs &&
      now <= stored.fetchedTs + (stored.validUntilTs - stored.fetchedTs) / 2;
    if (!fresh && this.mayTry(serverName)) {
      await this.fetchDirect(serverName).catch((err: unknown) => this.warn("notary fetch failed", serverName, err));
      stored = await this.deps.store.getResponse(serverName);
    }
    const doc: unknown = stored === undefined ? undefined : JSON.parse(stored.json);
    return isRecord(doc) ? doc : undefined;
  }

  private ownKey(keyId: string, minValidTs: number): Uint8Array | undefined {
    const { current, old } = this.deps.ours;
    if (keyId === current.keyId) return current.publicKey;
    const previous = old.find((k) => k.keyId === keyId);
    return previous && minValidTs <= previous.expiredTs ? decodeBase64(previous.key) : undefined;
  }

  /** From memory, else from the database (another process may have fetched it). */
  private async known(serverName: string, keyId: string, minValidTs: number): Promise<Uint8Array | undefined> {
    const valid = (k: CachedKey | undefined): Uint8Array | undefined => (k && k.validUntilTs >= minValidTs ? k.key : undefined);
    const hit = valid(this.memory.get(serverName)?.get(keyId));
    if (hit) return hit;
    const rows = await this.deps.store.getKeys(serverName);
    if (this.memory.size >= MAX_CACHED_SERVERS) this.memory.clear();
    this.memory.set(serverName, new Map(rows.map((r) => [r.keyId, { key: decodeBase64(r.publicKey), validUntilTs: r.validUntilTs }])));
    return valid(this.memory.get(serverName)?.get(keyId));
  }

  private mayTry(what: string): boolean {
    const now = this.deps.clock.now();
    const last = this.attempts.get(what);
    if (last !== undefined && now - last < (this.deps.retryAfterMs ?? 60_000)) return false;
    if (this.attempts.size >= MAX_CACHED_SERVERS) this.attempts.clear();
    this.attempts.set(what, now);
    return true;
  }

  /** GET /_matrix/key/v2/server from the server itself; one request at a time per server. */
  private fetchDirect(serverName: string): Promise<void> {
    let pending = this.inflight.get(serverName);
    if (!pending) {
      pending = (async () => {
        const json = await this.deps.client.request(serverName, "GET", "/_matrix/key/v2/server", undefined, FETCH_OPTS);
        const keys = parseServerKeys(json, serverName);
        if (typeof keys === "string") throw new Error(`key document of ${serverName} refused: ${keys}`);
        await this.save(keys);
      })().finally(() => this.inflight.delete(serverName));
      this.inflight.set(serverName, pending);
    }
    return pending;
  }

  /** POST /_matrix/key/v2/query to a notary; each answer must carry the notary's and the server's signatures. */
  private async fetchViaNotary(notary: string, serverName: string, keyId: string, minValidTs: number): Promise<void> {
    const body = { server_keys: { [serverName]: { [keyId]: { minimum_valid_until_ts: minValidTs } } } };
    const res = await this.deps.client.request(notary, "POST", "/_matrix/key/v2/query", body, FETCH_OPTS);
    const entries = isRecord(res) && Array.isArray(res["server_keys"]) ? (res["server_keys"] as unknown[]) : undefined;
    if (entries === undefined) throw new Error(`${notary} answered without a server_keys list`);
    for (const entry of entries) {
      if (!isRecord(entry) || entry["server_name"] !== serverName) continue;
      if (!(await this.signedByNotary(entry, notary))) {
        this.warn("notary answer not signed by the notary", serverName, undefined, { notary });
        continue;
      }
      const keys = parseServerKeys(entry, serverName);
      if (typeof keys === "string") this.warn("notary answer refused", serverName, keys, { notary });
      else await this.save(keys);
    }
  }

  private async signedByNotary(entry: JsonRecord, notary: string): Promise<boolean> {
    const sigs = isRecord(entry["signatures"]) ? entry["signatures"][notary] : undefined;
    if (!isRecord(sigs)) return false;
    const now = this.deps.clock.now();
    for (const keyId of Object.keys(sigs)) {
      let key = await this.known(notary, keyId, now);
      if (key === undefined) {
        await this.fetchDirect(notary).catch((err: unknown) => this.warn("notary key fetch failed", notary, err));
        key = await this.known(notary, keyId, now);
      }
      if (key && verifyJsonSignature(entry, notary, keyId, key)) return true;
    }
    return false;
  }

  private async save(keys: ServerKeys): Promise<void> {
    const fetchedTs = this.deps.clock.now();
    const until = effectiveValidUntil(keys.validUntilTs, fetchedTs);
    const rows: KeyToSave[] = [
      ...[...keys.verifyKeys].map(([keyId, key]) => ({ keyId, publicKey: encodeBase64(key), validUntilTs: until, expired: false })),
      ...[...keys.oldVerifyKeys].map(([keyId, k]) => ({
        keyId, publicKey: encodeBase64(k.key), validUntilTs: Math.min(k.expiredTs, until), expired: true,
      })),
    ];
    await this.deps.store.saveResponse(keys.serverName, fetchedTs, rows, { json: JSON.stringify(keys.document), validUntilTs: until });
    this.memory.delete(keys.serverName);
  }

  private warn(msg: string, serverName: string, err: unknown, extra: Record<string, unknown> = {}): void {
    const error = err === undefined ? undefined : err instanceof Error ? err.message : String(err);
    this.deps.log.warn(msg, { server_name: serverName, ...extra, ...(error === undefined ? {} : { error }) });
  }
}
