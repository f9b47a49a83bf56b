// What each capability means, in words an agent understands (French first, English too). Unknown
// ones are shown raw rather than hidden: the agent must see everything the widget asks for.
import { EventDirection, EventKind, MatrixCapabilities, WidgetEventCapability, type Capability } from "matrix-widget-api";
import { translator, type Translate } from "../i18n/translator.ts";

export interface CapabilityLabel { capability: Capability; label: string; sensitive: boolean }

function eventLabel(c: WidgetEventCapability, t: Translate): string {
  const send = c.direction === EventDirection.Send;
  if (c.kind === EventKind.Event && c.eventType === "m.room.message" && c.keyStr !== null) return t(send ? "capSendMessages" : "capReadMessages", { msgtype: c.keyStr });
  const type = `${c.eventType}${c.keyStr !== null ? ` / ${c.keyStr}` : ""}`;
  if (c.kind === EventKind.State) return t(send ? "capSendState" : "capReadState", { type });
  if (c.kind === EventKind.ToDevice) return t(send ? "capSendToDevice" : "capReadToDevice", { type });
  return t(send ? "capSendEvents" : "capReadEvents", { type });
}

export function labelCapability(capability: Capability, t: Translate = translator("fr")): CapabilityLabel {
  if (capability === MatrixCapabilities.AlwaysOnScreen) return { capability, label: t("capAlwaysOnScreen"), sensitive: false };
  if (capability === MatrixCapabilities.Screenshots) return { capability, label: t("capScreenshots"), sensitive: false };
  if (capability === MatrixCapabilities.RequiresClient) return { capability, label: t("capRequiresClient"), sensitive: false };
  if (capability.startsWith("org.matrix.msc2762.timeline:")) return { capability, label: t("capTimeline", { room: capability.slice("org.matrix.msc2762.timeline:".length) }), sensitive: true };
  const [event] = WidgetEventCapability.findEventCapabilities([capability]);
  if (event !== undefined) return { capability, label: eventLabel(event, t), sensitive: event.direction === EventDirection.Send };
  return { capability, label: t("capUnknown", { capability }), sensitive: true };
}
