// Typing notifications are ephemeral by spec: kept in memory, with their own serial so /sync
// only sends a room's typing list when it changed. Spec: https://spec.matrix.org/v1.16/client-server-api/#typing-notifications
import type { Clock } from "../clock.ts";

export class Typing {
  private readonly rooms = new Map<string, Map<string, number>>(); // room → user → expiry
  private readonly changedAt = new Map<string, number>();
  private serial = 0;
  private readonly clock: Clock;
  private readonly onChange: (roomId: string) => void;

  constructor(deps: { clock: Clock; onChange: (roomId: string) => void }) {
    this.clock = deps.clock;
    this.onChange = deps.onChange;
  }

  get position(): number {
    return this.serial;
  }

  set(roomId: string, userId: string, typing: boolean, timeoutMs: number): void {
    let users = this.rooms.get(roomId);
    if (!users) {
      users = new Map();
      this.rooms.set(roomId, users);
    }
    const had = users.has(userId);
    if (typing) users.set(userId, this.clock.now() + Math.min(Math.max(timeoutMs, 0), 120_000));
    else users.delete(userId);
    if (had !== typing || typing) this.bump(roomId);
    if (typing) {
      setTimeout(() => this.expire(roomId), Math.min(Math.max(timeoutMs, 0), 120_000) + 10).unref();
    }
  }

  /** Users typing in the room, if the list changed after `since`. */
  changedSince(roomId: string, since: number): string[] | undefined {
    if ((this.changedAt.get(roomId) ?? 0) <= since) return undefined;
    return this.current(roomId);
  }

  current(roomId: string): string[] {
    const users = this.rooms.get(roomId);
    if (!users) return [];
    const now = this.clock.now();
    return [...users].filter(([, exp]) => exp > now).map(([u]) => u);
  }

  private expire(roomId: string): void {
    const users = this.rooms.get(roomId);
    if (!users) return;
    const now = this.clock.now();
    let changed = false;
    for (const [u, exp] of users) {
      if (exp <= now) {
        users.delete(u);
        changed = true;
      }
    }
    if (changed) this.bump(roomId);
  }

  private bump(roomId: string): void {
    this.serial++;
    this.changedAt.set(roomId, this.serial);
    this.onChange(roomId);
  }
}
