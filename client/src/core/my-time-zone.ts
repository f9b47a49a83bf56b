// The agent's own `m.tz` profile field (an IANA zone) through matrix-js-sdk's HTTP API:
// GET/PUT /profile/{userId}/m.tz, 404 when unset. One place for the profile, the widgets'
// calendar cards and « Mes tâches », which each read it.
import { Method, type MatrixClient } from "matrix-js-sdk";

const path = (client: MatrixClient): string => `/profile/${encodeURIComponent(client.getSafeUserId())}/m.tz`;

/** The field's value, undefined when unset (404), not a string, or unreadable. */
export async function readMyTimeZone(client: MatrixClient): Promise<string | undefined> {
  try {
    const body = await client.http.authedRequest<Record<string, unknown>>(Method.Get, path(client));
    return typeof body["m.tz"] === "string" ? body["m.tz"] : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMyTimeZone(client: MatrixClient, tz: string): Promise<void> {
  await client.http.authedRequest(Method.Put, path(client), undefined, { "m.tz": tz });
}
