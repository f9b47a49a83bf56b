// Which requests a client reader answers itself: GETs that only read the database (and the
// static discovery ones). Everything else goes to the main process (forward.ts).
// The reverse-proxy example in docs/production.md routes the same paths.
const C = "/_matrix/client";
const ROOM = `${C}/v3/rooms/[^/]+`;

const LOCAL_GET: RegExp[] = [
  /^\/health$/,
  new RegExp(`^${C}/versions$`),
  new RegExp(`^${C}/v3/capabilities$`),
  new RegExp(`^${C}/v3/sync$`),
  new RegExp(`^${C}/v3/account/whoami$`),
  new RegExp(`^${C}/v3/joined_rooms$`),
  new RegExp(`^${ROOM}/event/[^/]+$`),
  new RegExp(`^${ROOM}/state$`),
  new RegExp(`^${ROOM}/state/.+$`),
  new RegExp(`^${ROOM}/members$`),
  new RegExp(`^${ROOM}/joined_members$`),
  new RegExp(`^${ROOM}/context/[^/]+$`),
  new RegExp(`^${C}/v1/rooms/[^/]+/relations/.+$`),
  new RegExp(`^${C}/v1/rooms/[^/]+/threads$`),
];
/** /messages may backfill over federation (a write): local only when federation is off. */
const MESSAGES = new RegExp(`^${ROOM}/messages$`);
/** Profiles of remote users are federation queries: local only for our own users. */
const PROFILE = new RegExp(`^${C}/v3/profile/([^/]+)(?:/[^/]+)?$`);

export function servesLocally(method: string, pathname: string, opts: { serverName: string; federation: boolean }): boolean {
  if (method !== "GET") return false;
  if (LOCAL_GET.some((r) => r.test(pathname))) return true;
  if (MESSAGES.test(pathname)) return !opts.federation;
  const profile = PROFILE.exec(pathname);
  if (profile?.[1] !== undefined) {
    let userId: string;
    try {
      userId = decodeURIComponent(profile[1]);
    } catch {
      return false; // main answers the error
    }
    return userId.slice(userId.indexOf(":") + 1) === opts.serverName;
  }
  return false;
}
