// User-interactive authentication (UIA) with sessions kept in memory: they only live for the few
// seconds between a 401 challenge and the retried request, so losing them on restart is harmless.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#user-interactive-authentication-api
import { randomBytes } from "node:crypto";
import { MatrixError, badJson, type Errcode } from "../../spec/matrix-error.ts";
import type { JsonObject } from "../../room/pdu.ts";
import type { Clock } from "../clock.ts";
import { BAD_CREDENTIALS, identifiedUser, type PasswordChecker } from "./credentials.ts";
import { accountKey } from "./password-attempts.ts";

export type UiaStage = "m.login.dummy" | "m.login.password";
export type UiaFlow = readonly UiaStage[];

export const PASSWORD_FLOWS: readonly UiaFlow[] = [["m.login.password"]];
export const DUMMY_FLOWS: readonly UiaFlow[] = [["m.login.dummy"]];

interface Session {
  /** What the session authorises, e.g. "POST /account/password"; a session is never reused elsewhere. */
  scope: string;
  /** The user the session belongs to (authenticated endpoints); undefined for registration. */
  userId: string | undefined;
  completed: UiaStage[];
  expiresAt: number;
}

/** The 401 response of UIA: flows, session, completed stages and, after a failed stage, an error. */
export class UiaChallenge extends MatrixError {
  readonly body: Record<string, unknown>;
  readonly failed: boolean;

  constructor(body: Record<string, unknown>, failure?: { errcode: Errcode; error: string }) {
    super(failure?.errcode ?? "M_UNAUTHORIZED", 401, failure?.error ?? "Additional authentication required");
    this.body = body;
    this.failed = failure !== undefined;
  }

  // The first challenge carries no errcode: clients (matrix-js-sdk) show any errcode as a failed stage.
  override toJSON(): Record<string, unknown> {
    return this.failed ? { errcode: this.errcode, error: this.message, ...this.body } : { ...this.body };
  }
}

export interface UiaRequest {
  /** The `auth` member of the request body (undefined when absent). */
  auth: unknown;
  flows: readonly UiaFlow[];
  scope: string;
  /** The authenticated requester; the password stage must prove this very user. */
  userId?: string;
}

export class UserInteractiveAuth {
  private readonly sessions = new Map<string, Session>();
  private readonly passwords: Pick<PasswordChecker, "check">;
  private readonly clock: Clock;
  private readonly serverName: string;
  private readonly ttlMs: number;

  constructor(deps: { passwords: Pick<PasswordChecker, "check">; clock: Clock; serverName: string; ttlMs?: number }) {
    this.passwords = deps.passwords;
    this.clock = deps.clock;
    this.serverName = deps.serverName;
    this.ttlMs = deps.ttlMs ?? 15 * 60_000;
  }

  /** Resolves once a flow is complete (the session is then spent); otherwise throws a UiaChallenge or a 400. */
  async authenticate(req: UiaRequest): Promise<void> {
    this.purge();
    if (req.auth === undefined || req.auth === null) throw this.challenge(this.newSession(req), req.flows);
    if (typeof req.auth !== "object" || Array.isArray(req.auth)) throw badJson("'auth' must be an object");
    const auth = req.auth as JsonObject;
    const [id, session] = this.sessionFor(auth, req);
    const type = auth["type"];
    if (type !== undefined && typeof type !== "string") throw badJson("'auth.type' must be a string");
    if (type !== undefined && !session.completed.includes(type as UiaStage)) {
      if (!nextStages(req.flows, session.completed).includes(type as UiaStage)) {
        throw this.challenge(id, req.flows, { errcode: "M_UNRECOGNIZED", error: `Auth type ${type} is not expected now` });
      }
      const failure = await this.runStage(type as UiaStage, auth, req);
      if (failure) throw this.challenge(id, req.flows, failure);
      session.completed.push(type as UiaStage);
    }
    if (req.flows.some((f) => f.length === session.completed.length && f.every((st, i) => session.completed[i] === st))) {
      this.sessions.delete(id);
      return;
    }
    throw this.challenge(id, req.flows);
  }

  private sessionFor(auth: JsonObject, req: UiaRequest): [string, Session] {
    const given = auth["session"];
    if (given === undefined || given === null) {
      // A client may complete a stage in its very first request (e.g. m.login.dummy at registration).
      const id = this.newSession(req);
      return [id, this.sessions.get(id) as Session];
    }
    if (typeof given !== "string") throw badJson("'auth.session' must be a string");
    const session = this.sessions.get(given);
    if (!session) throw new MatrixError("M_UNKNOWN", 400, "Unknown or expired UIA session");
    if (session.scope !== req.scope || session.userId !== req.userId) {
      throw new MatrixError("M_FORBIDDEN", 403, "This UIA session was started for another request");
    }
    return [given, session];
  }

  private async runStage(type: UiaStage, auth: JsonObject, req: UiaRequest): Promise<{ errcode: Errcode; error: string } | undefined> {
    if (type === "m.login.dummy") return undefined;
    const password = auth["password"];
    if (typeof password !== "string") throw badJson("'auth.password' must be a string");
    const userId = identifiedUser(auth, this.serverName);
    // Only the requester can re-authenticate: another user's password fails like a wrong one,
    // without being checked (a stolen token must not become a guessing oracle for other accounts).
    if (req.userId !== undefined && accountKey(userId) !== accountKey(req.userId)) return { errcode: "M_FORBIDDEN", error: BAD_CREDENTIALS };
    // Per-account failure limit inside check(): 429 M_LIMIT_EXCEEDED while locked out.
    const result = await this.passwords.check(userId, password);
    if (!result.ok || (req.userId !== undefined && result.userId !== req.userId)) {
      return { errcode: "M_FORBIDDEN", error: BAD_CREDENTIALS };
    }
    return undefined;
  }

  private newSession(req: UiaRequest): string {
    const id = randomBytes(18).toString("base64url");
    this.sessions.set(id, { scope: req.scope, userId: req.userId, completed: [], expiresAt: this.clock.now() + this.ttlMs });
    return id;
  }

  private challenge(id: string, flows: readonly UiaFlow[], failure?: { errcode: Errcode; error: string }): UiaChallenge {
    const completed = this.sessions.get(id)?.completed ?? [];
    const body: Record<string, unknown> = { flows: flows.map((stages) => ({ stages: [...stages] })), params: {}, session: id };
    if (completed.length > 0) body["completed"] = [...completed];
    return new UiaChallenge(body, failure);
  }

  private purge(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    // Bound memory against clients that open sessions and never finish them.
    if (this.sessions.size > 10_000) this.sessions.clear();
  }
}

/** Stages that may come next: the next stage of every flow whose prefix matches what is completed. */
function nextStages(flows: readonly UiaFlow[], completed: readonly UiaStage[]): UiaStage[] {
  const out: UiaStage[] = [];
  for (const f of flows) {
    if (completed.every((st, i) => f[i] === st)) {
      const next = f[completed.length];
      if (next) out.push(next);
    }
  }
  return out;
}
