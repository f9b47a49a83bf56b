// A stand-in push gateway (Sygnal's role) for tests: records every POST /_matrix/push/v1/notify,
// answers `rejected` for chosen pushkeys, and can go down and come back on the same port.
import { createServer, type Server } from "node:http";
import { freePort } from "./ports.ts";

export interface GatewayNotification {
  event_id?: string;
  room_id?: string;
  type?: string;
  sender?: string;
  prio?: string;
  content?: Record<string, unknown>;
  counts?: { unread?: number };
  devices: { app_id: string; pushkey: string; data?: Record<string, unknown>; tweaks?: Record<string, unknown> }[];
}

export class TestPushGateway {
  readonly received: GatewayNotification[] = [];
  /** Pushkeys answered as rejected (the app was uninstalled). */
  readonly reject = new Set<string>();
  port = 0;
  private server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.port}/_matrix/push/v1/notify`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/_matrix/push/v1/notify") {
          res.writeHead(404).end("{}");
          return;
        }
        const n = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { notification: GatewayNotification }).notification;
        this.received.push(n);
        const rejected = n.devices.map((d) => d.pushkey).filter((k) => this.reject.has(k));
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ rejected }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  /** Goes down: further connections are refused until start() again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }

  /** Notifications for one pushkey, in arrival order. */
  for(pushkey: string): GatewayNotification[] {
    return this.received.filter((n) => n.devices.some((d) => d.pushkey === pushkey));
  }
}
