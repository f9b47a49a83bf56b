// Password sign-in without matrix-js-sdk: the SDK and its crypto are loaded only once signed in,
// which keeps the page an agent first opens small. Errors become words, not status codes.
import type { CouncilChoice } from "./client-config.ts";
import type { MessageKey } from "./i18n/messages-fr.ts";
import { isRecord, str } from "./raw-event.ts";

export interface Session { baseUrl: string; userId: string; accessToken: string; deviceId: string }

export class SignInError extends Error {
  readonly reason: MessageKey;
  constructor(reason: MessageKey, detail?: string) {
    super(detail ?? reason);
    this.reason = reason;
  }
}

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** "@agent:ville-a.fr" → ["agent", "ville-a.fr"]; undefined for anything else. */
export function parseUserId(input: string): { localpart: string; serverName: string } | undefined {
  const m = /^@([^:]+):(.+)$/.exec(input.trim());
  return m?.[1] !== undefined && m[2] !== undefined ? { localpart: m[1], serverName: m[2] } : undefined;
}

async function getJson(fetchFn: Fetch, url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch {
    return undefined;
  }
  if (!res.ok) return undefined;
  try {
    return (await res.json()) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The homeserver URL for what the agent typed: a bare username goes to the chosen council; a full
 * Matrix id of a configured council uses its URL, else `.well-known/matrix/client` discovery
 * (spec: Server discovery), checked by asking the candidate for /versions.
 */
export async function resolveHomeserver(input: string, chosen: CouncilChoice | undefined, councils: readonly CouncilChoice[], fetchFn: Fetch): Promise<{ baseUrl: string; user: string }> {
  const id = parseUserId(input);
  if (id === undefined) {
    if (chosen === undefined) throw new SignInError("unknownServer");
    return { baseUrl: chosen.homeserverUrl, user: input.trim() };
  }
  const known = councils.find((c) => c.serverName === id.serverName);
  if (known !== undefined) return { baseUrl: known.homeserverUrl, user: input.trim() };
  const wk = await getJson(fetchFn, `https://${id.serverName}/.well-known/matrix/client`);
  const hs = isRecord(wk) && isRecord(wk["m.homeserver"]) ? str(wk["m.homeserver"]["base_url"]) : undefined;
  const baseUrl = (hs ?? `https://${id.serverName}`).replace(/\/+$/, "");
  const versions = await getJson(fetchFn, `${baseUrl}/_matrix/client/versions`);
  if (!isRecord(versions) || !Array.isArray(versions["versions"])) throw new SignInError("unknownServer");
  return { baseUrl, user: input.trim() };
}

export async function passwordSignIn(baseUrl: string, user: string, password: string, fetchFn: Fetch): Promise<Session> {
  let res: Response;
  try {
    res = await fetchFn(`${baseUrl}/_matrix/client/v3/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password, initial_device_display_name: "Entente (navigateur)" }),
    });
  } catch {
    throw new SignInError("serverUnreachable");
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status === 429) throw new SignInError("tooManyAttempts");
  if (res.status === 403 || res.status === 401) throw new SignInError("badCredentials");
  if (!res.ok || !isRecord(body)) throw new SignInError("serverUnreachable", `login: HTTP ${res.status}`);
  const userId = str(body["user_id"]);
  const accessToken = str(body["access_token"]);
  const deviceId = str(body["device_id"]);
  if (userId === undefined || accessToken === undefined || deviceId === undefined) throw new SignInError("serverUnreachable", "login: incomplete answer");
  return { baseUrl, userId, accessToken, deviceId };
}

export interface KeyValueStore { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void }

const SESSION_KEY = "entente.session";

/** The session survives reloads in localStorage; a damaged entry is dropped rather than trusted. */
export function loadSession(store: KeyValueStore): Session | undefined {
  const raw = store.getItem(SESSION_KEY);
  if (raw === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    store.removeItem(SESSION_KEY);
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  const [baseUrl, userId, accessToken, deviceId] = [str(v["baseUrl"]), str(v["userId"]), str(v["accessToken"]), str(v["deviceId"])];
  if (baseUrl === undefined || userId === undefined || accessToken === undefined || deviceId === undefined) {
    store.removeItem(SESSION_KEY);
    return undefined;
  }
  return { baseUrl, userId, accessToken, deviceId };
}

export const saveSession = (store: KeyValueStore, s: Session): void => store.setItem(SESSION_KEY, JSON.stringify(s));
export const clearSession = (store: KeyValueStore): void => store.removeItem(SESSION_KEY);
