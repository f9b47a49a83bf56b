// The council's allow-list of Jitsi domains. It comes from config.json served NEXT TO the wrapper
// (same origin as our code), never from the room: a widget event names a domain, only this list
// decides whether code from that domain runs. Same `widgets` section as the client's config.json,
// so one file can serve both.
import { isValidDomain, normaliseDomain } from "./jitsi-widget.ts";

export interface JitsiConfig {
  domains: readonly string[];
  /** Where "start a meeting" creates meetings: the first domain of the list. */
  preferredDomain: string | undefined;
}

export class JitsiConfigError extends Error {}

export function parseJitsiConfig(json: unknown): JitsiConfig {
  const widgets = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["widgets"] : undefined;
  if (widgets === undefined) return { domains: [], preferredDomain: undefined };
  if (typeof widgets !== "object" || widgets === null) throw new JitsiConfigError("config.json : widgets doit être un objet");
  const list = (widgets as Record<string, unknown>)["jitsi_domains"] ?? [];
  if (!Array.isArray(list)) throw new JitsiConfigError("config.json : widgets.jitsi_domains doit être une liste");
  const domains = list.map((d, i) => {
    const n = typeof d === "string" ? normaliseDomain(d) : "";
    if (!isValidDomain(n)) throw new JitsiConfigError(`config.json : widgets.jitsi_domains[${i}] n'est pas un nom de domaine`);
    return n;
  });
  return { domains, preferredDomain: domains[0] };
}

/** Exact match only: "meet.ville-a.fr" does not allow "evil.meet.ville-a.fr" nor "meet.ville-a.fr.evil". */
export function isDomainAllowed(domain: string, config: JitsiConfig): boolean {
  const n = normaliseDomain(domain);
  return isValidDomain(n) && config.domains.includes(n);
}

export function externalApiUrl(domain: string): string {
  return `https://${normaliseDomain(domain)}/external_api.js`;
}
