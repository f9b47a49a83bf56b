// What each capability means, in words an agent understands (French first, English too): our own
// events (tasks, objectives, calendar) and the standard ones a widget commonly asks for have a plain
// sentence; any other is described generically with its type, never hidden. The raw identifier
// stays available (`detail`) for the IT lead who checks what was granted.
import { EventDirection, EventKind, MatrixCapabilities, WidgetEventCapability, type Capability } from "matrix-widget-api";
import { translator, type Translate } from "../i18n/translator.ts";
import type { MessageKey } from "../i18n/messages-fr.ts";
import { CAPABILITY_SENTENCES } from "./capability-sentences.ts";

export interface CapabilityLabel { capability: Capability; label: string; detail: string; sensitive: boolean }

/** The sentence table's key of an event capability: room events by type, messages by msgtype. */
export function sentenceKey(c: WidgetEventCapability): string | undefined {
  if (c.kind === EventKind.State) return c.keyStr === null || c.keyStr === "" ? `state:${c.eventType}` : undefined;
  if (c.kind === EventKind.ToDevice) return undefined;
  if (c.eventType === "m.room.message") return c.keyStr === null ? "message" : `message:${c.keyStr}`;
  return `event:${c.eventType}`;
}

function eventLabel(c: WidgetEventCapability, t: Translate): string {
  const send = c.direction === EventDirection.Send;
  const key = sentenceKey(c);
  const known = key === undefined ? undefined : CAPABILITY_SENTENCES[key];
  const sentence: MessageKey | undefined = send ? known?.send : known?.read;
  if (sentence !== undefined) return t(sentence);
  if (c.kind === EventKind.Event && c.eventType === "m.room.message" && c.keyStr !== null) return t(send ? "capSendMessages" : "capReadMessages", { msgtype: c.keyStr });
  // State key "" is the room-wide one: nothing to add after the type.
  const type = `${c.eventType}${c.keyStr !== null && c.keyStr !== "" ? ` / ${c.keyStr}` : ""}`;
  if (c.kind === EventKind.State) return t(send ? "capSendState" : "capReadState", { type });
  if (c.kind === EventKind.ToDevice) return t(send ? "capSendToDevice" : "capReadToDevice", { type });
  return t(send ? "capSendEvents" : "capReadEvents", { type });
}

export function labelCapability(capability: Capability, t: Translate = translator("fr")): CapabilityLabel {
  const detail = t("capDetail", { id: capability });
  if (capability === MatrixCapabilities.AlwaysOnScreen) return { capability, label: t("capAlwaysOnScreen"), detail, sensitive: false };
  if (capability === MatrixCapabilities.Screenshots) return { capability, label: t("capScreenshots"), detail, sensitive: false };
  if (capability === MatrixCapabilities.RequiresClient) return { capability, label: t("capRequiresClient"), detail, sensitive: false };
  if (capability.startsWith("org.matrix.msc2762.timeline:")) return { capability, label: t("capTimeline", { room: capability.slice("org.matrix.msc2762.timeline:".length) }), detail, sensitive: true };
  const [event] = WidgetEventCapability.findEventCapabilities([capability]);
  if (event !== undefined) return { capability, label: eventLabel(event, t), detail, sensitive: event.direction === EventDirection.Send };
  return { capability, label: t("capUnknown", { capability }), detail, sensitive: true };
}
