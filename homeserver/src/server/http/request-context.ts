import type { IncomingMessage } from "node:http";
import type { Logger } from "../log.ts";

/** The authenticated caller of a client-server request. */
export interface Requester {
  userId: string;
  deviceId: string;
  isGuest: boolean;
  /** Set when the request was made with an appservice token. */
  appserviceId?: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when none), or the raw request for streamed bodies. */
  readonly body: unknown;
  readonly req: IncomingMessage;
  readonly ip: string;
  readonly log: Logger;
  /** The access token presented, if any (header or query). */
  readonly accessToken: string | undefined;
}
