// Per-user time zone: the `m.tz` profile field (spec v1.16 extended profiles), an IANA zone name;
// Europe/Paris when the user has none, or an unknown name (a typo must not break the bot).
// https://spec.matrix.org/v1.16/client-server-api/#profiles

export const DEFAULT_TIME_ZONE = "Europe/Paris";

/** True when `tz` is a time zone this runtime's Intl knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The zone from a profile field's JSON answer ({"m.tz": "..."}), or the default. */
export function timeZoneFromProfile(body: unknown): string {
  const tz = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["m.tz"] : undefined;
  return typeof tz === "string" && isTimeZone(tz) ? tz : DEFAULT_TIME_ZONE;
}

export type ProfileFetch = (userId: string) => Promise<unknown>;

/** Looks the zone up (GET /profile/{userId}/m.tz); any failure means the default. */
export async function userTimeZone(fetchField: ProfileFetch, userId: string): Promise<string> {
  try {
    return timeZoneFromProfile(await fetchField(userId));
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}
