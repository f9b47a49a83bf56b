// What the transport tests (node-media-transport.test.ts) and the PUT memory probe (put-probe.ts)
// share: a counted body in 1 MiB chunks and a plain HTTP server on an ephemeral loopback port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export const MiB = 1024 * 1024;

/** A body of `total` bytes in 1 MiB chunks that counts what the transport pulled. */
export function countedBody(total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= total) return c.close();
      pulled += MiB;
      c.enqueue(new Uint8Array(MiB).fill(pulled / MiB));
    },
  }, { highWaterMark: 1 });
  return { body, pulled: () => pulled };
}

export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}
