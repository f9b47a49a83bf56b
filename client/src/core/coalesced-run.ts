// One run at a time: a call while a run is going asks for exactly one more run after it (however
// many calls came meanwhile) and gets the promise of the run going. For views that re-read their
// data on every change notification. `run` handles its own errors.
export function coalescedRun(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        await run();
      } finally {
        running = undefined;
        if (again) {
          again = false;
          void start();
        }
      }
    })();
    return running;
  };
  return start;
}
