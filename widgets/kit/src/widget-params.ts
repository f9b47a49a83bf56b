// What a widget learns from its own URL. The widget API needs `widgetId` and `parentUrl` in the
// query string (https://spec.matrix.org/unstable/client-server-api/ is silent; matrix-widget-api and
// Element put them there); the rest comes from the widget's URL template, expanded by the host,
// in the query or in the fragment (Element's Jitsi wrapper uses the fragment). The URL is
// attacker-controlled input like any other, so every value is parsed, never trusted.

export type WidgetTheme = "light" | "dark";
export type WidgetLanguage = "fr" | "en";

export interface WidgetParams {
  /** Present only when a host embedded us with the widget API's parameters. */
  widgetId: string | undefined;
  /** Origin of the hosting client, from `parentUrl`; postMessage is accepted from it only. */
  clientOrigin: string | undefined;
  theme: WidgetTheme;
  language: WidgetLanguage;
  userId: string | undefined;
  roomId: string | undefined;
  displayName: string | undefined;
  avatarUrl: string | undefined;
  /** Every parameter (fragment over query), for widget-specific ones. */
  raw: ReadonlyMap<string, string>;
}

const MAX_VALUE = 2048;

/** A value the host left as `$something` was not expanded: treat it as absent. */
function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === "" || v.length > MAX_VALUE || /^\$[\w.]+$/.test(v) || v === "undefined" || v === "null") return undefined;
  return v;
}

function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export function parseTheme(value: string | undefined): WidgetTheme {
  return value !== undefined && /dark/i.test(value) ? "dark" : "light";
}

/** French unless the host clearly asks for English: the agents are French councils' staff. */
export function parseLanguage(value: string | undefined): WidgetLanguage {
  return value !== undefined && /^en(?:[-_]|$)/i.test(value.trim()) ? "en" : "fr";
}

export function readWidgetParams(href: string): WidgetParams {
  const url = new URL(href);
  const raw = new Map<string, string>();
  for (const [k, v] of url.searchParams) raw.set(k, v);
  const hash = url.hash.startsWith("#") ? url.hash.slice(1) : url.hash;
  for (const [k, v] of new URLSearchParams(hash)) raw.set(k, v);
  const get = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = clean(raw.get(k));
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const userId = get("userId", "matrix_user_id");
  const roomId = get("roomId", "matrix_room_id");
  const avatar = get("avatarUrl", "matrix_avatar_url");
  return {
    widgetId: get("widgetId"),
    clientOrigin: originOf(get("parentUrl")),
    theme: parseTheme(get("theme", "org.matrix.msc2873.client_theme")),
    language: parseLanguage(get("language", "org.matrix.msc2873.client_language")),
    userId: userId !== undefined && /^@[^:]+:.+$/.test(userId) ? userId : undefined,
    roomId: roomId !== undefined && /^!.+/.test(roomId) ? roomId : undefined,
    displayName: get("displayName", "matrix_display_name"),
    avatarUrl: avatar !== undefined && originOf(avatar) !== undefined ? avatar : undefined,
    raw,
  };
}

/** Embedded by a host that speaks the widget API (not merely framed, not opened directly). */
export function isHosted(params: WidgetParams, inFrame: boolean): boolean {
  return inFrame && params.widgetId !== undefined && params.clientOrigin !== undefined;
}
