// Device keys: /keys/upload, /keys/query and /keys/claim, with remote users served through the
// RemoteKeys port. Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3keysupload
//                       https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3keysquery
//                       https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3keysclaim
import { decodeBase64 } from "../../spec/base64.ts";
import { invalidParam } from "../../spec/matrix-error.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { E2eeStore, KeyJson, SignatureRow } from "../../storage/e2ee-store.ts";
import { crossSigningPublicKey, ed25519Of, parseDeviceKeys, parseOneTimeKeys, sameSignedContent } from "./key-json.ts";
import type { DeviceLists } from "./device-lists.ts";
import type { RemoteKeys } from "./remote-ports.ts";

export interface DeviceRef {
  userId: string;
  deviceId: string;
}

export type QueryRequest = Record<string, string[]>;
export type ClaimRequest = Record<string, Record<string, string>>;

export interface QueryResponse {
  device_keys: Record<string, Record<string, KeyJson>>;
  master_keys: Record<string, KeyJson>;
  self_signing_keys: Record<string, KeyJson>;
  user_signing_keys: Record<string, KeyJson>;
  failures: Record<string, KeyJson>;
}

/** Counts always name signed_curve25519, so clients never mistake "absent" for "unchanged". */
export async function oneTimeKeyCounts(store: E2eeStore, d: DeviceRef): Promise<Record<string, number>> {
  return { signed_curve25519: 0, ...(await store.countOneTimeKeys(d.userId, d.deviceId)) };
}

/** Merges stored signatures into a key object's `signatures`. */
export function withSignatures(json: KeyJson, rows: readonly SignatureRow[]): KeyJson {
  if (rows.length === 0) return json;
  const sigs: Record<string, Record<string, string>> = {};
  for (const [u, m] of Object.entries((json["signatures"] ?? {}) as Record<string, Record<string, string>>)) sigs[u] = { ...m };
  for (const r of rows) (sigs[r.signerUserId] ??= {})[r.signerKeyId] = r.signature;
  return { ...json, signatures: sigs };
}

/** Runs `fn` for each remote server in parallel, recording the servers that failed or timed out. */
export async function perServer<T>(groups: Map<string, T>, timeoutMs: number, failures: Record<string, KeyJson>, fn: (server: string, part: T) => Promise<void>): Promise<void> {
  await Promise.all([...groups].map(async ([server, part]) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
    });
    try {
      await Promise.race([fn(server, part), timeout]);
    } catch (err) {
      failures[server] = { status: 503, message: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }));
}

export class DeviceKeys {
  private readonly store: E2eeStore;
  private readonly deviceLists: DeviceLists;
  private readonly serverName: string;
  private readonly remote: () => RemoteKeys;

  constructor(deps: { store: E2eeStore; deviceLists: DeviceLists; serverName: string; remote: () => RemoteKeys }) {
    this.store = deps.store;
    this.deviceLists = deps.deviceLists;
    this.serverName = deps.serverName;
    this.remote = deps.remote;
  }

  /** Validates everything before writing anything; returns the device's one-time key counts. */
  async upload(me: DeviceRef, body: KeyJson): Promise<Record<string, number>> {
    const stored = await this.store.getDeviceKeys(me.userId, me.deviceId);
    let ed25519 = stored ? storedEd25519(stored, me.deviceId) : undefined;
    let newDeviceKeys: KeyJson | undefined;
    if (body["device_keys"] !== undefined && body["device_keys"] !== null) {
      const parsed = parseDeviceKeys(body["device_keys"], me.userId, me.deviceId);
      if (stored && !sameSignedContent(stored, parsed.json)) {
        throw invalidParam(`Device ${me.deviceId} already has different identity keys; log in as a new device to use new keys`);
      }
      if (!stored) newDeviceKeys = parsed.json;
      ed25519 = parsed.ed25519;
    }
    const otks = body["one_time_keys"] == null ? [] : parseOneTimeKeys(body["one_time_keys"], "one_time_keys", me, ed25519);
    const fallbacks = body["fallback_keys"] == null ? [] : parseOneTimeKeys(body["fallback_keys"], "fallback_keys", me, ed25519);
    const conflicts = await this.store.addOneTimeKeys(me.userId, me.deviceId, otks);
    if (conflicts.length > 0) throw invalidParam(`One-time key ${conflicts.join(", ")} was already uploaded with a different value`);
    for (const k of fallbacks) await this.store.setFallbackKey(me.userId, me.deviceId, k);
    if (newDeviceKeys) {
      await this.store.putDeviceKeys(me.userId, me.deviceId, newDeviceKeys);
      await this.deviceLists.changed(me.userId);
    }
    return oneTimeKeyCounts(this.store, me);
  }

