// Small images (room avatars) from authenticated media: an <img> cannot send the access token, so
// the thumbnail is fetched with it and shown through an object URL, one per mxc URL per page.
import { AttachmentError } from "./attachment-crypto.ts";

export function mediaThumbnailUrl(baseUrl: string, mxc: string, size: number): string {
  const m = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxc);
  if (m === null) throw new AttachmentError(`not an mxc URL: ${mxc}`);
  return `${baseUrl}/_matrix/client/v1/media/thumbnail/${encodeURIComponent(m[1] ?? "")}/${encodeURIComponent(m[2] ?? "")}?width=${size}&height=${size}&method=crop`;
}

type Fetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; blob(): Promise<Blob> }>;

/** Object URLs of thumbnails, fetched once each; a failure is forgotten so a later render retries. */
export class ThumbnailCache {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly baseUrl: () => string;
  private readonly token: () => string;
  private readonly fetchFn: Fetch;
  private readonly toUrl: (b: Blob) => string;
  constructor(baseUrl: () => string, token: () => string, fetchFn: Fetch, toUrl: (b: Blob) => string) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.fetchFn = fetchFn;
    this.toUrl = toUrl;
  }

  get(mxc: string, size = 96): Promise<string> {
    const key = `${mxc}@${size}`;
    let p = this.urls.get(key);
    if (p === undefined) {
      p = (async () => {
        const res = await this.fetchFn(mediaThumbnailUrl(this.baseUrl().replace(/\/+$/, ""), mxc, size), { headers: { Authorization: `Bearer ${this.token()}` } });
        if (!res.ok) throw new Error(`thumbnail: HTTP ${res.status}`);
        return this.toUrl(await res.blob());
      })();
      this.urls.set(key, p);
      p.catch(() => this.urls.delete(key));
    }
    return p;
  }
}
