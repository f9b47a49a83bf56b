// A view that re-reads on change notifications: a burst of changes (a sync batch) gives one call
// `delayMs` after the last one. Returns the stop: unsubscribes and drops a pending call.
export function debouncedChanges(onChange: (listener: () => void) => () => void, run: () => void, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}