  async query(requester: string, users: QueryRequest, timeoutMs: number): Promise<QueryResponse> {
    const out: QueryResponse = { device_keys: {}, master_keys: {}, self_signing_keys: {}, user_signing_keys: {}, failures: {} };
    const remote = new Map<string, QueryRequest>();
    for (const [userId, deviceIds] of Object.entries(users)) {
      const server = serverNameOf(userId) ?? "";
      if (server !== this.serverName) (remote.get(server) ?? remote.set(server, {}).get(server) as QueryRequest)[userId] = deviceIds;
      else await this.queryLocal(requester, userId, deviceIds, out);
    }
    await perServer(remote, timeoutMs, out.failures, async (server, part) => {
      const res = await this.remote().queryKeys(server, { device_keys: part });
      mergeRemoteQuery(res, part, out);
    });
    await this.addMySignaturesOfRemoteMasters(requester, [...remote.values()].flatMap((part) => Object.keys(part)), out);
    return out;
  }

  /**
   * The requester's user-signing key signed these remote users' master keys here (their server never
   * sees it): add those signatures, which only the signer may see, so the signer's clients find the
   * people they verified verified (spec: POST /keys/signatures/upload, "other users' master keys").
   */
  private async addMySignaturesOfRemoteMasters(requester: string, userIds: readonly string[], out: QueryResponse): Promise<void> {
    for (const userId of userIds) {
      const master = out.master_keys[userId];
      const pub = master && crossSigningPublicKey(master);
      if (master === undefined || pub === undefined) continue;
      const mine = (await this.store.signaturesOf(userId)).filter((s) => s.targetKeyId === pub && s.signerUserId === requester);
      if (mine.length > 0) out.master_keys[userId] = withSignatures(master, mine);
    }
  }

  private async queryLocal(requester: string, userId: string, deviceIds: readonly string[], out: QueryResponse): Promise<void> {
    const sigs = await this.store.signaturesOf(userId);
    const devices: Record<string, KeyJson> = {};
    for (const d of await this.store.deviceKeysOf(userId, deviceIds)) {
      const json = withSignatures(d.keys, sigs.filter((s) => s.targetKeyId === d.deviceId && s.signerUserId === userId));
      devices[d.deviceId] = d.displayName === undefined ? json : { ...json, unsigned: { device_display_name: d.displayName } };
    }
    out.device_keys[userId] = devices;
    const cs = await this.store.crossSigningKeys(userId);
    if (cs.master) {
      const pub = crossSigningPublicKey(cs.master);
      // Signatures by other users' user-signing keys are only for the signer's eyes.
      out.master_keys[userId] = withSignatures(cs.master, sigs.filter((s) => s.targetKeyId === pub && (s.signerUserId === userId || s.signerUserId === requester)));
    }
    if (cs.self_signing) out.self_signing_keys[userId] = cs.self_signing;
    if (cs.user_signing && userId === requester) out.user_signing_keys[userId] = cs.user_signing;
  }

  async claim(request: ClaimRequest, timeoutMs: number): Promise<{ one_time_keys: Record<string, Record<string, KeyJson>>; failures: Record<string, KeyJson> }> {
    const out: { one_time_keys: Record<string, Record<string, KeyJson>>; failures: Record<string, KeyJson> } = { one_time_keys: {}, failures: {} };
    const remote = new Map<string, ClaimRequest>();
    for (const [userId, devices] of Object.entries(request)) {
      const server = serverNameOf(userId) ?? "";
      if (server !== this.serverName) {
        (remote.get(server) ?? remote.set(server, {}).get(server) as ClaimRequest)[userId] = devices;
        continue;
      }
      for (const [deviceId, algorithm] of Object.entries(devices)) {
        const key = await this.store.claimKey(userId, deviceId, algorithm);
        if (key) (out.one_time_keys[userId] ??= {})[deviceId] = { [key.keyId]: key.key as KeyJson };
      }
    }
    await perServer(remote, timeoutMs, out.failures, async (server, part) => {
      const res = await this.remote().claimKeys(server, { one_time_keys: part });
      const keys = res["one_time_keys"];
      if (typeof keys !== "object" || keys === null) return;
      for (const userId of Object.keys(part)) {
        const k = (keys as Record<string, unknown>)[userId];
        if (typeof k === "object" && k !== null) out.one_time_keys[userId] = k as Record<string, KeyJson>;
      }
    });
    return out;
  }
}

function storedEd25519(stored: KeyJson, deviceId: string): Uint8Array | undefined {
  const b64 = ed25519Of(stored, `ed25519:${deviceId}`);
  return b64 === undefined ? undefined : decodeBase64(b64);
}

/** Copies a remote server's answer, only for the users we asked it about (never user-signing keys). */
function mergeRemoteQuery(res: KeyJson, asked: QueryRequest, out: QueryResponse): void {
  const pick = (field: string): Record<string, unknown> => {
    const v = res[field];
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  };
  const devices = pick("device_keys");
  const masters = pick("master_keys");
  const selfSigning = pick("self_signing_keys");
  for (const userId of Object.keys(asked)) {
    const d = devices[userId];
    if (typeof d === "object" && d !== null) out.device_keys[userId] = d as Record<string, KeyJson>;
    const m = masters[userId];
    if (typeof m === "object" && m !== null) out.master_keys[userId] = m as KeyJson;
    const s = selfSigning[userId];
    if (typeof s === "object" && s !== null) out.self_signing_keys[userId] = s as KeyJson;
  }
}
