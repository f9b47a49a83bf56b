// Which size a thumbnail should be. Spec (https://spec.matrix.org/v1.16/client-server-api/#thumbnails):
// the requested size is a minimum; never upscale; never return less than requested unless the
// original is smaller, in which case return the original.

export type ThumbnailMethod = "crop" | "scale";

export interface Size {
  width: number;
  height: number;
}

/** The output size, or undefined when the original itself should be served. */
export function thumbnailSize(source: Size, requested: Size, method: ThumbnailMethod): Size | undefined {
  if (source.width <= requested.width && source.height <= requested.height) return undefined;
  // the factor that makes both sides at least the requested size ("cover")
  const cover = Math.max(requested.width / source.width, requested.height / source.height);
  if (method === "scale") {
    // keep the aspect ratio; the smaller relative side meets the request, the other exceeds it
    if (cover >= 1) return undefined;
    return { width: fit(source.width, cover, requested.width), height: fit(source.height, cover, requested.height) };
  }
  // crop: the requested aspect ratio, cut from the centre after scaling down (never up)
  const s = Math.min(1, cover);
  const out = {
    width: Math.min(requested.width, fit(source.width, s, requested.width)),
    height: Math.min(requested.height, fit(source.height, s, requested.height)),
  };
  return out.width === source.width && out.height === source.height ? undefined : out;
}

/** One side scaled by `factor`, rounded but never below the request nor above the original. */
function fit(side: number, factor: number, requested: number): number {
  return Math.min(side, Math.max(requested, Math.round(side * factor)));
}
