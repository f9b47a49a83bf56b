// When a citizen's link expires, as the agent chooses it in the share dialog: a preset (24 h,
// 7 days, 30 days from now) or a date and time of their choice, checked against the share
// service's maximum (GET /api/limits; 30 days when the service does not say) and sent as
// `expires_at` (ms since the epoch: appservices/share accepts it, brought back to its maximum
// within a few minutes of clock difference). Pure: the dialog passes `now`.

export type ExpiryPreset = "24h" | "7d" | "30d" | "date";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const PRESET_MS: Record<Exclude<ExpiryPreset, "date">, number> = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY };

/** What the share service accepts (its /api/limits), or its defaults when it does not say. */
export interface ShareLimits {
  maxExpiryHours: number;
  maxDownloads: number;
}

export const DEFAULT_SHARE_LIMITS: ShareLimits = { maxExpiryHours: 30 * 24, maxDownloads: 100 };

/** A chosen date must leave the citizen at least this long (and the agent time to send the password). */
export const MIN_CHOSEN_MS = HOUR;

/** The presets the service allows (a 72-hour maximum leaves « 24 h » and « une date »). */
export function presetsWithin(limits: ShareLimits): ExpiryPreset[] {
  const max = limits.maxExpiryHours * HOUR;
  return [...(Object.keys(PRESET_MS) as Exclude<ExpiryPreset, "date">[]).filter((p) => PRESET_MS[p] <= max), "date"];
}

/** The preset offered first: 7 days when allowed, else the longest allowed. */
export function defaultPreset(limits: ShareLimits): ExpiryPreset {
  const offered = presetsWithin(limits);
  if (offered.includes("7d")) return "7d";
  return offered.length > 1 ? offered[offered.length - 2]! : "date";
}

export type ExpiryCheck =
  | { ok: true; expiresAt: number }
  | { ok: false; error: "expiryMissing" | "expiryPast" | "expiryTooSoon" | "expiryTooFar"; latest: number };

/**
 * The expiry of the agent's choice at `now`. `chosen` is a date-and-time field's value in the
 * agent's time zone ("2026-12-24T17:30"), used when `preset` is "date".
 */
export function checkExpiry(preset: ExpiryPreset, chosen: string, now: number, limits: ShareLimits): ExpiryCheck {
  const latest = now + limits.maxExpiryHours * HOUR;
  if (preset !== "date") {
    const at = now + PRESET_MS[preset];
    return at <= latest ? { ok: true, expiresAt: at } : { ok: false, error: "expiryTooFar", latest };
  }
  const at = parseLocalDateTime(chosen);
  if (at === undefined) return { ok: false, error: "expiryMissing", latest };
  if (at <= now) return { ok: false, error: "expiryPast", latest };
  if (at < now + MIN_CHOSEN_MS) return { ok: false, error: "expiryTooSoon", latest };
  // The field's precision is the minute: the maximum's own minute is allowed (the service takes
  // it back to its maximum, a few seconds earlier).
  if (at > latest + 60_000) return { ok: false, error: "expiryTooFar", latest };
  return { ok: true, expiresAt: Math.min(at, latest) };
}

/** "YYYY-MM-DDTHH:MM[:SS]" in the local time zone, as a date-and-time field gives it; undefined if not a real date. */
export function parseLocalDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? "0")) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  // 2026-02-30 rolls over to March: not a date the agent picked.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return undefined;
  return date.getTime();
}

/** A time as a date-and-time field's value (local time zone, to the minute), for its min, max and first value. */
export function localDateTimeValue(ts: number): string {
  const d = new Date(ts);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The body of GET /api/limits (untrusted): each limit a positive integer, else the default. */
export function parseShareLimits(body: unknown): ShareLimits {
  const o = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const positive = (v: unknown, d: number): number => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : d);
  return { maxExpiryHours: positive(o["max_expiry_hours"], DEFAULT_SHARE_LIMITS.maxExpiryHours), maxDownloads: positive(o["max_downloads"], DEFAULT_SHARE_LIMITS.maxDownloads) };
}
