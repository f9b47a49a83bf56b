// Generates thumbnails of local images with sharp (libvips) and caches them on disk, keyed by
// output size and method, so each variant is computed once.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#thumbnails
import type SharpModule from "sharp";

// libvips costs ~20 MB of resident memory: load it on the first thumbnail, not at start-up.
let sharpModule: typeof SharpModule | undefined;
async function loadSharp(): Promise<typeof SharpModule> {
  if (!sharpModule) {
    sharpModule = (await import("sharp")).default;
    sharpModule.cache(false);
  }
  return sharpModule;
}
import { MatrixError } from "../../spec/matrix-error.ts";
import type { MediaFiles } from "./media-files.ts";
import { mimeEssence } from "./media-headers.ts";
import { thumbnailSize, type Size, type ThumbnailMethod } from "./thumbnail-size.ts";

// libvips' operation cache only helps repeated identical operations; we cache on disk instead
// and keep the process's memory flat.

export interface ThumbnailRequest extends Size {
  method: ThumbnailMethod;
  /** Spec: true = animated if possible; false/absent = never animated. */
  animated: boolean;
}

export interface ThumbnailSource {
  mediaId: string;
  path: string;
  contentType: string;
  size: number;
}

export type ThumbnailResult =
  | { kind: "original" }
  | { kind: "thumbnail"; path: string; contentType: string; size: number };

/** Formats we decode: the declared type and what sharp detects must both be one of these. */
const THUMBNAILABLE: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/webp": "webp" };
const OUTPUT: Readonly<Record<"png" | "jpeg" | "webp", { ext: string; contentType: string }>> = {
  png: { ext: "png", contentType: "image/png" },
  jpeg: { ext: "jpg", contentType: "image/jpeg" },
  webp: { ext: "webp", contentType: "image/webp" },
};

export interface ThumbnailLimits {
  /** Larger source files get 413 M_TOO_LARGE instead of a thumbnail. */
  maxSourceBytes: number;
  /** Decoded size limit (width × height × frames): protects memory from "decompression bombs". */
  maxSourcePixels: number;
}

export const DEFAULT_THUMBNAIL_LIMITS: ThumbnailLimits = { maxSourceBytes: 64 * 1024 * 1024, maxSourcePixels: 40_000_000 };

const cannotThumbnail = (): MatrixError => new MatrixError("M_UNKNOWN", 400, "Cannot generate thumbnails for the requested content");

export class Thumbnailer {
  private readonly files: MediaFiles;
  private readonly limits: ThumbnailLimits;
  /** Thumbnails being generated, so concurrent identical requests share one job. */
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(deps: { files: MediaFiles; limits?: ThumbnailLimits }) {
    this.files = deps.files;
    this.limits = deps.limits ?? DEFAULT_THUMBNAIL_LIMITS;
  }

  async thumbnail(src: ThumbnailSource, req: ThumbnailRequest): Promise<ThumbnailResult> {
    const declared = THUMBNAILABLE[mimeEssence(src.contentType)];
    if (declared === undefined) throw cannotThumbnail();
    if (src.size > this.limits.maxSourceBytes) throw new MatrixError("M_TOO_LARGE", 413, "Content is too large to thumbnail");
    const sharp = await loadSharp();
    const meta = await sharp(src.path).metadata().catch(() => {
      throw cannotThumbnail();
    });
    // never hand libvips a format other than the four we allow (a "PNG" that is really an SVG, PDF, …)
    if (!Object.values(THUMBNAILABLE).includes(meta.format)) throw cannotThumbnail();
    const pages = meta.pages ?? 1;
    const source = meta.autoOrient;
    if (source.width * source.height > this.limits.maxSourcePixels) throw new MatrixError("M_TOO_LARGE", 413, "Content is too large to thumbnail");
    const out = thumbnailSize(source, req, req.method);
    if (!out) return { kind: "original" };
    const animated = req.animated && pages > 1 && (meta.format === "gif" || meta.format === "webp") &&
      source.width * source.height * pages <= this.limits.maxSourcePixels;
    // animated thumbnails as WebP (the spec's preference); JPEG stays JPEG; the rest becomes PNG
    const format = animated ? "webp" : meta.format === "jpeg" ? "jpeg" : "png";
    const { ext, contentType } = OUTPUT[format];
    const key = `${out.width}x${out.height}-${req.method}${animated ? "-animated" : ""}.${ext}`;
    const path = this.files.thumbnailPath(src.mediaId, key);
    const size = await this.cachedOrGenerate(path, () => this.generate(src.path, path, out, req.method, format, animated));
    return { kind: "thumbnail", path, contentType, size };
  }

  private async cachedOrGenerate(path: string, make: () => Promise<number>): Promise<number> {
    const cached = await this.files.sizeOf(path);
    if (cached !== undefined) return cached;
    let job = this.inFlight.get(path);
    if (!job) {
      job = make().finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, job);
    }
    return job;
  }

  private async generate(input: string, path: string, out: Size, method: ThumbnailMethod, format: "png" | "jpeg" | "webp", animated: boolean): Promise<number> {
    const temp = await this.files.newTempPath();
    const sharp = await loadSharp();
    let img = sharp(input, { animated, autoOrient: !animated, failOn: "error", limitInputPixels: this.limits.maxSourcePixels })
      .resize(out.width, out.height, { fit: method === "crop" ? "cover" : "fill", position: "centre" });
    img = format === "png" ? img.png() : format === "jpeg" ? img.jpeg({ quality: 80, mozjpeg: true }) : img.webp({ quality: 80 });
    let size: number;
    try {
      size = (await img.toFile(temp)).size;
    } catch {
      // a file that passed the header checks but does not decode: not a server error
      await this.files.remove(temp);
      throw cannotThumbnail();
    }
    await this.files.commit(temp, path);
    return size;
  }
}
