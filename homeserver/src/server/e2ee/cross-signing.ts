// Cross-signing: uploading the master, self-signing and user-signing keys, and uploading
// signatures (devices by the self-signing key, the master key by devices, other users' master
// keys by the user-signing key). Spec: https://spec.matrix.org/v1.16/client-server-api/#cross-signing
import { MatrixError, forbidden, invalidParam, notFound, type Errcode } from "../../spec/matrix-error.ts";
import { canonicalJson } from "../../spec/canonical-json.ts";
import { serverNameOf } from "../../spec/ids.ts";
import { decodeBase64 } from "../../spec/base64.ts";
import { verifyJsonSignature } from "../../room/signing.ts";
import type { CrossSigningType, E2eeStore, KeyJson, SignatureRow } from "../../storage/e2ee-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import { crossSigningPublicKey, ed25519Of, invalidSignature, parseCrossSigningKey, sameSignedContent, signedByKey, type ParsedCrossSigningKey } from "./key-json.ts";
import type { DeviceLists } from "./device-lists.ts";
import type { RemoteKeys } from "./remote-ports.ts";

const FIELDS: readonly [string, CrossSigningType][] = [["master_key", "master"], ["self_signing_key", "self_signing"], ["user_signing_key", "user_signing"]];

export type SignatureFailures = Record<string, Record<string, { errcode: Errcode; error: string }>>;

export class CrossSigning {
  private readonly store: E2eeStore;
  private readonly users: UserStore;
  private readonly deviceLists: DeviceLists;
  private readonly serverName: string;
  private readonly remote: () => RemoteKeys;

  constructor(deps: { store: E2eeStore; users: UserStore; deviceLists: DeviceLists; serverName: string; remote: () => RemoteKeys }) {
    this.store = deps.store;
    this.users = deps.users;
    this.deviceLists = deps.deviceLists;
    this.serverName = deps.serverName;
    this.remote = deps.remote;
  }

  /**
   * Validates the keys, then asks `authenticate` (UIA) unless the spec exempts the request: no
   * master key stored yet, or every key sent is exactly the stored one (an idempotent retry).
   */
  async upload(userId: string, body: KeyJson, authenticate: () => Promise<void>): Promise<void> {
    const given: ParsedCrossSigningKey[] = [];
    for (const [field, type] of FIELDS) {
      if (body[field] !== undefined && body[field] !== null) given.push(parseCrossSigningKey(body[field], field, userId, type));
    }
    if (given.length === 0) return;
    const existing = await this.store.crossSigningKeys(userId);
    const master = given.find((k) => k.type === "master");
    const masterKey = master?.publicKey ?? (existing.master && crossSigningPublicKey(existing.master));
    if (masterKey === undefined) throw new MatrixError("M_MISSING_PARAM", 400, "No master signing key: send 'master_key' first, or with these keys");
    for (const k of given) {
      if (k.type !== "master" && !signedByKey(k.json, userId, masterKey)) {
        throw invalidSignature(`'${k.type}_key' must be signed by the master key ed25519:${masterKey}`);
      }
    }
    const deviceIds = new Set((await this.users.listDevices(userId)).map((d) => d.deviceId));
    for (const k of given) if (deviceIds.has(k.publicKey)) throw forbidden(`The public key of '${k.type}_key' is one of your device ids`);
    const unchanged = master !== undefined && given.every((k) => existing[k.type] !== undefined && canonicalJson(existing[k.type]) === canonicalJson(k.json));
    if (existing.master !== undefined && unchanged) return;
    if (existing.master !== undefined) await authenticate();
    await this.store.putCrossSigningKeys(userId, given.map((k) => ({ type: k.type, publicKey: k.publicKey, json: k.json })));
    await this.deviceLists.changed(userId);
  }

  /** Checks each signed object separately; the valid signatures are stored, the others reported. */
  async uploadSignatures(userId: string, body: KeyJson): Promise<{ failures: SignatureFailures }> {
    const failures: SignatureFailures = {};
    const rows: SignatureRow[] = [];
    for (const [targetUser, keys] of Object.entries(body)) {
      const fail = (keyId: string, errcode: Errcode, error: string): void => {
        (failures[targetUser] ??= {})[keyId] = { errcode, error };
      };
      if (typeof keys !== "object" || keys === null || Array.isArray(keys)) {
        fail("*", "M_BAD_JSON", "Expected a map of key id to signed object");
        continue;
      }
      for (const [keyId, signed] of Object.entries(keys as KeyJson)) {
        try {
          if (typeof signed !== "object" || signed === null || Array.isArray(signed)) throw new MatrixError("M_BAD_JSON", 400, "The signed key must be an object");
          rows.push(...(targetUser === userId
            ? await this.ownSignatures(userId, keyId, signed as KeyJson)
            : await this.otherUserSignature(userId, targetUser, keyId, signed as KeyJson)));
        } catch (err) {
          if (!(err instanceof MatrixError)) throw err;
          fail(keyId, err.errcode, err.message);
        }
      }
    }
    await this.store.addSignatures(rows);
    if (rows.some((r) => r.targetUserId === userId)) await this.deviceLists.changed(userId);
    await this.deviceLists.signedByUser(userId, [...new Set(rows.filter((r) => r.targetUserId !== userId).map((r) => r.targetUserId))]);
    return { failures };
  }

