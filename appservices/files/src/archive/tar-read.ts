// A streaming ustar reader, the counterpart of tar-stream.ts, for the archive endpoint that reads
// the tar a client sends: entries one at a time, bodies handed over in chunks (never buffered
// whole), headers checked (checksum, regular files only, octal size). Pure apart from streams.
import { TAR_BLOCK } from "./tar-stream.ts";

export class TarFormatError extends Error {
  override name = "TarFormatError";
}

export interface TarHeaderRead {
  path: string;
  size: number;
  /** The header block as received (a caller forwarding the tar byte for byte needs it). */
  header: Uint8Array;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));

function octal(b: Uint8Array, what: string): number {
  const s = text(b).trim();
  if (!/^[0-7]{1,12}$/.test(s)) throw new TarFormatError(`tar: bad ${what} field`);
  return parseInt(s, 8);
}

/** Parses one header block: undefined for a zero block (end of archive). */
export function parseTarHeader(h: Uint8Array): TarHeaderRead | undefined {
  if (h.every((b) => b === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (octal(h.subarray(148, 156), "checksum") !== sum) throw new TarFormatError("tar: header checksum mismatch");
  const type = h[156];
  if (type !== 0x30 && type !== 0) throw new TarFormatError("tar: only regular files are accepted");
  const prefix = text(h.subarray(345, 500));
  const name = text(h.subarray(0, 100));
  const size = octal(h.subarray(124, 136), "size");
  if (!Number.isSafeInteger(size)) throw new TarFormatError("tar: bad size");
  return { path: prefix === "" ? name : `${prefix}/${name}`, size, header: h };
}

export class TarReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private buffered: Uint8Array = new Uint8Array(0);
  private current: TarHeaderRead | undefined;
  private ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Up to `max` bytes (fewer only at the end of the stream, then an empty array). */
  private async chunk(max: number): Promise<Uint8Array> {
    while (this.buffered.length === 0) {
      const { value, done } = await this.reader.read();
      if (done) return new Uint8Array(0);
      this.buffered = value;
    }
    const out = this.buffered.subarray(0, max);
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }

  private async exactly(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    for (let got = 0; got < n;) {
      const c = await this.chunk(n - got);
      if (c.length === 0) throw new TarFormatError("tar: truncated");
      out.set(c, got);
      got += c.length;
    }
    return out;
  }

  /** The next entry's header, or undefined at the end-of-archive blocks (nothing but zeros may follow). */
  async next(): Promise<TarHeaderRead | undefined> {
    if (this.current !== undefined) throw new Error("tar: read the body of the current entry first");
    if (this.ended) return undefined;
    const h = parseTarHeader(await this.exactly(TAR_BLOCK));
    if (h !== undefined) return (this.current = h);
    this.ended = true;
    for (let c = await this.chunk(65536); c.length > 0; c = await this.chunk(65536)) {
      if (!c.every((b) => b === 0)) throw new TarFormatError("tar: data after the end of the archive");
    }
    return undefined;
  }

  /** Hands over the current entry's body in chunks, then its padding to the next block. */
  async body(onData: (c: Uint8Array) => void | Promise<void>, onPadding: (c: Uint8Array) => void | Promise<void> = () => undefined): Promise<void> {
    const entry = this.current;
    if (entry === undefined) throw new Error("tar: no current entry");
    for (let left = entry.size; left > 0;) {
      const c = await this.chunk(Math.min(left, 1 << 20));
      if (c.length === 0) throw new TarFormatError(`tar: ${entry.path} is truncated`);
      left -= c.length;
      await onData(c);
    }
    const pad = (TAR_BLOCK - (entry.size % TAR_BLOCK)) % TAR_BLOCK;
    if (pad > 0) await onPadding(await this.exactly(pad));
    this.current = undefined;
  }

  async cancel(reason?: unknown): Promise<void> {
    await this.reader.cancel(reason);
  }
}
