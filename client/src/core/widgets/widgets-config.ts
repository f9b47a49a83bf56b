// The `widgets` section of the client's config.json (written by `entente start`, or by the
// council's admin): where our widgets are served (their origin is the only non-https one the
// client trusts) and the Jitsi allow-list, whose first domain hosts new meetings. It comes over
// the network: parsed, never trusted.
export interface WidgetsConfig {
  /** Absolute, ends with "/"; our Jitsi wrapper is `${baseUrl}jitsi/index.html`. */
  baseUrl: string;
  jitsiDomains: string[];
}

const DOMAIN = /^[a-z0-9.-]+(?::\d{1,5})?$/;

/** `clientUrl`: the page's own URL; a missing or bad base_url means "./widgets/" next to the client. */
export function parseWidgetsConfig(json: unknown, clientUrl: string): WidgetsConfig {
  const section = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["widgets"] : undefined;
  const w = typeof section === "object" && section !== null ? (section as Record<string, unknown>) : {};
  let baseUrl = new URL("./widgets/", clientUrl).href;
  if (typeof w["base_url"] === "string") {
    try {
      const u = new URL(w["base_url"], clientUrl);
      if (u.protocol === "https:" || u.protocol === "http:") baseUrl = u.href.endsWith("/") ? u.href : `${u.href}/`;
    } catch {
      // keep the default
    }
  }
  const list = Array.isArray(w["jitsi_domains"]) ? w["jitsi_domains"] : [];
  const jitsiDomains = list.filter((d): d is string => typeof d === "string").map((d) => d.trim().toLowerCase()).filter((d) => DOMAIN.test(d));
  return { baseUrl, jitsiDomains };
}

export const jitsiWrapperUrl = (c: WidgetsConfig): string => `${c.baseUrl}jitsi/index.html`;
export const widgetsOrigin = (c: WidgetsConfig): string => new URL(c.baseUrl).origin;
