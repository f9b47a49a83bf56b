// Runs one widget in an iframe: a ClientWidgetApi per iframe, our driver behind it. The iframe is
// sandboxed (scripts and its own origin for storage; no top navigation), camera and microphone are
// delegated only to the Jitsi wrapper. m.always_on_screen is tracked so the client can keep a
// running meeting in a small view when the agent changes rooms.
import { ClientWidgetApi, Widget, type IRoomEvent, type IWidgetApiRequest } from "matrix-widget-api";
import type { WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";
import { JITSI_TYPES } from "../../../../widgets/jitsi/src/jitsi-widget.ts";
import type { EntenteWidgetDriver } from "./widget-driver.ts";
import { answerRecursiveRelations, dropSpeculation, READ_RELATIONS_ACTION, speculate } from "./recursive-relations.ts";
import { readAtOpen, storedFirstReadHint, type FirstReadHint } from "./first-read-hint.ts";
import { approvalKey } from "./capability-approvals.ts";
import { SeenEvents } from "./seen-events.ts";
import { quietTransport } from "../../../../widgets/kit/src/quiet-transport.ts";

export { SeenEvents };

export const WIDGET_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads allow-modals";

export function iframeAllow(widget: WidgetDefinition): string {
  return JITSI_TYPES.includes(widget.type) ? "camera; microphone; display-capture; fullscreen; autoplay; clipboard-write" : "clipboard-write";
}

/** localStorage where there is one (a browser page; a sandbox may refuse it). */
function pageStorage(): Storage | undefined {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage;
  } catch {
    return undefined;
  }
}

export interface HostedWidget {
  api: ClientWidgetApi;
  alwaysOnScreen(): boolean;
  /** A live event of the timeline; ClientWidgetApi passes it on only if a granted capability covers it. */
  feed(event: IRoomEvent): void;
  stop(): void;
}

/**
 * `frameUrl` is the URL the iframe really loads (expanded, or our Jitsi wrapper): ClientWidgetApi
 * takes the postMessage target origin from the Widget's url, so it must be that one, not the template.
 * `firstRead`: the widget's first list read remembered from its last opening (by default in the
 * page's localStorage), started now (recursive-relations.ts: speculate) and kept up to date.
 */
export function hostWidget(
  iframe: HTMLIFrameElement, widget: WidgetDefinition, frameUrl: string, roomId: string | undefined, driver: EntenteWidgetDriver, onChange: () => void,
  firstRead: FirstReadHint = storedFirstReadHint(pageStorage(), driver.userId, approvalKey(roomId, widget.id, frameUrl)),
): HostedWidget {
  const w = new Widget({
    id: widget.id, creatorUserId: widget.creatorUserId, type: widget.type, url: frameUrl, name: widget.name, data: { ...widget.data }, waitForIframeLoad: true,
  });
  const api = new ClientWidgetApi(w, iframe, driver);
  quietTransport(api.transport);
  // ClientWidgetApi reads and pushes events only for the room it is told the agent is viewing.
  if (roomId !== undefined) api.setViewedRoomId(roomId);
  let onScreen = false;
  api.on("action:set_always_on_screen", (ev: CustomEvent<IWidgetApiRequest>) => {
    ev.preventDefault();
    if (!api.hasCapability("m.always_on_screen")) {
      api.transport.reply(ev.detail, { error: { message: "capacité m.always_on_screen non accordée" } });
      return;
    }
    onScreen = (ev.detail.data as { value?: unknown }).value === true;
    // IStickyActionResponseData: the widget API resolves setAlwaysOnScreen() with `success`.
    api.transport.reply(ev.detail, { success: true });
    onChange();
  });
  api.on(READ_RELATIONS_ACTION, (ev: CustomEvent<IWidgetApiRequest>) => answerRecursiveRelations(api, driver, ev, firstRead));
  const guess = roomId === undefined || !readAtOpen(pageStorage()) ? undefined : firstRead.load();
  if (guess !== undefined) speculate(api, driver, guess);
  const seen = new SeenEvents();
  let ready = false;
  api.once("ready", () => (ready = true));
  return {
    api,
    alwaysOnScreen: () => onScreen,
    feed: (event) => {
      if (event.room_id !== roomId) return;
      // Before "ready" nothing is granted yet; the widget reads what it missed with read_events, and
      // a read started before this event may lack it: the widget must read for itself.
      if (!ready) return dropSpeculation(api);
      if (!seen.firstTime(event.event_id)) return;
      api.feedEvent(event).catch(() => undefined);
    },
    stop: () => {
      dropSpeculation(api);
      api.stop();
    },
  };
}
