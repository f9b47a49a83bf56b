// The agent's time zone: `tz` in the widget URL when the host gives one, else the `m.tz` field of
// the agent's profile (spec v1.16 extended profiles; GET /profile/{userId} is public), read from
// the homeserver the host names in `baseUrl` ($org.matrix.msc4039.matrix_base_url), else
// Europe/Paris. A zone the browser does not know counts as absent.
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3profileuserid
import { isKnownZone } from "./zoned-time.ts";

export const DEFAULT_ZONE = "Europe/Paris";

const zone = (v: unknown): string | undefined => (typeof v === "string" && v.length <= 64 && isKnownZone(v) ? v : undefined);

export async function agentZone(o: { param: string | undefined; baseUrl: string | undefined; userId: string | undefined; fetchJson?: (url: string) => Promise<unknown> }): Promise<string> {
  const fromParam = zone(o.param);
  if (fromParam !== undefined) return fromParam;
  if (o.baseUrl === undefined || o.userId === undefined || !/^https?:\/\//.test(o.baseUrl)) return DEFAULT_ZONE;
  const get = o.fetchJson ?? (async (url: string) => (await fetch(url)).json() as Promise<unknown>);
  try {
    const body = await get(`${o.baseUrl.replace(/\/+$/, "")}/_matrix/client/v3/profile/${encodeURIComponent(o.userId)}`);
    return (typeof body === "object" && body !== null ? zone((body as Record<string, unknown>)["m.tz"]) : undefined) ?? DEFAULT_ZONE;
  } catch {
    return DEFAULT_ZONE;
  }
}
