// The application service registration file, checked key by key; every problem is reported,
// not only the first. Spec: https://spec.matrix.org/v1.16/application-service-api/#registration
// Opt-ins read besides the spec's keys: `de.sorunome.msc2409.push_ephemeral` (the unstable name of
// receive_ephemeral, MSC2409, also enabling to-device messages) and `org.matrix.msc3202` (device
// lists and device masquerading for bots holding encryption keys, MSC3202).
import { isValidLocalpart } from "../../spec/ids.ts";
import { compileNamespace, type Namespace, type Namespaces } from "./namespaces.ts";

export interface AppserviceRegistration {
  id: string;
  /** Base URL without trailing slash; undefined when the registration says `url: null` (no traffic). */
  url: string | undefined;
  asToken: string;
  hsToken: string;
  senderLocalpart: string;
  /** @senderLocalpart:serverName */
  senderUserId: string;
  namespaces: Namespaces;
  /** Whether masqueraded users are rate-limited (the sender never is). Defaults to true. */
  rateLimited: boolean;
  protocols: string[];
  /** receive_ephemeral or its MSC2409 name: typing and receipts in transactions. */
  receiveEphemeral: boolean;
  /** MSC2409 to-device messages (push_ephemeral or receive_ephemeral). */
  receiveToDevice: boolean;
  /** MSC3202: device list changes in transactions. */
  msc3202: boolean;
  /** File it came from, for messages. */
  file: string;
}

export type ParsedRegistration = { ok: true; value: AppserviceRegistration } | { ok: false; errors: string[] };

const KNOWN_KEYS = new Set([
  "id", "url", "as_token", "hs_token", "sender_localpart", "namespaces", "rate_limited", "protocols",
  "receive_ephemeral", "de.sorunome.msc2409.push_ephemeral",
  // Written by bridge generators beside the prefixed name; accepted and ignored.
  "push_ephemeral",
]);

/** A typo of a spec key is an error; namespaced extension keys (with a dot) are ignored. */
const isUnknownKey = (k: string): boolean => !KNOWN_KEYS.has(k) && !k.includes(".");

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Collects `file: key: message` lines. */
class Problems {
  readonly list: string[] = [];
  private readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  add(key: string, message: string): void {
    this.list.push(`${this.file}: ${key}: ${message}`);
  }
}

function token(raw: Record<string, unknown>, key: string, p: Problems): string {
  const v = raw[key];
  // The value is a secret: never echo it.
  if (typeof v !== "string" || v.trim() === "") p.add(key, "required, a non-empty string (a secret token)");
  else if (v !== v.trim()) p.add(key, "must not start or end with whitespace");
  else return v;
  return "";
}

function optionalBool(raw: Record<string, unknown>, key: string, p: Problems): boolean | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") p.add(key, "must be true or false");
  return v === true;
}

function parseUrl(raw: Record<string, unknown>, p: Problems): string | undefined {
  if (!("url" in raw)) {
    p.add("url", "required: the appservice's base URL, or null if it receives no traffic");
    return undefined;
  }
  const v = raw["url"];
  if (v === null) return undefined;
  if (typeof v === "string" && URL.canParse(v)) {
    const u = new URL(v);
    if ((u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "") return u.href.replace(/\/+$/, "");
  }
  p.add("url", "must be an http:// or https:// URL without query or fragment, or null");
  return undefined;
}

function parseNamespaceList(raw: unknown, key: string, p: Problems): Namespace[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    p.add(key, "must be a list of { exclusive, regex }");
    return [];
  }
  const out: Namespace[] = [];
  raw.forEach((item: unknown, i) => {
    const at = `${key}[${i}]`;
    if (!isObject(item)) return p.add(at, "must be a mapping { exclusive, regex }");
    const { exclusive, regex } = item;
    if (typeof exclusive !== "boolean") p.add(`${at}.exclusive`, "required, true or false");
    if (typeof regex !== "string" || regex === "") return p.add(`${at}.regex`, "required, a non-empty regular expression");
    const compiled = compileNamespace(regex, exclusive === true);
    if (typeof compiled === "string") return p.add(`${at}.regex`, `not a valid regular expression: ${compiled}`);
    out.push(compiled);
  });
  return out;
}

