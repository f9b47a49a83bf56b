// Identifier grammar: server names, user ids, room ids, room aliases, event ids.
// Spec: https://spec.matrix.org/v1.16/appendices/#identifier-grammar
import { isIPv6 } from "node:net";

/** User ids, room ids, room aliases and event ids are limited to 255 bytes (UTF-8), sigil included. */
export const MAX_ID_BYTES = 255;

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

const PORT = /^[0-9]{1,5}$/;
const IPV4 = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;
const DNS_NAME = /^[0-9A-Za-z.-]{1,255}$/;

/**
 * `server_name = hostname [ ":" port ]`, hostname being a dotted-quad IPv4 literal (each part
 * 0–255), a bracketed IPv6 literal (RFC 3513), or a DNS name of `[0-9A-Za-z.-]`.
 * https://spec.matrix.org/v1.16/appendices/#server-name
 */
export function isValidServerName(s: string): boolean {
  let host = s;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1) return false;
    const rest = s.slice(close + 1);
    if (rest !== "" && !(rest.startsWith(":") && PORT.test(rest.slice(1)))) return false;
    const literal = s.slice(1, close);
    return IPV6_CHARS.test(literal) && isIPv6(literal);
  }
  const colon = s.lastIndexOf(":");
  if (colon !== -1) {
    if (!PORT.test(s.slice(colon + 1))) return false;
    host = s.slice(0, colon);
  }
  const quad = IPV4.exec(host);
  if (quad) return quad.slice(1).every((part) => Number(part) <= 255);
  return DNS_NAME.test(host);
}

/**
 * Localpart allowed for NEW user ids (what we register): `[a-z0-9._=\-/+]+`.
 * https://spec.matrix.org/v1.16/appendices/#user-identifiers
 */
export function isValidLocalpart(s: string): boolean {
  return /^[a-z0-9._=\-/+]+$/.test(s);
}

/**
 * Historical localparts (user ids, room ids, aliases): any non-surrogate code points except
 * `:` and NUL, possibly empty. Servers MUST accept these over federation.
 * https://spec.matrix.org/v1.16/appendices/#historical-user-ids
 */
const isHistoricalLocalpart = (s: string): boolean => s.isWellFormed() && !/[:\u0000]/.test(s);

export interface ParsedId {
  readonly localpart: string;
  readonly serverName: string;
}

/** Splits `&localpart:server_name` at the first `:` (localparts never contain one). */
function parseSigilled(s: string, sigil: string): ParsedId | undefined {
  if (!s.startsWith(sigil) || byteLength(s) > MAX_ID_BYTES) return undefined;
  const colon = s.indexOf(":");
  if (colon === -1) return undefined;
  const localpart = s.slice(1, colon);
  const serverName = s.slice(colon + 1);
  if (!isHistoricalLocalpart(localpart) || !isValidServerName(serverName)) return undefined;
  return { localpart, serverName };
}

/** Parses a user id, tolerating historical localparts (remote users). Use `isValidLocalpart`
 *  on top of this for ids we mint ourselves. */
export function parseUserId(s: string): ParsedId | undefined {
  return parseSigilled(s, "@");
}

/** Parses a room alias `#localpart:server_name`. */
export function parseRoomAlias(s: string): ParsedId | undefined {
  return parseSigilled(s, "#");
}

/** An opaque id that may or may not carry a domain (room ids from v12, event ids from v3). */
export interface ParsedOpaqueId {
  readonly opaqueId: string;
  readonly serverName?: string;
}

function parseOpaque(s: string, sigil: string): ParsedOpaqueId | undefined {
  if (!s.startsWith(sigil) || s.length === 1 || byteLength(s) > MAX_ID_BYTES) return undefined;
  if (!s.includes(":")) {
    const opaqueId = s.slice(1);
    return s.isWellFormed() && !opaqueId.includes("\u0000") ? { opaqueId } : undefined;
  }
  const parsed = parseSigilled(s, sigil);
  return parsed && { opaqueId: parsed.localpart, serverName: parsed.serverName };
}

/**
 * Parses `!opaque_id:domain` (rooms v1–v11) or the domain-less `!opaque_id` (v12+, the create
 * event's id with `!`). https://spec.matrix.org/v1.16/appendices/#room-ids
 */
export function parseRoomId(s: string): ParsedOpaqueId | undefined {
  return parseOpaque(s, "!");
}

/**
 * Parses `$opaque_id` (v4+ hash ids) or `$opaque_id:domain` (v1–v3).
 * https://spec.matrix.org/v1.16/appendices/#event-ids
 */
export function parseEventId(s: string): ParsedOpaqueId | undefined {
  return parseOpaque(s, "$");
}

/** A sha256 reference hash in URL-safe unpadded Base64 is exactly 43 characters. */
const HASH_ID_BODY = /^[A-Za-z0-9_-]{43}$/;

/** Event id format of room versions 4+: `$` + URL-safe unpadded Base64 of a sha256.
 *  https://spec.matrix.org/v1.16/rooms/v4/#event-ids */
export function isHashEventId(s: string): boolean {
  return s.startsWith("$") && HASH_ID_BODY.test(s.slice(1));
}

/** Room id format of room versions 12+: `!` + the create event's reference hash. */
export function isHashRoomId(s: string): boolean {
  return s.startsWith("!") && HASH_ID_BODY.test(s.slice(1));
}

/** Server name of a user id, alias, or domain-carrying room/event id; undefined otherwise. */
export function serverNameOf(id: string): string | undefined {
  switch (id[0]) {
    case "@":
      return parseUserId(id)?.serverName;
    case "#":
      return parseRoomAlias(id)?.serverName;
    case "!":
      return parseRoomId(id)?.serverName;
    case "$":
      return parseEventId(id)?.serverName;
    default:
      return undefined;
  }
}
