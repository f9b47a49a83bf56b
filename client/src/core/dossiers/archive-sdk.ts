// What an archive export reads of a room through matrix-js-sdk: the current state (/state) and the
// whole timeline (/messages), each event decrypted by the SDK's Rust crypto and written as the
// clear event (type and content as the members read them; `fr.entente.undecryptable` marks an
// event this device has no key for, kept as received). Also where the council's archive endpoint
// is: its share service, named in the client's config.json.
import { Direction, Method, type IEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import { isRecord } from "../raw-event.ts";
import { archiveFileName, exportArchive, type ArchiveProgress, type ArchiveResult, type ArchiveRoomData } from "./archive-export.ts";
import { openDiskSink, type DiskSinkPreference } from "./disk-sink.ts";

const PAGE = 500;

function clearEvent(e: MatrixEvent): Record<string, unknown> {
  if (!e.isEncrypted()) return { ...e.event };
  if (e.isDecryptionFailure() || e.getClearContent() === null) return { ...e.event, "fr.entente.undecryptable": true };
  const clear = e.getEffectiveEvent() as unknown as Record<string, unknown>;
  return { ...clear, "fr.entente.decrypted": true };
}

export async function readArchiveRoom(client: MatrixClient, roomId: string): Promise<ArchiveRoomData> {
  const path = `/rooms/${encodeURIComponent(roomId)}`;
  const state = await client.http.authedRequest<Record<string, unknown>[]>(Method.Get, `${path}/state`);
  const mapper = client.getEventMapper();
  const timeline: Record<string, unknown>[] = [];
  for (let from: string | undefined; ;) {
    const res = await client.http.authedRequest<{ chunk: Partial<IEvent>[]; end?: string }>(Method.Get, `${path}/messages`, { dir: Direction.Backward, limit: String(PAGE), ...(from ? { from } : {}) });
    const mapped = res.chunk.map(mapper);
    await Promise.all(mapped.map((e) => client.decryptEventIfNeeded(e)));
    timeline.push(...mapped.map(clearEvent));
    if (res.end === undefined || res.chunk.length === 0 || res.end === from) break;
    from = res.end;
  }
  timeline.reverse();
  return { roomId, name: client.getRoom(roomId)?.name ?? roomId, state, timeline };
}

/** Answers of findArchiveService by server name, once known: an export can then fail before its save dialog opens. */
const lookups = new Map<string, { settled: boolean; url: string | undefined; promise: Promise<string | undefined> }>();

/** The agent's council's share service (archive endpoint): config.json `share.services[<server name>]`, as `entente start` writes it. */
export function findArchiveService(client: MatrixClient): Promise<string | undefined> {
  const domain = client.getDomain() ?? "";
  const known = lookups.get(domain);
  if (known !== undefined) return known.promise;
  const promise = fetch("./config.json", { cache: "no-cache" }).then((r) => r.json() as Promise<unknown>).catch(() => undefined).then((config) => {
    const share = isRecord(config) ? config["share"] : undefined;
    const services = isRecord(share) ? share["services"] : undefined;
    const url = isRecord(services) ? services[domain] : undefined;
    const found = typeof url === "string" && /^https?:\/\//.test(url) ? url : undefined;
    lookups.set(domain, { settled: true, url: found, promise });
    return found;
  });
  lookups.set(domain, { settled: false, url: undefined, promise });
  return promise;
}

export class ArchiveNotConfigured extends Error {
  override name = "ArchiveNotConfigured";
}

export class ArchiveCancelled extends Error {
  override name = "ArchiveCancelled";
}

/**
 * Reads, has the council sign, encrypts, straight into the file the agent saves (save dialog,
 * else a service-worker download, else a Blob: disk-sink.ts). Call from the click: opening the
 * save dialog is the first await.
 */
export async function exportRoomArchive(client: MatrixClient, roomId: string, onProgress: (p: ArchiveProgress) => void, prefer: DiskSinkPreference = "auto"): Promise<ArchiveResult> {
  const now = new Date();
  const known = lookups.get(client.getDomain() ?? "");
  if (known?.settled === true && known.url === undefined) throw new ArchiveNotConfigured("no share service announced for this council");
  const disk = await openDiskSink(archiveFileName(client.getRoom(roomId)?.name ?? roomId, now), "application/pgp-encrypted", undefined, prefer);
  if (disk.kind === "cancelled") throw new ArchiveCancelled("save dialog closed");
  try {
    const serviceUrl = await findArchiveService(client);
    if (serviceUrl === undefined) throw new ArchiveNotConfigured("no share service announced for this council");
    onProgress({ phase: "reading", done: 0, total: 0 });
    const data = await readArchiveRoom(client, roomId);
    const result = await exportArchive({
      data, serviceUrl, onProgress, now, sink: disk.sink,
      media: { baseUrl: client.getHomeserverUrl().replace(/\/+$/, ""), accessToken: client.getAccessToken() ?? "" },
    });
    await disk.done;
    return result;
  } catch (e: unknown) {
    // The partial file is dropped (picker: removed; worker: the download fails).
    await disk.sink.abort(e).catch(() => undefined);
    throw e;
  }
}