function parseNamespaces(raw: unknown, p: Problems): Namespaces {
  if (!isObject(raw)) {
    p.add("namespaces", "required, a mapping with users, aliases and rooms lists");
    return { users: [], aliases: [], rooms: [] };
  }
  for (const k of Object.keys(raw)) if (!["users", "aliases", "rooms"].includes(k)) p.add(`namespaces.${k}`, "unknown key");
  return {
    users: parseNamespaceList(raw["users"], "namespaces.users", p),
    aliases: parseNamespaceList(raw["aliases"], "namespaces.aliases", p),
    rooms: parseNamespaceList(raw["rooms"], "namespaces.rooms", p),
  };
}

function parseProtocols(raw: unknown, p: Problems): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== "string" || x === "")) {
    p.add("protocols", "must be a list of protocol names");
    return [];
  }
  return raw as string[];
}

function parseId(raw: Record<string, unknown>, p: Problems): string {
  const id = raw["id"];
  if (typeof id === "string" && id !== "" && id.length <= 255 && !/[/\s]/.test(id)) return id;
  p.add("id", "required, a non-empty string of at most 255 characters without '/' or spaces");
  return "";
}

function parseSender(raw: Record<string, unknown>, p: Problems): string {
  const v = raw["sender_localpart"];
  if (typeof v === "string" && isValidLocalpart(v)) return v;
  p.add("sender_localpart", "required, a user localpart of a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
  return "";
}

/** Checks one parsed YAML document. `file` prefixes messages; the server name completes user ids. */
export function parseRegistration(raw: unknown, file: string, serverName: string): ParsedRegistration {
  const p = new Problems(file);
  if (!isObject(raw)) return { ok: false, errors: [`${file}: the registration must be a YAML mapping`] };
  for (const k of Object.keys(raw)) if (isUnknownKey(k)) p.add(k, "unknown key");
  const id = parseId(raw, p);
  const url = parseUrl(raw, p);
  const asToken = token(raw, "as_token", p);
  const hsToken = token(raw, "hs_token", p);
  if (asToken !== "" && asToken === hsToken) p.add("hs_token", "must differ from as_token");
  const senderLocalpart = parseSender(raw, p);
  const namespaces = parseNamespaces(raw["namespaces"], p);
  const rateLimited = optionalBool(raw, "rate_limited", p) ?? true;
  const protocols = parseProtocols(raw["protocols"], p);
  const ephemeral = optionalBool(raw, "receive_ephemeral", p) === true;
  const msc2409 = optionalBool(raw, "de.sorunome.msc2409.push_ephemeral", p) === true;
  const msc3202 = optionalBool(raw, "org.matrix.msc3202", p) === true;
  if (p.list.length > 0) return { ok: false, errors: p.list };
  return { ok: true, value: {
    id, url, asToken, hsToken, senderLocalpart, senderUserId: `@${senderLocalpart}:${serverName}`, namespaces,
    rateLimited, protocols, receiveEphemeral: ephemeral || msc2409, receiveToDevice: ephemeral || msc2409, msc3202, file,
  } };
}

/** Ids and as_tokens identify appservices: the spec says the homeserver MUST enforce uniqueness. */
export function duplicateProblems(regs: readonly AppserviceRegistration[]): string[] {
  const out: string[] = [];
  regs.forEach((r, i) => {
    const earlier = regs.slice(0, i);
    const sameId = earlier.find((e) => e.id === r.id);
    if (sameId) out.push(`${r.file}: id: "${r.id}" is already the id of ${sameId.file}`);
    const sameToken = earlier.find((e) => e.asToken === r.asToken);
    if (sameToken) out.push(`${r.file}: as_token: is the same as the as_token of ${sameToken.file}`);
    const sameSender = earlier.find((e) => e.senderLocalpart === r.senderLocalpart);
    if (sameSender) out.push(`${r.file}: sender_localpart: "${r.senderLocalpart}" is already the sender of ${sameSender.file}`);
  });
  return out;
}
