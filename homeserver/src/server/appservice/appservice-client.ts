// Requests from the homeserver to an application service, authenticated with its hs_token.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#authorisation
// The legacy unversioned routes and the access_token query parameter are not used: every
// appservice written for spec v1.4 or later serves /_matrix/app/v1 and reads the header.
import type { AppserviceRegistration } from "./registration.ts";

export type AsResult =
  | { ok: true; status: number; durationMs: number }
  | { ok: false; reason: "timeout" | "connection"; detail: string; durationMs: number }
  | { ok: false; reason: "status"; status: number; body: string; durationMs: number };

/** Longest response body kept (the ping error echoes it back). */
const MAX_BODY = 4096;

export interface AppserviceClientDeps {
  timeoutMs: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export class AppserviceClient {
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(deps: AppserviceClientDeps) {
    this.timeoutMs = deps.timeoutMs;
    this.fetchFn = deps.fetch ?? fetch;
  }

  /** PUT /_matrix/app/v1/transactions/{txnId} */
  putTransaction(reg: AppserviceRegistration, txnId: string, body: unknown, signal?: AbortSignal): Promise<AsResult> {
    return this.call(reg, "PUT", `/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`, body, signal);
  }

  /** GET /_matrix/app/v1/users/{userId}: 200 means the appservice created the user. */
  queryUser(reg: AppserviceRegistration, userId: string): Promise<AsResult> {
    return this.call(reg, "GET", `/_matrix/app/v1/users/${encodeURIComponent(userId)}`, undefined);
  }

  /** GET /_matrix/app/v1/rooms/{roomAlias}: 200 means the appservice created the room and alias. */
  queryAlias(reg: AppserviceRegistration, alias: string): Promise<AsResult> {
    return this.call(reg, "GET", `/_matrix/app/v1/rooms/${encodeURIComponent(alias)}`, undefined);
  }

  /** POST /_matrix/app/v1/ping */
  ping(reg: AppserviceRegistration, transactionId: string | undefined): Promise<AsResult> {
    return this.call(reg, "POST", "/_matrix/app/v1/ping", transactionId === undefined ? {} : { transaction_id: transactionId });
  }

  private async call(reg: AppserviceRegistration, method: string, path: string, body: unknown, signal?: AbortSignal): Promise<AsResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    if (reg.url === undefined) return { ok: false, reason: "connection", detail: "no url", durationMs: 0 };
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = { Authorization: `Bearer ${reg.hsToken}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const res = await this.fetchFn(reg.url + path, {
        method, headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = (await res.text()).slice(0, MAX_BODY);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, durationMs: elapsed() };
      return { ok: false, reason: "status", status: res.status, body: text, durationMs: elapsed() };
    } catch (e: unknown) {
      const timedOut = timeout.aborted && !(signal?.aborted ?? false);
      return { ok: false, reason: timedOut ? "timeout" : "connection", detail: describe(e), durationMs: elapsed() };
    }
  }
}

/** The cause of a fetch failure (ECONNREFUSED...), never the request (which holds the token). */
function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause;
    if (typeof cause === "object" && cause !== null && "code" in cause) return String(cause.code);
    return e.name;
  }
  return "error";
}
