// The items of a room's archive, read over the client-server API with a member's access token:
// room.json (current state), messages.jsonl (the timeline, oldest first, events as served) and
// every file of an m.file/m.image/m.video/m.audio message (plain, v2-encrypted or in parts),
// decrypted on the way. Megolm-encrypted events stay as they are (this reader holds no room keys:
// a client export hands in its decrypted timeline instead); files it cannot read are listed as missing.
import type { AttachmentBackend } from "../attachments/backend.ts";
import { decryptingStream } from "../attachments/attachment-stream.ts";
import { parseEncryptedFile } from "../attachments/encrypted-file.ts";
import { downloadParts, fetchManifest } from "../chunked/downloader.ts";
import { PARTS_CONTENT_KEY } from "../chunked/manifest.ts";
import { fetchTransport, splitMxc } from "../chunked/media-transport.ts";
import { filePath, type ArchiveManifest } from "./archive-layout.ts";
import type { ArchiveItem } from "./archive-writer.ts";

export interface RoomSourceOptions {
  baseUrl: string;
  accessToken: string;
  roomId: string;
  backend: AttachmentBackend;
}

interface ClientEvent {
  type: string;
  event_id: string;
  content: Record<string, unknown>;
}

const FILE_TYPES = new Set(["m.file", "m.image", "m.video", "m.audio"]);

export async function* roomArchiveItems(o: RoomSourceOptions, missing: ArchiveManifest["missing"]): AsyncGenerator<ArchiveItem> {
  const base = o.baseUrl.replace(/\/+$/, "");
  const headers = { Authorization: `Bearer ${o.accessToken}` };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(base + path, { headers });
    if (!res.ok) throw new Error(`GET ${path.split("?")[0]}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  };
  const room = encodeURIComponent(o.roomId);
  const state = await api<ClientEvent[]>(`/_matrix/client/v3/rooms/${room}/state`);
  yield bytesItem("room.json", "room", JSON.stringify({ room_id: o.roomId, state }, null, 2) + "\n");

  const timeline: ClientEvent[] = [];
  for (let from: string | undefined; ;) {
    const page = await api<{ chunk: ClientEvent[]; end?: string }>(`/_matrix/client/v3/rooms/${room}/messages?dir=b&limit=200${from ? `&from=${encodeURIComponent(from)}` : ""}`);
    timeline.push(...page.chunk);
    if (page.end === undefined || page.chunk.length === 0) break;
    from = page.end;
  }
  timeline.reverse();
  yield bytesItem("messages.jsonl", "messages", timeline.map((e) => JSON.stringify(e)).join("\n") + (timeline.length ? "\n" : ""));

  const transport = fetchTransport({ baseUrl: base, accessToken: o.accessToken });
  let index = 0;
  for (const ev of timeline) {
    const c = ev.content;
    if (ev.type !== "m.room.message" || typeof c["msgtype"] !== "string" || !FILE_TYPES.has(c["msgtype"])) continue;
    const name = typeof c["filename"] === "string" ? c["filename"] : typeof c["body"] === "string" ? c["body"] : "fichier";
    const info = typeof c["info"] === "object" && c["info"] !== null ? (c["info"] as Record<string, unknown>) : {};
    try {
      const path = filePath(++index, name);
      if (c[PARTS_CONTENT_KEY] !== undefined) {
        const manifestFile = parseEncryptedFile(c["file"]);
        const manifest = await fetchManifest(transport, o.backend, manifestFile);
        const pipe = new TransformStream<Uint8Array, Uint8Array>();
        void downloadParts({ manifestFile, transport, backend: o.backend, sink: pipe.writable }).catch(() => undefined);
        yield { path: filePath(index, manifest.name), size: manifest.size, kind: "file", body: pipe.readable, eventId: ev.event_id, name: manifest.name, mimetype: manifest.mimetype };
        continue;
      }
      const encrypted = c["file"] !== undefined ? parseEncryptedFile(c["file"]) : undefined;
      const url = encrypted?.url ?? c["url"];
      if (typeof url !== "string") throw new Error("no url");
      const { server, id } = splitMxc(url);
      const res = await fetch(`${base}/_matrix/client/v1/media/download/${encodeURIComponent(server)}/${encodeURIComponent(id)}`, { headers });
      const length = Number(res.headers.get("content-length"));
      if (!res.ok || !res.body) throw new Error(`download: HTTP ${res.status}`);
      if (!Number.isSafeInteger(length) || res.headers.get("content-length") === null) {
        await res.body.cancel();
        throw new Error("download without Content-Length");
      }
      const body = encrypted ? res.body.pipeThrough(decryptingStream(o.backend, encrypted, length)) : res.body;
      yield { path, size: length, kind: "file", body, eventId: ev.event_id, name, ...(typeof info["mimetype"] === "string" ? { mimetype: info["mimetype"] } : {}) };
    } catch (e: unknown) {
      missing.push({ event_id: ev.event_id, reason: e instanceof Error ? e.message : String(e) });
    }
  }
}

function bytesItem(path: string, kind: ArchiveItem["kind"], text: string): ArchiveItem {
  const bytes = new TextEncoder().encode(text);
  return { path, size: bytes.length, kind, body: new Blob([bytes]).stream() };
}
