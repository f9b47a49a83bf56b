// Route modules mounted by share-server.ts after its own routes (e.g. an archive endpoint): each
// gets the request and what it needs from the service, and says whether it answered. A module
// throws ShareHttpError for a Matrix-style error; anything else is a logged 500.
import type { IncomingMessage, ServerResponse } from "node:http";

export class ShareHttpError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, errcode: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
  }
}

export interface ShareRouteContext {
  /** The agent's Matrix user id (access token checked on the council's homeserver), or throws 401. */
  agent(req: IncomingMessage): Promise<string>;
  json(res: ServerResponse, status: number, body: unknown): void;
  now(): number;
  /** A line for the service's log (never a secret: no share id, token or password). */
  log(line: string): void;
  /** The service's data folder (each module keeps to a sub-folder of its own). */
  dataDir: string;
}

/** Answers the request and resolves true, or resolves false to let the next module try. */
export type ShareRouteModule = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: ShareRouteContext) => Promise<boolean>;
