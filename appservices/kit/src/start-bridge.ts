// Starts one Entente bot on matrix-appservice-bridge (the real library; why its native crypto is
// stubbed: appservices/README.md). The bridge receives transactions on the registration's url
// and hands each event to `onEvent` in the order the homeserver sent them; the bot joins the
// rooms it is invited to. https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import { Bridge, Logger, type Request, type WeakEvent } from "matrix-appservice-bridge";
import { listenAddress } from "./listen-address.ts";
import { loadRegistration } from "./load-registration.ts";

export type BridgeLogLevel = "debug" | "info" | "warn" | "error" | "off";

export interface BotEventContext {
  bridge: Bridge;
  /** @<sender_localpart>:<domain>, the bot's own user. */
  botUserId: string;
}

/** Called once per event, one at a time: the next event waits until this settles. */
export type BotEventHandler = (event: WeakEvent, ctx: BotEventContext) => void | Promise<void>;

export interface StartBridgeOptions {
  /** The registration YAML (as written by `entente init`). */
  registrationPath: string;
  /** The council's client-server API, e.g. http://127.0.0.1:8600. */
  homeserverUrl: string;
  /** The council's server name, e.g. ville-a.localhost. */
  domain: string;
  onEvent: BotEventHandler;
  /** Default: the port of the registration's `url`, where the homeserver pushes. */
  port?: number | undefined;
  /** Default: the host of the registration's `url`. */
  host?: string | undefined;
  /** The library's console logging (process-wide: it configures one global logger). Default: info. */
  logLevel?: BridgeLogLevel | undefined;
}

export interface RunningBridge {
  bridge: Bridge;
  botUserId: string;
  port: number;
  /** Stops the HTTP listener; the homeserver keeps the undelivered events for the next start. */
  close(): Promise<void>;
}

export async function startBridge(o: StartBridgeOptions): Promise<RunningBridge> {
  Logger.configure({ console: o.logLevel ?? "info" });
  const registration = loadRegistration(o.registrationPath);
  const fromUrl = o.port === undefined || o.host === undefined ? listenAddress(registration.getAppServiceUrl()) : undefined;
  const port = o.port ?? fromUrl?.port ?? 0;
  const host = o.host ?? fromUrl?.host ?? "127.0.0.1";
  const botUserId = `@${registration.getSenderLocalpart() ?? ""}:${o.domain}`;
  // handle() never rejects, so the chain never breaks.
  let previous = Promise.resolve();
  const bridge: Bridge = new Bridge({
    registration,
    homeserverUrl: o.homeserverUrl,
    domain: o.domain,
    // The bridge's remote<->Matrix user/room stores are NeDB files, and nedb 1.8 calls util.isDate,
    // gone since Node 23. Our bots keep their state as room state, so they need none of them.
    disableStores: true,
    // One queue for all rooms: the controller is called in transaction order. The library's
    // `perRequest` only waits for the previous event's context lookup, not for its request
    // (11.2.0, Bridge.limited), so the handlers are chained below instead.
    queue: { type: "single" },
    logRequestOutcome: false,
    controller: {
      // Called only once listen() runs, so `bridge` is initialised by then.
      onEvent: (request: Request<WeakEvent>): void => {
        previous = previous.then(() => handle(request, { bridge, botUserId }, o.onEvent));
      },
    },
  });
  await bridge.initialise();
  await bridge.listen(port, host);
  return { bridge, botUserId, port, close: () => bridge.close() };
}

const log = new Logger("entente-bot");

/**
 * Joins on an invite of the bot user, then runs the handler. A failure is logged and the request
 * still resolved: the bridge rethrows a rejected request from an event listener, where it would
 * be an unhandled rejection (fatal in Node 24), and the transaction is already acknowledged.
 */
async function handle(request: Request<WeakEvent>, ctx: BotEventContext, onEvent: BotEventHandler): Promise<void> {
  const event = request.getData();
  try {
    if (isInviteOf(event, ctx.botUserId)) await ctx.bridge.getIntent().join(event.room_id);
    await onEvent(event, ctx);
  } catch (e: unknown) {
    log.error(`event ${event.event_id} (${event.type}) in ${event.room_id} failed:`, e);
  } finally {
    request.resolve(undefined);
  }
}

// https://spec.matrix.org/v1.16/client-server-api/#mroommember
const isInviteOf = (event: WeakEvent, userId: string): boolean =>
  event.type === "m.room.member" && event.state_key === userId && event.content["membership"] === "invite";