  /** A device of mine signed by my self-signing key, or my master key signed by my devices. */
  private async ownSignatures(userId: string, keyId: string, signed: KeyJson): Promise<SignatureRow[]> {
    const cs = await this.store.crossSigningKeys(userId);
    const device = await this.store.getDeviceKeys(userId, keyId);
    if (device) {
      if (!sameSignedContent(device, signed)) throw invalidParam(`The signed object differs from the stored keys of device ${keyId}`);
      const ssk = cs.self_signing && crossSigningPublicKey(cs.self_signing);
      if (ssk === undefined) throw new MatrixError("M_MISSING_PARAM", 400, "Upload a self-signing key before signing devices");
      if (!signedByKey(signed, userId, ssk)) throw invalidSignature(`Device ${keyId} is not validly signed by the self-signing key ed25519:${ssk}`);
      return [row(userId, keyId, userId, `ed25519:${ssk}`, signed)];
    }
    const master = cs.master;
    const masterKey = master && crossSigningPublicKey(master);
    if (!master || masterKey !== keyId) throw notFound(`No device or master key ${keyId}`);
    if (!sameSignedContent(master, signed)) throw invalidParam("The signed object differs from the stored master key");
    const sigs = (signed["signatures"] as Record<string, Record<string, unknown>> | undefined)?.[userId] ?? {};
    const out: SignatureRow[] = [];
    for (const signerKeyId of Object.keys(sigs)) {
      if (!signerKeyId.startsWith("ed25519:") || signerKeyId === `ed25519:${masterKey}`) continue;
      const signerDevice = await this.store.getDeviceKeys(userId, signerKeyId.slice("ed25519:".length));
      const pub = signerDevice && ed25519Of(signerDevice, signerKeyId);
      if (pub === undefined) throw invalidSignature(`Unknown signing device ${signerKeyId}`);
      if (!verifyJsonSignature(signed, userId, signerKeyId, decodeBase64(pub))) throw invalidSignature(`Invalid signature by ${signerKeyId}`);
      out.push(row(userId, keyId, userId, signerKeyId, signed));
    }
    if (out.length === 0) throw invalidSignature("No new device signature on the master key");
    return out;
  }

  /** Another user's master key signed by my user-signing key. */
  private async otherUserSignature(userId: string, target: string, keyId: string, signed: KeyJson): Promise<SignatureRow[]> {
    const cs = await this.store.crossSigningKeys(userId);
    const usk = cs.user_signing && crossSigningPublicKey(cs.user_signing);
    if (usk === undefined) throw new MatrixError("M_MISSING_PARAM", 400, "Upload a user-signing key before signing other users");
    const master = await this.masterKeyOf(target);
    if (!master || crossSigningPublicKey(master) !== keyId) throw notFound(`${target} has no master key ${keyId}`);
    if (!sameSignedContent(master, signed)) throw invalidParam(`The signed object differs from ${target}'s master key`);
    if (!signedByKey(signed, userId, usk)) throw invalidSignature(`Not validly signed by your user-signing key ed25519:${usk}`);
    return [row(target, keyId, userId, `ed25519:${usk}`, signed)];
  }

  private async masterKeyOf(userId: string): Promise<KeyJson | undefined> {
    const server = serverNameOf(userId);
    if (server === undefined) throw invalidParam(`Invalid user id ${userId}`);
    if (server === this.serverName) return (await this.store.crossSigningKeys(userId)).master;
    try {
      const res = await this.remote().queryKeys(server, { device_keys: { [userId]: [] } });
      const m = (res["master_keys"] as Record<string, unknown> | undefined)?.[userId];
      return typeof m === "object" && m !== null ? (m as KeyJson) : undefined;
    } catch (err) {
      throw new MatrixError("M_UNKNOWN", 502, `Could not fetch ${userId}'s keys from ${server}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function row(targetUserId: string, targetKeyId: string, signerUserId: string, signerKeyId: string, signed: KeyJson): SignatureRow {
  const sig = (signed["signatures"] as Record<string, Record<string, string>>)[signerUserId]?.[signerKeyId] ?? "";
  return { targetUserId, targetKeyId, signerUserId, signerKeyId, signature: sig };
}
