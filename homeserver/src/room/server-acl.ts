// m.room.server_acl evaluation. Spec: https://spec.matrix.org/v1.16/client-server-api/#server-access-control-lists-acls-for-rooms
// The patterns are written by whoever may send the ACL event, possibly a hostile partner server,
// and are checked on every federation request about the room. They are matched without regular
// expressions (a RegExp built from `a*a*a*…b` backtracked exponentially, issue 9 finding 1), and a
// long pattern costs nothing extra: runs of `*` are collapsed, and a pattern with more non-`*`
// characters than the host name cannot match, so each pattern costs at most
// (2 × host + 1) × host steps whatever its length. Long patterns are neither truncated nor
// ignored: the answer stays exact, so a long deny pattern still denies.
import type { JsonObject } from "./pdu.ts";
import { globMatches, type GlobSteps } from "../spec/glob.ts";

const ACL_GLOB = { questionMark: true, caseInsensitive: false }; // both sides are lower-cased first

function patternMatches(pattern: string, host: string, hostLength: number, steps?: GlobSteps): boolean {
  const collapsed = pattern.toLowerCase().replace(/\*+/g, "*");
  let literal = 0;
  for (const ch of collapsed) {
    if (ch !== "*" && ++literal > hostLength) return false; // each one consumes a character of the host
  }
  return globMatches(collapsed, host, ACL_GLOB, steps);
}

/**
 * True when the ACL content lets `serverName` take part in the room. No ACL: everyone may.
 * `steps` counts matcher work, for tests.
 */
export function serverAllowedByAcl(acl: JsonObject | undefined, serverName: string, steps?: GlobSteps): boolean {
  if (!acl) return true;
  const host = serverName.replace(/:\d+$/, "").replace(/^\[|\]$/g, "").toLowerCase();
  const allowIpLiterals = acl["allow_ip_literals"] !== false;
  if (!allowIpLiterals && (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":"))) return false;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const hostLength = Array.from(host).length;
  if (strings(acl["deny"]).some((p) => patternMatches(p, host, hostLength, steps))) return false;
  return strings(acl["allow"]).some((p) => patternMatches(p, host, hostLength, steps));
}
