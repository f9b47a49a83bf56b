// Capability approval remembered per widget: the agent answers once for a widget (keyed by room,
// widget id and the origin it loads from, so a widget whose URL moves to another site asks again),
// and is asked again only for capabilities never decided before.
import type { Capability } from "matrix-widget-api";
import { removeKeysWithPrefix, type ListableStorage } from "./prefixed-storage.ts";

export interface Decision { approved: readonly string[]; denied: readonly string[] }

export interface ApprovalStore {
  get(key: string): Decision | undefined;
  set(key: string, decision: Decision): void;
}

export function approvalKey(roomId: string | undefined, widgetId: string, widgetUrl: string): string {
  let origin = "invalid";
  try {
    origin = new URL(widgetUrl).origin;
  } catch {
    // keep "invalid": such a widget is never rendered anyway
  }
  return `${roomId ?? "account"}|${widgetId}|${origin}`;
}

/** Which requested capabilities are already granted, and which still need the agent's answer. */
export function splitRequested(requested: Iterable<Capability>, remembered: Decision | undefined): { granted: Set<Capability>; undecided: Capability[] } {
  const granted = new Set<Capability>();
  const undecided: Capability[] = [];
  for (const c of requested) {
    if (remembered?.approved.includes(c) === true) granted.add(c);
    else if (remembered?.denied.includes(c) !== true) undecided.push(c);
  }
  return { granted, undecided };
}

export function mergeDecision(previous: Decision | undefined, asked: readonly Capability[], approvedNow: ReadonlySet<Capability>): Decision {
  const approved = new Set(previous?.approved ?? []);
  const denied = new Set(previous?.denied ?? []);
  for (const c of asked) {
    if (approvedNow.has(c)) approved.add(c);
    else denied.add(c);
  }
  return { approved: [...approved], denied: [...denied] };
}

export class MemoryApprovalStore implements ApprovalStore {
  readonly #map = new Map<string, Decision>();
  get(key: string): Decision | undefined {
    return this.#map.get(key);
  }
  set(key: string, decision: Decision): void {
    this.#map.set(key, decision);
  }
}

const APPROVALS_PREFIX = "entente.widget-approvals.";

/**
 * Browser persistence, per agent: the entry names the user, so on a council PC shared by agents one
 * agent's consent never grants a widget anything for another (and sign-out clears them all, see
 * clearWidgetApprovals). What is read back is parsed, a corrupt entry counts as never decided.
 */
export class LocalStorageApprovalStore implements ApprovalStore {
  readonly #storage: Storage;
  readonly #prefix: string;
  constructor(storage: Storage, userId: string) {
    this.#storage = storage;
    this.#prefix = `${APPROVALS_PREFIX}${userId}|`;
  }
  get(key: string): Decision | undefined {
    try {
      const v: unknown = JSON.parse(this.#storage.getItem(this.#prefix + key) ?? "null");
      if (typeof v !== "object" || v === null) return undefined;
      const { approved, denied } = v as Record<string, unknown>;
      const strings = (a: unknown): string[] => (Array.isArray(a) ? a.filter((x): x is string => typeof x === "string") : []);
      return { approved: strings(approved), denied: strings(denied) };
    } catch {
      return undefined;
    }
  }
  set(key: string, decision: Decision): void {
    try {
      this.#storage.setItem(this.#prefix + key, JSON.stringify(decision));
    } catch {
      // full or refused storage: the agent is asked again next time
    }
  }
}

/**
 * Removes every remembered widget consent, of every agent, including entries written before they
 * were per agent (at sign-out: the next agent on the PC must answer for themselves).
 */
export function clearWidgetApprovals(storage: ListableStorage | undefined): void {
  removeKeysWithPrefix(storage, APPROVALS_PREFIX);
}
