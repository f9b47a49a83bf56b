// A Lit controller that keeps only the visible rows (plus a margin) of a long list in the DOM:
// heights measured once rendered (ResizeObserver for later changes: images, polls), the rest at an
// estimate; the row under the top of the viewport stays in place when rows are added above or
// re-measured, and the view stays at the bottom when it was there. The maths is core/virtual-window.ts.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import {
  anchorAt, centredOn, covers, HeightCache, isAtBottom, keyScroll, layout, maxScrollTop, scrollTopFor, visibleRange, type Anchor, type Range,
} from "../../core/virtual-window.ts";

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

export interface ScrollerOptions {
  estimate: number;
  /** Extra pixels rendered above and below the viewport. */
  margin: number;
  /** Called after a scroll or a layout change that leaves the view near the top (load older rows). */
  nearTop?: () => void;
  /** Rows that keep their place when others arrive (anchoring holds one of these). */
  stable?: (key: string) => boolean;
}

export class VirtualScroller implements ReactiveController {
  private readonly host: Host;
  private readonly opts: ScrollerOptions;
  private readonly cache: HeightCache;
  private keys: string[] = [];
  private indexOf = new Map<string, number>();
  private offsets: Float64Array = new Float64Array(1);
  range: Range = { start: 0, end: 0 };
  /** Where the view should be after the next layout: pinned to the bottom, or kept on a row. */
  private intent: { kind: "bottom" } | { kind: "anchor"; anchor: Anchor } | { kind: "row"; key: string } = { kind: "bottom" };
  private observer: ResizeObserver | undefined;
  private readonly observed = new Set<Element>();
  private settling = 0;
  private watched: HTMLElement | undefined;
  /** The scroll position this controller last saw or set: a scroll event without a move is a resize. */
  private lastTop = 0;
  /** Scroll position and viewport height read just before this controller asked for a render (in the
   * same task: nothing can have scrolled since), so the render's apply() need not read them back
   * from a DOM it has just changed (a forced synchronous layout on every scrolled frame). */
  private fresh: { top: number; h: number } | undefined;

  constructor(host: Host, opts: ScrollerOptions) {
    this.host = host;
    this.opts = opts;
    this.cache = new HeightCache(opts.estimate);
    host.addController(this);
  }

  /** The viewport, spacer and row list, looked up once per render root (no selector per frame). */
  private els: { vp: HTMLElement; spacer: HTMLElement | null; list: HTMLElement | null; height: number; shift: number } | undefined;

  private viewport(): HTMLElement | null {
    if (this.els === undefined || !this.els.vp.isConnected) {
      const vp = this.host.renderRoot.querySelector<HTMLElement>(".viewport");
      this.els = vp === null ? undefined : { vp, spacer: vp.querySelector<HTMLElement>(".spacer"), list: vp.querySelector<HTMLElement>(".rows"), height: -1, shift: -1 };
    }
    return this.els?.vp ?? null;
  }

  get total(): number {
    return this.offsets[this.offsets.length - 1] ?? 0;
  }

  top(): number {
    return this.offsets[this.range.start] ?? 0;
  }

  /** New rows (call in willUpdate): the current view is remembered so it survives the change. */
  setKeys(keys: string[]): void {
    const vp = this.viewport();
    this.fresh = undefined;
    if (vp !== null && this.keys.length > 0 && this.intent.kind !== "row") {
      // A new anchor only if the agent moved since the last one (its scroll event may be still to
      // come) or the view is at the bottom: otherwise the intent in hand is the right one, and one
      // read from offsets whose newest rows are not measured yet could be another row (see apply).
      const top = vp.scrollTop;
      const h = vp.clientHeight;
      if (Math.abs(top - this.lastTop) >= 1 || isAtBottom(top, h, this.total)) this.intent = this.currentIntent(top, h);
    }
    this.keys = keys;
    this.indexOf = new Map(keys.map((k, i) => [k, i]));
    this.offsets = layout(keys, this.cache);
    const h = vp?.clientHeight ?? 800;
    this.range = visibleRange(this.offsets, this.targetTop(h) ?? vp?.scrollTop ?? 0, h, this.opts.margin);
  }

  private currentIntent(top: number, h: number): VirtualScroller["intent"] {
    if (isAtBottom(top, h, this.total)) return { kind: "bottom" };
    const anchor = anchorAt(this.keys, this.offsets, top, this.opts.stable);
    return anchor === undefined ? { kind: "bottom" } : { kind: "anchor", anchor };
  }

  private targetTop(viewport: number): number | undefined {
    const i = this.intent;
    if (i.kind === "bottom") return maxScrollTop(this.total, viewport);
    if (i.kind === "row") {
      const at = this.indexOf.get(i.key);
      return at === undefined ? undefined : centredOn(this.offsets, at, viewport);
    }
    const top = scrollTopFor(i.anchor, this.keys, this.offsets, this.indexOf);
    return top === undefined ? maxScrollTop(this.total, viewport) : Math.min(top, maxScrollTop(this.total, viewport));
  }

  hostConnected(): void {
    this.observer = new ResizeObserver((entries) => this.resized(entries));
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observed.clear();
    this.watched = undefined;
  }

  hostUpdated(): void {
    const vp = this.viewport();
    if (vp === null) return;
    // Rows are measured by the ResizeObserver (after layout, before paint: no forced layout here).
    if (this.watched !== vp) {
      this.observer?.observe(vp);
      this.watched = vp;
    }
    for (const el of this.els?.list?.children ?? []) {
      if (!this.observed.has(el)) {
        this.observer?.observe(el);
        this.observed.add(el);
      }
    }
    for (const el of this.observed) {
      if (!el.isConnected) {
        this.observer?.unobserve(el);
        this.observed.delete(el);
      }
    }
    const fresh = this.fresh;
    this.fresh = undefined;
    this.apply(vp, false, fresh);
  }

