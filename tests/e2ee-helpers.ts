// Helpers for the raw e2ee API suites: ed25519 keys and signed key objects made with node:crypto,
// and a small authenticated JSON client.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { canonicalJson } from "../homeserver/src/spec/canonical-json.ts";
import { encodeBase64 } from "../homeserver/src/spec/base64.ts";

export interface Ed25519 {
  pub: string;
  priv: KeyObject;
}

export function ed25519(): Ed25519 {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { pub: encodeBase64(publicKey.export({ format: "der", type: "spki" }).subarray(12)), priv: privateKey };
}

/** A copy of `obj` with a signature by `key` under signatures[userId][keyId]. */
export function signObject<T extends Record<string, unknown>>(obj: T, userId: string, keyId: string, key: Ed25519): T {
  const { signatures, unsigned: _u, ...rest } = obj as Record<string, unknown>;
  const sig = encodeBase64(sign(null, Buffer.from(canonicalJson(rest)), key.priv));
  const prev = (signatures ?? {}) as Record<string, Record<string, string>>;
  return { ...obj, signatures: { ...prev, [userId]: { ...prev[userId], [keyId]: sig } } };
}

export type Json = Record<string, unknown>;

export interface Session {
  userId: string;
  deviceId: string;
  accessToken: string;
}

/** A device's identity: its signing key and a helper to make its signed key objects. */
export class TestDevice {
  readonly session: Session;
  readonly key = ed25519();
  private otkCounter = 0;

  constructor(session: Session) {
    this.session = session;
  }

  deviceKeys(): Json {
    const { userId, deviceId } = this.session;
    return signObject({
      user_id: userId, device_id: deviceId, algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: { [`ed25519:${deviceId}`]: this.key.pub, [`curve25519:${deviceId}`]: ed25519().pub },
    }, userId, `ed25519:${deviceId}`, this.key);
  }

  /** `n` signed_curve25519 keys with fresh ids. */
  oneTimeKeys(n: number, fallback = false): Json {
    const out: Json = {};
    for (let i = 0; i < n; i++) {
      const body = fallback ? { key: ed25519().pub, fallback: true } : { key: ed25519().pub };
      out[`signed_curve25519:K${++this.otkCounter}`] = signObject(body, this.session.userId, `ed25519:${this.session.deviceId}`, this.key);
    }
    return out;
  }
}

export interface ApiResponse {
  status: number;
  body: Json;
}

/** Calls the client-server API as `who` (no token when undefined). */
export async function api(base: string, who: Session | undefined, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (who) headers["Authorization"] = `Bearer ${who.accessToken}`;
  const res = await fetch(`${base}/_matrix/client/v3${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? {} : (JSON.parse(text) as Json) };
}

/** One /sync call; returns the body. */
export async function syncOnce(base: string, who: Session, since?: string, timeoutMs = 0): Promise<Json> {
  const q = new URLSearchParams({ timeout: String(timeoutMs) });
  if (since) q.set("since", since);
  const r = await api(base, who, "GET", `/sync?${q.toString()}`);
  if (r.status !== 200) throw new Error(`sync: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Logs `userId` in as a new device with the harness's default password. */
export async function login(base: string, userId: string, password = "correct horse battery staple"): Promise<Session> {
  const r = await api(base, undefined, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
  return { userId: String(r.body["user_id"]), deviceId: String(r.body["device_id"]), accessToken: String(r.body["access_token"]) };
}
