// A minimal client-server API caller for black-box tests, plus a sync follower.
export interface Session {
  userId: string;
  accessToken: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>, what: string) {
    super(`${what}: ${status} ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export async function call<T = Record<string, unknown>>(base: string, s: Pick<Session, "accessToken"> | undefined, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (s) headers["Authorization"] = `Bearer ${s.accessToken}`;
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new ApiError(res.status, json, `${method} ${path}`);
  return json as T;
}

export const enc = encodeURIComponent;

export interface SyncRoom {
  timeline: { events: { event_id: string; type: string; sender: string; state_key?: string; content: Record<string, unknown> }[] };
  state: { events: { type: string; state_key?: string; content: Record<string, unknown> }[] };
}

/** Follows /sync for one user and accumulates what it sees, for waitFor checks. */
export class SyncFollower {
  private since: string | undefined;
  readonly timeline = new Map<string, SyncRoom["timeline"]["events"]>();
  readonly invites = new Set<string>();
  readonly joined = new Set<string>();
  private readonly base: string;
  private readonly session: Session;
  constructor(base: string, session: Session) {
    this.base = base;
    this.session = session;
  }

  async poll(timeoutMs = 0): Promise<void> {
    const q = this.since ? `?since=${enc(this.since)}&timeout=${timeoutMs}` : "?timeout=0";
    const r = await call<{ next_batch: string; rooms: { join: Record<string, SyncRoom>; invite: Record<string, unknown>; leave: Record<string, unknown> } }>(this.base, this.session, "GET", `/_matrix/client/v3/sync${q}`);
    this.since = r.next_batch;
    for (const [roomId, room] of Object.entries(r.rooms.join)) {
      this.joined.add(roomId);
      this.invites.delete(roomId);
      const list = this.timeline.get(roomId) ?? [];
      list.push(...room.timeline.events);
      this.timeline.set(roomId, list);
    }
    for (const roomId of Object.keys(r.rooms.invite)) this.invites.add(roomId);
    for (const roomId of Object.keys(r.rooms.leave)) this.joined.delete(roomId);
  }

  bodies(roomId: string): string[] {
    return (this.timeline.get(roomId) ?? []).filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));
  }
}
