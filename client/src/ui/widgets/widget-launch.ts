// Loaded with import() the first time a widget opens: matrix-widget-api and the hosting code stay
// out of the client's first download. Builds one <entente-widget-frame> with its driver: URL
// templates expanded for this agent, approvals remembered in localStorage, French consent dialogs.
import type { WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";
import { approvalKey, LocalStorageApprovalStore } from "../../core/widgets/capability-approvals.ts";
import type { RoomWidgetsPort } from "../../core/widgets/room-widgets-port.ts";
import { EntenteWidgetDriver } from "../../core/widgets/widget-driver.ts";
import { permalinkRoomId } from "../../core/widgets/widget-edit.ts";
import { widgetFrameUrl } from "../../core/widgets/widget-frame-url.ts";
import { jitsiWrapperUrl, widgetsOrigin, type WidgetsConfig } from "../../core/widgets/widgets-config.ts";
import { roomHash } from "../app/route.ts";
import type { WidgetConsent } from "./widget-consent.ts";
import type { WidgetFrame } from "./widget-frame.ts";
import "./widget-consent.ts";
import "./widget-frame.ts";

export function createConsent(): WidgetConsent {
  return document.createElement("entente-widget-consent") as WidgetConsent;
}

export interface Launch { port: RoomWidgetsPort; config: WidgetsConfig; widget: WidgetDefinition; roomId: string; consent: WidgetConsent; language: string }

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
  el.driver = new EntenteWidgetDriver({
    client: port, roomId, widgetName: widget.name,
    approvalKey: approvalKey(roomId, widget.id, frame.kind === "ok" ? frame.url : widget.url),
    approvals: new LocalStorageApprovalStore(localStorage),
    prompts: { askCapabilities: (n, req) => l.consent.askCapabilities(n, req), askOpenId: (n) => l.consent.askOpenId(n, port.userId) },
    navigate: async (uri) => {
      const target = permalinkRoomId(uri);
      if (target !== undefined) location.hash = roomHash(target);
    },
  });
  return el;
}
