// Where a feed is served: GET <base>/calendar/feed/<secret>.ics on the bot's HTTP listener (the
// appservice port; put it behind the council's reverse proxy to publish it). Pure.
export const FEED_PATH = "/calendar/feed/";

export const feedUrl = (baseUrl: string, secret: string): string => `${baseUrl.replace(/\/+$/, "")}${FEED_PATH}${secret}.ics`;

/** The secret of a request path, or undefined if it is not a feed path. */
export function secretOfPath(path: string): string | undefined {
  const m = /^\/calendar\/feed\/([A-Za-z0-9_-]{16,64})\.ics$/.exec(path);
  return m?.[1];
}
