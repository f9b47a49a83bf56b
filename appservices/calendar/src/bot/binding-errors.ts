// What the room is told when a binding cannot sync, and what its `error` state field says: short,
// French first, no server internals beyond the HTTP status. Pure.
import { CaldavError } from "../caldav/caldav-port.ts";

export function bindingError(e: unknown): string {
  const status = e instanceof CaldavError ? e.status : undefined;
  if (status === 401 || status === 403) return `identifiants CalDAV refusés (${status}) / CalDAV credentials refused`;
  if (status !== undefined) return `le serveur CalDAV répond ${status} / CalDAV server answered ${status}`;
  return "serveur CalDAV injoignable / CalDAV server unreachable";
}

export function brokenNotice(error: string, admins: readonly string[]): string {
  const who = admins.length > 0 ? `${admins.join(", ")} : ` : "";
  return `⚠️ ${who}agenda, synchronisation CalDAV impossible : ${error}. Rien n'est perdu ; nouvel essai automatique. ` +
    "(Calendar: CalDAV sync failing; nothing is lost, retrying automatically.)";
}

export const RECOVERED_NOTICE = "✅ Agenda : synchronisation CalDAV rétablie. (Calendar: CalDAV sync restored.)";
