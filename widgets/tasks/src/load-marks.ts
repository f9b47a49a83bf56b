// Where the board's first load spends its time, as performance measures named "entente:board-…"
// (read by tests/bench/board-e2e.ts from the widget's frame; visible in any browser's profiler):
// read (the list through the widget API: client fetch + postMessage), fold, render.
// `performance` exists in browsers and in Node (unit tests), so no guard beyond its presence.

/** A measure from `start` (a performance.now() value) to now. */
export function measureSince(name: string, start: number): void {
  try {
    globalThis.performance?.measure(`entente:board-${name}`, { start, end: globalThis.performance.now() });
  } catch {
    // A profiler aid only: never let it break the board.
  }
}

export const now = (): number => globalThis.performance?.now() ?? Date.now();