  /** Asks for a render, remembering the scroll position and height just read (see `fresh`). */
  private renderWith(top: number, h: number): void {
    this.host.requestUpdate();
    this.fresh = { top, h };
    // Queued after the host's update: if that update runs later than this task, apply() reads again.
    queueMicrotask(() => { this.fresh = undefined; });
  }

  /** Sizes the spacer and places the rows (owned here, not by the template), puts the scroll position
   * where the intent says, then re-renders if the rows no longer fit. */
  private apply(vp: HTMLElement, relaidOut: boolean, known?: { top: number; h: number }): void {
    // Reads first (one layout; none when the caller just read them), then writes; the scroll position
    // is set (a layout) only when the view must move: re-anchoring or pinning to the bottom.
    const h = known?.h ?? vp.clientHeight;
    let top = known?.top ?? vp.scrollTop;
    const els = this.els;
    if (els !== undefined && els.height !== this.total && els.spacer !== null) {
      els.spacer.style.height = `${this.total}px`;
      els.height = this.total;
    }
    if (els !== undefined && els.shift !== this.top() && els.list !== null) {
      els.list.style.transform = `translateY(${this.top()}px)`;
      els.shift = this.top();
    }
    const target = this.targetTop(h);
    if (target !== undefined && Math.abs(top - target) >= 1) {
      vp.scrollTop = target;
      top = vp.scrollTop;
    }
    this.lastTop = top;
    const want = visibleRange(this.offsets, top, h, this.opts.margin);
    if ((relaidOut || !covers(this.range, this.offsets, top, h, this.opts.margin / 4)) && (want.start !== this.range.start || want.end !== this.range.end)) {
      // Bounded: estimates converge to measured heights in a few passes.
      if (this.settling++ < 8) {
        this.range = want;
        this.renderWith(top, h);
        return;
      }
    }
    this.settling = 0;
    // The intent is kept, not read back from this position: rows rendered just now still count at
    // the estimate until the ResizeObserver measures them (after this), so the row the offsets put
    // at the top may not be the one on screen; re-anchoring on it moved the view by that row's
    // estimate error when a page of history landed at the top (88 → 104 px). The agent's scrolls
    // (onScroll, or setKeys when the scroll event is still to come) take a new anchor.
    if (top < h && this.opts.nearTop !== undefined) this.opts.nearTop();
  }

  /** Rows measured or re-measured, or the viewport itself resized (a banner above it, the window):
   * the view keeps its intent (bottom, or the anchored row), recorded before the change. */
  private resized(entries: ResizeObserverEntry[]): void {
    const vp = this.viewport();
    if (vp === null) return;
    let changed = false;
    for (const e of entries) {
      if (e.target === vp) {
        changed = true;
        continue;
      }
      const key = (e.target as HTMLElement).dataset["key"];
      const h = e.borderBoxSize[0]?.blockSize ?? e.contentRect.height;
      if (key !== undefined && (e.target as HTMLElement).isConnected && this.cache.set(key, h)) changed = true;
    }
    if (!changed) return;
    this.offsets = layout(this.keys, this.cache);
    this.apply(vp, true);
  }

  /** The scroll handler: the user moved; re-render when the rendered rows run out. */
  onScroll(): void {
    const vp = this.viewport();
    if (vp === null) return;
    const h = vp.clientHeight;
    const top = vp.scrollTop;
    if (!covers(this.range, this.offsets, top, h, this.opts.margin / 4)) {
      this.range = visibleRange(this.offsets, top, h, this.opts.margin);
      this.renderWith(top, h);
    }
    // Only a real move changes what the view holds on to (a shrinking viewport also fires "scroll").
    if (Math.abs(top - this.lastTop) >= 1) this.intent = this.currentIntent(top, h);
    this.lastTop = top;
    if (top < h && this.opts.nearTop !== undefined) this.opts.nearTop();
  }

  /** PageUp/PageDown/Home/End on the focused list itself. */
  onKey(e: KeyboardEvent): void {
    const vp = this.viewport();
    if (vp === null || e.target !== vp) return;
    const to = keyScroll(e.key, vp.scrollTop, vp.clientHeight, this.total);
    if (to === undefined) return;
    e.preventDefault();
    vp.scrollTop = to;
    this.onScroll();
  }

  has(key: string): boolean {
    return this.indexOf.has(key);
  }

  /** Centres a row (kept centred while heights around it settle); false if it is not in the list. */
  async reveal(key: string): Promise<boolean> {
    if (!this.indexOf.has(key)) return false;
    const vp = this.viewport();
    this.intent = { kind: "row", key };
    const h = vp?.clientHeight ?? 800;
    const target = this.targetTop(h) ?? 0;
    this.range = visibleRange(this.offsets, target, h, this.opts.margin);
    if (vp !== null) vp.scrollTop = target;
    this.host.requestUpdate();
    await this.host.updateComplete;
    // Later scrolls by the agent replace this intent (onScroll).
    return true;
  }

  /** Stop holding a revealed row in the centre (the agent scrolled, or new rows should pin bottom). */
  release(): void {
    const vp = this.viewport();
    if (vp !== null) this.intent = this.currentIntent(vp.scrollTop, vp.clientHeight);
  }
}
