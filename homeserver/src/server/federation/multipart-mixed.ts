// multipart/mixed (RFC 2046 §5.1) as federation media uses it: a JSON part, then the file part
// (its bytes, or a `Location` header). The reader streams: a part's body comes out chunk by chunk
// as it arrives, so a large file never sits in memory; only a delimiter's length is held back.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1mediadownloadmediaid
import { randomBytes } from "node:crypto";

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

export interface MultipartPart {
  /** Header names in lower case. */
  headers: Map<string, string>;
  /** The part's bytes; must be read to the end before asking for the next part. */
  body: AsyncIterable<Buffer>;
}

/** Headers (and a preamble) longer than this are refused: they are never legitimately large. */
const MAX_HEAD_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");

/** The boundary of a `multipart/mixed; boundary=...` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type = "", ...params] = contentType.split(";");
  if (type.trim().toLowerCase() !== "multipart/mixed") return undefined;
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq === -1 || p.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    // RFC 2046: 1 to 70 characters, none of them a control character
    return v.length >= 1 && v.length <= 70 && !/[\u0000-\u001f\u007f]/.test(v) ? v : undefined;
  }
  return undefined;
}

export class MultipartReader {
  private readonly source: AsyncIterator<Uint8Array>;
  /** CRLF "--" boundary: the CRLF before a delimiter belongs to the delimiter, not the body. */
  private readonly delimiter: Buffer;
  // a virtual CRLF in front lets the first delimiter, which may open the body, match like the others
  private buf: Buffer = Buffer.from(CRLF);
  private started = false;
  private inBody = false;
  private finished = false;

  constructor(source: AsyncIterable<Uint8Array>, boundary: string) {
    this.source = source[Symbol.asyncIterator]();
    this.delimiter = Buffer.from(`\r\n--${boundary}`, "latin1");
  }

  /** The next part, or undefined after the close delimiter. */
  async nextPart(): Promise<MultipartPart | undefined> {
    if (this.inBody) throw new MultipartError("the previous part was not read to its end");
    if (this.finished) return undefined;
    if (!this.started) {
      this.started = true;
      await this.skipPreamble();
    }
    if (!(await this.afterDelimiter())) {
      this.finished = true;
      return undefined;
    }
    const headers = await this.readHeaders();
    this.inBody = true;
    return { headers, body: this.body() };
  }

  /** Stops reading the source (its `return` releases it). */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  private async fill(): Promise<boolean> {
    const r = await this.source.next();
    if (r.done === true) return false;
    this.buf = this.buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([this.buf, r.value]);
    return true;
  }

  private async skipPreamble(): Promise<void> {
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at !== -1) {
        this.buf = this.buf.subarray(at + this.delimiter.length);
        return;
      }
      if (this.buf.length > MAX_HEAD_BYTES) throw new MultipartError("no multipart delimiter found");
      if (!(await this.fill())) throw new MultipartError("truncated multipart body: no delimiter");
    }
  }

  /** After a delimiter: "--" closes the body; else optional transport padding, then CRLF. */
  private async afterDelimiter(): Promise<boolean> {
    for (;;) {
      if (this.buf.length >= 2 && this.buf[0] === 0x2d && this.buf[1] === 0x2d) return false;
      const eol = this.buf.indexOf(CRLF);
      if (eol !== -1) {
        if (!/^[ \t]*$/.test(this.buf.subarray(0, eol).toString("latin1"))) throw new MultipartError("malformed multipart delimiter line");
        this.buf = this.buf.subarray(eol + 2);
        return true;
      }
      if (this.buf.length > MAX_HEAD_BYTES) throw new MultipartError("malformed multipart delimiter line");
      if (!(await this.fill())) throw new MultipartError("truncated multipart body after a delimiter");
    }
  }

  private async readHeaders(): Promise<Map<string, string>> {
    for (;;) {
      if (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
        this.buf = this.buf.subarray(2);
        return new Map();
      }
      const end = this.buf.indexOf("\r\n\r\n");
      if (end !== -1) {
        const text = this.buf.subarray(0, end).toString("latin1");
        this.buf = this.buf.subarray(end + 4);
        return parseHeaderLines(text);
      }
      if (this.buf.length > MAX_HEAD_BYTES) throw new MultipartError("multipart part headers too large");
      if (!(await this.fill())) throw new MultipartError("truncated multipart part headers");
    }
  }

  private async *body(): AsyncGenerator<Buffer> {
    const keep = this.delimiter.length - 1;
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at !== -1) {
        const last = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.inBody = false;
        if (last.length > 0) yield last;
        return;
      }
      // everything but a possible delimiter prefix at the end can go out now
      if (this.buf.length > keep) {
        const out = this.buf.subarray(0, this.buf.length - keep);
        this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
        yield out;
      }
      if (!(await this.fill())) throw new MultipartError("truncated multipart body: the part has no closing delimiter");
    }
  }
}

function parseHeaderLines(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("malformed multipart header line");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Reads a whole (small) part body, refusing more than `maxBytes`. */
export async function readPart(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new MultipartError(`multipart part larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * What goes around the file bytes in our federation media answers: the JSON metadata part (an
 * empty object, as the spec says for now), then the file part's headers; and the close delimiter.
 */
export interface MultipartEnvelope {
  contentType: string;
  head: Buffer;
  tail: Buffer;
}

export function mediaEnvelope(file: { contentType: string; contentDisposition: string; size?: number }, boundary = randomBytes(16).toString("hex")): MultipartEnvelope {
  // the part's Content-Length lets a server fetching from us serve Range requests before the
  // whole file has come (federation/remote-media.ts); readers that do not know it ignore it
  const length = file.size === undefined ? "" : `Content-Length: ${file.size}\r\n`;
  const head = `--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n` +
    `--${boundary}\r\nContent-Type: ${file.contentType}\r\nContent-Disposition: ${file.contentDisposition}\r\n${length}\r\n`;
  return { contentType: `multipart/mixed; boundary=${boundary}`, head: Buffer.from(head, "latin1"), tail: Buffer.from(`\r\n--${boundary}--\r\n`, "latin1") };
}
