// The federation listener's router, which logs every 4xx answer at info with the calling server,
// the path, the status and the errcode. Other servers' failures to talk to us (bad signatures,
// unknown endpoints, events we refuse) are what an operator looks for when federation with a
// partner "does not work"; at debug they were invisible in production logs.
// The origin is the one the X-Matrix header CLAIMS (it may be unverified, e.g. on a 401).
import { MatrixError } from "../../../spec/matrix-error.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { Router, type Handler, type Method, type RouteMatch } from "../../http/router.ts";
import { parseXMatrix } from "./x-matrix.ts";

export class FederationRouter extends Router {
  override add(method: Method, template: string, handler: Handler, opts: { rawBody?: boolean } = {}): this {
    const logged: Handler = async (ctx) => {
      try {
        return await handler(ctx);
      } catch (err) {
        this.logRejection(ctx, err);
        throw err;
      }
    };
    return super.add(method, template, logged, opts);
  }

  /** Unknown paths and methods are rejected by a handler too, so they are logged with the caller. */
  override match(method: string, path: string): RouteMatch {
    try {
      return super.match(method, path);
    } catch (err) {
      if (!isClientError(err)) throw err;
      const reject: Handler = async (ctx) => {
        this.logRejection(ctx, err);
        throw err;
      };
      // rawBody: the body of a request we refuse is not parsed
      return { handler: reject, params: {}, rawBody: true };
    }
  }

  private logRejection(ctx: RequestContext, err: unknown): void {
    if (!isClientError(err)) return;
    ctx.log.info("federation request rejected", {
      origin: claimedOrigin(ctx.req.headers.authorization), method: ctx.method, path: ctx.path, status: err.status, errcode: err.errcode,
      error: err.message,
    });
  }
}

function isClientError(err: unknown): err is MatrixError {
  return err instanceof MatrixError && err.status >= 400 && err.status < 500;
}

function claimedOrigin(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = parseXMatrix(header);
  return parsed.ok ? parsed.value.origin : undefined;
}
