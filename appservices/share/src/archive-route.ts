// POST /api/archive/{roomId}
// The council's half of an archive export made in the agent's browser (docs/dossiers.md). The agent
// (Matrix access token) sends the archive's tar as their client built it from the decrypted room;
// this checks they may export the room (joined, power level at least the room's moderator level,
// read from the homeserver with their own token), reads the tar as it streams, writes the manifest
// with the SHA-256s it computed, signs the final tar with the council's archive key (detached) and
// answers with the signature, the manifest entry to append and the archivist's public key. The
// client then encrypts locally (see archive-seal.ts for why not here). Nothing is stored; each
// export is logged (who, which room, when, size, SHA-256) in `<data>/archive/exports.jsonl`.
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type * as openpgp from "openpgp";
import { readRecipientKey, readSigningKey } from "../../files/src/archive/archive-keys.ts";
import { ArchiveInputError, sealArchive } from "../../files/src/archive/archive-seal.ts";
import { nodeBackend } from "../../files/src/attachments/node-backend.ts";
import { parseRoomPowerLevels, userLevel } from "../../protocol/src/power-levels.ts";
import { ShareHttpError, type ShareRouteModule } from "./share-routes.ts";

export interface ArchiveKeysConfig {
  /** The council's armored secret archive key (as `entente archive-key create|import` writes it). */
  signingKeyFile: string;
  /** The archivist's armored public key: exports are encrypted to it. */
  archivistKeyFile: string;
  passphrase?: string;
}

export interface ArchiveRouteOptions {
  /** Unset, or files missing (read at each export until they load): the route answers 404 "not configured". */
  keys: ArchiveKeysConfig | undefined;
  homeserverUrl: string;
  maxBytes?: number;
}

export const ARCHIVE_PATH = /^\/api\/archive\/([^/]+)$/;

/** The level an agent needs to export: the room's moderator level (`redact`, 50 by default). */
async function checkMayExport(hs: string, token: string, roomId: string, userId: string): Promise<void> {
  const get = async (path: string): Promise<Record<string, unknown> | undefined> => {
    const res = await fetch(`${hs}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${path}`, { headers: { Authorization: `Bearer ${token}` } })
      .catch(() => { throw new ShareHttpError(502, "M_UNKNOWN", "The homeserver is unreachable"); });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ShareHttpError(403, "M_FORBIDDEN", "You are not a member of this room");
    return (await res.json()) as Record<string, unknown>;
  };
  const member = await get(`m.room.member/${encodeURIComponent(userId)}`);
  if (member?.["membership"] !== "join") throw new ShareHttpError(403, "M_FORBIDDEN", "You are not a member of this room");
  // v12 room creators have every power without a `users` entry: the create event's sender counts.
  const create = await get("m.room.create/?format=event");
  const sender = typeof create?.["sender"] === "string" ? create["sender"] : "";
  const levels = parseRoomPowerLevels(await get("m.room.power_levels/") ?? {}, { sender, content: create?.["content"] ?? {} });
  if (userLevel(levels, userId) < levels.redact) {
    throw new ShareHttpError(403, "M_FORBIDDEN", `Exporting this room needs power level ${levels.redact} (moderator)`);
  }
}

/** The route module to mount in the share service (`routes` of startShareService). */
export function archiveRoute(o: ArchiveRouteOptions): ShareRouteModule {
  const hs = o.homeserverUrl.replace(/\/+$/, "");
  const maxBytes = o.maxBytes ?? 64 * 1024 ** 3;
  let keys: Promise<{ signing: openpgp.PrivateKey; archivist: openpgp.PublicKey }> | undefined;
  const loadKeys = (k: ArchiveKeysConfig) => {
    keys ??= (async () => ({
      signing: await readSigningKey(await readFile(k.signingKeyFile, "utf8"), k.passphrase),
      archivist: await readRecipientKey(await readFile(k.archivistKeyFile, "utf8")),
    }))();
    keys.catch(() => { keys = undefined; });
    return keys;
  };

  return async (req, res, url, ctx) => {
    const m = ARCHIVE_PATH.exec(url.pathname);
    if (m === null) return false;
    const roomId = decodeURIComponent(m[1]!);
    if (req.method !== "POST") throw new ShareHttpError(405, "M_UNRECOGNIZED", "Method not allowed");
    if (!/^![^\s/]+$/.test(roomId)) throw new ShareHttpError(400, "M_INVALID_PARAM", "Not a room id");
    if (o.keys === undefined) throw new ShareHttpError(404, "M_NOT_FOUND", "Archive export is not configured on this council (no archive key)");
    const userId = await ctx.agent(req);
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    await checkMayExport(hs, token, roomId, userId);
    if (Number(req.headers["content-length"] ?? "0") > maxBytes) throw new ShareHttpError(413, "M_TOO_LARGE", `larger than ${maxBytes} bytes`);
    const k = await loadKeys(o.keys).catch((e: unknown) => {
      if ((e as { code?: unknown }).code === "ENOENT") throw new ShareHttpError(404, "M_NOT_FOUND", "Archive export is not configured on this council (entente archive-key create, entente archive-key archivist)");
      ctx.log(`archive keys: ${e instanceof Error ? e.message : String(e)}`);
      throw new ShareHttpError(500, "M_UNKNOWN", "The council's archive keys cannot be read");
    });
    const at = new Date(ctx.now());
    let sealed;
    try {
      sealed = await sealArchive({ tar: Readable.toWeb(req) as ReadableStream<Uint8Array>, roomId, exportedBy: userId, signingKey: k.signing, backend: nodeBackend, now: at, maxBytes });
    } catch (e: unknown) {
      if (e instanceof ArchiveInputError) throw new ShareHttpError(400, "M_BAD_JSON", e.message);
      throw e;
    }
    const line = { at: at.toISOString(), user: userId, room_id: roomId, items: sealed.manifest.items.length, missing: sealed.manifest.missing.length, bytes: sealed.size, sha256: sealed.sha256, signed_by: sealed.manifest.signed_by };
    await mkdir(join(ctx.dataDir, "archive"), { recursive: true, mode: 0o700 });
    await appendFile(join(ctx.dataDir, "archive", "exports.jsonl"), JSON.stringify(line) + "\n", { mode: 0o600 });
    ctx.log(`archive export of ${roomId} by ${userId}: ${sealed.manifest.items.length} items, ${sealed.size} bytes, sha256 ${sealed.sha256}`);
    ctx.json(res, 200, {
      signature: sealed.signature, prefix_length: sealed.prefixLength, tail: Buffer.from(sealed.tail).toString("base64"),
      manifest: sealed.manifest, archivist_key: k.archivist.armor(), archivist_fingerprint: k.archivist.getFingerprint().toUpperCase(),
    });
    return true;
  };
}
