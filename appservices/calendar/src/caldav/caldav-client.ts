// CaldavCollection over tsdav's request helpers (https://github.com/natelindev/tsdav): RFC 6578
// sync-collection, RFC 4791 calendar-multiget, conditional PUT/DELETE (RFC 7232 If-Match /
// If-None-Match). A `fetch` is injected so the bot can count and time out its requests.
import { calendarMultiGet, createObject, deleteObject, propfind, syncCollection, updateObject, type DAVResponse } from "tsdav";
import { httpFetch } from "./http-fetch.ts";
import { CaldavError, type CaldavCollection, type HrefEtag, type RemoteObject, type SyncChanges, type WriteResult } from "./caldav-port.ts";

export interface CaldavClientOptions {
  /** absolute collection URL, e.g. https://dav.ville-a.fr/agents/gt-voirie/ */
  collectionUrl: string;
  username?: string;
  password?: string;
  /** default: httpFetch() (node:http, bounded bodies) */
  fetch?: typeof fetch;
}

const MULTIGET_BATCH = 200;

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (typeof v === "object" && v !== null && "_cdata" in v && typeof v._cdata === "string") return v._cdata;
  return undefined;
}

/**
 * The answer about the request itself rather than one object: tsdav gives a non-multistatus reply
 * (401, 403, 500...) as one response with an empty href, not an undefined one. Missing it once
 * made a refused listing look like an empty collection, i.e. every object deleted.
 */
const isTopLevel = (r: DAVResponse): boolean => r.href === undefined || r.href === "";

function check(responses: DAVResponse[], what: string): DAVResponse[] {
  const bad = responses.find((r) => isTopLevel(r) && !r.ok);
  if (bad !== undefined) throw new CaldavError(`${what}: ${bad.status} ${bad.statusText}`, bad.status);
  return responses;
}

export class CaldavClient implements CaldavCollection {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #origin: string;

  constructor(options: CaldavClientOptions) {
    this.url = options.collectionUrl.endsWith("/") ? options.collectionUrl : `${options.collectionUrl}/`;
    this.#origin = new URL(this.url).origin;
    this.#headers = options.username === undefined ? {} : { authorization: `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64")}` };
    this.#fetch = options.fetch ?? httpFetch();
  }

