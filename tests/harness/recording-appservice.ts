// An appservice stand-in on loopback for the homeserver's pushes: answers every request 200 {}
// and keeps each request body, in order of arrival.
import { createServer, type Server } from "node:http";

export interface RecordingAppservice {
  server: Server;
  port: number;
  /** Request bodies as received (transactions, pings...). */
  received: string[];
  close(): Promise<void>;
}

export async function startRecordingAppservice(): Promise<RecordingAppservice> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push(body);
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { server, port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
