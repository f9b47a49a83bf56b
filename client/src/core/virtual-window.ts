// Windowing maths for the virtualised timeline: row heights measured once and cached by key,
// offsets as prefix sums, the rows to put in the DOM for a scroll position, and scroll anchoring
// (the row under the top of the viewport stays put when rows are added above or re-measured).
// Pure: no DOM, unit-tested in Node; ui/timeline/ feeds it measured heights and scroll positions.

/** Heights measured in the DOM, by row key; rows never measured count at the estimate. */
export class HeightCache {
  private readonly heights = new Map<string, number>();
  readonly estimate: number;
  constructor(estimate: number) {
    this.estimate = estimate;
  }

  get(key: string): number {
    return this.heights.get(key) ?? this.estimate;
  }

  has(key: string): boolean {
    return this.heights.has(key);
  }

  /** Records a measured height; true when it differs from what was assumed before. */
  set(key: string, height: number): boolean {
    const before = this.get(key);
    this.heights.set(key, height);
    return Math.abs(before - height) >= 0.5;
  }

  get size(): number {
    return this.heights.size;
  }
}

/** offsets[i] = top of row i; offsets[n] = total height. */
export function layout(keys: readonly string[], cache: HeightCache): Float64Array {
  const offsets = new Float64Array(keys.length + 1);
  for (let i = 0; i < keys.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + cache.get(keys[i] ?? "");
  return offsets;
}

/** Index of the row that contains `y` (clamped to the rows). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Range { start: number; end: number }

/** Rows [start, end) that intersect the viewport widened by `margin` pixels on each side. */
export function visibleRange(offsets: Float64Array, scrollTop: number, viewport: number, margin: number): Range {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const start = rowAt(offsets, Math.max(0, scrollTop - margin));
  const end = Math.min(n, rowAt(offsets, scrollTop + viewport + margin) + 1);
  return { start, end };
}

/** Is the rendered range still good for this scroll position (with at least `slack` px spare)? */
export function covers(rendered: Range, offsets: Float64Array, scrollTop: number, viewport: number, slack: number): boolean {
  const n = offsets.length - 1;
  const topOk = rendered.start === 0 || (offsets[rendered.start] ?? 0) <= Math.max(0, scrollTop - slack);
  const bottomOk = rendered.end >= n || (offsets[rendered.end] ?? 0) >= scrollTop + viewport + slack;
  return topOk && bottomOk;
}

/** A row and how far the viewport's top sits below that row's top. */
export interface Anchor { key: string; delta: number }

/**
 * The row to hold in place: the first at or below the viewport's top that `stable` accepts (rows
 * that move when others arrive, such as a day separator or the "older messages" row, are skipped).
 */
export function anchorAt(keys: readonly string[], offsets: Float64Array, scrollTop: number, stable: (key: string) => boolean = () => true): Anchor | undefined {
  if (keys.length === 0) return undefined;
  let i = rowAt(offsets, scrollTop);
  while (i < keys.length - 1 && !stable(keys[i] ?? "")) i++;
  const key = keys[i];
  return key === undefined ? undefined : { key, delta: scrollTop - (offsets[i] ?? 0) };
}

/** The scrollTop that puts the anchor row back where it was; undefined if that row is gone. */
export function scrollTopFor(anchor: Anchor, keys: readonly string[], offsets: Float64Array, indexOf?: ReadonlyMap<string, number>): number | undefined {
  const i = indexOf !== undefined ? indexOf.get(anchor.key) : keys.indexOf(anchor.key);
  if (i === undefined || i < 0) return undefined;
  return (offsets[i] ?? 0) + anchor.delta;
}

export const maxScrollTop = (total: number, viewport: number): number => Math.max(0, total - viewport);

/** Within `tolerance` px of the bottom: new rows at the end keep the view pinned there. */
export const isAtBottom = (scrollTop: number, viewport: number, total: number, tolerance = 24): boolean =>
  total - (scrollTop + viewport) <= tolerance;

/** scrollTop that centres row i in the viewport (clamped). */
export function centredOn(offsets: Float64Array, i: number, viewport: number): number {
  const n = offsets.length - 1;
  const top = offsets[i] ?? 0;
  const h = (offsets[i + 1] ?? top) - top;
  return Math.min(maxScrollTop(offsets[n] ?? 0, viewport), Math.max(0, top + h / 2 - viewport / 2));
}

/** Where a keyboard key moves the scroll position (PageUp/PageDown/Home/End); undefined for others. */
export function keyScroll(key: string, scrollTop: number, viewport: number, total: number): number | undefined {
  const page = Math.max(40, viewport * 0.9);
  const max = maxScrollTop(total, viewport);
  switch (key) {
    case "PageUp": return Math.max(0, scrollTop - page);
    case "PageDown": return Math.min(max, scrollTop + page);
    case "Home": return 0;
    case "End": return max;
    default: return undefined;
  }
}
