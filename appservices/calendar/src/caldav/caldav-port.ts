// What the sync engine needs from a CalDAV collection (the port); caldav-client.ts implements it
// with tsdav, tests may fake it. Statuses are values: 412 and 404 are normal outcomes of a sync.

export interface HrefEtag {
  href: string;
  etag: string | undefined;
  /** getcontentlength, when the server gave it: oversize objects are skipped without download */
  size?: number;
}

export interface RemoteObject {
  href: string;
  etag: string | undefined;
  data: string;
}

export type SyncChanges =
  | { kind: "changes"; changed: HrefEtag[]; deleted: string[]; token: string }
  /** the server does not do RFC 6578 sync-collection: use the ctag and a listing */
  | { kind: "unsupported" }
  /** the token expired (RFC 6578 §3.2 valid-sync-token): start from an empty token */
  | { kind: "invalid-token" };

export type WriteResult = { status: "ok"; etag: string | undefined } | { status: "precondition-failed" } | { status: "not-found" };

export interface CaldavCollection {
  /** absolute URL of the collection, ending in "/" */
  readonly url: string;
  syncCollection(token: string | undefined): Promise<SyncChanges>;
  /** CalendarServer's getctag (changes whenever anything in the collection changes) */
  ctag(): Promise<string | undefined>;
  /** every object's href and etag (PROPFIND depth 1) */
  list(): Promise<HrefEtag[]>;
  /** calendar-multiget of these hrefs; missing ones are left out */
  multiget(hrefs: readonly string[]): Promise<RemoteObject[]>;
  get(href: string): Promise<RemoteObject | undefined>;
  /** PUT with If-None-Match: * (never overwrites) */
  create(href: string, data: string): Promise<WriteResult>;
  /** PUT with If-Match: etag */
  update(href: string, data: string, etag: string | undefined): Promise<WriteResult>;
  /** DELETE with If-Match: etag */
  remove(href: string, etag: string | undefined): Promise<WriteResult>;
}

/** Thrown for anything that is not a sync outcome: unreachable server, 401/403, 5xx. */
export class CaldavError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "CaldavError";
    this.status = status;
  }
}
