// The cache of other servers' media, under media.path: remote/<key[1:3]>/<key[3:5]>/<key> (the
// bytes) and <key>.json (content type, name, size, sha256), key = "r" + sha256(origin "/" media
// id). The .json is written last, so its presence (and a file of its size) means a complete
// file; the cache is safe to delete.
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import type { MediaFiles } from "../media/media-files.ts";
import type { StoredMedia } from "../media/media-repository.ts";

export interface CacheMeta {
  server: string;
  media_id: string;
  content_type: string;
  upload_name?: string;
  size: number;
  sha256: string;
  created_ts: number;
}

/** The cache key of a remote media: never equal to a local media id (those are 24 characters). */
export function remoteMediaKey(serverName: string, mediaId: string): string {
  return "r" + createHash("sha256").update(`${serverName}/${mediaId}`).digest("base64url");
}

export class RemoteMediaCache {
  private readonly d: { files: MediaFiles; root: string; log: Logger };

  constructor(deps: { files: MediaFiles; root: string; log: Logger }) {
    this.d = deps;
  }

  dataPath(key: string): string {
    return join(this.d.root, "remote", key.slice(1, 3), key.slice(3, 5), key);
  }

  /** The complete cached file, or undefined. */
  async get(key: string): Promise<StoredMedia | undefined> {
    const path = this.dataPath(key);
    let meta: CacheMeta;
    try {
      meta = JSON.parse(await readFile(`${path}.json`, "utf8")) as CacheMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      this.d.log.warn("unreadable remote media cache entry; fetching again", { key, error: String(err) });
      return undefined;
    }
    if ((await this.d.files.sizeOf(path)) !== meta.size) return undefined;
    return stored(key, path, meta);
  }

  /** Moves a complete, synced temp file into the cache, then writes its .json. */
  async put(key: string, tempPath: string, meta: CacheMeta): Promise<StoredMedia> {
    const path = this.dataPath(key);
    await this.d.files.commit(tempPath, path);
    const tmp = await this.d.files.newTempPath();
    await writeFile(tmp, JSON.stringify(meta), { mode: 0o600 });
    await rename(tmp, `${path}.json`).catch(async (err: unknown) => {
      await this.d.files.remove(tmp);
      throw err;
    });
    return stored(key, path, meta);
  }
}

function stored(key: string, path: string, meta: CacheMeta): StoredMedia {
  return { mediaId: key, path, contentType: meta.content_type, uploadName: meta.upload_name, size: meta.size, sha256: meta.sha256, createdTs: meta.created_ts };
}
