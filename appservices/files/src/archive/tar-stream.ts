// A streaming ustar writer (POSIX.1-1988): each entry's header carries its size, so an entry's
// size must be known before its bytes flow; the body is checked to match. Pure apart from streams.

export interface TarEntry {
  /** Relative path, ASCII, at most 100 bytes (archive-layout.ts makes names that fit). */
  path: string;
  size: number;
  mtime: Date;
  body: ReadableStream<Uint8Array>;
}

export const TAR_BLOCK = 512;
const BLOCK = TAR_BLOCK;

/** The 512-byte ustar header of an entry (the body's size is in it). */
export function tarHeader(e: Pick<TarEntry, "path" | "size" | "mtime">): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string): void => {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > length) throw new RangeError(`tar: field too long: ${text}`);
    h.set(bytes, offset);
  };
  const octal = (offset: number, length: number, n: number): void => put(offset, length, n.toString(8).padStart(length - 1, "0"));
  put(0, 100, e.path);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, e.size);
  octal(136, 12, Math.floor(e.mtime.getTime() / 1000));
  put(148, 8, "        "); // checksum counted as spaces
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** The tar stream of `entries`, read one at a time as the output is consumed. */
export function tarStream(entries: AsyncIterable<TarEntry>): ReadableStream<Uint8Array> {
  const it = entries[Symbol.asyncIterator]();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let current: TarEntry | undefined;
  let written = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    // Each pull must enqueue something: a pull that enqueues nothing is not called again (an entry
    // whose size is a multiple of 512 ends without padding), so it goes on to the next entry itself.
    async pull(c) {
      for (;;) {
        if (finished) return;
        if (reader === undefined || current === undefined) {
          const next = await it.next();
          if (next.done) {
            finished = true;
            c.enqueue(new Uint8Array(BLOCK * 2));
            c.close();
            return;
          }
          current = next.value;
          reader = current.body.getReader();
          written = 0;
          c.enqueue(tarHeader(current));
          return;
        }
        const { value, done } = await reader.read();
        if (!done) {
          written += value.length;
          if (written > current.size) throw new Error(`tar: ${current.path} is longer than its declared ${current.size} bytes`);
          c.enqueue(value);
          return;
        }
        if (written !== current.size) throw new Error(`tar: ${current.path} has ${written} bytes, declared ${current.size}`);
        const pad = (BLOCK - (written % BLOCK)) % BLOCK;
        reader = undefined;
        current = undefined;
        if (pad > 0) {
          c.enqueue(new Uint8Array(pad));
          return;
        }
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
      await it.return?.();
    },
  });
}