  /** Absolute URL of an href the server returned (servers answer with paths). */
  absolute(href: string): string {
    return new URL(href, this.#origin).toString();
  }

  async syncCollection(token: string | undefined): Promise<SyncChanges> {
    let responses: DAVResponse[];
    try {
      responses = await syncCollection({ url: this.url, props: { "d:getetag": {}, "d:getcontentlength": {} }, syncLevel: 1, syncToken: token ?? "", headers: this.#headers, fetch: this.#fetch });
    } catch (e) {
      throw new CaldavError(`sync-collection failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const top = responses.find((r) => isTopLevel(r) && !r.ok);
    if (top !== undefined) {
      // RFC 6578 §3.2: a stale token is a 403/409 with valid-sync-token; servers vary, so any
      // refusal of a non-empty token means "start again from empty", and of an empty one "no sync".
      if (top.status >= 400 && top.status < 500 && top.status !== 401) return token === undefined || token === "" ? { kind: "unsupported" } : { kind: "invalid-token" };
      if (top.status === 501) return { kind: "unsupported" };
      throw new CaldavError(`sync-collection: ${top.status} ${top.statusText}`, top.status);
    }
    const newToken = text((responses[0]?.raw as { multistatus?: { syncToken?: unknown } } | undefined)?.multistatus?.syncToken);
    if (newToken === undefined) return { kind: "unsupported" };
    const changed: HrefEtag[] = [];
    const deleted: string[] = [];
    for (const r of responses) {
      if (r.href === undefined || r.href === "" || this.absolute(r.href) === this.url) continue;
      if (r.status === 404) deleted.push(this.absolute(r.href));
      else changed.push(this.#hrefEtag(r));
    }
    return { kind: "changes", changed, deleted, token: newToken };
  }

  async ctag(): Promise<string | undefined> {
    const r = check(await propfind({ url: this.url, props: { "cs:getctag": {}, "d:sync-token": {} }, depth: "0", headers: this.#headers, fetch: this.#fetch }), "PROPFIND getctag");
    const props = r[0]?.props as Record<string, unknown> | undefined;
    return text(props?.["getctag"]) ?? text(props?.["syncToken"]);
  }

  async list(): Promise<HrefEtag[]> {
    const r = check(await propfind({ url: this.url, props: { "d:getetag": {}, "d:getcontentlength": {} }, depth: "1", headers: this.#headers, fetch: this.#fetch }), "PROPFIND");
    return r.filter((x) => x.href !== undefined && this.absolute(x.href) !== this.url && x.ok).map((x) => this.#hrefEtag(x));
  }

  #hrefEtag(r: DAVResponse): HrefEtag {
    const props = r.props as Record<string, unknown> | undefined;
    const out: HrefEtag = { href: this.absolute(r.href ?? ""), etag: text(props?.["getetag"]) };
    const size = Number(text(props?.["getcontentlength"]));
    if (Number.isSafeInteger(size) && size >= 0) out.size = size;
    return out;
  }

  async multiget(hrefs: readonly string[]): Promise<RemoteObject[]> {
    const out: RemoteObject[] = [];
    for (let i = 0; i < hrefs.length; i += MULTIGET_BATCH) {
      const batch = hrefs.slice(i, i + MULTIGET_BATCH).map((h) => new URL(h).pathname);
      const r = check(await calendarMultiGet({ url: this.url, props: { "d:getetag": {}, "c:calendar-data": {} }, objectUrls: batch, depth: "1", headers: this.#headers, fetch: this.#fetch }), "calendar-multiget");
      for (const x of r) {
        const props = x.props as Record<string, unknown> | undefined;
        const data = text(props?.["calendarData"]);
        if (x.href === undefined || !x.ok || data === undefined) continue;
        out.push({ href: this.absolute(x.href), etag: text(props?.["getetag"]), data });
      }
    }
    return out;
  }

  async get(href: string): Promise<RemoteObject | undefined> {
    const res = await this.#fetch(href, { headers: this.#headers });
    const data = await res.text();
    if (res.status === 404) return undefined;
    if (!res.ok) throw new CaldavError(`GET ${href}: ${res.status}`, res.status);
    return { href, etag: res.headers.get("etag") ?? undefined, data };
  }

  async create(href: string, data: string): Promise<WriteResult> {
    return this.#write(createObject({ url: href, data, headers: { ...this.#headers, "content-type": "text/calendar; charset=utf-8", "if-none-match": "*" }, fetch: this.#fetch }), `PUT ${href}`);
  }

  async update(href: string, data: string, etag: string | undefined): Promise<WriteResult> {
    const conditional = etag === undefined ? {} : { "if-match": etag };
    return this.#write(updateObject({ url: href, data, headers: { ...this.#headers, "content-type": "text/calendar; charset=utf-8", ...conditional }, fetch: this.#fetch }), `PUT ${href}`);
  }

  async remove(href: string, etag: string | undefined): Promise<WriteResult> {
    const conditional = etag === undefined ? {} : { "if-match": etag };
    return this.#write(deleteObject({ url: href, headers: { ...this.#headers, ...conditional }, fetch: this.#fetch }), `DELETE ${href}`);
  }

  async #write(request: Promise<Response>, what: string): Promise<WriteResult> {
    const res = await request;
    // Always read the (small) body: an unread body on a connection the server closes (Radicale
    // speaks HTTP/1.0) trips undici.
    await res.text();
    if (res.status === 412) return { status: "precondition-failed" };
    if (res.status === 404 || res.status === 410) return { status: "not-found" };
    if (!res.ok) throw new CaldavError(`${what}: ${res.status} ${res.statusText}`, res.status);
    return { status: "ok", etag: res.headers.get("etag") ?? undefined };
  }
}
