// Our WidgetDriver for matrix-widget-api's ClientWidgetApi. ClientWidgetApi checks each action
// against the approved capabilities before calling us (send/read/OpenID), so the driver's jobs are:
// ask the agent (once per widget), act through the narrow client port, and scope everything to
// the widget's own room.
import {
  OpenIDRequestState, WidgetDriver, type Capability, type IOpenIDUpdate, type IReadEventRelationsResult, type IRoomEvent,
  type ISendEventDetails, type SimpleObservable,
} from "matrix-widget-api";
import { mergeDecision, splitRequested, type ApprovalStore } from "./capability-approvals.ts";
import type { WidgetClientPort } from "./widget-client-port.ts";
import type { EventKind } from "./raw-relations.ts";

export interface WidgetPrompts {
  /** Shows the approval dialog; resolves with the capabilities the agent ticked. */
  askCapabilities(widgetName: string, requested: readonly Capability[]): Promise<ReadonlySet<Capability>>;
  /** Explicit consent before the widget learns who the agent is (OpenID). */
  askOpenId(widgetName: string): Promise<boolean>;
}

export interface WidgetDriverDeps {
  client: WidgetClientPort;
  /** The widget's room; an account widget launched outside any room has none and acts nowhere. */
  roomId: string | undefined;
  widgetName: string;
  approvalKey: string;
  approvals: ApprovalStore;
  prompts: WidgetPrompts;
  /** Opens a room or permalink in the client (matrix.to / matrix: URIs only). */
  navigate(uri: string): Promise<void>;
}

const PERMALINK = /^(https:\/\/matrix\.to\/#\/|matrix:)/;

export class EntenteWidgetDriver extends WidgetDriver {
  readonly #d: WidgetDriverDeps;

  constructor(deps: WidgetDriverDeps) {
    super();
    this.#d = deps;
  }

  /** The signed-in user the widget acts for. */
  get userId(): string {
    return this.#d.client.userId;
  }

  override async validateCapabilities(requested: Set<Capability>): Promise<Set<Capability>> {
    const remembered = this.#d.approvals.get(this.#d.approvalKey);
    const { granted, undecided } = splitRequested(requested, remembered);
    if (undecided.length === 0) return granted;
    const ticked = await this.#d.prompts.askCapabilities(this.#d.widgetName, undecided);
    // Only what was asked can be granted, whatever the dialog returns.
    const approvedNow = new Set(undecided.filter((c) => ticked.has(c)));
    this.#d.approvals.set(this.#d.approvalKey, mergeDecision(remembered, undecided, approvedNow));
    return new Set([...granted, ...approvedNow]);
  }

  #room(roomId: string | null | undefined): string {
    const own = this.#d.roomId;
    if (own === undefined) throw new Error("ce widget personnel a été ouvert hors de tout salon : il n'agit dans aucun salon");
    if (roomId !== null && roomId !== undefined && roomId !== own) throw new Error("ce widget n'agit que dans son propre salon");
    return own;
  }

  override async sendEvent(eventType: string, content: unknown, stateKey?: string | null, roomId?: string | null): Promise<ISendEventDetails> {
    const room = this.#room(roomId);
    if (typeof content !== "object" || content === null || Array.isArray(content)) throw new Error("contenu d'événement invalide");
    const body = content as Record<string, unknown>;
    const eventId = stateKey === null || stateKey === undefined
      ? await this.#d.client.sendEvent(room, eventType, body)
      : await this.#d.client.sendStateEvent(room, eventType, body, stateKey);
    return { roomId: room, eventId };
  }

  override async readRoomTimeline(roomId: string, eventType: string, msgtype: string | undefined, stateKey: string | undefined, limit: number, since: string | undefined): Promise<IRoomEvent[]> {
    const room = this.#room(roomId);
    const recent = this.#d.client.recentTimeline;
    if (recent !== undefined) return recent.call(this.#d.client, room, { type: eventType, msgtype, stateKey }, limit, since);
    const events = this.#d.client.timeline(room);
    const out: IRoomEvent[] = [];
    for (let i = events.length - 1; i >= 0 && out.length < Math.max(0, limit); i--) {
      const e = events[i];
      if (e === undefined) continue;
      if (since !== undefined && e.event_id === since) break;
      if (e.type !== eventType) continue;
      if (msgtype !== undefined && (e.content as Record<string, unknown> | undefined)?.["msgtype"] !== msgtype) continue;
      if (stateKey !== undefined && e.state_key !== stateKey) continue;
      out.push(e);
    }
    return out;
  }

  override async readRoomState(roomId: string, eventType: string, stateKey: string | undefined): Promise<IRoomEvent[]> {
    const room = this.#room(roomId);
    // Our client lazy-loads members: a widget allowed to read them (an assignee picker) gets them all.
    if (eventType === "m.room.member") await this.#d.client.loadMembers?.(room);
    return this.#d.client.stateEvents(room, eventType, stateKey);
  }

  /**
   * `recurse` (the spec's /relations parameter) is ours: ClientWidgetApi never passes it, the host
   * does for a read_relations request that asks for it (widget-host.ts); `recursionDepth` says the
   * server walked the tree. `onNextBatch` (raw path only, raw-relations.ts): the next page's token
   * as soon as the server's first bytes show it, before this page is parsed.
   */
  override async readEventRelations(
    eventId: string, roomId?: string, relationType?: string, eventType?: string, from?: string, to?: string, limit?: number, direction?: "f" | "b", recurse?: boolean, lean?: boolean,
    onNextBatch?: (token: string) => void,
  ): Promise<IReadEventRelationsResult & { recursionDepth?: number; raw?: ArrayBuffer; count?: number; kinds?: EventKind[] }> {
    const page = await this.#d.client.relations(this.#room(roomId), eventId, relationType, eventType, {
      ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), ...(limit === undefined ? {} : { limit }), ...(direction === undefined ? {} : { dir: direction }),
      ...(recurse === true ? { recurse } : {}), ...(lean === true ? { lean } : {}), ...(onNextBatch === undefined ? {} : { onNextBatch }),
    });
    return {
      // a getter: a summarised page's events are parsed only if used (recursive-relations.ts)
      get chunk() { return page.chunk; },
      ...(page.nextBatch === undefined ? {} : { nextBatch: page.nextBatch }), ...(page.prevBatch === undefined ? {} : { prevBatch: page.prevBatch }),
      ...(page.recursionDepth === undefined ? {} : { recursionDepth: page.recursionDepth }), ...(page.raw === undefined ? {} : { raw: page.raw }),
      ...(page.count === undefined || page.kinds === undefined ? {} : { count: page.count, kinds: page.kinds }),
    };
  }

  override askOpenID(observer: SimpleObservable<IOpenIDUpdate>): void {
    void (async () => {
      try {
        if (!(await this.#d.prompts.askOpenId(this.#d.widgetName))) return observer.update({ state: OpenIDRequestState.Blocked });
        observer.update({ state: OpenIDRequestState.Allowed, token: await this.#d.client.openIdToken() });
      } catch {
        observer.update({ state: OpenIDRequestState.Blocked });
      }
    })();
  }

  override async navigate(uri: string): Promise<void> {
    if (!PERMALINK.test(uri)) throw new Error("seuls les liens vers des salons Matrix sont ouverts");
    await this.#d.navigate(uri);
  }

  override getKnownRooms(): string[] {
    return this.#d.roomId === undefined ? [] : [this.#d.roomId];
  }
}
