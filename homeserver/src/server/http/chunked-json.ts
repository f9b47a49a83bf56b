// Large JSON responses built in slices, so one big read (a room's 10,000 state events) never holds
// the event loop for long: between slices we yield with setImmediate, which lets pending I/O
// (other clients' requests) run. Awaiting an already-resolved promise is not enough: microtasks
// run before any I/O callback (issue 9, finding 7).
import { Readable } from "node:stream";

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A JSON array streamed from already-serialised elements, produced slice by slice. */
export function jsonArrayStream(slices: AsyncIterable<readonly string[]>): Readable {
  async function* body(): AsyncGenerator<string> {
    let first = true;
    yield "[";
    for await (const slice of slices) {
      if (slice.length === 0) continue;
      yield (first ? "" : ",") + slice.join(",");
      first = false;
    }
    yield "]";
  }
  return Readable.from(body(), { objectMode: false });
}
