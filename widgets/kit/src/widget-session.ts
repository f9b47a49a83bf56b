// The widget side of the widget API: one WidgetApi per page, capabilities asked before start(),
// "ready" once the client has answered (or a timeout: a client that never answers is not a
// client). Typed helpers on top so widgets never touch raw event JSON.
// https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/2762-widget-event-receiving.md
import { WidgetApi, type Capability, type IOpenIDCredentials, type IRoomEvent } from "matrix-widget-api";
import { toTypedEvent, toTypedEvents, type EventSchema, type TypedRoomEvent } from "./typed-events.ts";
import { isHosted, type WidgetParams } from "./widget-params.ts";

/** What the session needs from matrix-widget-api's WidgetApi (a fake in unit tests). */
export type WidgetApiPort = Pick<
  WidgetApi,
  "requestCapabilities" | "start" | "on" | "off" | "once" | "hasCapability" | "sendRoomEvent" | "sendStateEvent" | "readRoomEvents" |
  "readStateEvents" | "readEventRelations" | "requestOpenIDConnectToken" | "setAlwaysOnScreen" | "navigateTo" | "sendContentLoaded" | "transport"
>;

export type WidgetConnection =
  | { kind: "outside"; params: WidgetParams }
  | { kind: "failed"; params: WidgetParams; reason: string }
  | { kind: "connected"; params: WidgetParams; session: WidgetSession };

export interface ConnectOptions {
  params: WidgetParams;
  inFrame: boolean;
  capabilities: readonly Capability[];
  timeoutMs?: number;
  createApi?: (widgetId: string, clientOrigin: string) => WidgetApiPort;
}

export async function connectWidget(opts: ConnectOptions): Promise<WidgetConnection> {
  const { params } = opts;
  if (!isHosted(params, opts.inFrame) || params.widgetId === undefined || params.clientOrigin === undefined) return { kind: "outside", params };
  const api = (opts.createApi ?? ((id, origin) => new WidgetApi(id, origin)))(params.widgetId, params.clientOrigin);
  api.requestCapabilities([...opts.capabilities]);
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), opts.timeoutMs ?? 10_000);
    api.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  api.start();
  if (!(await ready)) return { kind: "failed", params, reason: "le client Matrix n'a pas répondu" };
  return { kind: "connected", params, session: new WidgetSession(api, params) };
}

type Listener = (ev: IRoomEvent) => void;
/** The room state events of one `update_state` push (MSC2762's newer form, matrix-widget-api 1.19). */
type StateListener = (state: unknown[]) => void;

export class WidgetSession {
  readonly api: WidgetApiPort;
  readonly params: WidgetParams;
  readonly #listeners = new Set<Listener>();
  readonly #stateListeners = new Set<StateListener>();

  constructor(api: WidgetApiPort, params: WidgetParams) {
    this.api = api;
    this.params = params;
    // One handler answers the client once per pushed event, then fans out to subscribers.
    api.on("action:send_event", (ev: CustomEvent<{ data: unknown }>) => {
      ev.preventDefault();
      api.transport.reply(ev.detail as never, {});
      const data = ev.detail.data;
      if (typeof data === "object" && data !== null) for (const l of this.#listeners) l(data as IRoomEvent);
    });
    // Clients on matrix-widget-api 1.19 (ours, Element) push room state with update_state; unanswered,
    // the library replies "Unknown or unsupported to-widget action" and the client logs « Failed to
    // push room state » for every push. Every widget acknowledges; those that want the state subscribe.
    api.on("action:update_state", (ev: CustomEvent<{ data: unknown }>) => {
      ev.preventDefault();
      api.transport.reply(ev.detail as never, {});
      const state = (ev.detail.data as { state?: unknown } | undefined)?.state;
      for (const l of this.#stateListeners) l(Array.isArray(state) ? (state as unknown[]) : []);
    });
  }

  /** Room state the client pushes (update_state), already acknowledged; returns an unsubscribe. */
  onStatePush(listener: StateListener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  has(capability: Capability): boolean {
    return this.api.hasCapability(capability);
  }

  async send<T extends object>(schema: EventSchema<T>, content: T): Promise<string> {
    const r = await this.api.sendRoomEvent(schema.type, content);
    return r.event_id ?? "";
  }

  async sendState<T extends object>(schema: EventSchema<T>, stateKey: string, content: T): Promise<string> {
    const r = await this.api.sendStateEvent(schema.type, stateKey, content);
    return r.event_id ?? "";
  }

  async read<T>(schema: EventSchema<T>, limit = 50): Promise<TypedRoomEvent<T>[]> {
    return toTypedEvents(schema, await this.api.readRoomEvents(schema.type, limit, schema.msgtype));
  }

  async readState<T>(schema: EventSchema<T>, stateKey?: string): Promise<TypedRoomEvent<T>[]> {
    return toTypedEvents(schema, await this.api.readStateEvents(schema.type, 50, stateKey));
  }

  async relations<T>(schema: EventSchema<T>, eventId: string, relType?: string): Promise<TypedRoomEvent<T>[]> {
    const r = await this.api.readEventRelations(eventId, undefined, relType, schema.type);
    return toTypedEvents(schema, r.chunk);
  }

  /** Live events the client pushes (needs the receive capability); returns an unsubscribe. */
  onEvent<T>(schema: EventSchema<T>, handler: (ev: TypedRoomEvent<T>) => void): () => void {
    const l: Listener = (raw) => {
      const t = toTypedEvent(schema, raw);
      if (t !== undefined) handler(t);
    };
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  openIdToken(): Promise<IOpenIDCredentials> {
    return this.api.requestOpenIDConnectToken();
  }
}
