// m.room.server_acl evaluation. Spec: https://spec.matrix.org/v1.16/client-server-api/#server-access-control-lists-acls-for-rooms
import type { JsonObject } from "./pdu.ts";

function glob(pattern: string): RegExp {
  return new RegExp("^" + pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("") + "$", "i");
}

/** True when the ACL content lets `serverName` take part in the room. No ACL: everyone may. */
export function serverAllowedByAcl(acl: JsonObject | undefined, serverName: string): boolean {
  if (!acl) return true;
  const host = serverName.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const allowIpLiterals = acl["allow_ip_literals"] !== false;
  if (!allowIpLiterals && (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":"))) return false;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  if (strings(acl["deny"]).some((p) => glob(p).test(host))) return false;
  return strings(acl["allow"]).some((p) => glob(p).test(host));
}
