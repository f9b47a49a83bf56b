// Pure bookkeeping for the connection caps of one listener (no sockets here, see connection-guard.ts).
// Each open TCP connection holds a file descriptor until it closes: without a cap, a flood of
// half-open connections exhausted the process's descriptors and then media uploads failed with
// EMFILE. A cap per client address keeps one misbehaving host from taking the whole listener.
import { isIPv4, isIPv6 } from "node:net";

export interface ConnectionCaps {
  /** Open connections allowed on the listener. */
  maxPerListener: number;
  /** Open connections allowed from one address; undefined: no per-address cap (behind a proxy). */
  maxPerAddress: number | undefined;
}

export type Admission = "ok" | "listener_full" | "address_full";

export class ConnectionCounter {
  private readonly caps: ConnectionCaps;
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(caps: ConnectionCaps) {
    this.caps = caps;
  }

  /** Counts the connection in when it fits under both caps; a refused one is not counted. */
  admit(key: string): Admission {
    if (this.total >= this.caps.maxPerListener) return "listener_full";
    const fromAddress = this.perAddress.get(key) ?? 0;
    if (this.caps.maxPerAddress !== undefined && fromAddress >= this.caps.maxPerAddress) return "address_full";
    this.total++;
    this.perAddress.set(key, fromAddress + 1);
    return "ok";
  }

  /** Called once per admitted connection when it closes. */
  release(key: string): void {
    const n = this.perAddress.get(key);
    if (n === undefined) return;
    this.total--;
    // dropping empty entries keeps the map as small as the set of addresses connected right now
    if (n <= 1) this.perAddress.delete(key);
    else this.perAddress.set(key, n - 1);
  }

  get open(): number {
    return this.total;
  }

  openFrom(key: string): number {
    return this.perAddress.get(key) ?? 0;
  }

  /** Distinct addresses with an open connection. */
  get addresses(): number {
    return this.perAddress.size;
  }
}

/**
 * The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 prefix,
 * because one host usually holds a whole /64 and would otherwise get a fresh cap per address.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  const withoutZone = address.split("%")[0] ?? address;
  const groups = expandIPv6(withoutZone);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The 8 hex groups of an IPv6 literal (already checked by isIPv6), without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const part = (s: string): string[] => (s === "" ? [] : s.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => "0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}

/**
 * One log line per refusal burst: the first refusal is logged at once, later ones at most once per
 * interval with the number refused meanwhile, so a flood of connections cannot flood the log too.
 */
export class RefusalLogLimiter {
  private readonly intervalMs: number;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** Returns how many refusals the line to log now stands for, or undefined to stay silent. */
  refused(now: number): number | undefined {
    this.suppressed++;
    if (now - this.lastLogAt < this.intervalMs) return undefined;
    const count = this.suppressed;
    this.suppressed = 0;
    this.lastLogAt = now;
    return count;
  }
}
