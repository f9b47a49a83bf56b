// Route table: one line per route (see api/routes.ts). Matching is by path template with {params};
// a known path with the wrong method is 405, an unknown path 404 M_UNRECOGNIZED.
import { MatrixError } from "../../spec/matrix-error.ts";
import type { RequestContext } from "./request-context.ts";

export type Method = "GET" | "PUT" | "POST" | "DELETE";
export type Handler = (ctx: RequestContext) => Promise<HandlerResult>;
export type HandlerResult =
  | { status?: number; json: unknown }
  | { status?: number; stream: NodeJS.ReadableStream; headers: Record<string, string> }
  | { status?: number; raw: Uint8Array; headers: Record<string, string> };

interface CompiledRoute {
  method: Method;
  template: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
  /** Whether the body is JSON (parsed before the handler) or a raw stream (media uploads). */
  rawBody: boolean;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  rawBody: boolean;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: Method, template: string, handler: Handler, opts: { rawBody?: boolean } = {}): this {
    const names: string[] = [];
    // {name} matches one segment; {name+} matches the rest (state keys may be empty or contain '/')
    const pattern = template.replace(/[.*?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)(\+?)\}/g, (_m, n: string, rest: string) => {
      names.push(n);
      return rest ? "(.*)" : "([^/]+)";
    });
    this.routes.push({ method, template, regex: new RegExp(`^${pattern}$`), names, handler, rawBody: opts.rawBody ?? false });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    let pathKnown = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeSegment(m[i + 1] ?? "");
      });
      return { handler: r.handler, params, rawBody: r.rawBody };
    }
    if (pathKnown) throw new MatrixError("M_UNRECOGNIZED", 405, `Method ${method} not allowed on ${path}`);
    throw new MatrixError("M_UNRECOGNIZED", 404, "Unrecognized request");
  }

  /** Paths, for the bad-input suite and docs. */
  list(): { method: Method; template: string }[] {
    return this.routes.map((r) => ({ method: r.method, template: r.template }));
  }
}

function decodeSegment(s: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    throw new MatrixError("M_INVALID_PARAM", 400, "Malformed percent-encoding in path");
  }
  // no identifier, type or key may hold NUL, and PostgreSQL cannot even look one up (issue 9)
  if (decoded.includes("\u0000")) throw new MatrixError("M_INVALID_PARAM", 400, "NUL (%00) is not allowed in a path");
  return decoded;
}
