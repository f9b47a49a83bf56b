// Loaded with import() the first time a widget opens: matrix-widget-api and the hosting code stay
// out of the client's first download. Builds one <entente-widget-frame> with its driver: URL
// templates expanded for this agent (and the agent's language, which our Jitsi wrapper follows),
// approvals remembered in localStorage per widget, consent dialogs in the agent's language. Room
// widgets and account widgets (roomId: the room they were launched from, or none) alike.
import type { WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";
import { approvalKey, LocalStorageApprovalStore } from "../../core/widgets/capability-approvals.ts";
import type { RoomWidgetsPort } from "../../core/widgets/room-widgets-port.ts";
import { EntenteWidgetDriver } from "../../core/widgets/widget-driver.ts";
import { permalinkRoomId } from "../../core/widgets/widget-edit.ts";
import { widgetFrameUrl } from "../../core/widgets/widget-frame-url.ts";
import { jitsiWrapperUrl, widgetsOrigin, type WidgetsConfig } from "../../core/widgets/widgets-config.ts";
import { roomHash } from "../app/route.ts";
import type { Translate } from "../../core/i18n/translator.ts";
import type { WidgetConsent } from "./widget-consent.ts";
import type { WidgetFrame } from "./widget-frame.ts";
import "./widget-consent.ts";
import "./widget-frame.ts";

export function createConsent(): WidgetConsent {
  return document.createElement("entente-widget-consent") as WidgetConsent;
}

export interface Launch {
  port: RoomWidgetsPort; config: WidgetsConfig; widget: WidgetDefinition; roomId: string | undefined; consent: WidgetConsent; language: string;
  /** Words of the frame and the consent dialogs (French when absent). */
  t?: Translate;
  /** Account widget: approvals are keyed "account|id|origin", not by room. */
  account?: boolean;
}

export function launchWidget(l: Launch): WidgetFrame {
  const { port, widget, roomId } = l;
  const me = port.me(roomId);
  const frame = widgetFrameUrl(widget, {
    userId: port.userId, roomId, displayName: me.displayName, avatarHttpUrl: me.avatarHttpUrl, widgetId: widget.id,
    clientId: "fr.entente.client", theme: "light", language: l.language, deviceId: port.deviceId, baseUrl: port.baseUrl,
  }, { trustedOrigins: [widgetsOrigin(l.config)], jitsiWrapperUrl: jitsiWrapperUrl(l.config), parentUrl: location.href.split("#")[0] ?? "" });
  const el = document.createElement("entente-widget-frame") as WidgetFrame;
  el.widget = widget;
  el.roomId = roomId;
  el.frame = frame;
  el.closable = true;
  if (l.t !== undefined) {
    el.t = l.t;
    l.consent.t = l.t;
  }
  el.driver = new EntenteWidgetDriver({
    client: port, roomId, widgetName: widget.name,
    approvalKey: approvalKey(l.account === true ? undefined : roomId, widget.id, frame.kind === "ok" ? frame.url : widget.url),
    approvals: new LocalStorageApprovalStore(localStorage, port.userId),
    prompts: { askCapabilities: (n, req) => l.consent.askCapabilities(n, req), askOpenId: (n) => l.consent.askOpenId(n, port.userId) },
    navigate: async (uri) => {
      const target = permalinkRoomId(uri);
      if (target !== undefined) location.hash = roomHash(target);
    },
  });
  return el;
}
