// Namespace matching: which users, aliases and rooms an application service claims.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#registration
// The spec calls the regexes POSIX; in practice bridges are written against Synapse, which matches
// from the start of the string without requiring the whole string to match. We do the same
// (`^(?:regex)`), so "@_irc_" and "@_irc_.*" both claim "@_irc_alice:example.org".
import { serverNameOf } from "../../spec/ids.ts";

export interface Namespace {
  exclusive: boolean;
  /** The regex as written in the registration file. */
  source: string;
  regex: RegExp;
}

export interface Namespaces {
  users: readonly Namespace[];
  aliases: readonly Namespace[];
  rooms: readonly Namespace[];
}

/** Compiles a registration regex, or returns the reason it is not one. */
export function compileNamespace(source: string, exclusive: boolean): Namespace | string {
  try {
    return { exclusive, source, regex: new RegExp(`^(?:${source})`) };
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
}

export const matchesAny = (list: readonly Namespace[], value: string): boolean => list.some((n) => n.regex.test(value));
export const matchesExclusive = (list: readonly Namespace[], value: string): boolean =>
  list.some((n) => n.exclusive && n.regex.test(value));

/** What the interest rules need to know about one registration. */
export interface NamespaceOwner {
  namespaces: Namespaces;
  /** Full user id of the sender_localpart user. */
  senderUserId: string;
}

/**
 * Whether the appservice claims this user: its sender, or a LOCAL user matching the users
 * namespace (the spec's note: users namespaces only ever cover local users).
 */
export function claimsUser(owner: NamespaceOwner, userId: string, serverName: string): boolean {
  if (userId === owner.senderUserId) return true;
  // asked for every joined member of a room, per new event and appservice (interest.ts): the
  // answer of each user id is kept (an owner's namespaces never change once loaded)
  let known = claimed.get(owner);
  if (known === undefined || known.serverName !== serverName) {
    known = { serverName, users: new Map() };
    claimed.set(owner, known);
  }
  let yes = known.users.get(userId);
  if (yes === undefined) {
    yes = serverNameOf(userId) === serverName && matchesAny(owner.namespaces.users, userId);
    if (known.users.size >= MAX_CLAIMED) known.users.clear();
    known.users.set(userId, yes);
  }
  return yes;
}

/** claimsUser's answers per owner (registrations are immutable objects); at most MAX_CLAIMED users each. */
const claimed = new WeakMap<NamespaceOwner, { serverName: string; users: Map<string, boolean> }>();
const MAX_CLAIMED = 10_000;

export function claimsUserExclusively(owner: NamespaceOwner, userId: string, serverName: string): boolean {
  if (userId === owner.senderUserId) return true;
  return serverNameOf(userId) === serverName && matchesExclusive(owner.namespaces.users, userId);
}

export const claimsAlias = (owner: NamespaceOwner, alias: string): boolean => matchesAny(owner.namespaces.aliases, alias);
export const claimsAliasExclusively = (owner: NamespaceOwner, alias: string): boolean => matchesExclusive(owner.namespaces.aliases, alias);
export const claimsRoom = (owner: NamespaceOwner, roomId: string): boolean => matchesAny(owner.namespaces.rooms, roomId);
